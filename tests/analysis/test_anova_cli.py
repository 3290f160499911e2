"""The ``python -m analysis.anova`` command: JSON shape, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest

from analysis.anova import PROG, main


@pytest.fixture
def cli(run_cli):
    """Run the command in this process; returns (exit code, stdout, stderr)."""
    return lambda *args: run_cli(main, PROG, *args)


@pytest.fixture
def csv(tmp_path, reacttime):
    path = tmp_path / "rt.csv"
    reacttime.to_csv(path, index=False)
    return path


def test_json_has_the_documented_shape(cli, csv):
    code, stdout, stderr = cli(csv, "--dv", "rt", "--subject", "subj", "--within", "deg", "noise", "--json")
    assert code == 0, stderr
    out = json.loads(stdout)
    assert set(out) == {"effects", "posthoc", "shapiro", "design"}
    assert list(out["effects"]) == ["deg", "noise", "deg:noise"]
    inter = out["effects"]["deg:noise"]
    for key in ["F", "df1", "df2", "p", "mauchly_W", "mauchly_p", "eps_gg", "eps_hf", "p_gg", "p_hf", "np2"]:
        assert key in inter
    assert inter["mauchly_W"] == pytest.approx(0.89378, abs=5e-6)
    assert out["effects"]["noise"]["mauchly_W"] is None  # not applicable: null
    assert set(out["posthoc"]["deg"]["deg0 vs deg4"]) == {"t", "df", "p_unc", "p_bonf", "mean_diff"}
    assert set(out["shapiro"]["deg0|NA"]) == {"W", "p", "n"}
    assert out["design"] == {"n": 10, "dropped_participants": []}


def test_incomplete_data_exit_nonzero_unless_dropped(cli, tmp_path, reacttime):
    path = tmp_path / "holes.csv"
    reacttime.drop(index=[0]).to_csv(path, index=False)
    args = [path, "--dv", "rt", "--subject", "subj", "--within", "cond", "--json"]
    code, _, stderr = cli(*args)
    assert code != 0
    assert "participant 0 has no data in cell cond=deg0NA" in stderr and stderr.count("\n") == 1
    code, stdout, _ = cli(*args, "--drop-incomplete")
    assert code == 0 and json.loads(stdout)["design"] == {"n": 9, "dropped_participants": ["0"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--dv", "rt", "--subject", "subj", "--within", "cond"], "file not found"),
        (["{csv}", "--dv", "speed", "--subject", "subj", "--within", "cond"], "'speed' not found"),
        (["{csv}", "--dv", "cond", "--subject", "subj", "--within", "deg"], "must be numeric"),
    ],
)
def test_bad_input_gives_one_line(cli, csv, args, message):
    code, _, stderr = cli(*[a.format(csv=csv) for a in args])
    assert code == 2 and message in stderr and stderr.count("\n") == 1


def test_help_and_text_output(cli, csv):
    assert "--drop-incomplete" in cli("--help")[1]
    text = cli(csv, "--dv", "rt", "--subject", "subj", "--within", "cond")[1]
    assert "Bonferroni post-hoc: cond" in text and "Shapiro-Wilk" in text


def test_module_entry_point_gives_no_traceback(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis.anova",
            tmp_path / "none.csv",
            "--dv",
            "y",
            "--subject",
            "s",
            "--within",
            "a",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and done.stderr.startswith(f"{PROG}: error: file not found")


def test_a_responses_export_leaves_out_practice_and_pilot_rows_as_the_report_does(cli, tmp_path):
    # The practice clip has a character and a method like any trial; counted in, it
    # would shift a cell mean without a word (F of method changed from the report's).
    from analysis.simulate import simulate

    export = simulate("task2", 5, seed=4)
    assert export["is_practice"].astype(int).sum() == 5
    pilot = export.copy()
    pilot.loc[pilot["participant"] == pilot["participant"].iloc[0], "pilot"] = 1
    measured = export[export["is_practice"].astype(int) == 0]
    paths = {}
    for name, frame in (("export", export), ("measured", measured), ("pilot", pilot)):
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    args = ("--dv", "intensity", "--subject", "participant", "--within", "method", "--json")
    results = {name: cli(path, *args) for name, path in paths.items()}
    assert all(code == 0 for code, _, _ in results.values())
    assert results["export"][1] == results["measured"][1]
    assert "5 practice / attention-check / pilot row(s) left out" in results["export"][2]
    assert results["measured"][2] == ""
    assert json.loads(results["pilot"][1])["design"]["n"] == 4
    code, stdout, _ = cli(paths["pilot"], *args, "--include-pilot")
    assert json.loads(stdout)["design"]["n"] == 5
