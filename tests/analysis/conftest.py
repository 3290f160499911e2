"""Reference data sets for the analysis tests, typed in from their published sources;
and running a command's ``main`` in the test's process."""

import numpy as np
import pandas as pd
import pytest

from analysis.cli import run


@pytest.fixture
def run_cli(capsys):
    """``run_cli(main, prog, *args)`` runs a command in this process: (exit code, stdout, stderr)."""

    def call(main, prog, *args):
        with pytest.raises(SystemExit) as done:
            run(main, prog, [str(a) for a in args])
        out = capsys.readouterr()
        return done.value.code, out.out, out.err

    return call

# Maxwell & Delaney (1990, p. 497) reaction times, 10 participants x 3 tilt x 2 noise,
# as typed in R's ?SSD example (from Baron & Li's "Notes on the use of R for psychology").
REACTTIME = [
    [420, 420, 480, 480, 600, 780],
    [420, 480, 480, 360, 480, 600],
    [480, 480, 540, 660, 780, 780],
    [420, 540, 540, 480, 780, 900],
    [540, 660, 540, 480, 660, 720],
    [360, 420, 360, 360, 480, 540],
    [480, 480, 600, 540, 720, 840],
    [480, 600, 660, 540, 720, 900],
    [540, 600, 540, 480, 720, 780],
    [480, 420, 540, 540, 660, 780],
]
CONDITIONS = ["deg0NA", "deg4NA", "deg8NA", "deg0NP", "deg4NP", "deg8NP"]


@pytest.fixture
def reacttime() -> pd.DataFrame:
    rows = [
        {"subj": s, "cond": c, "deg": c[:4], "noise": c[4:], "rt": REACTTIME[s][j]}
        for s in range(10)
        for j, c in enumerate(CONDITIONS)
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def random_3x4() -> pd.DataFrame:
    """pingouin's 3 x 4 design of tests/test_distribution.py (numpy seed 123), whose
    interaction was checked against R's afex::aov_ez in pingouin issue #19."""
    np.random.seed(123)
    dv = np.random.normal(scale=3, size=600)
    return pd.DataFrame(
        {
            "dv": dv,
            "within1": np.repeat(["P1", "P2", "P3"], 200),
            "within2": np.tile(np.repeat(["A", "B", "C", "D"], 50), 3),
            "subj": np.tile(np.tile(np.arange(50), 4), 3),
        }
    )
