"""Simulated exports, the export reader and ``python -m analysis.report``."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis.cli import run
from analysis.report import build_report
from analysis.report import main as report_main
from analysis.responses import measured_trials
from analysis.simulate import simulate
from contract import EXPORT_COLUMNS


@pytest.fixture(scope="module")
def task1():
    return simulate("task1", 8, seed=3)


@pytest.fixture(scope="module")
def task2():
    return simulate("task2", 5, seed=4)


def test_simulation_follows_the_export_schema(task1, task2):
    assert list(task1.columns) == list(EXPORT_COLUMNS)
    assert len(task1) == 8 * 99 and len(task2) == 5 * 127  # 98 / 126 trials + 1 practice
    assert (task1.groupby("participant")["is_practice"].sum() == 1).all()
    assert (task1["correct"] == (task1["response_emotion"] == task1["emotion"])).all()
    assert task1[["intensity", "sync", "naturalness"]].stack().between(1, 7).all()
    again = simulate("task1", 8, seed=3)
    pd.testing.assert_frame_equal(task1, again)  # seeded


def test_simulation_follows_the_paper(task2):
    # Sync (5.1.6): GT 5.02 and ETAD 4.13 well above EVP 1.93.
    means = measured_trials(task2).groupby("method", observed=True)["sync"].mean()
    assert means["EVP"] < means["ETAD"] - 1 and means["EVP"] < means["GT"] - 1


def test_measured_trials_leaves_out_practice_and_orders_levels(task1):
    trials = measured_trials(task1)
    assert len(trials) == 8 * 98 and not trials["is_practice"].any()
    flagged = task1.assign(attention_check=(task1.index % 50 == 1).astype(int))
    assert len(measured_trials(flagged)) == 8 * 98 - flagged["attention_check"].sum()
    assert list(trials["character"].cat.categories)[:2] == ["Human", "Mery"]


def test_pilot_participants_are_left_out_unless_asked_for(task1):
    first = task1["participant"].iloc[0]
    piloted = task1.assign(pilot=(task1["participant"] == first).astype(int))
    assert len(measured_trials(piloted)) == 7 * 98
    assert first not in set(measured_trials(piloted)["participant"])
    assert len(measured_trials(piloted, include_pilot=True)) == 8 * 98


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("intensity", 9, "intensity must be an integer from 1 to 7"),
        ("emotion", "happy", "emotion must be one of"),
        ("is_practice", "maybe", "is_practice must be 0/1"),
        ("correct", 0, "correct must be 1 exactly when"),
    ],
)
def test_measured_trials_names_bad_values(task1, column, value, message):
    bad = task1.copy()
    bad[column] = bad[column].astype(object)
    bad.loc[5, column] = value
    if column == "correct":
        bad.loc[5, "response_emotion"] = bad.loc[5, "emotion"]
    with pytest.raises(ValueError, match=message) as err:
        measured_trials(bad)
    assert "line 7 (participant P01)" in str(err.value)


def test_build_report_writes_pdf_json_and_tables(tmp_path, task2):
    out = tmp_path / "r" / "report.pdf"
    meta = build_report(task2, out, source="sim", sha256="x", progress=False)
    assert meta["design"] == "task2" and meta["participants"] == 5 and meta["rows_left_out"] == 5
    assert out.read_bytes().startswith(b"%PDF") and meta["pages"] > 10
    doc = json.loads(out.with_suffix(".json").read_text())
    method = doc["measures"]["sync"]["anova"]["method"]
    assert method["df1"] == 2 and method["df2"] == 8 and method["apa"].startswith("F(")
    # 6 characters with 5 participants: Mauchly not computable, null in the JSON.
    assert doc["measures"]["sync"]["anova"]["character"]["mauchly_W"] is None
    assert set(doc["confusion_row_percent"]) == {"pooled", "character", "method"}
    tables = out.parent / "report-tables"
    assert (tables / "sync-anova.csv").is_file() and (tables / "confusion-method-EVP.csv").is_file()
    # "Sample size for a replication" (analysis.power.replication_sizes)
    sizes = {r["effect"]: r for r in doc["measures"]["sync"]["sample_size"]}
    assert set(sizes) == {"method", "character", "method:character"}
    assert set(sizes["method"]) == {"effect", "n", "power", "mcse", "n_80", "n_90"}
    assert sizes["method"]["n"] == 5 and 2 <= sizes["method"]["n_80"] <= sizes["method"]["n_90"] <= 10
    assert (tables / "sync-sample-size.csv").is_file()


def test_report_cli(tmp_path, task1, capsys):
    csv = tmp_path / "task1.csv"
    task1.to_csv(csv, index=False)
    out = tmp_path / "t1.pdf"
    with pytest.raises(SystemExit) as done:
        run(report_main, "report", ["--responses", str(csv), "--out", str(out), "--quiet"])
    assert done.value.code == 0
    assert json.loads(out.with_suffix(".json").read_text())["meta"]["design"] == "task1"
    broken = tmp_path / "broken.csv"
    task1.drop(columns="sync").to_csv(broken, index=False)
    for args, message in [
        (["--responses", tmp_path / "none.csv"], "file not found"),
        (["--responses", broken], "'sync' not found"),
        (["--responses", csv, "--design", "task3"], "invalid choice"),
    ]:
        with pytest.raises(SystemExit) as done:
            run(report_main, "report", [str(a) for a in args])
        assert done.value.code == 2 and message in capsys.readouterr().err


def test_module_entry_points(tmp_path):
    out = tmp_path / "s.csv"
    cmd = [sys.executable, "-m", "analysis.simulate", "--design", "task2", "--seed", "2", "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True).returncode == 0
    assert len(pd.read_csv(out)) == 5 * 127
    done = subprocess.run(
        [sys.executable, "-m", "analysis.report", "--responses", str(tmp_path / "x.csv")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "file not found" in done.stderr and "Traceback" not in done.stderr
