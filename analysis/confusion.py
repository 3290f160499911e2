"""Confusion matrices of intended x perceived emotion (the paper's Figure 4)."""

from __future__ import annotations

import pandas as pd

from analysis.cells import require_columns
from contract import EMOTIONS, RESPONSES

#: Figure 4's axis labels.
SHORT = {
    "anger": "A", "disgust": "D", "fear": "F", "joy": "J", "neutral": "N",
    "sadness": "Sa", "surprise": "Su", "other": "O",
}  # fmt: skip


def confusion_matrix(
    data: pd.DataFrame, intended: str = "emotion", perceived: str = "response_emotion"
) -> pd.DataFrame:
    """Row percentages of perceived emotion for each intended emotion.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per trial.
    intended, perceived : str
        Columns holding the intended emotion (one of the 7 codes) and the
        participant's answer (one of the 7 codes or ``'other'``).

    Returns
    -------
    pandas.DataFrame
        7 x 8: index = intended emotion, columns = perceived emotion
        (``other`` last), values = percentage of that row's trials (each row
        sums to 100; a row with no trials is all NaN). Pooled over whatever
        rows ``data`` holds: filter it for one character or method.
    """
    require_columns(data, [intended, perceived])
    for column, allowed in ((intended, EMOTIONS), (perceived, RESPONSES)):
        unknown = sorted(set(data[column].dropna().astype(str)) - set(allowed))
        if unknown:
            raise ValueError(
                f"column {column!r} holds unknown emotion code(s) {', '.join(unknown)}; "
                f"expected {', '.join(allowed)}."
            )
    counts = pd.crosstab(data[intended], data[perceived])
    counts = counts.reindex(index=list(EMOTIONS), columns=list(RESPONSES), fill_value=0)
    counts.index.name, counts.columns.name = "intended", "perceived"
    totals = counts.sum(axis=1)
    return counts.div(totals.where(totals > 0), axis=0) * 100


def confusion_matrices(data: pd.DataFrame, by: str, **columns) -> dict[str, pd.DataFrame]:
    """One :func:`confusion_matrix` per level of ``by`` (e.g. character, method)."""
    require_columns(data, [by])
    return {
        str(level): confusion_matrix(group, **columns) for level, group in data.groupby(by, observed=True)
    }
