"""export_responses: the docs/design.md columns, exactly one row per answered trial."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from studyapp.export import spreadsheet_safe
from studyapp.selectors import response_columns
from studyapp.studies import study_build
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

CONTRACT = ["study", "participant", "group", "trial_index", "is_practice", "stimulus_id",
            "character", "emotion", "method", "sentence_type", "sentence_group",
            "response_emotion", "correct", "intensity", "sync", "naturalness", "rt_ms", "plays",
            "started_at", "submitted_at", "pilot", "bot", "attention_check", "attention_passed"]


def export(*args, **kwargs):
    out = io.StringIO()
    call_command("export_responses", *args, stdout=out, **kwargs)
    return list(csv.DictReader(io.StringIO(out.getvalue()))), out.getvalue().splitlines()[0]


def test_columns_follow_the_contract_with_extra_factors_after_sentence_group(make_set):
    rows = [{"character": "Mery", "emotion": e, "take": t} for e in ("joy", "fear") for t in (1, 2)]
    study = study_build(manifest=make_set("x", rows), design="custom", slug="x").study
    columns = response_columns(study)
    assert columns == CONTRACT[:11] + ["take"] + CONTRACT[11:]


def test_one_row_per_answered_trial_with_correct_scored(small_study):
    a, b = Walker("small"), Walker("small")
    a.to_trials()
    b.to_trials()
    a.answer()                                   # practice
    intended = a.participant.trials.get(index=1).stimulus.factors["emotion"]
    a.answer(response_emotion=intended)          # trial 1, correct
    a.answer(response_emotion="other")           # trial 2, wrong
    b.answer()                                   # practice only
    rows, header = export("small")
    assert header.split(",") == CONTRACT
    assert len(rows) == 4
    # A code can start with "-" (1 in 64): the export writes it spreadsheet-safe.
    mine = [r for r in rows if r["participant"] == spreadsheet_safe(a.participant.code)]
    assert [(r["trial_index"], r["is_practice"], r["correct"]) for r in mine] == [
        ("0", "1", str(int(mine[0]["emotion"] == "joy"))), ("1", "0", "1"), ("2", "0", "0")]
    assert mine[1]["emotion"] == intended and mine[1]["character"] in ("Mery", "Ray")
    assert mine[1]["intensity"] == "5" and mine[1]["plays"] == "1" and mine[1]["rt_ms"] == "850"
    assert mine[1]["method"] == "" and mine[1]["study"] == "small"


def test_export_to_a_file_and_participants_table(small_study, tmp_path):
    w = Walker("small", f"?PROLIFIC_PID={'a1' * 12}&STUDY_ID={'b2' * 12}&SESSION_ID=qq")
    w.to_trials(age=41, gender="male")
    w.answer()
    w.answer()
    target = tmp_path / "out.csv"
    call_command("export_responses", "small", out=str(target), stderr=io.StringIO())
    assert len(list(csv.DictReader(target.open()))) == 2
    rows, _ = export("small", participants=True)
    assert len(rows) == 1
    row = rows[0]
    assert (row["age"], row["gender"], row["external_pid"], row["external_study_id"],
            row["external_session_id"]) == ("41", "male", "a1" * 12, "b2" * 12, "qq")
    assert (row["stage"], row["trials_answered"], row["trials_total"]) == ("trials", "1", "6")


def test_unknown_study_and_bad_folder_are_sentences(small_study, tmp_path):
    with pytest.raises(CommandError, match="no study 'nope'"):
        export("nope")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_responses", "small", out=str(tmp_path / "no" / "x.csv"))


FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_participant(make_set):
    """A participant of study "num" (a factor with negative number levels) who describes
    their gender as a spreadsheet formula on the about-you form, and answers two trials."""
    rows = [{"character": "Mery", "emotion": e, "offset": o}
            for e in ("joy", "fear") for o in ("-1", "-0.5")]
    study_build(manifest=make_set("num", rows), design="custom", slug="num")
    w = Walker("num")
    w.client.post(w.url("consent/"), {"consent": "yes"})
    w.client.post(w.url("about-you/"), {"age": 33, "gender": "self-described",
                                        "gender_self": FORMULA})
    w.client.post(w.url("instructions/"))
    w.answer()
    w.answer()
    return w


@pytest.fixture
def staff_client():
    client = Client()
    client.force_login(get_user_model().objects.create_user("exp", is_staff=True))
    return client


def download(client: Client, path: str) -> list[dict]:
    reply = client.get(path)
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(reply.content.decode())))


def assert_formula_is_text_and_numbers_are_numbers(participants, responses):
    assert participants[0]["gender"] == "'" + FORMULA         # text in a spreadsheet
    assert participants[0]["age"] == "33" and participants[0]["trials_answered"] == "1"
    measured = next(r for r in responses if r["is_practice"] == "0")
    assert measured["offset"] in ("-1", "-0.5")                # a number as text stays a number
    assert (measured["trial_index"], measured["intensity"], measured["rt_ms"]) == ("1", "5", "850")


def test_export_command_writes_participant_text_as_text_not_a_formula(formula_participant):
    participants, _ = export("num", participants=True)
    responses, _ = export("num")
    assert_formula_is_text_and_numbers_are_numbers(participants, responses)


def test_staff_download_writes_participant_text_as_text_not_a_formula(formula_participant,
                                                                     staff_client):
    assert_formula_is_text_and_numbers_are_numbers(
        download(staff_client, "/staff/num/participants.csv"),
        download(staff_client, "/staff/num/responses.csv"))
