"""Bonferroni-corrected pairwise paired t-tests between the levels of a main effect."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.cells import CellMeans, cell_means

COLUMNS = [
    "factor", "a", "b", "mean_a", "mean_b", "mean_diff", "se", "t", "df",
    "p_unc", "p_bonf", "d_z",
]  # fmt: skip


def marginal_means(cells: CellMeans, factor: str) -> pd.DataFrame:
    """Per-participant means of each level of ``factor``, averaged over the other factors."""
    if factor not in cells.factors:
        raise ValueError(f"{factor!r} is not one of the within factors {list(cells.factors)}.")
    return cells.wide.T.groupby(level=factor, sort=False).mean().T


def pairwise_bonferroni_cells(cells: CellMeans, factor: str) -> pd.DataFrame:
    """Pairwise paired t-tests for ``factor``; see :func:`pairwise_bonferroni`."""
    marg = marginal_means(cells, factor)
    pairs = list(combinations(marg.columns, 2))
    rows = []
    for a, b in pairs:
        diff = marg[a].to_numpy() - marg[b].to_numpy()
        n = diff.size
        sd = diff.std(ddof=1)
        se = sd / np.sqrt(n)
        t = diff.mean() / se if se > 0 else np.nan
        p = float(2 * stats.t.sf(abs(t), n - 1)) if np.isfinite(t) else np.nan
        rows.append(
            {
                "factor": factor, "a": a, "b": b,
                "mean_a": marg[a].mean(), "mean_b": marg[b].mean(), "mean_diff": diff.mean(),
                "se": se, "t": t, "df": n - 1, "p_unc": p,
                "p_bonf": min(1.0, p * len(pairs)) if np.isfinite(p) else np.nan,
                "d_z": diff.mean() / sd if sd > 0 else np.nan,
            }
        )  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def pairwise_bonferroni(
    data: pd.DataFrame,
    dv: str,
    within,
    subject: str,
    factor: str,
    drop_incomplete: bool = False,
) -> pd.DataFrame:
    """Bonferroni post-hoc tests for the main effect of ``factor``.

    Each participant's marginal mean per level of ``factor`` (the mean of
    their cell means over the other within factors) enters a paired t-test
    for every pair of levels, as SPSS's "Pairwise Comparisons" (estimated
    marginal means, Bonferroni) and JASP's repeated-measures post hoc do.

    Parameters
    ----------
    data, dv, within, subject, drop_incomplete
        As in :func:`analysis.rm_anova.rm_anova`.
    factor : str
        One of ``within``.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``factor``, ``a``, ``b``, ``mean_a``, ``mean_b``,
        ``mean_diff`` (a - b), ``se`` (of the difference), ``t``, ``df``
        (n - 1), ``p_unc``, ``p_bonf`` (min(1, p_unc x number of pairs)),
        ``d_z`` (Cohen's d for paired data: mean difference / SD of the
        differences).
    """
    cells = cell_means(data, dv, within, subject, drop_incomplete=drop_incomplete)
    return pairwise_bonferroni_cells(cells, factor)
