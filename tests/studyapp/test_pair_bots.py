"""Bots on pairs studies: through the real HTTP flow (answers by side, both clips' plays,
a pair answered too early refused), random, accurate and observer answers, and the
done-when check of issue 16 on a Task 2 set: build, bots, the pairs export."""

import csv
import io
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from contract import PAIR_HEAD, PAIR_TRAILER
from studyapp.bots import pair_answers_choose, preference_choose
from studyapp.models import Participant, Response, Study
from studyapp.questions import PAIR_QUESTIONS, questions_parse
from studyapp.studies import study_build
from tests.studyapp.test_observer_bots import by_method, with_measures

pytestmark = pytest.mark.django_db


def export(slug):
    out = io.StringIO()
    call_command("export_responses", slug, include_bots=True, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def preferred(rows, question, better, worse):
    """Share of rows comparing ``better`` with ``worse`` that chose ``better``."""
    compared = [r for r in rows if {r["a_method"], r["b_method"]} == {better, worse}
                and r["attention_check"] == "0"]
    return sum(r[question] == better for r in compared) / len(compared)


def test_preference_choose_follows_the_difference_with_noise():
    rng = random.Random(4)
    draws = Counter(preference_choose(0.8, 0.5, rng, none=True) for _ in range(4000))
    assert draws["a"] / 4000 > 0.9 and draws["none"] < 0.05 * 4000
    ties = Counter(preference_choose(0.5, 0.5, rng, none=True) for _ in range(4000))
    assert 0.2 < ties["none"] / 4000 < 0.32 and abs(ties["a"] - ties["b"]) < 300
    assert "none" not in {preference_choose(0.5, 0.5, rng, none=False) for _ in range(500)}


def test_accurate_pair_answers_follow_the_method_profiles():
    rng = random.Random(2)
    clips = (({"method": "GT", "emotion": "joy"}, {}), ({"method": "EVP", "emotion": "joy"}, {}))
    answers = [pair_answers_choose(PAIR_QUESTIONS, clips, rng, "accurate", 0) for _ in range(1000)]
    assert sum(a["lip_sync"] == "a" for a in answers) > 950
    close = (({"method": "GT"}, {}), ({"method": "ETAD"}, {}))
    shares = Counter(pair_answers_choose(PAIR_QUESTIONS, close, rng, "accurate", 0)["lip_sync"]
                     for _ in range(2000))
    assert shares["a"] > shares["b"] > 0.2 * 2000                 # GT ahead, not always


def test_random_bots_complete_a_pairs_study_through_http(pair_study):
    out = io.StringIO()
    call_command("run_bots", "pairs", n=3, answers="random", seed=5, stdout=out)
    assert "3 of 3 bots completed" in out.getvalue()
    rows = export("pairs")
    assert len(rows) == 3 * 13 and Response.objects.count() == len(rows)
    assert {r["lip_sync"] for r in rows if r["is_practice"] == "0"} <= {"GT", "ETAD", "EVP",
                                                                        "none"}
    assert all(r["plays_a"] == r["plays_b"] == "1" for r in rows)
    bots = Participant.objects.filter(is_bot=True).order_by("id")
    first, second = (set(bot.trials.filter(is_practice=False, left="a")
                         .values_list("stimulus_id", "stimulus_b_id")) for bot in bots[:2])
    assert not first & second                                     # a couple: opposite sides


def test_a_bot_notices_a_server_that_takes_a_pair_reported_on_one_side(pair_study, monkeypatch):
    from studyapp import services
    from studyapp.bots import Bot, BotError

    monkeypatch.setattr(services, "trial_plays", lambda trial, clean, questions: (1, 1))
    with pytest.raises(BotError, match="without one clip's plays refused"):
        Bot("pairs", mode="random", seed=1).run()


def test_bots_are_not_counted_as_speeders(pair_study):
    call_command("run_bots", "pairs", n=2, answers="random", seed=2, stdout=io.StringIO())
    assert list(Participant.objects.values_list("too_fast_answers", flat=True)) == [0, 0]


def test_catch_pairs_are_answered_no_preference_by_bots(pair_study):
    Study.objects.filter(pk=pair_study.pk).update(attention_checks=2)
    call_command("run_bots", "pairs", n=2, answers="accurate", seed=1, stdout=io.StringIO())
    checks = [r for r in export("pairs") if r["attention_check"] == "1"]
    assert len(checks) == 4 and {r["attention_passed"] for r in checks} == {"1"}


def test_observer_bots_prefer_the_clips_with_better_measures(make_set, pair_rows):
    manifest = make_set("observed", pair_rows)
    with_measures(manifest, by_method)
    study_build(manifest=manifest, design="pairs", slug="observed", compare="method")
    call_command("run_bots", "observed", n=4, answers="observer", seed=3, stdout=io.StringIO())
    rows = export("observed")
    assert preferred(rows, "lip_sync", "GT", "EVP") > 0.9
    assert preferred(rows, "expression", "ETAD", "EVP") > 0.9


def test_observer_bots_refuse_a_pairs_study_with_other_questions(make_set, pair_rows):
    manifest = make_set("observed", pair_rows)
    with_measures(manifest, by_method)
    own = questions_parse('[[question]]\nid = "comment"\nkind = "text"\nprompt = "Why?"\n')
    study_build(manifest=manifest, design="pairs", slug="own", compare="method", questions=own)
    with pytest.raises(CommandError, match="preference questions\\) only"):
        call_command("run_bots", "own", n=1, answers="observer")


def test_done_when_a_task2_pairs_study_is_completed_by_bots_and_exported(make_set, capsys):
    """Issue 16's check: build_study --design pairs --compare method on the Task 2 set,
    bots through the real flow, export_responses with the pairs columns."""
    call_command("build_study", str(make_set("task2", design="task2")), design="pairs",
                 slug="t2pairs", compare="method")
    assert "126 pairs of method" in capsys.readouterr().out
    call_command("run_bots", "t2pairs", n=2, answers="accurate", seed=1, stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_responses", "t2pairs", include_bots=True, stdout=out)
    header = out.getvalue().splitlines()[0].split(",")
    assert header == [*PAIR_HEAD, "a_method", "b_method", "character", "emotion",
                      "lip_sync", "naturalness", "expression", *PAIR_TRAILER]
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 2 * 127
    measured = [r for r in rows if r["is_practice"] == "0"]
    assert Counter((r["a_method"], r["b_method"]) for r in measured) == {
        ("GT", "ETAD"): 84, ("GT", "EVP"): 84, ("ETAD", "EVP"): 84}
    assert Counter(r["left"] for r in measured) == {"a": 126, "b": 126}   # a couple of bots
    assert preferred(measured, "naturalness", "GT", "EVP") > 0.85


def test_rehearse_a_pairs_study(pair_study, tmp_path):
    """rehearse on a pairs study: its bots' pairs export and the report of it (no power
    analysis: preference questions have no rating to simulate)."""
    out = io.StringIO()
    call_command("rehearse", "pairs", bots=4, seed=2, out=tmp_path / "r", stdout=out)
    rows = list(csv.DictReader((tmp_path / "r" / "responses.csv").open()))
    assert len(rows) == 4 * 13 and "stimulus_a" in rows[0]
    assert (tmp_path / "r" / "report.pdf").exists() and not (tmp_path / "r" / "power").exists()
    assert "answers refused" not in out.getvalue()
