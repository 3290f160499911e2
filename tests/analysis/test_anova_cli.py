"""The ``python -m analysis.anova`` command: JSON shape, exit codes, one-line errors."""

import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "analysis.anova", *map(str, args)], capture_output=True, text=True
    )


@pytest.fixture
def csv(tmp_path, reacttime):
    path = tmp_path / "rt.csv"
    reacttime.to_csv(path, index=False)
    return path


def test_json_has_the_documented_shape(csv):
    done = run(csv, "--dv", "rt", "--subject", "subj", "--within", "deg", "noise", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
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


def test_incomplete_data_exit_nonzero_unless_dropped(tmp_path, reacttime):
    path = tmp_path / "holes.csv"
    reacttime.drop(index=[0]).to_csv(path, index=False)
    args = [path, "--dv", "rt", "--subject", "subj", "--within", "cond", "--json"]
    done = run(*args)
    assert done.returncode != 0
    assert "participant 0 has no data in cell cond=deg0NA" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    dropped = json.loads(run(*args, "--drop-incomplete").stdout)
    assert dropped["design"] == {"n": 9, "dropped_participants": ["0"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.csv", "--dv", "rt", "--subject", "subj", "--within", "cond"], "file not found"),
        (["{csv}", "--dv", "speed", "--subject", "subj", "--within", "cond"], "'speed' not found"),
        (["{csv}", "--dv", "cond", "--subject", "subj", "--within", "deg"], "must be numeric"),
    ],
)
def test_bad_input_gives_one_line(csv, args, message):
    done = run(*[a.format(csv=csv) for a in args])
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_help_and_text_output(csv):
    assert "--drop-incomplete" in run("--help").stdout
    text = run(csv, "--dv", "rt", "--subject", "subj", "--within", "cond").stdout
    assert "Bonferroni post-hoc: cond" in text and "Shapiro-Wilk" in text
