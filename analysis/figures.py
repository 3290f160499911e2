"""The report's figures: M +- SE bars (Figures 5-6), confusion heatmaps (Figure 4), boxplots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis.assumptions import tukey_hinges  # noqa: E402
from analysis.confusion import SHORT  # noqa: E402

A4 = (8.27, 11.69)
LANDSCAPE = (11.69, 8.27)


def bar_chart(cells: pd.DataFrame, x: str, hue: str, ylabel: str, title: str,
              ylim: tuple[float, float] | None = None) -> Figure:
    """Grouped bars of cell means with +- 1 SE error bars (``cells``: x, hue, M, SE columns);
    the y axis spans ``ylim``, by default a proportion's 0-1 or a 1-7 rating's."""
    fig, ax = plt.subplots(figsize=(LANDSCAPE[0], 5.2), layout="constrained")
    xs = list(dict.fromkeys(cells[x]))
    hues = list(dict.fromkeys(cells[hue]))
    width = 0.8 / len(hues)
    colors = plt.get_cmap("tab10")
    for j, level in enumerate(hues):
        part = cells[cells[hue] == level].set_index(x).reindex(xs)
        pos = np.arange(len(xs)) - 0.4 + width * (j + 0.5)
        ax.bar(pos, part["M"], width, yerr=part["SE"], capsize=2, label=str(level), color=colors(j % 10))
    ax.set_xticks(np.arange(len(xs)), [str(v) for v in xs])
    ax.set_xlabel(x.capitalize())
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ylim is None:
        ylim = (0, 1.05) if "proportion" in ylabel else (1, 7.3)
    ax.set_ylim(*ylim)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(
        title=hue.capitalize(),
        ncols=min(len(hues), 7),
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        frameon=False,
    )
    return fig


def _heatmap(ax, matrix: pd.DataFrame, title: str, annotate: bool = True) -> None:
    ax.imshow(matrix.to_numpy(dtype=float), cmap="Blues", vmin=0, vmax=100)
    ax.set_xticks(range(matrix.shape[1]), [SHORT[c] for c in matrix.columns])
    ax.set_yticks(range(matrix.shape[0]), [SHORT[r] for r in matrix.index])
    ax.set_xlabel("Perceived")
    ax.set_ylabel("Intended")
    ax.set_title(title, fontsize=10)
    if annotate:
        for (i, j), v in np.ndenumerate(matrix.to_numpy(dtype=float)):
            if np.isfinite(v):
                ax.text(
                    j,
                    i,
                    f"{v:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if v > 60 else "black",
                )


def confusion_figure(matrices: dict[str, pd.DataFrame], title: str) -> Figure:
    """One heatmap per matrix (row % of intended x perceived), laid out in a grid."""
    k = len(matrices)
    cols = 1 if k == 1 else min(4, k)
    rows = int(np.ceil(k / cols))
    size = (7.5, 7.5) if k == 1 else (LANDSCAPE[0], min(LANDSCAPE[1], 3.9 * rows + 0.6))
    fig, axes = plt.subplots(rows, cols, figsize=size, layout="constrained", squeeze=False)
    for ax, (name, matrix) in zip(axes.flat, matrices.items(), strict=False):
        _heatmap(ax, matrix, name)
    for ax in axes.flat[k:]:
        ax.set_visible(False)
    fig.suptitle(title, fontsize=12)
    fig.supxlabel(
        "A = anger, D = disgust, F = fear, J = joy, N = neutral, Sa = sadness, Su = surprise, O = other.\n"
        "Each cell: % of the intended emotion's trials answered with the perceived emotion.",
        fontsize=8,
    )
    return fig


def _box_stats(values: np.ndarray, label: str) -> dict:
    """Box and whiskers by the rule of :func:`analysis.assumptions.boxplot_outliers`."""
    lo, hi = tukey_hinges(values)
    lower, upper = lo - 1.5 * (hi - lo), hi + 1.5 * (hi - lo)
    inside = values[(values >= lower) & (values <= upper)]
    return {
        "med": float(np.median(values)), "q1": lo, "q3": hi, "whislo": float(inside.min()),
        "whishi": float(inside.max()), "fliers": values[(values < lower) | (values > upper)], "label": label,
    }  # fmt: skip


def boxplot_figure(per_participant: dict[str, pd.DataFrame], ylabel: str, title: str) -> Figure:
    """Boxplots of participants' marginal means, one panel per factor.

    Boxes span the Tukey hinges and whiskers reach the last value within 1.5
    hinge spreads (R's ``boxplot``); points beyond are the outliers the report lists.
    """
    height = 3.2 * len(per_participant) + 0.6
    fig, axes = plt.subplots(
        len(per_participant), 1, figsize=(LANDSCAPE[0], height), layout="constrained", squeeze=False
    )
    for ax, (factor, table) in zip(axes[:, 0], per_participant.items(), strict=True):
        ax.bxp([_box_stats(table[c].to_numpy(dtype=float), str(c)) for c in table.columns])
        ax.set_xlabel(factor.capitalize())
        ax.set_ylabel(ylabel)
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(title)
    return fig


def preference_bars(table: pd.DataFrame, levels, title: str, by: str | None = None,
                    labels: dict | None = None) -> Figure:
    """Stacked horizontal bars as A/B studies print them: per pair (and level of ``by``),
    the % of answers preferring ``a`` / no preference / ``b``; one panel per question.

    ``table``: :func:`analysis.preference.preferences` (``question``, ``pair``, ``a``,
    ``b``, ``pct_a``, ``pct_none``, ``pct_b``, ``p_bonf``, and ``by``). Each level of
    the compared factor has one colour; Bonferroni p beside each bar. ``labels``: the
    questions' titles by id.
    """
    questions = list(dict.fromkeys(table["question"]))
    rows = table[table["question"] == questions[0]]
    keys = list(zip(rows[by] if by else [""] * len(rows), rows["pair"], strict=True))
    height = min(LANDSCAPE[1], max(3.5, 0.3 * len(keys) + 1.6))
    fig, axes = plt.subplots(1, len(questions), figsize=(LANDSCAPE[0], height), layout="constrained",
                             sharey=True, squeeze=False)
    colors = {str(level): plt.get_cmap("tab10")(i % 10) for i, level in enumerate(levels)}
    ys = np.arange(len(keys))[::-1]
    for ax, question in zip(axes[0], questions, strict=True):
        part = table[table["question"] == question].set_index([by, "pair"] if by else ["pair"])
        part = part.reindex(keys if by else [k[1] for k in keys])
        starts = np.zeros(len(keys))
        for side in ("a", "none", "b"):
            widths = part[f"pct_{side}"].to_numpy(dtype=float)
            names = [""] * len(keys) if side == "none" else [str(v) for v in part[side]]
            shade = [colors.get(name, "0.85") for name in names]
            ax.barh(ys, widths, left=starts, color=shade, edgecolor="white", height=0.75)
            for y, x, w, name in zip(ys, starts, widths, names, strict=True):
                if w >= 6:  # the level's name where it fits, else the % alone
                    text = f"{name} {w:.0f}" if name and w >= 14 else f"{w:.0f}"
                    ax.text(x + w / 2, y, text, ha="center", va="center", fontsize=7)
            starts += widths
        for y, p in zip(ys, part["p_bonf"], strict=True):
            ax.text(102, y, _p_short(p), va="center", fontsize=7)
        ax.axvline(50, color="0.3", lw=0.6, ls=":")
        ax.set_xlim(0, 122)  # room for the p values
        ax.set_xticks(range(0, 101, 25))
        ax.spines[["top", "right"]].set_visible(False)
        ax.set_title(labels.get(question, question) if labels else question, fontsize=10)
        ax.set_xlabel("% of answers")
    axes[0, 0].set_yticks(ys, [f"{level}: {pair}" if by else pair for level, pair in keys], fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.supxlabel("Each bar: % preferring the left level / no preference (grey) / the right level; "
                  "beside it the Bonferroni-corrected p of the exact binomial test (ties left out).",
                  fontsize=8)
    return fig


def _p_short(p) -> str:
    if not np.isfinite(p):
        return "p -"
    return "p<.001" if p < 0.001 else f"p={p:.3f}".replace("0.", ".", 1)
