"""Helpers shared by the analysis tests."""

import numpy as np
import pandas as pd


def long_from_wide(Y, factors_levels, subject="subj", dv="y") -> pd.DataFrame:
    """Long data from an (n, cells) array whose columns are the product of the levels."""
    cells = pd.MultiIndex.from_product(list(factors_levels.values()), names=list(factors_levels))
    wide = pd.DataFrame(np.asarray(Y, dtype=float), columns=cells)
    wide.index.name = subject
    return wide.stack(list(factors_levels), future_stack=True).rename(dv).reset_index()
