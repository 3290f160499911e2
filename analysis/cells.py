"""Per-participant cell means: the one place where long data become a design.

Every statistic in this package starts here. Long data (one or more rows per
participant and cell) are checked, averaged per participant and cell (as the
paper does: recognition is ``correct`` = 1/0 averaged over repetitions) and
pivoted to one row per participant and one column per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: How many missing participant/cell pairs an error message lists before "and N more".
_LISTED = 8


class IncompleteDataError(ValueError):
    """A participant has no data in a cell of the within-subject design."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        shown = "; ".join(f"participant {p} has no data in cell {c}" for p, c in missing[:_LISTED])
        more = f"; and {len(missing) - _LISTED} more" if len(missing) > _LISTED else ""
        super().__init__(
            f"incomplete data: {shown}{more} (use --drop-incomplete / drop_incomplete=True "
            "to leave those participants out)"
        )


@dataclass(frozen=True)
class CellMeans:
    """Per-participant cell means of one dependent variable.

    Attributes
    ----------
    wide : pandas.DataFrame
        One row per participant (index), one column per cell (a MultiIndex with
        one level per factor, first factor slowest), values = cell means.
    factors : tuple of str
        The within-subject factors, in the order given.
    levels : dict
        Factor -> tuple of its levels, in column order.
    dropped : tuple of str
        Participants left out because they missed a cell (``drop_incomplete``).
    """

    wide: pd.DataFrame
    factors: tuple[str, ...]
    levels: dict[str, tuple]
    dropped: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of participants in the analysis."""
        return self.wide.shape[0]


def require_columns(data: pd.DataFrame, columns) -> None:
    """Raise ValueError naming every column of ``columns`` that ``data`` lacks."""
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}.")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(map(repr, missing))} not found in the data; "
            f"available columns: {', '.join(map(str, data.columns))}."
        )


def factor_levels(column: pd.Series) -> tuple:
    """Levels of a factor: the categories' order if categorical, else sorted."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.dropna().unique())
        return tuple(c for c in column.cat.categories if c in present)
    return tuple(sorted(column.dropna().unique(), key=lambda v: (str(type(v)), v)))


def cell_label(factors, cell) -> str:
    """``('Mery', 'fear')`` -> ``'character=Mery, emotion=fear'``."""
    cell = cell if isinstance(cell, tuple) else (cell,)
    return ", ".join(f"{f}={v}" for f, v in zip(factors, cell, strict=True))


def cell_means(
    data: pd.DataFrame,
    dv: str,
    within,
    subject: str,
    drop_incomplete: bool = False,
) -> CellMeans:
    """Average ``dv`` per participant and cell of the ``within`` factors.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data: one or more rows per participant and cell.
    dv : str
        Numeric dependent variable. Rows where it is missing are ignored.
    within : str or list of str
        Within-subject factor(s), each with at least two levels.
    subject : str
        Participant identifier.
    drop_incomplete : bool
        If False (default), a participant without data in some cell raises
        :class:`IncompleteDataError` naming the participant(s) and cell(s).
        If True, such participants are left out and listed in ``dropped``.

    Returns
    -------
    CellMeans
    """
    factors = (within,) if isinstance(within, str) else tuple(within)
    if not factors:
        raise ValueError("within must name at least one within-subject factor.")
    if len(set(factors)) != len(factors) or subject in factors or dv in factors:
        raise ValueError("dv, subject and the within factors must be different columns.")
    require_columns(data, [dv, subject, *factors])
    values = pd.to_numeric(data[dv], errors="coerce")
    bad = values.isna() & data[dv].notna()
    if bad.any():
        raise ValueError(
            f"column {dv!r} must be numeric; found {data.loc[bad, dv].iloc[0]!r} in row {data.index[bad][0]}."
        )
    frame = data[[subject, *factors]].assign(_dv=values).dropna()
    levels = {f: factor_levels(data[f]) for f in factors}
    for f, lv in levels.items():
        if len(lv) < 2:
            raise ValueError(f"within factor {f!r} needs at least two levels; it has {list(lv)}.")
    means = frame.groupby([subject, *factors], observed=True, sort=False)["_dv"].mean()
    wide = means.unstack(list(factors)) if len(factors) > 1 else means.unstack(factors[0])
    full = pd.MultiIndex.from_product([levels[f] for f in factors], names=list(factors))
    wide = wide.reindex(columns=full if len(factors) > 1 else full.get_level_values(0))
    if len(factors) == 1:
        wide.columns = pd.MultiIndex.from_arrays([wide.columns], names=list(factors))
    wide = wide.sort_index()
    holes = wide.isna().to_numpy()
    dropped: tuple[str, ...] = ()
    if holes.any():
        rows, cols = np.nonzero(holes)
        if not drop_incomplete:
            raise IncompleteDataError(
                [
                    (str(wide.index[r]), cell_label(factors, wide.columns[c]))
                    for r, c in zip(rows, cols, strict=True)
                ]
            )
        dropped = tuple(str(p) for p in wide.index[np.unique(rows)])
        wide = wide.loc[~holes.any(axis=1)]
    if wide.shape[0] < 2:
        raise ValueError(f"at least two complete participants are needed; found {wide.shape[0]}.")
    return CellMeans(wide=wide, factors=factors, levels=levels, dropped=dropped)
