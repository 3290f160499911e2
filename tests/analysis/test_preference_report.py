"""``python -m analysis.report`` on a pairs export: the preference report end to end."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis import app_export
from analysis.report import main as report_main
from tests.analysis.pairs_data import pairs_export

PROG = "python -m analysis.report"


@pytest.fixture(scope="module")
def export_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "pairs.csv"
    pairs_export(20, seed=1).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def report(export_csv):
    out = export_csv.parent / "out" / "report.pdf"
    code = subprocess.run([sys.executable, "-m", "analysis.report", "--responses", str(export_csv),
                           "--out", str(out), "--quiet"], capture_output=True, text=True)
    assert code.returncode == 0, code.stderr
    return out, code.stdout


def test_report_writes_pdf_json_and_tables(report):
    out, stdout = report
    assert out.read_bytes().startswith(b"%PDF") and "for 20 participants" in stdout
    doc = json.loads(out.with_suffix(".json").read_text())
    meta = doc["meta"]
    assert meta["design"] == "pairs" and meta["compared"] == "method" and meta["ci"] == "wilson"
    assert meta["levels"] == ["GT", "ETAD", "EVP"]
    assert meta["questions"] == ["sync", "naturalness", "expression"]
    assert meta["shared"] == ["character", "emotion"] and meta["reference"] == "GT"
    assert meta["participants"] == 20 and meta["trials"] == 20 * 42
    assert meta["rows_left_out"] == 21 * 45 - 20 * 42  # practice, 2 attention checks, a pilot
    assert "GEE" in meta["participant_method"] and "sign test" in meta["participant_method"]
    assert meta["pages"] >= 8
    rows = {(r["question"], r["pair"]): r for r in doc["preferences"]}
    evp = rows[("sync", "GT vs EVP")]
    assert evp["n"] == 280 and evp["n_a"] + evp["n_none"] + evp["n_b"] == 280 and evp["p_bonf"] < 0.001
    assert set(doc["by"]) == {"character", "emotion"} and len(doc["by"]["emotion"]) == 3 * 7 * 3
    assert len(doc["participant_check"]) == 9 and doc["position_bias"][-1]["question"] == "all questions"
    assert {r["level"] for r in doc["bradley_terry"]} == {"GT", "ETAD", "EVP"}
    tables = out.parent / "report-tables"
    for name in ("preferences", "preferences-by-character", "preferences-by-emotion", "participant-check",
                 "participant-majorities", "position-bias", "bradley-terry"):
        assert (tables / f"{name}.csv").is_file(), name
    csv = pd.read_csv(tables / "preferences.csv")
    assert {"ci_low", "ci_high", "ci_exact_low", "ci_exact_high", "p", "p_bonf"} <= set(csv.columns)


def test_a_two_level_study_has_no_ranking(tmp_path, run_cli):
    export = pairs_export(6, seed=2)
    two = export[(export["a_method"] != "EVP") & (export["b_method"] != "EVP")]
    csv = tmp_path / "two.csv"
    two.to_csv(csv, index=False)
    code, out, err = run_cli(report_main, PROG, "--responses", csv, "--out", tmp_path / "r.pdf", "--quiet")
    assert code == 0, err
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["bradley_terry"] is None and doc["meta"]["pairs"] == ["GT vs ETAD"]
    assert not (tmp_path / "r-tables" / "bradley-terry.csv").exists()


def test_questions_file_names_the_preference_questions(tmp_path, export_csv, run_cli):
    toml = tmp_path / "q.toml"
    toml.write_text('[[question]]\nid = "sync"\nkind = "preference"\nprompt = "Lips match better"\n'
                    '[[question]]\nid = "expression"\nkind = "preference"\nprompt = "Emotion clearer"\n')
    out = tmp_path / "q.pdf"
    code, _, err = run_cli(report_main, PROG, "--responses", export_csv, "--questions", toml, "--out", out,
                           "--quiet")
    assert code == 0, err
    assert json.loads(out.with_suffix(".json").read_text())["meta"]["questions"] == ["sync", "expression"]
    toml.write_text('[[question]]\nid = "sync"\nkind = "scale"\n')
    code, _, err = run_cli(report_main, PROG, "--responses", export_csv, "--questions", toml, "--out", out)
    assert code == 2 and "hold no preference question" in err


def test_study_reads_the_apps_export(tmp_path, export_csv, monkeypatch, run_cli):
    asked = []
    monkeypatch.setattr(app_export, "study_export_csv",
                        lambda slug: asked.append(slug) or export_csv.read_bytes())
    monkeypatch.setattr(app_export, "study_questions", lambda slug: [
        {"id": q, "kind": "preference", "prompt": q.capitalize()}
        for q in ("sync", "naturalness", "expression")])
    out = tmp_path / "study.pdf"
    code, stdout, err = run_cli(report_main, PROG, "--study", "ab-test", "--out", out, "--quiet")
    assert code == 0, err
    meta = json.loads(out.with_suffix(".json").read_text())["meta"]
    assert asked == ["ab-test"] and meta["source"] == "study ab-test" and meta["participants"] == 20


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.assign(sync=e["sync"].where(e.index != 5, "ETDA")),
         "line 7 (participant P01): sync must be the level of one of the two clips"),
        (lambda e: e.assign(attention_check=0), "b_method must be another level than a_method"),
        (lambda e: e.assign(a_style="x", b_style="y"), "found several: method, style"),
    ],
)
def test_a_malformed_pairs_export_is_one_line(tmp_path, run_cli, change, message):
    csv = tmp_path / "bad.csv"
    change(pairs_export(3, seed=3)).to_csv(csv, index=False)
    code, _, err = run_cli(report_main, PROG, "--responses", csv, "--out", tmp_path / "x.pdf")
    assert code == 2 and message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_design_options_are_refused_for_a_pairs_export(tmp_path, export_csv, run_cli):
    code, _, err = run_cli(report_main, PROG, "--responses", export_csv, "--design", "task2",
                           "--out", tmp_path / "x.pdf")
    assert code == 2 and "--design task2 is for single-clip studies" in err
