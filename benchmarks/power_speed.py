"""Speed of the power simulation (analysis.power), measured against its target.

    .venv/bin/python -m benchmarks.power_speed [--sims 2000] [--n 20] [--pingouin-sample 20]

2,000 simulated studies of 20 participants in a 7 x 7 within design (the
paper's Task 1), each tested with the report's rm-ANOVA and its 'auto'
policy (Mauchly for every study): target <= 30 s on 2 cores. Beside it, the
time pingouin's ``rm_anova`` (with its sphericity correction) would take for
the same studies, measured on a sample of them and scaled up.
BENCHMARKS.md records the figures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from analysis.cli import run
from analysis.power import Population, draw_studies, power_at
from benchmarks.analysis_speed import big_design

PROG = "python -m benchmarks.power_speed"
LEVELS = {"character": 7, "emotion": 7}


def population(seed: int = 0) -> Population:
    """A 7 x 7 population with unequal variances and correlations (sphericity violated)."""
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(49, 49)) * np.linspace(0.5, 1.5, 49)
    return Population(np.arange(49) / 100, A @ A.T / 49 + 0.5 * np.eye(49), LEVELS)


def long_study(Y: np.ndarray) -> pd.DataFrame:
    """One simulated study (n x 49 cell means, character slowest) as long data."""
    return big_design(len(Y)).assign(y=Y.ravel())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description="Time the power simulation against its target.")
    p.add_argument("--sims", type=int, default=2000, help="simulated studies (default 2000)")
    p.add_argument("--n", type=int, default=20, help="participants per study (default 20)")
    p.add_argument("--pingouin-sample", type=int, default=20,
                   help="studies pingouin analyses to estimate its time (default 20; 0: skip)")
    args = p.parse_args(argv)
    pop = population()
    start = time.perf_counter()
    table = power_at(pop, args.n, args.sims, seed=1)
    ours = time.perf_counter() - start
    powers = ", ".join(f"{r.effect} {r.power:.3f}" for r in table.itertuples())
    print(f"analysis.power, {args.sims} studies of N = {args.n}, 7 x 7: {ours:6.2f} s   (target <= 30 s)")
    print(f"  power: {powers}")
    if args.pingouin_sample:
        import pingouin as pg

        studies = draw_studies(pop, args.n, args.pingouin_sample, np.random.default_rng(2))
        frames = [long_study(Y) for Y in studies]
        start = time.perf_counter()
        for frame in frames:
            pg.rm_anova(frame, dv="y", within=["character", "emotion"], subject="participant",
                        correction=True)
        each = (time.perf_counter() - start) / len(frames)
        print(f"pingouin.rm_anova, {each * 1000:.0f} ms a study (sample of {len(frames)}): "
              f"{each * args.sims:6.1f} s for {args.sims} studies")
    return 0


if __name__ == "__main__":
    run(main, PROG)
