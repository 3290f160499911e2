"""Speed of the statistics (analysis/), measured against its targets.

    .venv/bin/python -m benchmarks.analysis_speed [--participants 10000] [--skip-pingouin]

1. The whole report (PDF, JSON, CSV) for 20 simulated participants x 98 trials
   (Task 1): target <= 10 s.
2. The ANOVA engine on 10,000 participants x 49 cells (7 x 7): target <= 2 s,
   printed beside pingouin's ``rm_anova`` on the same data in the same run.

It lives outside the analysis package: a lab that installs the analysis does
not need its benchmark. BENCHMARKS.md records the figures.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cli import run
from analysis.report import build_report
from analysis.rm_anova import rm_anova
from analysis.simulate import simulate

PROG = "python -m benchmarks.analysis_speed"


def _seconds(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def big_design(participants: int, seed: int = 0) -> pd.DataFrame:
    """Long data: ``participants`` x 7 characters x 7 emotions, one value per cell."""
    rng = np.random.default_rng(seed)
    chars = [f"c{i}" for i in range(7)]
    emos = [f"e{i}" for i in range(7)]
    values = rng.normal(size=(participants, 49)) + rng.normal(size=(participants, 1)) + np.arange(49) / 50
    return pd.DataFrame(
        {
            "participant": np.repeat(np.arange(participants), 49),
            "character": np.tile(np.repeat(chars, 7), participants),
            "emotion": np.tile(emos, 7 * participants),
            "y": values.ravel(),
        }
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog=PROG, description="Time the report and the ANOVA engine against their speed targets."
    )
    p.add_argument(
        "--participants", type=int, default=10_000, help="for the engine benchmark (default 10000)"
    )
    p.add_argument("--skip-pingouin", action="store_true", help="time only this package's engine")
    args = p.parse_args(argv)

    export = simulate("task1", 20, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        report_s = _seconds(
            lambda: build_report(
                export, Path(folder) / "report.pdf", source="simulated", sha256="-", progress=False
            )
        )
    print(f"report, 20 participants x 98 trials:      {report_s:6.2f} s   (target <= 10 s)")

    data = big_design(args.participants)
    ours = _seconds(lambda: rm_anova(data, "y", ["character", "emotion"], "participant"))
    print(f"rm_anova, {args.participants} participants x 49 cells: {ours:6.2f} s   (target <= 2 s)")
    if not args.skip_pingouin:
        import pingouin as pg

        theirs = _seconds(
            lambda: pg.rm_anova(data, dv="y", within=["character", "emotion"], subject="participant")
        )
        print(f"pingouin.rm_anova, same data:             {theirs:6.2f} s")
    return 0


if __name__ == "__main__":
    run(main, PROG)
