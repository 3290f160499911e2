"""Repeated-measures ANOVA with any number of within-subject factors.

The computation is the multivariate one of R's ``car::Anova`` on an ``mlm``
with ``idesign``: each effect is tested on the participants' scores on an
orthonormal set of contrasts of the cells (the Kronecker product of one
orthonormal contrast block per factor in the effect and a normalised averaging
vector per factor outside it). From those scores come the univariate SS and F
(identical to the classical ``aov`` error-stratum table) and the SSP matrix
that Mauchly's test and the epsilons need (:mod:`analysis.sphericity`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.cells import CellMeans, cell_means
from analysis.sphericity import epsilon_gg, epsilon_hf, mauchly

CORRECTIONS = ("auto", "always", "never")

COLUMNS = [
    "effect", "SS", "df1", "df2", "MS", "SS_error", "MS_error", "F", "p", "np2", "ges",
    "eps_gg", "eps_hf", "eps_lb", "p_gg", "p_hf", "p_lb",
    "mauchly_W", "mauchly_chi2", "mauchly_df", "mauchly_p", "mauchly_note",
    "corrected", "df1_reported", "df2_reported", "p_reported", "mark",
]  # fmt: skip


def orthonormal_contrasts(k: int) -> np.ndarray:
    """A (k, k-1) matrix of orthonormal contrasts (normalised Helmert)."""
    h = np.zeros((k, k - 1))
    for j in range(1, k):
        h[:j, j - 1] = 1.0
        h[j, j - 1] = -float(j)
    return h / np.linalg.norm(h, axis=0)


def effect_names(factors) -> list[str]:
    """Main effects first, then two-way interactions, ...: ``['A', 'B', 'A:B']``."""
    return [":".join(combo) for size in range(1, len(factors) + 1) for combo in combinations(factors, size)]


def effect_contrasts(levels: dict, effect: tuple[str, ...]) -> np.ndarray:
    """Orthonormal contrasts of the cells (cells x df) for one effect.

    ``levels`` maps each factor, in column order (first factor slowest), to its
    levels or their number; ``effect`` names the factors of the effect.
    """
    matrix = np.ones((1, 1))
    for f, lv in levels.items():
        k = lv if isinstance(lv, int) else len(lv)
        block = orthonormal_contrasts(k) if f in effect else np.full((k, 1), 1 / np.sqrt(k))
        matrix = np.kron(matrix, block)
    return matrix


def effect_sums(Y: np.ndarray, C: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SS, SS_error and the error SSP matrix E of the effect with contrasts ``C``.

    ``Y`` holds the participants' cell means, ``(n, cells)`` for one study or
    ``(..., n, cells)`` for many (:mod:`analysis.power` tests thousands of
    simulated studies at once): ``SS = n ||mean(Y) C||^2``, ``E = (Yc C)'(Yc C)``,
    ``SS_error = tr(E)``.
    """
    n = Y.shape[-2]
    Z = Y @ C  # the participants' contrast scores; (Y - mean) C = Z - mean(Z)
    z_mean = Z.mean(axis=-2, keepdims=True)
    Zc = Z - z_mean
    E = np.swapaxes(Zc, -1, -2) @ Zc
    ss = n * np.sum(z_mean**2, axis=(-2, -1))
    return ss, np.trace(E, axis1=-2, axis2=-1), E


def corrected_by_policy(pp: int, gg, mauchly_p, correction: str, alpha: float = 0.05):
    """Whether ``correction`` reports the Greenhouse-Geisser result (scalars or arrays).

    'auto': when Mauchly's p < ``alpha`` (NaN/None, not computable: uncorrected);
    'always': every effect with more than 1 df; 'never': none. Never without a GG epsilon.
    """
    gg = np.asarray(np.nan if gg is None else gg, dtype=float)
    violated = np.asarray(np.nan if mauchly_p is None else mauchly_p, dtype=float) < alpha
    wanted = correction == "always" or (correction == "auto") & violated
    return (pp > 1) & np.isfinite(gg) & wanted


def _f_sf(F: float, df1: float, df2: float) -> float | None:
    return float(stats.f.sf(F, df1, df2)) if np.isfinite(F) else None


def rm_anova_cells(cells: CellMeans, correction: str = "auto", alpha: float = 0.05) -> pd.DataFrame:
    """Repeated-measures ANOVA table from per-participant cell means.

    See :func:`rm_anova` for the parameters and the returned columns.
    """
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}; got {correction!r}.")
    Y = cells.wide.to_numpy(dtype=float)
    n, n_cells = Y.shape
    Yc = Y - Y.mean(axis=0)
    ss_subjects = float(np.sum((Yc @ np.full(n_cells, 1 / np.sqrt(n_cells))) ** 2))
    rows = []
    for name in effect_names(cells.factors):
        C = effect_contrasts(cells.levels, tuple(name.split(":")))
        pp = C.shape[1]
        ss, ss_err, E = effect_sums(Y, C)
        ss, ss_err = float(ss), float(ss_err)
        df1, df2 = pp, pp * (n - 1)
        F = (ss / df1) / (ss_err / df2) if ss_err > 0 else np.nan
        gg = epsilon_gg(E)
        hf = epsilon_hf(gg, pp, n - 1)
        lb = 1.0 / pp
        test = mauchly(E, n - 1, n_cells)
        p = _f_sf(F, df1, df2)
        p_gg = _f_sf(F, gg * df1, gg * df2) if gg is not None else None
        hf_capped = None if hf is None else min(hf, 1.0)
        p_hf = _f_sf(F, hf_capped * df1, hf_capped * df2) if hf_capped is not None else None
        corrected = bool(corrected_by_policy(pp, gg, test.p, correction, alpha))
        eps = gg if corrected else 1.0
        rows.append(
            {
                "effect": name, "SS": ss, "df1": df1, "df2": df2, "MS": ss / df1,
                "SS_error": ss_err, "MS_error": ss_err / df2, "F": F, "p": p,
                "np2": ss / (ss + ss_err) if ss + ss_err > 0 else np.nan, "ges": np.nan,
                "eps_gg": gg, "eps_hf": hf, "eps_lb": lb,
                "p_gg": p_gg, "p_hf": p_hf, "p_lb": _f_sf(F, 1, n - 1),
                "mauchly_W": test.W, "mauchly_chi2": test.chi2, "mauchly_df": test.df,
                "mauchly_p": test.p, "mauchly_note": test.note, "corrected": corrected,
                "df1_reported": df1 * eps, "df2_reported": df2 * eps,
                "p_reported": p_gg if corrected else p, "mark": "*" if corrected else "",
            }
        )  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    # Generalized eta squared for all-within designs (Olejnik & Algina, 2003; Bakeman, 2005).
    table["ges"] = table["SS"] / (table["SS"] + ss_subjects + table["SS_error"].sum())
    table["mauchly_df"] = table["mauchly_df"].astype("Int64")
    table.attrs.update(n=n, dropped_participants=list(cells.dropped), correction=correction)
    return table


def rm_anova(
    data: pd.DataFrame,
    dv: str,
    within,
    subject: str,
    correction: str = "auto",
    alpha: float = 0.05,
    drop_incomplete: bool = False,
) -> pd.DataFrame:
    """Repeated-measures ANOVA for one or more within-subject factors.

    Rows are first averaged per participant and cell (:func:`analysis.cells.cell_means`).

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one or more rows per participant and cell.
    dv : str
        Dependent variable.
    within : str or list of str
        Within-subject factor(s).
    subject : str
        Participant identifier.
    correction : {'auto', 'always', 'never'}
        Which result to report (``p_reported``, ``df*_reported``, ``mark``):
        'auto' reports the Greenhouse-Geisser result, marked ``'*'``, when
        Mauchly's p < ``alpha`` (the paper's policy; an effect whose Mauchly
        test is not computable stays uncorrected); 'always' reports GG for
        every effect with more than 1 df; 'never' reports the uncorrected F.
    alpha : float
        Significance level of Mauchly's test for ``correction='auto'``.
    drop_incomplete : bool
        Leave out participants missing a cell instead of raising
        :class:`analysis.cells.IncompleteDataError`.

    Returns
    -------
    pandas.DataFrame
        One row per effect (main effects, then interactions), columns:

        - ``effect``: ``'A'`` or ``'A:B'``
        - ``SS``, ``df1``, ``MS``: effect sum of squares, df, mean square
        - ``SS_error``, ``df2``, ``MS_error``: the effect x participant error term
        - ``F``, ``p``: uncorrected F test
        - ``np2``: partial eta squared, SS / (SS + SS_error)
        - ``ges``: generalized eta squared, SS / (SS + SS_participants + sum of all SS_error)
        - ``eps_gg``, ``eps_hf``, ``eps_lb``: Greenhouse-Geisser, Huynh-Feldt
          (Lecoutre-corrected, raw: may exceed 1) and lower-bound epsilons
        - ``p_gg``, ``p_hf``, ``p_lb``: p with df multiplied by each epsilon
          (HF capped at 1 for its p)
        - ``mauchly_W``, ``mauchly_chi2``, ``mauchly_df``, ``mauchly_p``:
          Mauchly's test; NaN with the reason in ``mauchly_note`` when it does
          not apply or cannot be computed
        - ``corrected``, ``df1_reported``, ``df2_reported``, ``p_reported``,
          ``mark``: the result chosen by ``correction``

        ``attrs`` holds ``n``, ``dropped_participants`` and ``correction``.

    Notes
    -----
    Matches R's ``car::Anova(lm(Y ~ 1), idata=, idesign=, type=3)`` and its
    ``summary(..., multivariate=FALSE)``; see docs/analysis.md for the checks.
    pingouin's ``rm_anova`` gives the same F and p but no Huynh-Feldt epsilon
    and ``W = 0, p = 0`` where Mauchly's test is not computable.

    Examples
    --------
    >>> import pingouin as pg
    >>> from analysis.rm_anova import rm_anova
    >>> df = pg.read_dataset("rm_anova2")
    >>> table = rm_anova(df, dv="Performance", within=["Time", "Metric"], subject="Subject")
    >>> table[["effect", "F", "p", "eps_gg", "eps_hf", "mauchly_p"]].round(4)
            effect        F       p  eps_gg  eps_hf  mauchly_p
    0         Time  33.8523  0.0003  1.0000  1.0000        NaN
    1       Metric  26.9592  0.0000  0.9691  1.2307     0.8784
    2  Time:Metric  12.6323  0.0004  0.7272  0.8312     0.1524
    """
    cells = cell_means(data, dv, within, subject, drop_incomplete=drop_incomplete)
    return rm_anova_cells(cells, correction=correction, alpha=alpha)
