"""A Prolific ID is not a password.

The place held under a PROLIFIC_PID goes back to the browser that holds it
(Prolific's "return to the study"), and to another browser only with the
participant's resume code, shown on their pages. Links with unfilled
placeholders or ids not in Prolific's format are refused, and binding a
participant to a session gives it a new key (session fixation).
"""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from studyapp.models import Participant, Response
from studyapp.services import RESUME_TRIES
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

PID, STUDY = "5f0c" * 6, "9a3e" * 6
LINK = f"?PROLIFIC_PID={PID}&STUDY_ID={STUDY}&SESSION_ID=abc123"


@pytest.fixture
def owner(small_study):
    """A Prolific participant two trials in."""
    w = Walker("small", LINK)
    w.to_trials()
    w.answer()
    w.answer()
    return w


def test_someone_elses_prolific_id_does_not_take_over_their_place(owner):
    intruder = Walker("small", LINK)                      # a new browser, the same ids
    assert intruder.entry.status_code == 302 and intruder.entry["Location"] == "/s/small/resume/"
    assert "participant:small" not in intruder.client.session
    assert intruder.client.get("/s/small/trial/")["Location"] == "/s/small/"
    assert intruder.answer(trial_index=2, watched=False).status_code == 403
    intruder.client.post("/s/small/withdraw/")
    owner_row = owner.participant
    assert owner_row.stage == "trials" and owner_row.next_trial == 2
    assert Response.objects.count() == 2 and Participant.objects.count() == 1
    page = intruder.client.get("/s/small/resume/").content.decode()
    assert "resume code" in page and owner_row.resume_code not in page


def test_the_resume_code_brings_the_place_to_another_browser(owner):
    code = owner.participant.resume_code
    page = owner.client.get("/s/small/trial/").content.decode()
    assert f"{code[:4]}-{code[4:]}" in page                # shown on the participant's pages
    other = Walker("small", LINK)
    wrong = other.client.post("/s/small/resume/", {"code": "AAAA-AAAA"})
    assert wrong.status_code == 400 and b"not your resume code" in wrong.content
    assert owner.participant.resume_failures == 1
    typed = f" {code[:4].lower()} - {code[4:].lower()} "   # as a person might type it
    right = other.client.post("/s/small/resume/", {"code": typed})
    assert right["Location"] == "/s/small/trial/"
    assert other.current()["trialIndex"] == 2
    assert other.answer().status_code == 200
    assert Participant.objects.count() == 1


def test_wrong_codes_are_capped(owner):
    other = Walker("small", LINK)
    for _ in range(RESUME_TRIES):
        other.client.post("/s/small/resume/", {"code": "AAAA-AAAA"})
    locked = other.client.post("/s/small/resume/", {"code": owner.participant.resume_code})
    assert locked.status_code == 400 and b"contact the researcher" in locked.content
    assert "participant:small" not in other.client.session


def test_no_resume_code_without_a_prolific_id(walker):
    page = walker.client.get("/s/small/trial/").content.decode()
    assert "resume-code" not in page and walker.participant.resume_code not in page


@pytest.mark.parametrize("query", [
    "?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}",
    "?PROLIFIC_PID=%7B%7B%25PROLIFIC_PID%25%7D%7D",
    f"?PROLIFIC_PID={PID[:-1]}",
    f"?PROLIFIC_PID={PID}x",
    "?PROLIFIC_PID=someone",
    f"?PROLIFIC_PID={PID[:-1]}%00",
    f"?PROLIFIC_PID={PID}&STUDY_ID=%00",
    f"?PROLIFIC_PID={PID}&STUDY_ID={STUDY}&SESSION_ID=a%00b",
    f"?PROLIFIC_PID={PID}&STUDY_ID={STUDY}&SESSION_ID={{{{%SESSION_ID%}}}}",
])
def test_placeholders_and_ids_not_in_prolifics_format_are_refused(small_study, query):
    entry = Walker("small", query).entry
    assert entry.status_code == 400 and b"is not a Prolific ID" in entry.content
    assert not Participant.objects.exists()


def test_everyone_with_an_unfilled_link_does_not_share_one_record(small_study):
    for _ in range(3):
        Walker("small", "?PROLIFIC_PID={{%PROLIFIC_PID%}}")
    assert not Participant.objects.exists()


def test_binding_a_participant_rotates_the_session_key(small_study):
    planted = SessionStore()
    planted["x"] = 1
    planted.create()                                    # a session id handed to the victim
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    w = Walker("small", LINK, client=browser)
    assert w.entry.status_code == 200 and b"Information sheet" in w.entry.content
    w.consent()
    assert w.client.cookies[settings.SESSION_COOKIE_NAME].value != planted.session_key
    assert "participant:small" not in SessionStore(session_key=planted.session_key).load()
    assert w.participant.external_pid == PID
