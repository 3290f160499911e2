"""The pairs export (docs/design.md, "Pairs export"): its columns exactly, one row per
answered pair with the chosen levels, the side shown left, each clip's plays and
attention checks scored; the same from the command and the dashboard's download."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from contract import PAIR_HEAD, PAIR_TRAILER
from studyapp.models import Study
from studyapp.selectors import response_columns, trials_planned
from studyapp.studies import study_build
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

COLUMNS = [*PAIR_HEAD, "a_method", "b_method", "character", "emotion", "lip_sync",
           "naturalness", "expression", *PAIR_TRAILER]


def export(slug, **options):
    out = io.StringIO()
    call_command("export_responses", slug, stdout=out, **options)
    return out.getvalue().splitlines()[0].split(","), list(csv.DictReader(io.StringIO(out.getvalue())))


def test_the_columns_are_the_contracts(pair_study):
    assert response_columns(pair_study) == COLUMNS
    assert export("pairs") == (COLUMNS, [])


def test_shared_factors_follow_the_manifests_order_and_extra_factors_are_kept(make_set):
    rows = [{"take": t, "character": "Mery", "method": m, "emotion": "joy"}
            for t in (1, 2) for m in ("ETAD", "GT")]
    manifest = make_set("x", rows, extra={"factors": ["take", "method", "character", "emotion"]})
    study = study_build(manifest=manifest, design="pairs", slug="x", compare="method").study
    assert response_columns(study)[8:13] == ["a_method", "b_method", "take", "character",
                                             "emotion"]


def test_one_row_per_answered_pair_with_levels_sides_and_plays(pair_walker):
    pair_walker.answer_pair(answers={"lip_sync": "left", "naturalness": "left",
                                     "expression": "left"})                  # practice
    pair_walker.answer_pair(answers={"lip_sync": "left", "naturalness": "right",
                                     "expression": "none"}, plays_left=3, plays_right=1,
                            rt_ms=640)
    header, rows = export("pairs")
    assert header == COLUMNS and len(rows) == 2
    practice, first = rows
    assert practice["is_practice"] == "1" and practice["stimulus_a"] == practice["stimulus_b"] \
        == "practice"
    assert practice["a_method"] == practice["b_method"] == ""   # the practice clip has none
    assert practice["lip_sync"] == practice["left"]             # so the clip's letter
    trial = pair_walker.participant.trials.select_related("stimulus", "stimulus_b").get(index=1)
    a, b = trial.stimulus, trial.stimulus_b
    assert (first["stimulus_a"], first["stimulus_b"], first["left"]) == (
        a.stimulus_id, b.stimulus_id, trial.left)
    assert (first["a_method"], first["b_method"]) == (a.factors["method"], b.factors["method"])
    assert (first["character"], first["emotion"]) == (a.factors["character"],
                                                      a.factors["emotion"])
    left, right = (a, b) if trial.left == "a" else (b, a)
    assert (first["lip_sync"], first["naturalness"], first["expression"]) == (
        left.factors["method"], right.factors["method"], "none")
    plays = ("3", "1") if trial.left == "a" else ("1", "3")
    assert (first["plays_a"], first["plays_b"], first["rt_ms"]) == (*plays, "640")
    assert (first["attention_check"], first["attention_passed"], first["bot"]) == ("0", "", "0")
    methods = ["GT", "ETAD", "EVP"]                      # a comes first in the manifest's order
    assert methods.index(first["a_method"]) < methods.index(first["b_method"])


def test_catch_pairs_are_scored_by_no_preference(pair_study):
    Study.objects.filter(pk=pair_study.pk).update(attention_checks=2)
    w = Walker("pairs")
    w.to_trials()
    w.current()                                          # the trial page shows the practice
    participant = w.participant
    for trial in trials_planned(participant):
        passed = trial.check_answer is not None and trial.index % 2 == 0
        answers = {"lip_sync": "none", "naturalness": "none",
                   "expression": "none" if passed else "left"}
        assert w.answer_pair(trial_index=trial.index, answers=answers).status_code == 200
    _, rows = export("pairs")
    checks = [r for r in rows if r["attention_check"] == "1"]
    assert len(checks) == 2 and all(r["stimulus_a"] == r["stimulus_b"] for r in checks)
    assert [r["attention_passed"] for r in checks] == [
        str(int(int(r["trial_index"]) % 2 == 0)) for r in checks]
    assert {r["attention_passed"] for r in rows if r["attention_check"] == "0"} == {""}
    _, people = export("pairs", participants=True)
    assert people[0]["checks_total"] == "2"
    assert people[0]["checks_passed"] == str(sum(r["attention_passed"] == "1" for r in checks))


def test_status_counts_answers_per_pair_and_the_dashboard_downloads_the_pairs_export(pair_walker):
    pair_walker.answer_pair()
    pair_walker.answer_pair()
    out = io.StringIO()
    call_command("study_status", "pairs", stimuli=True, stdout=out)
    assert "answers per pair: 0 to 1" in out.getvalue()
    lines = [line for line in out.getvalue().splitlines() if " vs " in line]
    assert len(lines) == 12 and sorted(int(line.split()[0]) for line in lines) == [0] * 11 + [1]
    staff = get_user_model().objects.create_user("staff", password="pw", is_staff=True)
    client = Client()
    client.force_login(staff)
    download = client.get("/staff/pairs/responses.csv")
    assert download.status_code == 200
    assert download.content.decode().splitlines()[0].split(",") == COLUMNS
    assert len(download.content.decode().splitlines()) == 3
