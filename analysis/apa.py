"""APA-style text for test results, as the paper writes them."""

from __future__ import annotations

import math


def fmt_p(p: float | None) -> str:
    """``'p < .001'`` or ``'p = .038'`` (no leading zero); ``'p = n/a'`` when missing."""
    if p is None or not math.isfinite(p):
        return "p = n/a"
    if p < 0.001:
        return "p < .001"
    return f"p = {p:.3f}".replace("0.", ".", 1)


def fmt_df(df: float) -> str:
    """Whole df as integers (``6``), corrected df with two decimals (``3.79``)."""
    return str(int(round(df))) if abs(df - round(df)) < 1e-9 else f"{df:.2f}"


def anova_line(row) -> str:
    """``F(3.79, 72.00) = 53.14, p < .001*`` from one row of :func:`analysis.rm_anova.rm_anova`.

    The df are the reported ones (corrected ones get two decimals each), and
    ``*`` marks a Greenhouse-Geisser-corrected result, as in the paper.
    """
    df1, df2 = row["df1_reported"], row["df2_reported"]
    dfs = f"{df1:.2f}, {df2:.2f}" if row["corrected"] else f"{fmt_df(df1)}, {fmt_df(df2)}"
    F = f"{row['F']:.2f}" if math.isfinite(row["F"]) else "n/a"  # F can exceed 1: leading zero kept
    return f"F({dfs}) = {F}, {fmt_p(row['p_reported'])}{row['mark']}"
