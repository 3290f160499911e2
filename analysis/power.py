"""``python -m analysis.power``: power of the repeated-measures ANOVAs, by simulation.

From a pilot's responses (or from the paper's reported results, through
:mod:`analysis.simulate`) it estimates the population of participants' cell
means: the mean per cell and the full covariance matrix of the cell means, so
that unequal variances and correlations, i.e. violations of sphericity, carry
over into the simulated studies. It then draws many studies of N participants
from the multivariate normal with those parameters (or, with ``resample``,
draws the pilot's own participants with replacement), runs the project's
rm-ANOVA on every study with the report's correction policy, and counts how
often each effect is significant: the power, with its Monte-Carlo standard
error ``sqrt(power (1 - power) / sims)``.

The ANOVA is :mod:`analysis.rm_anova`'s, vectorised over the simulated
studies: :func:`analysis.rm_anova.effect_sums` and
:func:`analysis.sphericity.mauchly_arrays` / ``epsilon_gg_arrays`` take a
stack of studies, so 2,000 studies are tested in a few numpy calls and
Mauchly's test (for the 'auto' policy) is computed for every one of them.

What such a figure assumes: the pilot's (or the paper's) means and
covariances are the population's (a small pilot estimates them poorly, and
an effect observed in a pilot is on average an overestimate), cell means are
normal (recognition, a proportion, is not quite), and participants are
independent. References: Maxwell, Delaney & Kelley (2018), Designing
Experiments and Analyzing Data, ch. 11-12 (power of within-subject designs,
the noncentral F with ``lambda = n sum(mu_j - mu)^2 / (sigma^2 (1 - rho))``);
Lakens & Caldwell (2021), Simulation-based power analysis for factorial
analysis of variance designs, Advances in Methods and Practices in
Psychological Science 4(1); Albers & Lakens (2018), When power analyses based
on pilot data are biased, J. Experimental Social Psychology 74, 187-195.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from analysis.cells import CellMeans, cell_means
from analysis.cli import dumps, read_csv, run
from analysis.rm_anova import corrected_by_policy, effect_contrasts, effect_names, effect_sums
from analysis.sphericity import epsilon_gg_arrays, mauchly_arrays

PROG = "python -m analysis.power"
#: The command's names of the correction policies -> :func:`analysis.rm_anova.rm_anova`'s.
POLICIES = {"auto": "auto", "none": "never", "gg": "always"}
#: Mauchly's test decides the 'auto' policy at this level, as the report does.
MAUCHLY_ALPHA = 0.05
#: How many participants analysis.simulate draws to estimate the paper's population.
PAPER_SAMPLE = 1000
#: Simulated studies per N and the largest N searched for the report's sample-size section.
REPORT_SIMS, REPORT_MAX_N = 500, 200
#: Values per chunk of simulated studies (sims x n x cells), to bound memory.
CHUNK_VALUES = 2_000_000


@dataclass(frozen=True)
class Population:
    """Participants' cell means as the simulation draws them.

    Attributes
    ----------
    means : ndarray, shape (cells,)
        Mean per cell (first factor slowest, as :class:`analysis.cells.CellMeans`).
    cov : ndarray, shape (cells, cells)
        Covariance matrix of a participant's cell means.
    levels : dict
        Factor -> its levels (or their number), in column order.
    sample : ndarray, shape (participants, cells), or None
        The pilot's participants, for resampling.
    """

    means: np.ndarray
    cov: np.ndarray
    levels: dict
    sample: np.ndarray | None = None

    @property
    def factors(self) -> tuple[str, ...]:
        return tuple(self.levels)


def population_from_cells(cells: CellMeans | pd.DataFrame) -> Population:
    """The population a pilot estimates: its cell means and their covariance (ddof 1).

    ``cells``: :class:`analysis.cells.CellMeans`, or its ``wide`` frame (columns
    a MultiIndex of the factors, first factor slowest), as the report keeps it.
    """
    wide = cells.wide if isinstance(cells, CellMeans) else cells
    levels = {f: tuple(dict.fromkeys(wide.columns.get_level_values(f))) for f in wide.columns.names}
    Y = wide.to_numpy(dtype=float)
    return Population(Y.mean(axis=0), np.cov(Y, rowvar=False, ddof=1), levels, Y)


def population_from_paper(design: str, dv: str, within=None, seed: int = 1) -> Population:
    """The population of :mod:`analysis.simulate`: its model of the paper's reported means,
    SEs and Fs (and its ASSUMED values), estimated from ``PAPER_SAMPLE`` simulated
    participants analysed as the report analyses them (for the design's own factors, their
    cell means drawn without writing the export: :func:`analysis.simulate.cell_draws`)."""
    from analysis.designs import DESIGNS
    from analysis.responses import RATINGS, measured_trials
    from analysis.simulate import cell_draws, simulate

    if dv not in ("correct", *RATINGS):
        raise ValueError(f"with --from-paper, --dv must be correct, {', '.join(RATINGS)}; got {dv!r}.")
    if within is None or tuple(within) == DESIGNS[design].within:
        levels, cells = cell_draws(design, PAPER_SAMPLE, np.random.default_rng(seed))
        Y = cells[dv]
        return Population(Y.mean(axis=0), np.cov(Y, rowvar=False, ddof=1), levels, Y)
    trials = measured_trials(simulate(design, PAPER_SAMPLE, seed))
    return population_from_cells(cell_means(trials, dv, within or DESIGNS[design].within, "participant"))


def debiased(pop: Population) -> Population:
    """``pop`` with each effect of its means shrunk by ``sqrt(max(0, 1 - 1/F))``.

    An observed effect is the true one plus noise: with ``d = C' mean`` for an
    effect's contrasts ``C``, ``E ||d||^2 = ||C' mu||^2 + tr(C' Sigma C) / n``, and
    ``||d||^2 (1 - 1/F)`` (F the effect's F in the sample) is the unbiased
    estimate of ``||C' mu||^2``, as omega squared is of eta squared (effects
    with F < 1 become 0). Using observed means as the truth overstates power,
    worst for many-df effects and small samples (Albers & Lakens, 2018); this
    removes that bias on average, though not the noise.
    """
    if pop.sample is None:
        raise ValueError("debiasing needs the sample the means were estimated from.")
    means = pop.means.copy()
    for name, r in anova_sims(pop.sample[None], pop.levels, "never").items():
        C = effect_contrasts(pop.levels, tuple(name.split(":")))
        F = float(r["F"][0])
        shrink = np.sqrt(max(0.0, 1 - 1 / F)) if np.isfinite(F) and F > 0 else 0.0
        means += (shrink - 1) * (C @ (C.T @ pop.means))
    return Population(means, pop.cov, pop.levels, pop.sample)


def _root(cov: np.ndarray) -> np.ndarray:
    """``R`` with ``R' R = cov`` (rank x cells), also for a singular covariance (small pilots)."""
    w, V = np.linalg.eigh((cov + cov.T) / 2)
    keep = w > max(w.max(), 0.0) * 1e-10
    return np.sqrt(w[keep])[:, None] * V[:, keep].T


def draw_studies(pop: Population, n: int, sims: int, rng: np.random.Generator,
                 resample: bool = False) -> np.ndarray:
    """``sims`` studies of ``n`` participants' cell means, shape (sims, n, cells)."""
    if resample:
        if pop.sample is None:
            raise ValueError("resampling needs the pilot's participants (not available from the paper).")
        return pop.sample[rng.integers(0, len(pop.sample), size=(sims, n))]
    root = _root(pop.cov)
    return pop.means + rng.standard_normal((sims, n, root.shape[0])) @ root


def anova_sims(Y: np.ndarray, levels: dict, correction: str = "auto") -> dict[str, dict[str, np.ndarray]]:
    """The rm-ANOVA of many studies at once: ``Y`` (sims, n, cells) -> effect -> arrays.

    Per effect: ``F``, ``df1``, ``df2``, ``p``, ``eps_gg``, ``mauchly_p``, ``corrected``
    and ``p_reported``, each of shape (sims,), computed as
    :func:`analysis.rm_anova.rm_anova_cells` computes them for one study
    (``correction`` is 'auto', 'always' or 'never'; Mauchly at .05).
    """
    n, n_cells = Y.shape[-2:]
    out = {}
    for name in effect_names(tuple(levels)):
        C = effect_contrasts(levels, tuple(name.split(":")))
        pp = C.shape[1]
        ss, ss_err, E = effect_sums(Y, C)
        df1, df2 = pp, pp * (n - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            F = np.where(ss_err > 0, (ss / df1) / (ss_err / df2), np.nan)
        gg = epsilon_gg_arrays(E)
        mauchly_p = mauchly_arrays(E, n - 1, n_cells)[2]
        corrected = corrected_by_policy(pp, gg, mauchly_p, correction, MAUCHLY_ALPHA)
        eps = np.where(corrected, gg, 1.0)
        p = stats.f.sf(F, df1, df2)
        out[name] = {
            "F": F, "df1": np.full(F.shape, df1), "df2": np.full(F.shape, df2), "p": p,
            "eps_gg": gg, "mauchly_p": mauchly_p, "corrected": corrected,
            "p_reported": np.where(corrected, stats.f.sf(F, eps * df1, eps * df2), p),
        }  # fmt: skip
    return out


def power_at(pop: Population, n: int, sims: int = 2000, alpha: float = 0.05, correction: str = "auto",
             seed: int | None = None, resample: bool = False) -> pd.DataFrame:
    """Power of every effect for studies of ``n`` participants drawn from ``pop``.

    Returns one row per effect: ``effect``, ``n``, ``power`` (share of the ``sims``
    studies with ``p_reported < alpha``) and ``mcse`` (its Monte-Carlo SE).
    The same ``seed`` gives the same draws for a given ``n`` (common random
    numbers across calls, which keeps a power curve smooth).
    """
    if n < 2:
        raise ValueError(f"n must be at least 2 participants; got {n}.")
    rng = np.random.default_rng(None if seed is None else [seed, n])
    chunk = max(1, CHUNK_VALUES // (n * len(pop.means)))
    hits: dict[str, int] = {}
    for start in range(0, sims, chunk):
        Y = draw_studies(pop, n, min(chunk, sims - start), rng, resample)
        for effect, r in anova_sims(Y, pop.levels, correction).items():
            hits[effect] = hits.get(effect, 0) + int(np.sum(r["p_reported"] < alpha))
    power = pd.Series(hits, dtype=float) / sims
    return pd.DataFrame({"effect": power.index, "n": n, "power": power.to_numpy(),
                         "mcse": np.sqrt(power * (1 - power) / sims).to_numpy()})


def power_rm_anova_sim(means, cov, levels, n, sims: int = 2000, alpha: float = 0.05,
                       correction: str = "auto", seed: int | None = None) -> pd.DataFrame:
    """Simulated power of a within-subject design, pingouin-style.

    Parameters
    ----------
    means : array-like, shape (cells,)
        Population mean per cell, first factor slowest.
    cov : array-like, shape (cells, cells)
        Covariance of a participant's cell means.
    levels : dict or int
        Factor -> levels or number of levels; an int is a one-way design.
    n : int or list of int
        Participants per study.
    sims, alpha, correction, seed
        Simulated studies per n, significance level, policy ('auto': GG when
        Mauchly's p < .05, 'always', 'never'), random seed.

    Returns
    -------
    pandas.DataFrame
        ``effect``, ``n``, ``power``, ``mcse``, one row per effect and n.

    Examples
    --------
    >>> import numpy as np
    >>> from analysis.power import power_rm_anova_sim
    >>> cov = 0.5 * np.eye(3) + 0.5          # sigma^2 = 1, rho = .5
    >>> power_rm_anova_sim([0, 0.3, 0.6], cov, 3, n=20, correction="never", seed=1).round(2)
      effect   n  power  mcse
    0      A  20   0.61  0.01
    """
    levels = {"A": levels} if isinstance(levels, int) else dict(levels)
    pop = Population(np.asarray(means, dtype=float), np.asarray(cov, dtype=float), levels)
    if pop.cov.shape != (len(pop.means),) * 2 or len(pop.means) != len(effect_contrasts(levels, ())):
        raise ValueError("means, cov and levels disagree on the number of cells.")
    ns = [n] if np.ndim(n) == 0 else list(n)
    return pd.concat([power_at(pop, int(k), sims, alpha, correction, seed) for k in ns], ignore_index=True)


def smallest_n(
    power_of: Callable[[int], float], target: float, n_min: int = 2, n_max: int = 500
) -> int | None:
    """The smallest n in [n_min, n_max] with ``power_of(n) >= target``, or None.

    Doubling from ``n_min`` until the target is reached, then bisection; this
    assumes power grows with n (it does but for Monte-Carlo noise, and for the
    'auto' policy where Mauchly's test first becomes computable).
    """
    lo, n = n_min - 1, n_min
    while power_of(n) < target:
        if n >= n_max:
            return None
        lo, n = n, min(2 * n, n_max)
    hi = n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if power_of(mid) >= target else (mid, hi)
    return hi


def power_analysis(pop: Population, ns, targets=(), sims: int = 2000, alpha: float = 0.05,
                   correction: str = "auto", seed: int = 0, resample: bool = False,
                   n_max: int = 300) -> dict[str, pd.DataFrame]:
    """Power per effect at each of ``ns``, and the smallest n reaching each target.

    Returns ``results`` (rows of :func:`power_at` for ``ns``), ``n_for_target``
    (``effect``, ``target``, ``n``; n is None when not reached by ``n_max``)
    and ``curve`` (every n simulated, the search's included).
    """
    for t in targets:
        if not 0 < t < 1:
            raise ValueError(f"a target power must lie between 0 and 1; got {t}.")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie between 0 and 1; got {alpha}.")
    if sims < 1:
        raise ValueError(f"sims must be at least 1; got {sims}.")
    done: dict[int, pd.DataFrame] = {}

    def table(n: int) -> pd.DataFrame:
        if n not in done:
            done[n] = power_at(pop, n, sims, alpha, correction, seed, resample).set_index("effect")
        return done[n]

    results = pd.concat([table(int(n)).reset_index() for n in ns], ignore_index=True)
    found = [
        {"effect": e, "target": t, "n": smallest_n(lambda n, e=e: table(n).at[e, "power"], t, 2, n_max)}
        for t in targets for e in effect_names(pop.factors)
    ]
    curve = pd.concat([done[n].reset_index() for n in sorted(done)], ignore_index=True)
    found = pd.DataFrame(found, columns=["effect", "target", "n"]).astype({"n": "Int64"})
    return {"results": results, "n_for_target": found, "curve": curve}


def replication_sizes(cells: CellMeans | pd.DataFrame, correction: str = "auto", targets=(0.8, 0.9),
                      sims: int = REPORT_SIMS, n_max: int = REPORT_MAX_N, seed: int = 0,
                      debias: bool = True) -> pd.DataFrame:
    """The report's "Sample size for a replication": per effect, the power at the study's
    own N and the smallest N reaching each target, simulated from the study's cell means
    and covariance, its effects :func:`debiased` unless ``debias`` is False.

    Returns ``effect``, ``n``, ``power``, ``mcse`` and one ``n_<target %>`` column per
    target (``<NA>`` when not reached by ``n_max``).
    """
    pop = population_from_cells(cells)
    pop = debiased(pop) if debias else pop
    out = power_analysis(pop, [len(pop.sample)], targets, sims, 0.05, correction, seed, n_max=n_max)
    wide = out["n_for_target"].pivot(index="effect", columns="target", values="n")
    wide.columns = [f"n_{round(t * 100)}" for t in wide.columns]
    return out["results"].join(wide, on="effect")


def power_figure(curve: pd.DataFrame, targets, title: str):
    """Power against N per effect (+- 2 MCSE), the targets as dashed lines."""
    from analysis.figures import LANDSCAPE, plt

    fig, ax = plt.subplots(figsize=(LANDSCAPE[0], 5.8), layout="constrained")
    for effect, rows in curve.groupby("effect", sort=False):
        ax.errorbar(rows["n"], rows["power"], yerr=2 * rows["mcse"], marker="o", ms=3, capsize=2,
                    label=effect.replace(":", " x "))
    for t in targets:
        ax.axhline(t, color="0.4", ls="--", lw=1)
        ax.annotate(f"{t:.0%}", (1.0, t), xycoords=("axes fraction", "data"), ha="right", va="bottom")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("participants (N, log scale)")
    ax.set_ylabel("power")
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.legend(title="effect")
    return fig


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Power of the repeated-measures ANOVA per effect, simulated from a pilot's "
        "cell means and their covariance (or from the paper's results), with the report's "
        "sphericity correction; the smallest N reaching each target power.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--responses", metavar="CSV", help="pilot data: a responses export or any long CSV")
    source.add_argument("--from-paper", choices=["task1", "task2"],
                        help="the paper's reported means and SEs, as analysis.simulate models them "
                        "(with its ASSUMED values)")
    p.add_argument("--dv", required=True, help="dependent variable (correct, intensity, sync, naturalness)")
    p.add_argument("--within", nargs="+", metavar="F",
                   help="within-subject factor(s) (default with --from-paper: the task's)")
    p.add_argument("--subject", help="participant column (default: participant)", default="participant")
    p.add_argument("--n", nargs="+", type=int, metavar="N",
                   help="participants per simulated study (default: the pilot's, or the paper's, n)")
    p.add_argument("--target", nargs="*", type=float, default=[0.8, 0.9], metavar="POWER",
                   help="target powers whose smallest N is searched (default 0.8 0.9; none: no search)")
    p.add_argument("--max-n", type=int, default=300, help="largest N the search tries (default 300)")
    p.add_argument("--sims", type=int, default=2000, help="simulated studies per N (default 2000)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--correction", choices=list(POLICIES), default="auto",
                   help="auto: Greenhouse-Geisser when Mauchly's p < .05, as the report (default); "
                   "none; gg: always")
    p.add_argument("--resample", action="store_true",
                   help="draw the pilot's participants with replacement instead of from the normal")
    p.add_argument("--debias", action="store_true",
                   help="shrink each observed effect by sqrt(1 - 1/F), removing the noise that makes "
                   "a pilot's effects look larger than they are (as the report does)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: a fresh one, printed)")
    p.add_argument("--drop-incomplete", action="store_true",
                   help="leave out pilot participants missing a cell instead of failing")
    p.add_argument("--include-pilot", action="store_true",
                   help="for a responses export: keep rows flagged pilot (left out by default, "
                   "as in the report)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", type=Path, metavar="DIR", help="write power.pdf, power.png and power.json here")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from analysis.anova import observations

    if args.resample and args.debias:
        raise ValueError("--debias shrinks the normal model's means; it cannot apply to --resample.")
    if args.resample and args.from_paper:
        raise ValueError("--resample needs --responses (the paper has no participants to resample).")
    seed = args.seed if args.seed is not None else int(np.random.SeedSequence().entropy % 2**32)
    if args.from_paper:
        from analysis.simulate import PAPER_N, TRIAL_SD, measure_models

        pop = population_from_paper(args.from_paper, args.dv, args.within, seed)
        default_n = PAPER_N[args.from_paper]
        model = measure_models(args.from_paper)[args.dv]
        cell_sd = f", a participant x cell SD {model.cell_sd:.3f}" if model.cell_sd else ""
        source = {"from_paper": args.from_paper,
                  "assumptions": f"the paper's means, SEs and Fs as analysis.simulate models them: each "
                  f"reported F the median F of studies of the paper's n (effects the paper reports no "
                  f"means for sized from their F), a participant's deviations correlated {model.r:.3f} "
                  f"across conditions{cell_sd}, "
                  f"rating noise SD {TRIAL_SD}, and the values docs/analysis.md marks "
                  f"ASSUMED; estimated from {PAPER_SAMPLE} simulated participants"}
    else:
        if not args.within:
            raise ValueError("--within is required with --responses.")
        data, note = observations(read_csv(args.responses), include_pilot=args.include_pilot)
        if note:
            print(note, file=sys.stderr)
        cells = cell_means(data, args.dv, args.within, args.subject, drop_incomplete=args.drop_incomplete)
        pop, default_n = population_from_cells(cells), cells.n
        source = {"responses": args.responses, "pilot_n": cells.n, "dropped": list(cells.dropped)}
        if cells.n - 1 < len(pop.means):
            print(f"note: {cells.n} pilot participants estimate a covariance of rank at most {cells.n - 1} "
                  f"over {len(pop.means)} cells; simulated studies inherit that rank", file=sys.stderr)
    pop = debiased(pop) if args.debias else pop
    ns = args.n or [default_n]
    out = power_analysis(pop, ns, args.target, args.sims, args.alpha, POLICIES[args.correction], seed,
                         args.resample, args.max_n)
    doc = {"dv": args.dv, "within": list(pop.factors), "sims": args.sims, "alpha": args.alpha,
           "correction": args.correction, "seed": seed, "resample": args.resample, "debias": args.debias,
           "source": source,
           "results": out["results"], "n_for_target": out["n_for_target"], "curve": out["curve"]}
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        what = f"from the paper's {args.from_paper}" if args.from_paper else f"from {args.responses}"
        fig = power_figure(out["curve"], args.target, f"Power of the rm-ANOVA on {args.dv} ({what}; "
                           f"{args.sims} simulated studies per N, alpha {args.alpha}, correction "
                           f"{args.correction})")
        fig.savefig(args.out / "power.pdf")
        fig.savefig(args.out / "power.png", dpi=120)
        (args.out / "power.json").write_text(dumps(doc) + "\n")
    if args.json:
        print(dumps(doc))
        return 0
    print(f"{args.dv} ~ {' x '.join(pop.factors)}; {args.sims} simulated studies per N, alpha {args.alpha}, "
          f"correction {args.correction}, seed {seed}")
    print(out["results"].to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    if args.target:
        print(f"\nsmallest N reaching the target (searched up to {args.max_n}; <NA>: not reached)")
        print(out["n_for_target"].to_string(index=False))
    if args.from_paper:
        print(f"\nassumed: {source['assumptions']}")
    if args.out:
        print(f"\nwrote {args.out / 'power.pdf'}, power.png and power.json")
    return 0


if __name__ == "__main__":
    run(main, PROG)
