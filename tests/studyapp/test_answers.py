"""Saving answers: validated, committed once, refused with a 4xx and a sentence."""

import json
import uuid

import pytest

from studyapp.models import Response
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db


def test_answer_is_stored_with_all_fields(walker):
    config = walker.current()
    reply = walker.answer(response_emotion="anger", intensity=7, sync=1, naturalness=2,
                          rt_ms=1234, plays=2)
    assert reply.status_code == 200 and reply.json()["next"] == "/s/small/trial/"
    stored = Response.objects.get()
    assert stored.trial.index == config["trialIndex"] == 0
    assert (stored.response_emotion, stored.intensity, stored.sync, stored.naturalness,
            stored.rt_ms, stored.plays) == ("anger", 7, 1, 2, 1234, 2)
    assert stored.started_at is not None and stored.started_at <= stored.submitted_at


def test_resend_with_the_same_key_stores_once(walker):
    config = walker.current()
    body = {"submission_key": str(uuid.uuid4()), "trial_index": config["trialIndex"],
            "response_emotion": "joy", "intensity": 5,
            "sync": 4, "naturalness": 3, "rt_ms": 10, "plays": 1}
    walker.watch()
    for _ in range(3):
        reply = walker.client.post(walker.url("answer/"), json.dumps(body),
                                   content_type="application/json")
        assert reply.status_code == 200
    assert Response.objects.count() == 1
    assert walker.participant.next_trial == 1


def test_same_trial_twice_with_new_keys_stores_one_answer(walker):
    config = walker.current()
    walker.answer(trial_index=config["trialIndex"])
    again = walker.answer(trial_index=config["trialIndex"], response_emotion="fear")
    assert again.status_code == 200
    assert list(Response.objects.values_list("response_emotion", flat=True)) == ["joy"]
    assert walker.participant.next_trial == 1


@pytest.mark.parametrize("fields, message", [
    ({"intensity": 8}, "intensity must be a whole number from 1 to 7"),
    ({"sync": 0}, "sync must be a whole number from 1 to 7"),
    ({"naturalness": 2.5}, "naturalness must be a whole number"),
    ({"intensity": True}, "intensity must be a whole number"),
    ({"response_emotion": "happy"}, "response_emotion 'happy' is not one of"),
    ({"naturalness": ...}, "naturalness is missing"),
    ({"submission_key": "not-a-uuid"}, "submission_key is not a UUID"),
    ({"rt_ms": -5}, "rt_ms must be a whole number"),
    ({"plays": 0}, "watch the clip to its end"),
])
def test_bad_values_get_400_and_store_nothing(walker, fields, message):
    reply = walker.answer(**fields)
    assert reply.status_code == 400
    assert message in reply.json()["error"]
    assert not Response.objects.exists()


def test_skipped_trial_is_refused(walker):
    reply = walker.answer(trial_index=2)
    assert reply.status_code == 409 and "not your current trial" in reply.json()["error"]
    assert not Response.objects.exists()


def test_an_answer_names_its_trial_by_index_only(walker):
    """The page never learns a stimulus id (nothing on it names a condition), so an
    answer that names one comes from something other than the page: refused."""
    reply = walker.answer(trial_index=0, stimulus_id="practice")
    assert reply.status_code == 400 and "unknown field(s): stimulus_id" in reply.json()["error"]
    assert not Response.objects.exists()


def test_trial_of_another_participant_cannot_be_answered(walker, small_study):
    other = Walker("small")
    other.to_trials()
    other.answer()
    # Our session can only ever address our own trials: their trial 1 is not our current one.
    reply = walker.answer(trial_index=1)
    assert reply.status_code in (400, 409)
    assert Response.objects.filter(trial__participant=walker.participant).count() == 0
    key = str(Response.objects.get().submission_key)
    stolen = walker.answer(submission_key=key)
    assert stolen.status_code == 403
    assert Response.objects.count() == 1


def test_not_json_and_no_session_are_refused(walker, small_study):
    reply = walker.client.post(walker.url("answer/"), "x=1", content_type="text/plain")
    assert reply.status_code == 400 and "JSON" in reply.json()["error"]
    stranger = Walker("small")
    stranger.client.cookies.clear()
    assert stranger.answer(trial_index=0, watched=False).status_code == 403


def test_playback_not_required_when_the_study_says_so(walker, small_study):
    small_study.require_full_playback = False
    small_study.save()
    assert walker.answer(plays=0, rt_ms=None).status_code == 200
    assert Response.objects.get().rt_ms is None


def test_reply_carries_the_next_trial_as_the_page_would_show_it(walker, small_study):
    """trial.js shows the next trial in place from the reply, without loading a page."""
    first = walker.answer().json()["trial"]          # practice answered
    participant = walker.participant
    trial_1 = participant.trials.select_related("stimulus").get(index=1)
    assert first == walker.current()                 # the same as the trial page shows
    assert (first["trialIndex"], first["isPractice"]) == (1, False)
    assert first["clipUrl"] == f"/s/small/clip/{trial_1.stimulus.url_name}.mp4"
    trial_2 = participant.trials.select_related("stimulus").get(index=2)
    assert first["nextClipUrl"] == f"/s/small/clip/{trial_2.stimulus.url_name}.mp4"
    for index in range(1, 6):
        assert walker.answer(trial_index=index).json()["trial"]["trialIndex"] == index + 1
    # Trial 1 was shown by the trial page above: it starts then; trials 2 to 5
    # were shown in place: each starts when the answer before it was stored.
    answers = list(Response.objects.select_related("trial").order_by("trial__index"))
    assert answers[1].started_at == answers[1].trial.shown_at > answers[0].submitted_at
    assert [a.started_at for a in answers[2:]] == [a.submitted_at for a in answers[1:-1]]
    last = walker.answer().json()                    # trial 6: the end, a new page
    assert "trial" not in last and last["next"] == "/s/small/done/"


def test_reply_leaves_a_pause_to_its_page(walker, small_study):
    small_study.breaks_every = 1
    small_study.save()
    walker.answer()                                  # practice
    reply = walker.answer().json()                   # trial 1 -> pause
    assert "trial" not in reply and reply["next"] == "/s/small/pause/"


def test_requests_of_a_trial_stay_within_their_query_budget(walker, django_assert_num_queries):
    """The answer and the trial page are most of a study's requests (benchmarks/load_study).

    The session costs none (a signed cookie, sessions.py). Answer: in one
    transaction (a savepoint here) the locked participant with the study, the
    trials around this one, the insert and the update (and, one answer in
    services.BLOCK, the plan and the next rows: test_trial_rows). Trial page:
    participant with study, the two trials (and the first showing, once).
    """
    walker.answer()                                  # practice
    with django_assert_num_queries(3):               # + the first showing of trial 1
        walker.current()
    with django_assert_num_queries(2):
        shown = walker.current()
    walker.watch()
    with django_assert_num_queries(6):
        reply = walker.answer(trial_index=shown["trialIndex"], watched=False)
    assert reply.json()["trial"]["trialIndex"] == 2
    assert Response.objects.count() == 2
    key = str(Response.objects.latest("pk").submission_key)
    with django_assert_num_queries(6):               # a resend stores nothing (and
        # its reply shows trial 2 as the trial page does, recording the showing)
        walker.answer(submission_key=key, trial_index=1, watched=False)
    assert Response.objects.count() == 2


def test_a_key_reused_on_another_of_ones_own_trials_stores_nothing(walker):
    key = str(uuid.uuid4())
    walker.answer(submission_key=key)                    # practice
    shown = walker.current()
    reply = walker.answer(submission_key=key, trial_index=shown["trialIndex"])
    assert reply.status_code == 200 and reply.json()["trial"]["trialIndex"] == 1
    assert Response.objects.count() == 1 and walker.participant.next_trial == 1
