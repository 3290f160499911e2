"""The server, not the page, enforces "watch the clip to its end" (require_full_playback).

An answer is timed from when its trial was shown (the trial page, or the reply
that carried it); one that comes sooner than the clip's length (less
WATCH_TOLERANCE_S) is refused whatever the page says, stored nowhere, and
counted per participant so an experimenter can exclude speeders. Bots, enrolled
through a signed link, rehearse at full speed.
"""

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.management import call_command
from django.test import Client

from studyapp.answers import WATCH_TOLERANCE_S, watch_shortfall_s
from studyapp.links import bot_param
from studyapp.models import Participant, Response, Stimulus
from studyapp.studies import study_build
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("duration, shown_after_s, missing", [
    (3.0, 3.0, 0.0),                          # watched to the end
    (3.0, 2.8, 0.0),                          # within the tolerance
    (3.0, 1.0, 3.0 - WATCH_TOLERANCE_S - 1.0),  # e.g. played at double speed
    (3.0, None, 3.0),                         # never shown: nothing was watched
    (None, 0.0, 0.0),                         # unknown length: cannot be timed
])
def test_watch_shortfall(duration, shown_after_s, missing):
    shown = None if shown_after_s is None else T0
    now = T0 + timedelta(seconds=shown_after_s or 0)
    assert watch_shortfall_s(duration, shown, now) == pytest.approx(missing)


def test_an_answer_sooner_than_the_clip_is_refused_and_counted(walker):
    assert walker.answer().status_code == 200             # practice, watched
    reply = walker.answer(watched=False)                   # trial 1 at once, plays=1
    assert reply.status_code == 400
    assert reply.json()["code"] == "watch" and "watch the clip to its end" in reply.json()["error"]
    assert Response.objects.count() == 1 and walker.participant.next_trial == 1
    again = walker.answer(watched=False, plays=5)          # the page's word changes nothing
    assert again.status_code == 400
    assert walker.participant.too_fast_answers == 2
    assert walker.answer().status_code == 200              # after watching: accepted
    assert Response.objects.count() == 2


def test_a_script_racing_through_gets_no_completion_code(small_study):
    """The red-team case: consent to completion in half a second."""
    racer = Walker("small")
    racer.to_trials()
    for _ in range(7):
        index = racer.current()["trialIndex"]
        assert racer.answer(trial_index=index, watched=False).status_code == 400
    assert not Response.objects.exists()
    done = racer.client.get(racer.url("done/"))
    assert done.status_code == 302 and small_study.completion_code.encode() not in done.content


def test_a_trial_never_shown_cannot_be_answered(small_study):
    w = Walker("small")
    w.to_trials()                                          # the trial page was never loaded
    reply = w.answer(trial_index=0, watched=False)
    assert reply.status_code == 400 and not Response.objects.exists()


def test_speeders_are_reported_in_status_dashboard_and_export(walker, small_study):
    walker.answer()
    walker.answer(watched=False)
    code = walker.participant.code
    summary = io.StringIO()
    call_command("study_status", "small", stdout=summary)
    assert f"{code}  group -" in summary.getvalue() and "1 refused" in summary.getvalue()
    staff = get_user_model().objects.create_user("exp", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.get("/staff/small/").content.decode()
    assert 'id="too-fast"' in page and code[:9] in page
    out = io.StringIO()
    call_command("export_responses", "small", participants=True, stdout=out)
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    assert row["too_fast_answers"] == "1"


def test_no_timing_when_the_study_does_not_require_full_playback(walker, small_study):
    small_study.require_full_playback = False
    small_study.save()
    assert walker.answer(watched=False, plays=0).status_code == 200
    assert walker.participant.too_fast_answers == 0


def test_bots_from_a_signed_link_are_exempt(small_study):
    bot = Walker("small", f"?bot={bot_param(small_study)}").consent()
    assert bot.participant.is_bot and not bot.participant.is_pilot
    bot.to_trials()
    bot.current()
    assert bot.answer(watched=False).status_code == 200


@pytest.mark.parametrize("forged", ["1", "true", ""])
def test_a_bare_or_forged_bot_link_is_refused(small_study, forged):
    entry = Walker("small", f"?bot={forged}").entry
    assert entry.status_code == 400 and b"rehearsal link is not valid" in entry.content
    assert not Participant.objects.exists()


def test_a_bot_link_expires_and_belongs_to_its_study(small_study, make_set, small_rows,
                                                     monkeypatch):
    other = study_build(manifest=make_set("o", small_rows), design="custom", slug="o").study
    assert Walker("small", f"?bot={bot_param(other)}").entry.status_code == 400
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 2 * 3600)
    old = bot_param(small_study)
    monkeypatch.undo()
    assert Walker("small", f"?bot={old}").entry.status_code == 400
    assert not Participant.objects.exists()


def test_bots_are_bots_from_enrolment_and_leave_the_human_balance_alone(make_set):
    study = study_build(manifest=make_set("t1", design="task1"), design="task1", slug="t1").study
    for _ in range(3):
        Walker("t1", f"?bot={bot_param(study)}").consent()
    humans = [Walker("t1").consent().participant for _ in range(4)]
    assert sorted(p.group for p in humans) == ["1", "2", "3", "4"]
    assert Participant.objects.filter(is_bot=True).count() == 3


def test_durations_left_out_of_a_manifest_are_read_from_the_clips(make_set, small_rows):
    manifest = make_set("nodur", small_rows)
    data = json.loads(manifest.read_text())
    for item in data["stimuli"]:
        del item["duration_s"]
    manifest.write_text(json.dumps(data))
    study_build(manifest=manifest, design="custom", slug="nodur")
    durations = set(Stimulus.objects.values_list("duration_s", flat=True))
    assert all(d is not None and 0.4 < d < 0.6 for d in durations)  # the 0.48 s test clip


def test_a_manifest_duration_must_be_a_positive_number(make_set, small_rows):
    from studyapp.manifest import ManifestError

    manifest = make_set("baddur", small_rows)
    data = json.loads(manifest.read_text())
    data["stimuli"][0]["duration_s"] = "long"
    manifest.write_text(json.dumps(data))
    with pytest.raises(ManifestError, match="duration_s must be a positive number"):
        study_build(manifest=manifest, design="custom", slug="baddur")


def test_the_same_key_can_be_sent_again_after_a_refusal(walker):
    walker.answer()
    key = str(uuid.uuid4())
    assert walker.answer(submission_key=key, watched=False).status_code == 400
    assert walker.answer(submission_key=key).status_code == 200
    assert Response.objects.filter(submission_key=key).count() == 1
