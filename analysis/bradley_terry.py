"""Bradley-Terry ranking of the compared levels of an A/B pair study.

Model (Bradley & Terry 1952; Zermelo 1929): the probability that level ``i``
is preferred to level ``j`` is ``exp(b_i) / (exp(b_i) + exp(b_j))``. With
``w_ij`` the number of times ``i`` was preferred to ``j`` (ties left out) and
``n_ij = w_ij + w_ji``, the log-likelihood is

    l(b) = sum_{i<j} [ w_ij b_i + w_ji b_j - n_ij log(exp(b_i) + exp(b_j)) ].

Only differences of ``b`` are identified: one reference level is fixed at 0.
``l`` is concave; it is maximised by Newton's method with step halving. The
standard errors are the square roots of the diagonal of the inverse observed
information ``-H`` at the maximum, ``H_ii = -sum_j n_ij p_ij p_ji``,
``H_ij = n_ij p_ij p_ji`` (the reference's row and column removed; for this
logistic model observed and expected information coincide). The maximum exists
(is finite) exactly when the directed graph "i beat j at least once" is strongly
connected (Zermelo 1929; Ford 1957; Hunter 2004): otherwise a level that never
lost (or never won) against the rest would have an infinite strength, and no
estimate is returned.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

#: Columns of :func:`bradley_terry`.
COLUMNS = ("level", "wins", "losses", "beta", "se", "ci_low", "ci_high", "worth", "reference")


def win_matrix(answers: pd.DataFrame, levels) -> pd.DataFrame:
    """``w[i, j]``: how often level ``i`` was preferred to level ``j`` (non-tie answers of
    :func:`analysis.pairs.read_pairs`), rows and columns in ``levels``' order."""
    decided = answers[answers["choice"] != "none"]
    winner = decided["a"].where(decided["choice"] == "a", decided["b"]).astype(str)
    loser = decided["b"].where(decided["choice"] == "a", decided["a"]).astype(str)
    levels = list(map(str, levels))
    table = pd.crosstab(winner, loser).reindex(index=levels, columns=levels, fill_value=0)
    return table.rename_axis(index="winner", columns="loser")


def strongly_connected(wins: np.ndarray) -> bool:
    """Whether every level can be reached from every other along "beat at least once"."""
    reach = (wins > 0) | np.eye(len(wins), dtype=bool)
    for _ in range(max(1, int(np.ceil(np.log2(len(wins)))))):
        reach = (reach.astype(int) @ reach.astype(int)) > 0
    return bool(reach.all())


def log_likelihood(beta: np.ndarray, wins: np.ndarray) -> float:
    """``l(b)`` of the module's docstring (every ordered pair once)."""
    diff = beta[:, None] - beta[None, :]
    return float(-(wins * np.logaddexp(0, -diff)).sum())


def _gradient_hessian(beta: np.ndarray, wins: np.ndarray):
    n = wins + wins.T
    p = 1 / (1 + np.exp(-(beta[:, None] - beta[None, :])))  # p[i, j] = P(i preferred to j)
    grad = wins.sum(axis=1) - (n * p).sum(axis=1)
    info = n * p * p.T
    hess = info - np.diag(info.sum(axis=1))
    return grad, hess


def bradley_terry(wins: pd.DataFrame, reference: str | None = None, confidence: float = 0.95,
                  tol: float = 1e-10, max_iter: int = 200) -> pd.DataFrame:
    """Bradley-Terry strengths from a win matrix (:func:`win_matrix`).

    Parameters
    ----------
    wins : pandas.DataFrame
        Square, rows = winners and columns = losers, the same levels in the same order.
    reference : str, optional
        The level fixed at ``beta = 0`` (default: the first).

    Returns one row per level: ``level``, ``wins``, ``losses``, ``beta`` (log
    strength relative to the reference), ``se`` (0 for the reference), ``ci_low``,
    ``ci_high`` (Wald, ``beta ± z se``), ``worth`` (``exp(beta) / sum exp(beta)``,
    summing to 1), ``reference`` (True for the reference level). ``beta`` and what
    follows from it are NaN when the maximum does not exist (see the module).
    Raises ValueError for a matrix that is not square or has negative counts.
    """
    levels = [str(v) for v in wins.index]
    if list(map(str, wins.columns)) != levels:
        raise ValueError("the win matrix needs the same levels, in the same order, as rows and columns.")
    w = wins.to_numpy(dtype=float)
    if (w < 0).any() or len(levels) < 2:
        raise ValueError("the win matrix needs two or more levels and counts >= 0.")
    reference = levels[0] if reference is None else str(reference)
    if reference not in levels:
        raise ValueError(f"reference level {reference!r} is not one of {', '.join(levels)}.")
    ref = levels.index(reference)
    out = pd.DataFrame({"level": levels, "wins": w.sum(axis=1).astype(int),
                        "losses": w.sum(axis=0).astype(int)})
    out["reference"] = out["level"] == reference
    if not strongly_connected(w):
        for column in ("beta", "se", "ci_low", "ci_high", "worth"):
            out[column] = np.nan
        return out[list(COLUMNS)]
    free = np.arange(len(levels)) != ref
    beta = np.zeros(len(levels))
    for _ in range(max_iter):
        grad, hess = _gradient_hessian(beta, w)
        step = np.zeros_like(beta)
        step[free] = np.linalg.solve(-hess[np.ix_(free, free)], grad[free])
        before, t = log_likelihood(beta, w), 1.0
        while log_likelihood(beta + t * step, w) < before - 1e-12 and t > 1e-8:
            t /= 2
        beta = beta + t * step
        if np.abs(t * step).max() < tol:
            break
    _, hess = _gradient_hessian(beta, w)
    cov = np.linalg.inv(-hess[np.ix_(free, free)])
    se = np.zeros(len(levels))
    se[free] = np.sqrt(np.diag(cov))
    z = norm.ppf(0.5 + confidence / 2)
    out["beta"], out["se"] = beta, se
    out["ci_low"], out["ci_high"] = beta - z * se, beta + z * se
    out["worth"] = np.exp(beta - beta.max()) / np.exp(beta - beta.max()).sum()
    return out[list(COLUMNS)]


def hub(pairs) -> str | None:
    """The level every compared pair includes ('a vs b' strings), if there is one
    (a study built with ``--against LEVEL``) and more than one pair."""
    sides = [set(str(p).split(" vs ")) for p in pairs]
    common = set.intersection(*sides) if len(sides) > 1 else set()
    return next(iter(common)) if len(common) == 1 else None


def bradley_terry_answers(answers: pd.DataFrame, levels, pairs=()) -> pd.DataFrame:
    """:func:`bradley_terry` per question of the long answers: a ``question`` column, then
    the columns of :func:`bradley_terry`. The reference is the level every pair includes
    (``--against LEVEL``), else the first of ``levels``."""
    reference = hub(pairs) or str(levels[0])
    tables = [bradley_terry(win_matrix(part, levels), reference).assign(question=q)
              for q, part in answers.groupby("question", observed=True)]
    out = pd.concat(tables, ignore_index=True)
    return out[["question", *COLUMNS]]
