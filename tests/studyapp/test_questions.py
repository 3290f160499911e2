"""A study's own questions (questions.py): the file's checks, the page, the server's
validation of answers, the export's columns, bots, and the paper's four as the default."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from studyapp.models import Response, Study
from studyapp.questions import PAPER, QuestionsError, questions_parse
from tests.studyapp.participant import Walker

pytestmark = pytest.mark.django_db

# The form issue 13 gives for a questions file.
EXAMPLE = '''
[[question]]
id = "clarity"
kind = "choice"
prompt = "Which emotion did you see?"
options = { anger = "Anger", joy = "Happiness", sadness = "Sadness", neutral = "Neutral" }
other = true
correct_factor = "emotion"

[[question]]
id = "natural"
kind = "scale"
prompt = "How natural was the character?"
points = 5
low = "Not at all"
high = "Very"

[[question]]
id = "quality"
kind = "slider"
prompt = "Overall quality"
low = "Bad"
high = "Excellent"

[[question]]
id = "comment"
kind = "text"
prompt = "Anything odd about this clip?"
required = false
max_length = 300
'''


@pytest.fixture
def own(make_set, small_rows, tmp_path):
    """The small custom study asking EXAMPLE's questions."""
    path = tmp_path / "questions.toml"
    path.write_text(EXAMPLE)
    call_command("build_study", str(make_set("own", small_rows)), design="custom", slug="own",
                 questions=path, stdout=io.StringIO())
    return Study.objects.get(slug="own")


def test_the_example_file_reads_as_four_questions():
    clarity, natural, quality, comment = questions_parse(EXAMPLE)
    assert (clarity.kind, clarity.correct_factor, [c for c, _ in clarity.choices]) == (
        "choice", "emotion", ["anger", "joy", "sadness", "neutral", "other"])
    assert (natural.points, natural.values, natural.low, natural.high) == (
        5, (1, 2, 3, 4, 5), "Not at all", "Very")
    assert (quality.kind, comment.required, comment.max_length) == ("slider", False, 300)


@pytest.mark.parametrize("text, problem", [
    ("[[question]\nid = 'x'", "not valid TOML: .*line 1"),
    ("title = 'no questions'", "no \\[\\[question\\]\\] tables"),
    ("[[question]]\nid = 'x'\nkind = 'essay'\nprompt = 'p'", "kind 'essay' is not one of"),
    ("[[question]]\nid = 'a'\nkind = 'text'\nprompt = 'p'\n"
     "[[question]]\nid = 'a'\nkind = 'text'\nprompt = 'q'", "id 'a' is used twice"),
    ("[[question]]\nid = 'Bad Id'\nkind = 'text'\nprompt = 'p'", "id must be lower-case"),
    ("[[question]]\nid = 'plays'\nkind = 'text'\nprompt = 'p'", "'plays' is taken"),
    ("[[question]]\nid = 's'\nkind = 'scale'\nprompt = 'p'\npoints = 12\nlow = 'a'\nhigh = 'b'",
     "points must be a whole number from 2 to 11"),
    ("[[question]]\nid = 's'\nkind = 'slider'\nprompt = 'p'\nlow = 'a'", "low and high"),
    ("[[question]]\nid = 'c'\nkind = 'choice'\nprompt = 'p'\noptions = { a = 'A' }",
     "at least two"),
    ("[[question]]\nid = 'c'\nkind = 'text'\nprompt = 'p'\npoints = 3", "unknown key"),
])
def test_a_bad_questions_file_names_each_problem(text, problem):
    with pytest.raises(QuestionsError, match=problem):
        questions_parse(text)


def test_every_problem_at_once_and_nothing_built(make_set, small_rows, tmp_path):
    path = tmp_path / "q.toml"
    path.write_text("[[question]]\nid = 'a'\nkind = 'essay'\nprompt = 'p'\n"
                    "[[question]]\nid = 'Bad'\nkind = 'text'\nprompt = ''\n")
    with pytest.raises(CommandError) as error:
        call_command("build_study", str(make_set("bad", small_rows)), design="custom",
                     slug="bad", questions=path)
    assert "3 problem(s)" in str(error.value) and "kind 'essay'" in str(error.value)
    assert "prompt is missing" in str(error.value) and not Study.objects.exists()


def test_a_scored_question_must_name_a_factor(make_set, small_rows, tmp_path):
    path = tmp_path / "q.toml"
    path.write_text(EXAMPLE.replace('correct_factor = "emotion"', 'correct_factor = "mood"'))
    with pytest.raises(CommandError, match="correct_factor names no factor of the manifest"):
        call_command("build_study", str(make_set("bad", small_rows)), design="custom",
                     slug="bad", questions=path)


def test_the_trial_page_asks_the_studys_own_questions(own):
    w = Walker("own")
    w.to_trials()
    page = w.client.get(w.url("trial/")).content.decode()
    for prompt in ("Which emotion did you see?", "How natural was the character?",
                   "Overall quality", "Anything odd about this clip?"):
        assert prompt in page
    assert "How intense was" not in page and 'type="range"' in page
    assert 'data-question="comment" data-kind="text" data-optional' in page
    instructions = w.client.get(w.url("instructions/"))
    assert instructions.status_code == 302  # already past them


def test_answers_are_checked_against_the_questions_and_exported(own):
    w = Walker("own")
    w.to_trials()
    w.current()
    good = {"clarity": "joy", "natural": 4, "quality": 73}
    for bad, message in (({**good, "natural": 6}, "natural must be a whole number from 1 to 5"),
                         ({**good, "quality": 101}, "quality must be a whole number from 0 to 100"),
                         ({**good, "clarity": "fear"}, "clarity 'fear' is not one of"),
                         ({"clarity": "joy", "quality": 5}, "natural is missing"),
                         ({**good, "comment": "x" * 301}, "comment is longer than 300"),
                         ({**good, "intensity": 5}, "unknown field(s): intensity")):
        reply = w.answer(answers=bad)
        assert reply.status_code == 400 and message in reply.json()["error"], bad
    assert not Response.objects.exists()
    assert w.answer(answers=good).status_code == 200                 # practice, no comment
    trial = w.participant.trials.get(index=1)
    assert w.answer(answers={**good, "clarity": trial.stimulus.factors["emotion"],
                             "comment": 'said "hi", then =1+1'}).status_code == 200
    stored = Response.objects.get(trial=trial)
    assert stored.answers["natural"] == 4 and stored.response_emotion == ""
    out = io.StringIO()
    call_command("export_responses", "own", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    columns = list(rows[0])
    assert columns[columns.index("emotion") - 1:columns.index("rt_ms")] == [
        "character", "emotion", "method", "sentence_type", "sentence_group",
        "clarity", "natural", "quality", "comment", "clarity_correct"]
    assert "response_emotion" not in columns and "intensity" not in columns
    practice, first = rows
    assert (practice["comment"], practice["clarity_correct"]) == ("", "0")  # neutral clip
    assert (first["clarity_correct"], first["natural"], first["quality"]) == ("1", "4", "73")
    assert first["comment"] == 'said "hi", then =1+1'


def test_bots_answer_a_studys_own_questions(own):
    out = io.StringIO()
    call_command("run_bots", "own", n=2, answers="accurate", seed=2, stdout=out)
    assert "2 of 2 bots completed" in out.getvalue()
    stored = [r.answers for r in Response.objects.all()]
    assert len(stored) == 2 * 7 and all({"clarity", "natural", "quality"} <= set(a) for a in stored)


def test_attention_checks_need_the_papers_questions(own, admin_client):
    form = {"title": own.title, "completion_code": own.completion_code, "is_open": "on",
            "practice_enabled": "on", "require_full_playback": "on", "breaks_every": "0",
            "attention_checks": "2", "min_window_width": "0", "min_window_height": "0",
            "inactive_minutes": "60", "language": "en", "texts": "{}",
            "_save": "Save"}
    page = admin_client.post(f"/admin/studyapp/study/{own.pk}/change/", form)
    assert page.status_code == 200 and b"only the paper&#x27;s" in page.content
    assert Study.objects.get(pk=own.pk).attention_checks == 0


def test_without_a_file_the_paper_questions_and_columns_stay(small_study):
    assert small_study.questions == [] and PAPER[0].id == "response_emotion"
    w = Walker("small")
    w.to_trials()
    page = w.client.get(w.url("trial/")).content.decode()
    assert "Which expression did the character depict?" in page
    json.loads(page.split('type="application/json">')[1].split("</script>")[0])


def test_a_set_without_emotions_makes_a_study_with_its_own_questions(make_set, tmp_path):
    """A lab's own set need not name emotions (issue 13: codes are checked only when a
    factor is called emotion); a wrong code where one is named is still refused."""
    rows = [{"condition": c, "speaker": s} for c in ("a", "b") for s in ("x", "y")]
    path = tmp_path / "q.toml"
    path.write_text('[[question]]\nid = "liked"\nkind = "scale"\nprompt = "Liked it?"\n'
                    'points = 3\nlow = "no"\nhigh = "yes"\n')
    manifest = make_set("plain", rows)
    data = json.loads(manifest.read_text())
    data["practice"][0]["factors"] = {"condition": "a", "speaker": "x"}
    manifest.write_text(json.dumps(data))
    call_command("build_study", str(manifest), design="custom", slug="plain", questions=path,
                 stdout=io.StringIO())
    w = Walker("plain")
    w.to_trials()
    assert w.answer(answers={"liked": 2}).status_code == 200
    data["stimuli"][0]["factors"]["emotion"] = "happy"
    manifest.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="emotion 'happy' is not one of"):
        call_command("build_study", str(manifest), design="custom", slug="plain2",
                     questions=path, stdout=io.StringIO())


def test_rehearse_analyses_a_studys_own_questions(own, tmp_path):
    out = io.StringIO()
    call_command("rehearse", "own", bots=3, seed=4, out=tmp_path / "r", stdout=out)
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert set(report["measures"]) == {"clarity", "natural", "quality"}
    power = json.loads((tmp_path / "r" / "power" / "power.json").read_text())
    assert power["dv"] == "natural" and power["within"] == ["character", "emotion"]
