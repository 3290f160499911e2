"""The report of a study that asked its own questions: each question by its kind.

A small custom study (2 characters x 3 emotions) asks issue 13's example
questions; accurate bots answer; the app's export goes to ``analysis.report
--questions``, which must give rating and accuracy ANOVAs over character x
emotion, the answer table per emotion of the scored choice, and the comments.
"""

import io
import json

import pandas as pd
import pytest
from django.core.management import call_command

from analysis.own_questions import answer_distribution, questions_read
from analysis.report import main
from tests.studyapp.test_questions import EXAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(make_set, small_rows, tmp_path):
    questions = tmp_path / "questions.toml"
    questions.write_text(EXAMPLE)
    call_command("build_study", str(make_set("own", small_rows)), design="custom", slug="own",
                 questions=questions, stdout=io.StringIO())
    call_command("run_bots", "own", n=4, answers="accurate", seed=5, stdout=io.StringIO())
    path = tmp_path / "own.csv"
    call_command("export_responses", "own", include_bots=True, out=str(path),
                 stderr=io.StringIO())
    return path, questions


def test_each_question_is_analysed_by_its_kind(export, tmp_path):
    path, questions = export
    out = tmp_path / "report" / "own.pdf"
    assert main(["--responses", str(path), "--questions", str(questions), "--out", str(out),
                 "--quiet"]) == 0
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["meta"]["within"] == ["character", "emotion"]
    assert set(report["measures"]) == {"clarity", "natural", "quality"}
    effects = set(report["measures"]["natural"]["anova"])
    assert effects == {"character", "emotion", "character:emotion"}
    assert report["measures"]["quality"]["n"] == 4
    table = report["answers_row_percent"]["clarity"]["emotion"]
    assert set(table) == {"anger", "joy", "sadness"}
    assert all(abs(sum(row.values()) - 100) < 1e-6 for row in table.values())
    tables = out.with_name("own-tables")
    assert (tables / "clarity-anova.csv").is_file() and (tables / "clarity-answers-by-emotion.csv").is_file()
    assert report["meta"]["pages"] >= 5


def test_the_answer_table_is_row_percent_of_answered_trials():
    trials = pd.DataFrame({"emotion": ["joy", "joy", "joy", "anger"],
                           "clarity": ["joy", "anger", "", "anger"]})
    table = answer_distribution(trials, "clarity", "emotion")
    assert table.loc["joy", "joy"] == 50 and table.loc["anger", "anger"] == 100


def test_an_own_questions_export_without_its_file_says_what_to_give(export, tmp_path):
    path, _ = export
    with pytest.raises(ValueError, match="give its questions file with --questions"):
        main(["--responses", str(path), "--out", str(tmp_path / "x.pdf"), "--quiet"])


def test_a_questions_file_the_report_cannot_read_is_one_sentence(tmp_path):
    bad = tmp_path / "q.toml"
    bad.write_text("[[question]]\nid = 'x'\nkind = 'essay'\n")
    with pytest.raises(ValueError, match="needs an id and a kind"):
        questions_read(bad)
