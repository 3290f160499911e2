"""The paper's two analyses, as data: which factors, which figure."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Design:
    """How one task is analysed.

    Attributes
    ----------
    name : str
        'task1' or 'task2'.
    title : str
        What the design is, for the report's title page.
    within : tuple of str
        Within-subject factors of every ANOVA (cells averaged per participant).
    bars : tuple of str
        (x-axis factor, bar-colour factor) of the M +- SE bar chart.
    figure : str
        The paper's figure the bar charts correspond to.
    confusion_by : tuple of str
        Factors with one confusion matrix per level (besides the pooled one).
    """

    name: str
    title: str
    within: tuple[str, ...]
    bars: tuple[str, str]
    figure: str
    confusion_by: tuple[str, ...]


DESIGNS = {
    "task1": Design(
        name="task1",
        title="Task 1 (paper 5.1.5): 7 characters x 7 emotions, recorded rig animation",
        within=("character", "emotion"),
        bars=("emotion", "character"),
        figure="Figure 5",
        confusion_by=("character",),
    ),
    "task2": Design(
        name="task2",
        title="Task 2 (paper 5.1.6): 3 generation methods x 6 characters",
        within=("method", "character"),
        bars=("character", "method"),
        figure="Figure 6",
        confusion_by=("character", "method"),
    ),
}


def design_for(trials: pd.DataFrame, name: str = "auto") -> Design:
    """The design called ``name``; 'auto' picks task2 when trials hold several methods."""
    if name == "auto":
        return DESIGNS["task2" if trials["method"].nunique() > 1 else "task1"]
    if name not in DESIGNS:
        raise ValueError(f"design must be auto or one of {', '.join(DESIGNS)}; got {name!r}.")
    return DESIGNS[name]
