"""Sphericity of one within-subject effect: Mauchly's test and the epsilons.

All functions take the error sum-of-squares-and-products matrix ``E`` of the
effect's orthonormal contrasts (``pp`` x ``pp``, ``pp`` = the effect's df) and
the residual df ``n - 1``, exactly the objects R's ``car::Anova`` works on
(``SSPE`` and ``error.df`` in ``car:::summary.Anova.mlm``).

References
----------
- Mauchly, J. W. (1940). Significance test for sphericity of a normal
  n-variate distribution. Annals of Mathematical Statistics, 11, 204-209.
- Anderson, T. W. (1958/2003). An Introduction to Multivariate Statistical
  Analysis, section 10.7: the second-order (omega_2) approximation of the
  null distribution used by R's ``stats:::mauchly.test.SSD``.
- Greenhouse, S. W., & Geisser, S. (1959). On methods in the analysis of
  profile data. Psychometrika, 24, 95-112.
- Huynh, H., & Feldt, L. S. (1976). Estimation of the Box correction for
  degrees of freedom from sample data in randomized block and split-plot
  designs. Journal of Educational Statistics, 1, 69-82.
- Lecoutre, B. (1991). A correction for the epsilon-tilde approximate test in
  repeated measures designs with two or more independent groups. Journal of
  Educational Statistics, 16, 371-372.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Mauchly:
    """Mauchly's test for one effect; all numbers are None when ``note`` says why."""

    W: float | None
    chi2: float | None
    df: int | None
    p: float | None
    note: str | None


def mauchly(E: np.ndarray, error_df: int, n_cells: int) -> Mauchly:
    """Mauchly's test of sphericity with R's second-order p-value.

    Parameters
    ----------
    E : ndarray, shape (pp, pp)
        Error SSP matrix of the effect's orthonormal contrasts.
    error_df : int
        Residual df of the participants' model, ``n - 1``.
    n_cells : int
        Number of cells of the whole design (R's ``p = ncol(SSD)``).

    Notes
    -----
    ``W = det(E) / (tr(E) / pp)^pp``; with ``rho = 1 - (2pp^2 + pp + 2) /
    (6 pp error_df)``, ``chi2 = -error_df * rho * log(W)`` on
    ``f = pp(pp + 1)/2 - 1`` df, and
    ``p = P1 + w2 (P2 - P1)`` with ``P1 = P(chi2_f > chi2)``,
    ``P2 = P(chi2_{f+4} > chi2)`` and
    ``w2 = (pp+2)(pp-1)(pp-2)(2pp^3 + 6pp^2 + 3 n_cells + 2) / (288 (error_df pp rho)^2)``.
    The ``3 n_cells`` term (not ``3 pp``) is what R and car compute; it only
    matters for effects with more than 2 df inside designs with more factors.

    Not computable (all None, with the reason in ``note``) when the effect has
    1 df (sphericity holds trivially), more df than ``error_df`` (the
    covariance matrix is singular: fewer participants than needed), or
    ``E`` is numerically singular.
    """
    pp = E.shape[0]
    if pp < 2:
        return Mauchly(None, None, None, None, "not applicable: the effect has 1 df")
    if pp > error_df:
        return Mauchly(
            None,
            None,
            None,
            None,
            f"not computable: the effect has {pp} df but there are only "
            f"{error_df + 1} participants (at least {pp + 1} needed)",
        )
    W, chi2, p = mauchly_arrays(E, error_df, n_cells)
    if not np.isfinite(p):
        return Mauchly(None, None, None, None, "not computable: the contrast covariance matrix is singular")
    return Mauchly(float(W), float(chi2), pp * (pp + 1) // 2 - 1, float(p), None)


def mauchly_arrays(E: np.ndarray, error_df: int, n_cells: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mauchly's W, chi2 and p for one E or a stack of them, shape ``(..., pp, pp)``.

    The formulas of :func:`mauchly`, vectorised over the leading axes so that a
    power simulation (:mod:`analysis.power`) tests thousands of simulated
    studies at once. Where the test does not apply or cannot be computed (1 df,
    ``pp > error_df``, ``E`` singular) the three values are NaN.
    """
    pp = E.shape[-1]
    shape = E.shape[:-2]
    if pp < 2 or pp > error_df:
        nan = np.full(shape, np.nan)
        return nan, nan.copy(), nan.copy()
    # One symmetric eigendecomposition gives both the rank (numpy's matrix_rank tolerance,
    # max eigenvalue x pp x machine epsilon) and log det(E), for a stack as fast as for one.
    eig = np.linalg.eigvalsh(E)
    tol = np.abs(eig).max(axis=-1, keepdims=True) * pp * np.finfo(float).eps
    ok = np.all(eig > tol, axis=-1)
    logdet = np.sum(np.log(np.where(eig > tol, eig, 1.0)), axis=-1)
    trace = np.trace(E, axis1=-2, axis2=-1)
    log_w = np.where(ok, logdet - pp * np.log(np.where(trace > 0, trace, 1.0) / pp), np.nan)
    rho = 1 - (2 * pp**2 + pp + 2) / (6 * pp * error_df)
    w2 = (
        (pp + 2)
        * (pp - 1)
        * (pp - 2)
        * (2 * pp**3 + 6 * pp**2 + 3 * n_cells + 2)
        / (288 * (error_df * pp * rho) ** 2)
    )
    chi2 = -error_df * rho * log_w
    f = pp * (pp + 1) // 2 - 1
    p1 = stats.chi2.sf(chi2, f)
    p2 = stats.chi2.sf(chi2, f + 4)
    return np.exp(log_w), chi2, np.clip(p1 + w2 * (p2 - p1), 0.0, 1.0)


def epsilon_gg(E: np.ndarray) -> float | None:
    """Greenhouse-Geisser epsilon, ``tr(E)^2 / (pp tr(E^2))``; 1 for 1-df effects.

    None when there is no error variance at all (``tr(E) = 0``).
    """
    gg = epsilon_gg_arrays(E)
    return float(gg) if np.isfinite(gg) else None


def epsilon_gg_arrays(E: np.ndarray) -> np.ndarray:
    """:func:`epsilon_gg` for one E or a stack ``(..., pp, pp)``; NaN where ``tr(E) = 0``."""
    pp = E.shape[-1]
    denom = pp * np.sum(E * E, axis=(-2, -1))  # tr(E @ E) for symmetric E
    trace = np.trace(E, axis1=-2, axis2=-1)
    return np.where(denom > 0, trace**2 / np.where(denom > 0, denom, 1.0), np.nan)


def epsilon_hf(gg: float | None, pp: int, error_df: int) -> float | None:
    """Huynh-Feldt epsilon with Lecoutre's (1991) correction, reported raw.

    ``((error_df + 1) pp gg - 2) / (pp (error_df - pp gg))``, the formula of
    R's ``car`` (``car:::HF``). With no
    between-subject groups (this package) it equals Huynh & Feldt's (1976)
    original ``(n pp gg - 2) / (pp (n - 1 - pp gg))``. It can exceed 1, as R
    prints it; callers cap it at 1 only to compute the corrected p. None when
    the denominator is not positive (the estimator is undefined there).
    """
    if gg is None:
        return None
    denom = pp * (error_df - pp * gg)
    if denom <= 0:
        return None
    return float(((error_df + 1) * pp * gg - 2) / denom)
