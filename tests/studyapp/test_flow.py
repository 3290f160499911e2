"""The participant's path: the server holds the stage and redirects everything else."""

import pytest

from studyapp.models import Participant, Response
from studyapp.selectors import trials_planned
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db


def test_the_link_shows_the_information_sheet_whose_form_posts_to_consent(small_study):
    walker = Walker("small")
    assert walker.entry.status_code == 200 and b"Information sheet" in walker.entry.content
    assert b'<form method="post" action="/s/small/consent/"' in walker.entry.content
    page = walker.client.get("/s/small/consent/")                # the sheet's own address
    assert b"Information sheet" in page.content
    walker.consent()
    assert walker.participant.stage == "about_you"


def test_any_other_page_redirects_to_the_current_one(small_study):
    walker = Walker("small")                  # a newcomer: the study link and its sheet
    for page in ("trial/", "instructions/", "about-you/", "done/"):
        response = walker.client.get(walker.url(page), follow=True)
        assert response.redirect_chain[-1][0] == "/s/small/", page
        assert b"Information sheet" in response.content
    walker.consent()
    for page in ("trial/", "instructions/", "consent/", "done/"):
        response = walker.client.get(walker.url(page))
        assert response.status_code == 302 and response["Location"] == "/s/small/about-you/"


def test_a_newcomer_costs_no_write_until_they_answer_the_consent_form(small_study,
                                                                      django_assert_num_queries):
    """A launch's crowd, a crawler or a client clicking the link again and again adds
    nothing to the database: the study link and the information sheet only read."""
    from django.test import Client

    client = Client()
    with django_assert_num_queries(1):        # the study
        assert b"Information sheet" in client.get("/s/small/").content
    with django_assert_num_queries(1):
        assert client.get("/s/small/consent/").status_code == 200
    for _ in range(5):
        Client().get("/s/small/", follow=True)
    assert not Participant.objects.exists()
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()
    client.post("/s/small/consent/", {"consent": "yes"})
    participant = Participant.objects.get()
    # The whole order is drawn now; rows only for what the first trial page needs.
    assert [entry[0] for entry in participant.plan] == list(range(7))
    assert list(participant.trials.values_list("index", flat=True)) == [0, 1, 2]


def test_no_consent_no_trials(small_study):
    walker = Walker("small")
    response = walker.client.post(walker.url("consent/"), {"consent": "no"})
    assert response["Location"] == "/s/small/declined/"
    assert walker.client.get(walker.url("trial/"))["Location"] == "/s/small/declined/"
    assert walker.answer(trial_index=0, watched=False).status_code == 409
    assert not Response.objects.exists()


def test_consent_must_be_chosen(small_study):
    walker = Walker("small")
    page = walker.client.post(walker.url("consent/"), {})
    assert page.status_code == 200 and b"Please choose whether you consent" in page.content


def test_demographics_are_validated_and_kept(small_study):
    walker = Walker("small")
    walker.client.post(walker.url("consent/"), {"consent": "yes"})
    bad = walker.client.post(walker.url("about-you/"), {"age": 7, "gender": "male"})
    assert bad.status_code == 200 and b"greater than or equal to 16" in bad.content
    walker.client.post(walker.url("about-you/"),
                       {"age": 30, "gender": "self-described", "gender_self": "agender"})
    p = walker.participant
    assert (p.age, p.gender, p.stage) == (30, "agender", "instructions")
    assert p.consented_at is not None


def test_practice_then_trials_in_order_then_completion(small_study):
    small_study.redirect_url = "https://app.prolific.com/submissions/complete?cc=ABC"
    small_study.save()
    walker = Walker("small")
    walker.to_trials()
    first = walker.client.get(walker.url("trial/"))
    assert b"Practice trial" in first.content and b"ask questions now" in first.content
    expected = [f"/s/small/clip/{t.stimulus.url_name}.mp4"
                for t in trials_planned(walker.participant)]
    seen = []
    for _ in expected:
        config = walker.current()
        seen.append(config["clipUrl"])
        assert walker.answer().json()["ok"]
    assert seen == expected
    done = walker.client.get(walker.url("done/"))
    assert small_study.completion_code.encode() in done.content
    assert b"app.prolific.com" in done.content
    assert walker.participant.completed_at is not None
    assert walker.client.get(walker.url("trial/"))["Location"] == "/s/small/done/"


def test_progress_shows_k_of_n(small_study):
    walker = Walker("small")
    walker.to_trials()
    walker.answer()
    page = walker.client.get(walker.url("trial/")).content.decode()
    assert "Trial 1 of 6" in page


def test_returning_from_prolific_in_the_same_browser_resumes_at_the_same_trial(small_study):
    query = f"?PROLIFIC_PID={'a1' * 12}&STUDY_ID={'b2' * 12}&SESSION_ID=se1"
    walker = Walker("small", query)
    walker.to_trials()
    walker.answer()
    walker.answer()
    position = walker.current()["trialIndex"]
    assert position == 2
    again = walker.client.get("/s/small/" + query)  # Prolific's "return to the study"
    assert again["Location"] == "/s/small/trial/"
    assert walker.current()["trialIndex"] == position
    assert Participant.objects.count() == 1
    assert walker.participant.external_session_id == "se1"


def test_study_link_again_in_the_same_browser_keeps_the_place(small_study):
    walker = Walker("small")
    walker.to_trials()
    walker.answer()
    again = walker.client.get("/s/small/")
    assert again["Location"] == "/s/small/trial/"
    assert Participant.objects.count() == 1


def test_unknown_study_is_404(db):
    assert Walker("nope").entry.status_code == 404


def test_the_flow_table_is_the_path_through_a_study():
    """flow.FLOW read as a sequence: the stages a consenting participant passes."""
    from studyapp.flow import ENDS, FLOW, Stage, stage_after_answer, stage_next

    path, stage = [], Stage.CONSENT
    while FLOW[stage].next:
        path.append(stage)
        stage = stage_next(stage)
    assert path + [stage] == ["consent", "about_you", "instructions", "trials"]
    assert stage_next(Stage.CONSENT, consent=False) == Stage.DECLINED
    assert stage_next(Stage.PAUSE) == Stage.TRIALS
    assert [stage_after_answer(last=last, pause_due=due)
            for last, due in ((False, False), (False, True), (True, True))] == [
        "trials", "pause", "done"]
    with pytest.raises(ValueError):
        stage_next(Stage.TRIALS)
    assert set(FLOW) == set(Participant.Stage.values) and set(ENDS) <= set(FLOW)
    assert all(FLOW[end].next is None for end in ENDS)
