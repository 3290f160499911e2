"""Observer bots (run_bots --answers observer): answers from each clip's measures."""

import csv
import io
import json
import random
from statistics import mean

import pytest
from django.core.management import CommandError, call_command

from studyapp.bots import (
    Observer,
    answer_choose,
    observer_answers,
    observer_levels,
    observer_probabilities,
)
from studyapp.manifest import ManifestError
from studyapp.models import Stimulus
from studyapp.questions import questions_parse
from studyapp.studies import study_build

EMOTIONS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")


def measures(emotion: str, margin: float, sync_r: float, jitter: float) -> dict:
    """Measures of a clip nearest ``emotion`` by ``margin``, every other emotion 1.5 away
    (neutral too: the expression's strength)."""
    distances = {e: 1.5 for e in EMOTIONS}
    distances[emotion] = 1.5 - margin
    return {"sync_r": sync_r, "sync_lag_ms": 0, "expression_distance": distances,
            "expression_nearest": emotion, "expression_clarity": margin, "jitter": jitter}


# GT and ETAD as the generator measures clear clips; EVP vaguer, worse synced, trembling.
BY_METHOD = {"GT": (1.2, 0.6, 0.01), "ETAD": (1.1, 0.58, 0.011), "EVP": (0.15, 0.2, 0.05)}


def with_measures(path, rule) -> None:
    """Add ``rule(item)``'s measures to every item of the manifest at ``path``."""
    manifest = json.loads(path.read_text())
    for item in manifest["practice"] + manifest["stimuli"]:
        item["measures"] = rule(item)
    path.write_text(json.dumps(manifest))


def by_method(item) -> dict:
    factors = item["factors"]
    return measures(factors["emotion"], *BY_METHOD.get(factors.get("method"), BY_METHOD["GT"]))


def export(slug):
    out = io.StringIO()
    call_command("export_responses", slug, include_bots=True, stdout=out)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_probabilities_rise_with_clarity_and_fall_with_temperature():
    clear, vague = measures("fear", 1.0, 0.5, 0.01), measures("fear", 0.1, 0.5, 0.01)
    p_clear = observer_probabilities(clear["expression_distance"], 0.3)
    p_vague = observer_probabilities(vague["expression_distance"], 0.3)
    assert sum(p_clear.values()) == pytest.approx(1.0)
    assert p_clear["fear"] > p_vague["fear"] > 1 / 7
    assert observer_probabilities(vague["expression_distance"], 1.0)["fear"] < p_vague["fear"]
    ties = {e: 0.5 for e in EMOTIONS}
    assert list(observer_probabilities(ties, 0.3).values()) == pytest.approx([1 / 7] * 7)


def test_answers_follow_the_measures():
    rng, bot = random.Random(1), Observer(temperature=0.3, noise=0.8, bias=0.0)
    good, poor = measures("joy", 1.2, 0.7, 0.01), measures("joy", 0.1, 0.1, 0.06)
    answers = {k: [observer_answers(m, rng, bot) for _ in range(1500)]
               for k, m in (("good", good), ("poor", poor))}
    hits = {k: mean(a["response_emotion"] == "joy" for a in v) for k, v in answers.items()}
    # softmax at 0.3 with six rivals 1.2 (0.1) further away: 1 / (1 + 6 e^-4) = 0.90 (0.19)
    assert 0.87 < hits["good"] < 0.93 and 0.15 < hits["poor"] < 0.23
    for rating in ("sync", "naturalness"):
        assert mean(a[rating] for a in answers["good"]) > mean(a[rating] for a in answers["poor"]) + 2
    assert {a["intensity"] for v in answers.values() for a in v} <= set(range(1, 8))
    biased = Observer(temperature=0.3, noise=0.8, bias=1.0)
    assert mean(observer_answers(poor, rng, biased)["sync"] for _ in range(1500)) \
        > mean(a["sync"] for a in answers["poor"]) + 0.7


def test_levels_are_documented_maps_of_the_measures():
    levels = observer_levels(measures("anger", 1.0, 0.8, 0.0))
    assert levels["sync"] == 1.0 and levels["naturalness"] == 1.0
    assert observer_levels(measures("anger", 1.0, -0.2, 0.0))["sync"] == 0.0
    assert observer_levels({**measures("anger", 1.0, 0.4, 0.0),
                            "expression_distance": {"neutral": 0.0}})["intensity"] == 0.0


def test_a_clip_without_measures_is_named():
    with pytest.raises(ValueError, match="has none"):
        answer_choose({"emotion": "joy"}, random.Random(0), "observer", 0.0, measures={})


@pytest.mark.django_db
def test_observer_bots_rehearse_task2_and_predict_the_method_differences(make_set):
    path = make_set("task2", design="task2")
    with_measures(path, by_method)
    study = study_build(manifest=path, design="task2", slug="task2").study
    kept = Stimulus.objects.get(study=study, stimulus_id=json.loads(path.read_text())
                                ["stimuli"][0]["id"])
    assert kept.measures["expression_distance"]["neutral"] == 1.5
    out = io.StringIO()
    call_command("run_bots", "task2", n=2, answers="observer", seed=2, stdout=out)
    assert "2 of 2 bots completed" in out.getvalue()
    rows = [r for r in export("task2") if r["is_practice"] == "0"]
    per = {m: [r for r in rows if r["method"] == m] for m in BY_METHOD}
    correct = {m: mean(int(r["correct"]) for r in v) for m, v in per.items()}
    sync = {m: mean(int(r["sync"]) for r in v) for m, v in per.items()}
    assert correct["GT"] > 0.9 and correct["ETAD"] > 0.9 and correct["EVP"] < 0.6
    assert sync["GT"] > sync["EVP"] + 2


@pytest.mark.django_db
def test_observer_bots_refuse_a_study_without_measures_or_with_its_own_questions(
        make_set, small_study, tmp_path):
    for command, size in (("run_bots", {"n": 1}), ("rehearse", {"bots": 1})):
        with pytest.raises(CommandError, match=r"have no measures .* imported clips do not"):
            call_command(command, "small", answers="observer", stdout=io.StringIO(), **size)
    own = make_set("own", [{"emotion": "joy"}, {"emotion": "anger"}])
    with_measures(own, lambda item: measures(item["factors"]["emotion"], 1.0, 0.5, 0.01))
    study_build(manifest=own, design="custom", slug="own", questions=questions_parse(
        '[[question]]\nid = "natural"\nkind = "scale"\nprompt = "Natural?"\npoints = 5\n'
        'low = "No"\nhigh = "Yes"\n'))
    with pytest.raises(CommandError, match="its own questions"):
        call_command("run_bots", "own", n=1, answers="observer", stdout=io.StringIO())


@pytest.mark.django_db
def test_measures_that_are_not_an_object_are_a_manifest_problem(make_set):
    path = make_set("bad", [{"emotion": "joy"}])
    with_measures(path, lambda item: [0.5])
    with pytest.raises(ManifestError, match=r"'measures' must be an object"):
        study_build(manifest=path, design="custom", slug="bad")
