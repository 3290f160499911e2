"""Assumption checks per cell: Shapiro-Wilk normality and boxplot-rule outliers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from analysis.cells import CellMeans

SHAPIRO_COLUMNS = ["cell", "W", "p", "n", "note"]
OUTLIER_COLUMNS = ["cell", "participant", "value", "kind", "lower_fence", "upper_fence"]


def cell_key(cell) -> str:
    """The cell's name in tables and JSON: ``'fear'`` or ``'Mery|fear'``."""
    return "|".join(map(str, cell if isinstance(cell, tuple) else (cell,)))


def shapiro_cells(cells: CellMeans) -> pd.DataFrame:
    """Shapiro-Wilk test of the participants' means in each cell.

    Returns one row per cell: ``cell``, ``W``, ``p``, ``n`` and ``note``;
    W and p are NaN (with the reason in ``note``) for fewer than 3
    participants or when every participant has the same value (as happens
    with recognition scores at ceiling).
    """
    rows = []
    for cell in cells.wide.columns:
        x = cells.wide[cell].to_numpy(dtype=float)
        W = p = np.nan
        note = None
        if x.size < 3:
            note = "needs at least 3 participants"
        elif np.ptp(x) == 0:
            note = "all values equal"
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # scipy warns about ties and small n
                W, p = stats.shapiro(x)
        rows.append({"cell": cell_key(cell), "W": W, "p": p, "n": x.size, "note": note})
    return pd.DataFrame(rows, columns=SHAPIRO_COLUMNS)


def tukey_hinges(x: np.ndarray) -> tuple[float, float]:
    """Lower and upper hinges as in R's ``fivenum``/``boxplot.stats``."""
    x = np.sort(x)
    n = x.size
    n4 = np.floor((n + 3) / 2) / 2
    idx = np.array([n4, n + 1 - n4]) - 1  # 0-based, may be halves
    lo = 0.5 * (x[int(np.floor(idx[0]))] + x[int(np.ceil(idx[0]))])
    hi = 0.5 * (x[int(np.floor(idx[1]))] + x[int(np.ceil(idx[1]))])
    return float(lo), float(hi)


def boxplot_outliers(cells: CellMeans, coef: float = 1.5) -> pd.DataFrame:
    """Participants outside the boxplot whiskers in each cell.

    A value is an outlier when it lies more than ``coef`` (1.5) hinge spreads
    below the lower or above the upper Tukey hinge (R's ``boxplot.stats``
    rule), and ``extreme`` beyond 3 hinge spreads (SPSS's starred points).

    Returns one row per outlying value: ``cell``, ``participant``, ``value``,
    ``kind`` ('outlier' or 'extreme'), ``lower_fence``, ``upper_fence``.
    """
    rows = []
    for cell in cells.wide.columns:
        col = cells.wide[cell]
        lo, hi = tukey_hinges(col.to_numpy(dtype=float))
        spread = hi - lo
        lower, upper = lo - coef * spread, hi + coef * spread
        for participant, value in col[(col < lower) | (col > upper)].items():
            far = value < lo - 3 * spread or value > hi + 3 * spread
            rows.append(
                {
                    "cell": cell_key(cell), "participant": str(participant), "value": float(value),
                    "kind": "extreme" if far else "outlier",
                    "lower_fence": lower, "upper_fence": upper,
                }
            )  # fmt: skip
    return pd.DataFrame(rows, columns=OUTLIER_COLUMNS)
