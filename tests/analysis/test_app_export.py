"""``--study``: the report reads a study through the app's own export command.

Django builds and fills a throw-away SQLite database in a subprocess (analysis/
itself never imports Django); the rows of ``studyapp.selectors.response_rows``
are then compared with what :func:`analysis.app_export.study_export_csv` reads.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.app_export import study_export_csv
from analysis.cli import csv_frame

ROOT = Path(__file__).resolve().parents[2]
FILL = """
import json, sys, uuid
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from studyapp.models import Participant, Response, Stimulus, Study, Trial
from studyapp.selectors import response_rows
study = Study.objects.create(slug="pilot", title="Pilot", design="task1", stimuli_dir="x",
                             manifest_sha256="0" * 64, manifest_factors=["character", "emotion", "method",
                             "sentence_type", "sentence_group", "lighting"])
answers = ["anger", "fear", "other"]
for p in range(2):
    person = Participant.objects.create(study=study, seed=p, group="1")
    for i, emotion in enumerate(["anger", "fear", "joy"]):
        stim, _ = Stimulus.objects.get_or_create(study=study, stimulus_id=f"mery-{emotion}", file="c.mp4",
            factors={"character": "Mery", "emotion": emotion, "method": "GT", "sentence_type": "common",
                     "sentence_group": 1, "lighting": "warm"})
        trial = Trial.objects.create(participant=person, index=i, stimulus=stim, is_practice=i == 0)
        Response.objects.create(trial=trial, submission_key=uuid.uuid4(), response_emotion=answers[i],
                                intensity=3 + i, sync=4, naturalness=5 + p, rt_ms=1200 + i, plays=1)
def answer(person, index, stim, **extra):
    trial = Trial.objects.create(participant=person, index=index, stimulus=stim, **extra)
    Response.objects.create(trial=trial, submission_key=uuid.uuid4(), response_emotion="joy",
                            intensity=5, sync=4, naturalness=4, rt_ms=1300, plays=1)
# Newer app versions: a bot participant and a catch trial, both left out of the analysis.
if "is_bot" in {f.name for f in Participant._meta.get_fields()}:
    answer(Participant.objects.create(study=study, seed=9, group="1", is_bot=True), 0, stim)
if "check_answer" in {f.name for f in Trial._meta.get_fields()}:
    answer(person, 3, stim, check_answer={"response_emotion": "joy", "intensity": 5})
json.dump(list(response_rows(study)), sys.stdout)
"""


def _filled(tmp_path) -> tuple[str, pd.DataFrame]:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "studyapp.settings"}
    done = subprocess.run([sys.executable, "-c", FILL], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"could not build the app's database: {done.stderr[-2000:]}")
    return url, pd.DataFrame(json.loads(done.stdout))


def test_the_report_reads_a_study_as_the_app_exports_it(tmp_path):
    pytest.importorskip("django")
    url, expected = _filled(tmp_path)
    raw = study_export_csv("pilot", url)
    cells = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    assert list(cells.columns) == list(expected.columns)  # the contract's, "lighting" included
    assert len(cells) == 7 and set(cells["attention_check"]) == {"0", "1"}
    pd.testing.assert_frame_equal(cells, expected.astype(str))
    assert len(csv_frame(io.BytesIO(raw), "export")) == 7  # as the report reads it
    # The report's --study reads the same rows (two trials of one character: too few for an ANOVA,
    # which must end in a one-line error that says so).
    done = subprocess.run(
        [sys.executable, "-m", "analysis.report", "--study", "pilot", "--out", str(tmp_path / "r.pdf")],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "'character' needs at least two levels" in done.stderr


def test_export_errors_are_sentences(tmp_path):
    pytest.importorskip("django")
    url, _ = _filled(tmp_path)
    with pytest.raises(ValueError, match="could not export study 'nope': .*no study 'nope'"):
        study_export_csv("nope", url)
    with pytest.raises(ValueError, match="could not export study 'pilot'"):
        study_export_csv("pilot", "mysql://x")


OWN = """
import json, sys, uuid
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from studyapp.models import Study
from studyapp.questions import question_set_store, questions_parse
asked = questions_parse('[[question]]\\nid = "liked"\\nkind = "scale"\\nprompt = "Liked it?"\\n'
                        'points = 3\\nlow = "no"\\nhigh = "yes"\\n')
Study.objects.create(slug="own", title="Own", design="custom", stimuli_dir="x",
                     manifest_sha256="0" * 64, questions=question_set_store(asked))
Study.objects.create(slug="paper", title="Paper", design="task2", stimuli_dir="x",
                     manifest_sha256="1" * 64)
"""


def test_the_report_asks_the_app_which_questions_a_study_asked(tmp_path):
    pytest.importorskip("django")
    from analysis.app_export import study_questions
    from analysis.own_questions import questions_from_app

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "studyapp.settings"}
    done = subprocess.run([sys.executable, "-c", OWN], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (liked,) = questions_from_app(study_questions("own", url))
    assert (liked.id, liked.kind, liked.points, liked.prompt) == ("liked", "scale", 3, "Liked it?")
    assert questions_from_app(study_questions("paper", url)) is None
