"""Invariances any correct repeated-measures ANOVA has (hypothesis property tests)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.rm_anova import rm_anova
from tests.analysis.reference_data import long_from_wide


@st.composite
def designs(draw):
    n = draw(st.integers(3, 9))
    shape = draw(st.lists(st.integers(2, 4), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**32 - 1))
    Y = np.random.default_rng(seed).normal(size=(n, int(np.prod(shape)))) * 3 + 10
    levels = {f"f{i}": [f"L{j}" for j in range(k)] for i, k in enumerate(shape)}
    return long_from_wide(Y, levels), list(levels), seed


def stats_of(df, within):
    t = rm_anova(df, "y", within, "subj")
    return t[["F", "p", "eps_gg", "eps_hf"]].to_numpy(dtype=float)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(designs())
def test_row_order_does_not_matter(design):
    df, within, seed = design
    shuffled = df.sample(frac=1, random_state=seed % 1000)
    np.testing.assert_allclose(stats_of(df, within), stats_of(shuffled, within), rtol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(designs())
def test_relabelling_levels_does_not_matter(design):
    df, within, _ = design
    renamed = df.copy()
    for f in within:  # reverse the level names, so their sorted order is reversed too
        levels = sorted(df[f].unique())
        renamed[f] = df[f].map(dict(zip(levels, [f"z{i}" for i in range(len(levels))][::-1], strict=True)))
    np.testing.assert_allclose(stats_of(df, within), stats_of(renamed, within), rtol=1e-9)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(designs(), st.floats(-100, 100))
def test_constant_per_participant_changes_nothing(design, shift):
    df, within, _ = design
    moved = df.assign(y=df["y"] + df["subj"] * shift)
    np.testing.assert_allclose(stats_of(df, within), stats_of(moved, within), rtol=1e-7)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(designs())
def test_epsilon_gg_within_bounds(design):
    df, within, _ = design
    t = rm_anova(df, "y", within, "subj")
    lower = 1 / t["df1"]
    assert ((t["eps_gg"] >= lower - 1e-12) & (t["eps_gg"] <= 1 + 1e-12)).all()
    assert pd.Series(t["eps_lb"] == lower).all()
