"""rm_anova against R's published output, hand derivations, statsmodels and pingouin."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.anova import AnovaRM

from analysis.cells import IncompleteDataError
from analysis.rm_anova import rm_anova
from tests.analysis.reference_data import long_from_wide


def by_effect(table):
    return table.set_index("effect")


# --- R's own printed output -------------------------------------------------------------
# R documentation, ?mauchly.test examples (stats-Ex.Rout), on the ?SSD reaction-time data:
#   mauchly.test(mlmfit, X = ~1)                                  W = 0.031084, p-value = 0.04765
#   mauchly.test(mlmfit, X = ~deg + noise, idata = idata)         W = 0.89378,  p-value = 0.6381
#   mauchly.test(mlmfit, M = ~deg + noise, X = ~noise, idata = idata)  W = 0.96011, p-value = 0.8497
# The first is a one-way design with 6 levels (5 df), where R's second-order term is not zero.


def test_mauchly_one_way_six_levels_matches_r(reacttime):
    row = by_effect(rm_anova(reacttime, "rt", "cond", "subj")).loc["cond"]
    assert row["mauchly_W"] == pytest.approx(0.031084, abs=5e-7)
    assert row["mauchly_p"] == pytest.approx(0.04765, abs=5e-6)
    assert row["mauchly_df"] == 14
    # Mauchly p < .05, so 'auto' reports Greenhouse-Geisser with the '*' mark.
    assert row["corrected"] and row["mark"] == "*"
    assert row["df1_reported"] == pytest.approx(5 * row["eps_gg"])


def test_mauchly_two_way_matches_r(reacttime):
    t = by_effect(rm_anova(reacttime, "rt", ["deg", "noise"], "subj"))
    assert t.loc["deg:noise", "mauchly_W"] == pytest.approx(0.89378, abs=5e-6)
    assert t.loc["deg:noise", "mauchly_p"] == pytest.approx(0.6381, abs=5e-5)
    assert t.loc["deg", "mauchly_W"] == pytest.approx(0.96011, abs=5e-6)
    assert t.loc["deg", "mauchly_p"] == pytest.approx(0.8497, abs=5e-5)
    # noise has 2 levels: Mauchly does not apply, epsilon is 1.
    assert pd.isna(t.loc["noise", "mauchly_W"])
    assert "1 df" in t.loc["noise", "mauchly_note"]
    assert t.loc["noise", "eps_gg"] == 1.0


def test_interaction_3x4_matches_afex(random_3x4):
    # R afex::aov_ez (car::Anova underneath) on this data, printed in pingouin issue #19 and
    # typed into pingouin's tests/test_distribution.py: W = 0.58944, p = 0.21311,
    # GG eps = 0.8562148, HF eps = 0.9684172. pingouin's rm_anova cannot give the HF value.
    t = by_effect(rm_anova(random_3x4, "dv", ["within1", "within2"], "subj"))
    row = t.loc["within1:within2"]
    assert row["mauchly_W"] == pytest.approx(0.58944, abs=5e-6)
    assert row["mauchly_p"] == pytest.approx(0.21311, abs=5e-6)
    assert row["mauchly_df"] == 20
    assert row["eps_gg"] == pytest.approx(0.8562148, abs=5e-8)
    assert row["eps_hf"] == pytest.approx(0.9684172, abs=5e-8)
    assert row["eps_lb"] == pytest.approx(1 / 6)


def test_two_way_matches_ez_values_on_pingouin_rm_anova2():
    # R ez::ezANOVA values typed into pingouin's tests/test_distribution.py:
    # Metric: W = .968, p = 0.8784418, GG = 0.9691030; Time:Metric: W = .625,
    # p = 0.1523917, GG = 0.7271664, HF = 0.831161.
    df = pg.read_dataset("rm_anova2")
    t = by_effect(rm_anova(df, "Performance", ["Time", "Metric"], "Subject"))
    assert round(t.loc["Metric", "mauchly_W"], 3) == 0.968
    assert t.loc["Metric", "mauchly_p"] == pytest.approx(0.8784418, abs=5e-8)
    assert t.loc["Metric", "eps_gg"] == pytest.approx(0.9691030, abs=5e-8)
    assert round(t.loc["Time:Metric", "mauchly_W"], 3) == 0.625
    assert t.loc["Time:Metric", "mauchly_p"] == pytest.approx(0.1523917, abs=5e-8)
    assert t.loc["Time:Metric", "eps_gg"] == pytest.approx(0.7271664, abs=5e-8)
    assert t.loc["Time:Metric", "eps_hf"] == pytest.approx(0.831161, abs=5e-7)
    # ez/pingouin cap HF at 1 for Metric; R's car prints it raw (1.2307 here).
    assert t.loc["Metric", "eps_hf"] > 1
    assert t.loc["Metric", "p_hf"] == pytest.approx(t.loc["Metric", "p"])


# --- hand derivation --------------------------------------------------------------------


def test_hand_derived_one_way():
    # Y = [[1,2,6],[2,4,6],[3,3,9]]: grand mean 4, level means 2, 3, 7, subject means 3, 4, 5.
    # SS_A = 3*(4+1+9) = 42, SS_subj = 3*(1+0+1) = 6, SS_total = 52, SS_error = 4.
    # F(2, 4) = 21/1 = 21, p = (1 + 21/2)^-2. Double-centred covariance [[0,0,0],[0,1,-1],
    # [0,-1,1]]: GG = 2^2/(2*4) = .5, HF = (3*2*.5-2)/(2*(2-2*.5)) = .5; rank 1, so
    # Mauchly's W is not computable (singular).
    df = long_from_wide([[1, 2, 6], [2, 4, 6], [3, 3, 9]], {"A": ["a1", "a2", "a3"]})
    row = rm_anova(df, "y", "A", "subj").iloc[0]
    assert row["SS"] == pytest.approx(42)
    assert row["SS_error"] == pytest.approx(4)
    assert row["F"] == pytest.approx(21)
    assert row["p"] == pytest.approx(11.5**-2)
    assert row["np2"] == pytest.approx(42 / 46)
    assert row["ges"] == pytest.approx(42 / 52)
    assert row["eps_gg"] == pytest.approx(0.5)
    assert row["eps_hf"] == pytest.approx(0.5)
    assert pd.isna(row["mauchly_W"]) and "singular" in row["mauchly_note"]


def test_mauchly_not_computable_with_too_few_participants_but_epsilons_are():
    rng = np.random.default_rng(1)
    df = long_from_wide(rng.normal(size=(5, 6)), {"character": list("abcdef")})
    row = rm_anova(df, "y", "character", "subj").iloc[0]
    assert pd.isna(row["mauchly_W"]) and pd.isna(row["mauchly_p"])
    assert "5 df" in row["mauchly_note"] and "only 5 participants" in row["mauchly_note"]
    assert 1 / 5 <= row["eps_gg"] <= 1
    assert not row["corrected"]  # 'auto' corrects only on a significant Mauchly test


# --- statsmodels and pingouin -----------------------------------------------------------


@pytest.mark.parametrize("within", [["deg"], ["deg", "noise"]])
def test_f_and_p_match_statsmodels(reacttime, within):
    ours = by_effect(rm_anova(reacttime, "rt", within, "subj"))
    theirs = AnovaRM(reacttime, "rt", "subj", within=within, aggregate_func="mean").fit().anova_table
    for effect, row in theirs.iterrows():
        mine = ours.loc[effect]
        assert mine["F"] == pytest.approx(row["F Value"], rel=1e-10)
        assert mine["df1"] == row["Num DF"] and mine["df2"] == row["Den DF"]
        assert mine["p"] == pytest.approx(row["Pr > F"], rel=1e-8)


def test_three_way_matches_statsmodels():
    rng = np.random.default_rng(7)
    levels = {"a": ["a1", "a2"], "b": ["b1", "b2", "b3"], "c": ["c1", "c2", "c3", "c4"]}
    df = long_from_wide(rng.normal(size=(9, 24)) + np.arange(24) / 10, levels)
    ours = by_effect(rm_anova(df, "y", list(levels), "subj"))
    theirs = AnovaRM(df, "y", "subj", within=list(levels)).fit().anova_table
    assert list(ours.index) == list(theirs.index)
    np.testing.assert_allclose(ours["F"], theirs["F Value"], rtol=1e-10)
    np.testing.assert_allclose(ours["p"], theirs["Pr > F"], rtol=1e-8)
    # b:c has 6 df with 9 participants: Mauchly computable; a:b:c too (6 df).
    assert ours["eps_gg"].between(ours["eps_lb"], 1).all()


def test_matches_pingouin_where_pingouin_is_right(random_3x4):
    ours = rm_anova(random_3x4, "dv", ["within1", "within2"], "subj")
    theirs = pg.rm_anova(random_3x4, dv="dv", within=["within1", "within2"], subject="subj")
    np.testing.assert_allclose(ours["F"], theirs["F"], rtol=1e-10)
    np.testing.assert_allclose(ours["p"], theirs["p_unc"], rtol=1e-8)
    np.testing.assert_allclose(ours["ges"], theirs["ng2"], rtol=1e-10)
    np.testing.assert_allclose(ours["eps_gg"], theirs["eps"], rtol=1e-10)


def test_pingouin_disagrees_where_mauchly_is_not_computable():
    # pingouin reports W = 0 and p = 0 (a 'significant' violation) when the effect has more
    # df than participants - 1; R's car, SPSS and this package say it is not computable.
    rng = np.random.default_rng(3)
    df = long_from_wide(rng.normal(size=(4, 5)), {"A": list("abcde")})
    theirs = pg.sphericity(df, dv="y", within="A", subject="subj")
    assert theirs.W == 0 and theirs.pval == 0
    assert pd.isna(rm_anova(df, "y", "A", "subj").loc[0, "mauchly_p"])


# --- policy and input handling ----------------------------------------------------------


def test_correction_policies(reacttime):
    never = rm_anova(reacttime, "rt", "cond", "subj", correction="never").iloc[0]
    always = rm_anova(reacttime, "rt", ["deg", "noise"], "subj", correction="always")
    assert not never["corrected"] and never["p_reported"] == never["p"]
    assert (always["mark"] == "*").tolist() == [True, False, True]  # noise has 1 df
    p_gg = stats.f.sf(always.loc[0, "F"], 2 * always.loc[0, "eps_gg"], 18 * always.loc[0, "eps_gg"])
    assert always.loc[0, "p_reported"] == pytest.approx(p_gg)
    with pytest.raises(ValueError, match="correction must be one of"):
        rm_anova(reacttime, "rt", "cond", "subj", correction="gg")


def test_repeated_rows_are_averaged_per_cell(reacttime):
    doubled = pd.concat([reacttime, reacttime.assign(rt=reacttime["rt"] + 10)])
    a = rm_anova(reacttime.assign(rt=reacttime["rt"] + 5), "rt", ["deg", "noise"], "subj")
    b = rm_anova(doubled, "rt", ["deg", "noise"], "subj")
    np.testing.assert_allclose(a["F"], b["F"])


def test_incomplete_data_names_participant_and_cell(reacttime):
    holes = reacttime.drop(reacttime.index[(reacttime.subj == 3) & (reacttime.cond == "deg8NP")])
    with pytest.raises(IncompleteDataError, match=r"participant 3 has no data in cell deg=deg8"):
        rm_anova(holes, "rt", ["deg", "noise"], "subj")
    table = rm_anova(holes, "rt", ["deg", "noise"], "subj", drop_incomplete=True)
    assert table.attrs["dropped_participants"] == ["3"] and table.attrs["n"] == 9


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dv": "nope"}, "'nope' not found"),
        ({"within": "subj"}, "must be different columns"),
        ({"within": []}, "at least one"),
    ],
)
def test_bad_arguments_raise_sentences(reacttime, kwargs, message):
    args = {"data": reacttime, "dv": "rt", "within": "cond", "subject": "subj", **kwargs}
    with pytest.raises(ValueError, match=message):
        rm_anova(**args)


def test_non_numeric_dv_and_single_level_factor(reacttime):
    with pytest.raises(ValueError, match="must be numeric"):
        rm_anova(reacttime.assign(rt="fast"), "rt", "cond", "subj")
    with pytest.raises(ValueError, match="at least two levels"):
        rm_anova(reacttime.assign(one="x"), "rt", ["cond", "one"], "subj")


def test_main_effect_mauchly_p_uses_all_cells_as_r_does_unlike_pingouin():
    # R's stats:::mauchly.test.SSD and car:::summary.Anova.mlm compute
    #   w2 <- (pp+2)*(pp-1)*(pp-2)*(2*pp^3 + 6*pp^2 + 3*p + 2) / (288*(n*pp*rho)^2)
    # with p = the number of columns of the whole design (12 here), not the effect's levels.
    # pingouin.sphericity on the marginal means uses p = 4, so its p differs in the 3rd digit.
    rng = np.random.default_rng(5)
    df = long_from_wide(
        rng.normal(size=(8, 12)) + rng.normal(size=(8, 1)), {"a": ["a1", "a2", "a3"], "b": list("wxyz")}
    )
    row = by_effect(rm_anova(df, "y", ["a", "b"], "subj")).loc["b"]
    pp, dfe, z = 3, 7, row["mauchly_chi2"]
    rho = 1 - (2 * pp**2 + pp + 2) / (6 * pp * dfe)

    def r_p(p_cells):
        w2 = (
            (pp + 2)
            * (pp - 1)
            * (pp - 2)
            * (2 * pp**3 + 6 * pp**2 + 3 * p_cells + 2)
            / (288 * (dfe * pp * rho) ** 2)
        )
        p1, p2 = stats.chi2.sf(z, 5), stats.chi2.sf(z, 9)
        return p1 + w2 * (p2 - p1)

    assert row["mauchly_p"] == pytest.approx(r_p(12), rel=1e-12)
    theirs = pg.sphericity(df, dv="y", within=["b"], subject="subj")
    assert theirs.W == pytest.approx(row["mauchly_W"], rel=1e-10)
    assert theirs.pval == pytest.approx(r_p(4), rel=1e-10)
    assert abs(theirs.pval - row["mauchly_p"]) > 1e-3
