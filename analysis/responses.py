"""Reading the responses export (docs/design.md) into measured trials.

The export is the contract between studyapp/ and analysis/: one row per
answered trial. :func:`measured_trials` checks it, leaves out the practice
trials and puts the factor levels in the paper's order.
"""

from __future__ import annotations

import pandas as pd

from analysis.cells import require_columns
from contract import CHARACTERS, EMOTIONS, METHODS, RESPONSES

#: The columns the report needs.
REQUIRED = (
    "study", "participant", "is_practice", "character", "emotion", "method",
    "response_emotion", "correct", "intensity", "sync", "naturalness",
)  # fmt: skip
RATINGS = ("intensity", "sync", "naturalness")
#: Display order of the levels (the paper's; unknown levels follow, sorted).
ORDER = {
    "character": CHARACTERS,
    "emotion": EMOTIONS,
    "method": METHODS,
}
_TRUE = {"1", "true", "yes", "t", "y"}
_FALSE = {"0", "false", "no", "f", "n"}


def _first_bad(trials: pd.DataFrame, bad: pd.Series, column: str, expected: str) -> ValueError:
    row = trials.loc[bad].iloc[0]
    line = int(trials.index[bad][0]) + 2  # header is line 1
    return ValueError(
        f"line {line} (participant {row['participant']}): {column} must be {expected}; "
        f"got {row[column]!r} ({int(bad.sum())} such row(s))."
    )


def measured_rows(export: pd.DataFrame, *, include_pilot: bool = False) -> pd.DataFrame:
    """The measured trials of an export, whatever its questions: no practice trials, no
    attention checks, no pilot participants unless ``include_pilot``."""
    require_columns(export, ("participant", "is_practice"))
    trials = export.reset_index(drop=True).copy()
    flag = trials["is_practice"].astype(str).str.strip().str.lower()
    bad = ~flag.isin(_TRUE | _FALSE)
    if bad.any():
        raise _first_bad(trials, bad, "is_practice", "0/1 or true/false")
    trials["participant"] = trials["participant"].astype(str)
    measured = ~flag.isin(_TRUE)
    if "attention_check" in trials:  # catch trials (newer exports) are no measured trials
        measured &= pd.to_numeric(trials["attention_check"], errors="coerce").fillna(0).astype(int) == 0
    if "pilot" in trials and not include_pilot:  # pilot data: left out unless asked for
        measured &= pd.to_numeric(trials["pilot"], errors="coerce").fillna(0).astype(int) == 0
    trials = trials.loc[measured].reset_index(drop=True)
    if trials.empty:
        raise ValueError("the responses export holds no measured trials (only practice, "
                         "attention-check or pilot rows; --include-pilot keeps pilot data).")
    trials["is_practice"] = False
    return trials


def measured_trials(export: pd.DataFrame, *, include_pilot: bool = False) -> pd.DataFrame:
    """Check a responses export and return its measured trials.

    Practice trials (``is_practice``) and, where the export has the columns,
    attention-check trials (``attention_check`` = 1) and, unless
    ``include_pilot``, pilot participants (``pilot`` = 1) are left out.

    Raises ValueError naming the column, line and participant of the first
    bad value: missing columns, ``is_practice`` not a boolean, unknown emotion
    codes, ``correct`` not 0/1 or not equal to ``response_emotion == emotion``,
    ratings outside the integers 1..7.
    """
    require_columns(export, REQUIRED)
    if export.empty:
        raise ValueError("the responses export has no rows.")
    trials = export.reset_index(drop=True).copy()
    for column, allowed in (("emotion", EMOTIONS), ("response_emotion", RESPONSES)):
        bad = ~trials[column].astype(str).isin(allowed)
        if bad.any():
            raise _first_bad(trials, bad, column, f"one of {', '.join(allowed)}")
    for column, low, high in (("correct", 0, 1), *((r, 1, 7) for r in RATINGS)):
        values = pd.to_numeric(trials[column], errors="coerce")
        bad = values.isna() | (values % 1 != 0) | (values < low) | (values > high)
        if bad.any():
            raise _first_bad(trials, bad, column, f"an integer from {low} to {high}")
        trials[column] = values.astype(int)
    bad = trials["correct"] != (trials["response_emotion"] == trials["emotion"]).astype(int)
    if bad.any():
        raise _first_bad(trials, bad, "correct", "1 exactly when response_emotion == emotion")
    trials = measured_rows(trials, include_pilot=include_pilot)
    for column in ORDER:
        trials[column] = in_display_order(trials[column], column)
    return trials


def in_display_order(values: pd.Series, factor: str) -> pd.Categorical:
    """``values`` as text, categorical in ``factor``'s display order (:data:`ORDER`;
    levels it does not know follow, sorted)."""
    values = values.astype(str)
    order, present = ORDER.get(factor, ()), set(values)
    levels = [v for v in order if v in present] + sorted(present - set(order))
    return pd.Categorical(values, categories=levels)
