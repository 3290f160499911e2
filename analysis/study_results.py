"""Every number of the statistics report, computed from the measured trials."""

from __future__ import annotations

import pandas as pd
from tqdm import tqdm

from analysis.apa import anova_line
from analysis.assumptions import boxplot_outliers, shapiro_cells
from analysis.cells import CellMeans, cell_means
from analysis.confusion import confusion_matrices, confusion_matrix
from analysis.designs import Design
from analysis.posthoc import marginal_means, pairwise_bonferroni_cells
from analysis.rm_anova import rm_anova_cells

#: Measure name -> (export column, label).
MEASURES = {
    "recognition": ("correct", "Recognition (proportion correct)"),
    "intensity": ("intensity", "Intensity (1-7)"),
    "sync": ("sync", "Lip sync (1-7)"),
    "naturalness": ("naturalness", "Naturalness (1-7)"),
}


def describe(cells: CellMeans, factors) -> pd.DataFrame:
    """M and SE (SD / sqrt(n) over participants) per level of ``factors``.

    ``factors`` is one factor (marginal means) or all of them (cell means).
    """
    factors = list(factors)
    if len(factors) == 1:
        per_participant = marginal_means(cells, factors[0])
    else:
        per_participant = cells.wide.T.groupby(level=factors, sort=False).mean().T
    table = pd.DataFrame(
        {
            "M": per_participant.mean(),
            "SE": per_participant.std(ddof=1) / len(per_participant) ** 0.5,
            "n": len(per_participant),
        }
    )
    return table.reset_index()


def measure_results(cells: CellMeans, correction: str) -> dict:
    """ANOVA, APA lines, post-hocs, descriptives and assumption checks of one measure."""
    anova = rm_anova_cells(cells, correction=correction)
    anova.insert(len(anova.columns), "apa", [anova_line(r) for r in anova.to_dict("records")])
    return {
        "anova": anova,
        "posthoc": pd.concat([pairwise_bonferroni_cells(cells, f) for f in cells.factors], ignore_index=True),
        "descriptives": {f: describe(cells, [f]) for f in cells.factors},
        "cells": describe(cells, cells.factors),
        "marginal": {f: marginal_means(cells, f) for f in cells.factors},
        "cell_means": cells.wide,
        "shapiro": shapiro_cells(cells),
        "outliers": boxplot_outliers(cells),
        "n": cells.n,
        "dropped_participants": list(cells.dropped),
    }


def study_results(
    trials: pd.DataFrame,
    design: Design,
    correction: str = "auto",
    drop_incomplete: bool = False,
    progress: bool = True,
) -> dict:
    """All analyses of the report for measured trials (see :mod:`analysis.responses`).

    Returns a dict: ``measures`` (name -> :func:`measure_results`; each
    participant's cell means are averaged over repetitions first) and
    ``confusion`` (``pooled`` plus one dict per factor of ``design.confusion_by``).
    """
    measures = {}
    for name, (column, _) in tqdm(MEASURES.items(), desc="analyses", disable=not progress, leave=False):
        cells = cell_means(trials, column, design.within, "participant", drop_incomplete=drop_incomplete)
        measures[name] = measure_results(cells, correction)
    confusion = {"pooled": confusion_matrix(trials)}
    for factor in design.confusion_by:
        confusion[factor] = confusion_matrices(trials, by=factor)
    return {"measures": measures, "confusion": confusion}
