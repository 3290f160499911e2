"""run_bots: the same bots that rehearse a study run here on both designs."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from studyapp.bots import BotError, answer_choose
from studyapp.models import Participant, Response
from studyapp.studies import study_build

pytestmark = pytest.mark.django_db


def export(slug, **options):
    out = io.StringIO()
    call_command("export_responses", slug, stdout=out, **options)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


@pytest.mark.parametrize("design, per_bot", [("task1", 98), ("task2", 126)])
def test_bots_complete_both_designs_and_stay_out_of_the_real_export(make_set, design, per_bot):
    study = study_build(manifest=make_set(design, design=design), design=design,
                        slug=design).study
    out = io.StringIO()
    call_command("run_bots", design, n=2, answers="accurate", seed=3, stdout=out)
    assert "2 of 2 bots completed" in out.getvalue()
    assert Participant.objects.filter(study=study, is_bot=True, stage="done").count() == 2
    assert export(design) == []
    rows = export(design, include_bots=True)
    assert len(rows) == 2 * (per_bot + 1)           # every trial plus the practice trial
    assert {r["bot"] for r in rows} == {"1"}
    assert Response.objects.count() == len(rows)    # invalid posts and resends stored nothing


def test_accurate_answers_follow_the_method_profiles():
    import random

    rng = random.Random(1)
    hits = {m: sum(answer_choose({"emotion": "fear", "method": m}, rng, "accurate", 0)
                   ["response_emotion"] == "fear" for _ in range(2000)) / 2000
            for m in ("GT", "EVP")}
    assert 0.82 < hits["GT"] < 0.88 and 0.46 < hits["EVP"] < 0.54
    ratings = [answer_choose({"emotion": "joy", "method": "GT"}, rng, "accurate", 0)["sync"]
               for _ in range(2000)]
    assert 5.3 < sum(ratings) / len(ratings) < 5.9 and set(ratings) <= set(range(1, 8))


def test_bots_notice_a_server_that_accepts_invalid_answers(small_study, monkeypatch):
    from studyapp import services
    from studyapp.bots import Bot

    monkeypatch.setattr(services, "answers_clean", lambda questions, answers: {
        "response_emotion": answers["response_emotion"], "intensity": 5, "sync": 5,
        "naturalness": 5})
    with pytest.raises(BotError, match="out-of-range rating refused"):
        Bot("small", mode="random", seed=1).run()


def test_run_bots_refuses_unknown_or_closed_studies(small_study):
    with pytest.raises(CommandError, match="no study"):
        call_command("run_bots", "nope", n=1)
    small_study.is_open = False
    small_study.save()
    with pytest.raises(CommandError, match="closed"):
        call_command("run_bots", "small", n=1)


def test_rehearse_writes_the_export_report_and_power_of_its_bots_only(make_set, tmp_path):
    """One command: bots through the real flow, their export, the report and the power
    analysis; real participants' answers stay apart, and --clean removes the bots."""
    from tests.studyapp.participant import Walker

    study = study_build(manifest=make_set("task2", design="task2"), design="task2",
                        slug="task2").study
    real = Walker("task2")
    real.to_trials()
    real.answer()
    out = io.StringIO()
    call_command("rehearse", "task2", bots=3, seed=2, out=tmp_path / "r", stdout=out)
    text = out.getvalue()
    for made in ("responses.csv", "report.pdf", "power"):
        assert str(tmp_path / "r" / made) in text and (tmp_path / "r" / made).exists()
    rows = list(csv.DictReader((tmp_path / "r" / "responses.csv").open()))
    assert len(rows) == 3 * 127 and {r["bot"] for r in rows} == {"1"}
    power = json.loads((tmp_path / "r" / "power" / "power.json").read_text())
    assert power["dv"] == "correct" and power["within"] == ["method", "character"]
    assert "bots: 3" in text                                      # the status printed
    call_command("rehearse", "task2", bots=1, clean=True, out=tmp_path / "r2", stdout=out)
    assert "one bot: no report" in out.getvalue()
    assert Participant.objects.filter(study=study, is_bot=True).count() == 1
    assert Participant.objects.filter(study=study, is_bot=False).count() == 1
    assert export("task2") == [] or all(r["bot"] == "0" for r in export("task2"))
