"""Answers to pair trials: the side clicked is stored as the chosen clip's level, both
clips' plays are kept, and every rule the server holds is a 4xx that stores nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from studyapp.models import Response, Study, Trial
from studyapp.questions import question_set_store, questions_parse
from studyapp.studies import study_build
from tests.studyapp.participant import Walker
from tests.studyapp.test_pairs import PREFERENCE

pytestmark = pytest.mark.django_db


def levels(trial: Trial) -> dict:
    """The compared level of the clip shown left and right."""
    a, b = trial.stimulus.factors["method"], trial.stimulus_b.factors["method"]
    return {"left": a, "right": b} if trial.left == "a" else {"left": b, "right": a}


def test_the_side_clicked_is_stored_as_the_chosen_clips_level(pair_walker):
    assert pair_walker.answer_pair().status_code == 200            # the practice pair
    shown = pair_walker.current()
    trial = pair_walker.participant.trials.select_related("stimulus", "stimulus_b").get(
        index=shown["trialIndex"])
    reply = pair_walker.answer_pair(answers={"lip_sync": "left", "naturalness": "right",
                                             "expression": "none"},
                                    plays_left=2, plays_right=1, rt_ms=700)
    assert reply.status_code == 200
    stored = Response.objects.get(trial=trial)
    side = levels(trial)
    assert stored.answers == {"lip_sync": side["left"], "naturalness": side["right"],
                              "expression": "none"}
    plays = {"a": 2, "b": 1} if trial.left == "a" else {"a": 1, "b": 2}
    assert (stored.plays, stored.plays_b, stored.rt_ms) == (plays["a"], plays["b"], 700)


def test_both_sides_are_found_over_the_trials(pair_walker):
    """Left is a on some trials, b on others; the mapping holds on both."""
    pair_walker.answer_pair()
    for _ in range(12):
        assert pair_walker.answer_pair(answers={"lip_sync": "left", "naturalness": "left",
                                                "expression": "right"}).status_code == 200
    rows = Response.objects.filter(trial__is_practice=False).select_related(
        "trial__stimulus", "trial__stimulus_b")
    assert {r.trial.left for r in rows} == {"a", "b"}
    for r in rows:
        side = levels(r.trial)
        assert (r.answers["lip_sync"], r.answers["expression"]) == (side["left"], side["right"])
    assert pair_walker.participant.stage == "done"


@pytest.mark.parametrize("fields, message", [
    ({"lip_sync": "a"}, "lip_sync 'a' is not one of left, right, none"),
    ({"naturalness": ...}, "naturalness is missing"),
    ({"plays_right": ...}, "reports the plays of both clips"),
    ({"plays_left": ..., "plays_right": ...}, "reports the plays of both clips"),
    ({"plays_right": 0}, "watch both clips to their end"),
    ({"plays_left": 0}, "watch both clips to their end"),
    ({"plays_left": -1}, "plays_left must be a whole number"),
    ({"stimulus_a": "x"}, "unknown field(s): stimulus_a"),
])
def test_bad_pair_answers_get_400_and_store_nothing(pair_walker, fields, message):
    reply = pair_walker.answer_pair(**fields)
    assert reply.status_code == 400, reply.content
    assert message in reply.json()["error"]
    assert not Response.objects.exists()
    assert pair_walker.participant.next_trial == 0


def test_no_preference_is_refused_where_the_question_does_not_offer_it(make_set, pair_rows):
    study_build(manifest=make_set("own", pair_rows), design="pairs", slug="own",
                compare="method", questions=questions_parse(PREFERENCE))
    w = Walker("own")
    w.to_trials()
    reply = w.answer_pair(answers={"better": "none"})
    assert reply.status_code == 400 and "better 'none' is not one of left, right" in \
        reply.json()["error"]
    assert not Response.objects.exists()
    assert w.answer_pair(answers={"better": "right"}).status_code == 200


def test_a_preference_for_a_single_clip_trial_is_refused(small_study):
    """Build refuses preference questions on single clips; should a study's questions
    change under it anyway, the server still stores no preference without a pair."""
    w = Walker("small")
    w.to_trials()
    sides = w.answer(plays_left=1, plays_right=1)
    assert sides.status_code == 400 and "are for a pair trial" in sides.json()["error"]
    Study.objects.filter(pk=small_study.pk).update(
        questions=question_set_store(questions_parse(PREFERENCE)))
    reply = w.answer(answers={"better": "left"})
    assert reply.status_code == 400 and "shows one clip" in reply.json()["error"]
    assert not Response.objects.exists()


def test_a_pair_needs_the_time_of_both_clips(pair_walker):
    """0.48 s clips: an answer 0.7 s after the pair was shown would do for one clip, not for
    both (0.96 s less the 0.3 s tolerance); 1.0 s does."""
    pair_walker.current()
    trial = pair_walker.participant.trials.get(index=0)

    def shown(seconds_ago):
        Trial.objects.filter(pk=trial.pk).update(
            shown_at=timezone.now() - timedelta(seconds=seconds_ago))

    shown(0.55)
    reply = pair_walker.answer_pair(watched=False)
    assert reply.status_code == 400 and reply.json()["code"] == "watch"
    assert "watch both clips to their end" in reply.json()["error"]
    assert pair_walker.participant.too_fast_answers == 1 and not Response.objects.exists()
    shown(1.0)
    assert pair_walker.answer_pair(watched=False).status_code == 200


def test_the_reply_carries_the_next_pair_by_side_and_names_no_clip(pair_walker, pair_study):
    first = pair_walker.answer_pair().json()["trial"]
    assert first == pair_walker.current()
    trial = pair_walker.participant.trials.select_related("stimulus", "stimulus_b").get(index=1)
    left, right = (trial.stimulus, trial.stimulus_b) if trial.left == "a" else (
        trial.stimulus_b, trial.stimulus)
    assert first["clipUrl"] == f"/s/pairs/clip/{left.url_name}.mp4"
    assert first["rightClipUrl"] == f"/s/pairs/clip/{right.url_name}.mp4"
    assert first["check"] is None and first["nextClipUrl"] and first["nextRightClipUrl"]
    assert not {"a", "b", "left", "stimulusA"} & set(first)
    for url in (first["clipUrl"], first["rightClipUrl"]):       # both clips are this participant's
        assert pair_walker.client.get(url).status_code == 200
    assert Walker("pairs").client.get(first["rightClipUrl"]).status_code == 404
