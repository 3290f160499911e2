"""Preference statistics (analysis.preference) against scipy, hand computations and known data.

References: scipy.stats.binomtest (p) and its proportion_ci(method='wilson' / 'exact');
hand computations written out in the tests; the synthetic export of pairs_data with a
known preference.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binomtest

from analysis.pairs import read_pairs
from analysis.preference import (
    POOLED,
    binomial_summary,
    bonferroni,
    majorities,
    participant_check,
    position_bias,
    preferences,
)
from tests.analysis.pairs_data import pairs_export


def answers(rows) -> pd.DataFrame:
    """Long answers (analysis.pairs.Pairs.answers) from (participant, pair, choice, left) rows."""
    out = pd.DataFrame(rows, columns=["participant", "pair", "choice", "left"])
    out["a"], out["b"] = out["pair"].str.split(" vs ").str[0], out["pair"].str.split(" vs ").str[1]
    out["question"] = "sync"
    out["chose_left"] = (out["choice"] == out["left"]).astype("boolean").mask(out["choice"] == "none")
    return out


@pytest.fixture(scope="module")
def sim():
    return read_pairs(pairs_export(20, seed=5))


@pytest.mark.parametrize(("k", "n"), [(0, 1), (7, 10), (13, 20), (55, 60), (140, 280), (3, 97)])
def test_binomial_summary_is_scipys(k, n):
    s, ref = binomial_summary(k, n), binomtest(k, n, 0.5)
    wilson, exact = ref.proportion_ci(0.95, method="wilson"), ref.proportion_ci(0.95, method="exact")
    assert s["share"] == k / n and s["p"] == pytest.approx(ref.pvalue, rel=1e-12)
    assert (s["ci_low"], s["ci_high"]) == pytest.approx((wilson.low, wilson.high), rel=1e-12)
    assert (s["ci_exact_low"], s["ci_exact_high"]) == pytest.approx((exact.low, exact.high), rel=1e-12)


def test_wilson_interval_and_binomial_p_by_hand():
    # 7 of 10, z = 1.959964: centre (0.7 + z^2/20) / (1 + z^2/10) = 0.892073 / 1.384146 = 0.644492,
    # half width z sqrt(0.7 * 0.3 / 10 + z^2/400) / 1.384146 = 1.959964 * 0.174939 / 1.384146 = 0.247715.
    s = binomial_summary(7, 10)
    assert s["ci_low"] == pytest.approx(0.644492 - 0.247715, abs=2e-6)
    assert s["ci_high"] == pytest.approx(0.644492 + 0.247715, abs=2e-6)
    # Two-sided exact p: 2 x P(X >= 7) = 2 (120 + 45 + 10 + 1) / 1024.
    assert s["p"] == pytest.approx(2 * 176 / 1024, rel=1e-12)
    assert all(math.isnan(v) for v in binomial_summary(0, 0).values())


def test_bonferroni_multiplies_by_the_tested_p_values_and_caps_at_one():
    p = pd.Series([0.01, 0.2, np.nan, 0.5])
    assert bonferroni(p).tolist()[:2] == pytest.approx([0.03, 0.6])
    assert bonferroni(p).iloc[3] == 1.0 and math.isnan(bonferroni(p).iloc[2])


def test_preferences_counts_ties_apart_and_tests_the_rest():
    rows = ([("P1", "GT vs EVP", "a", "a")] * 9 + [("P2", "GT vs EVP", "b", "b")] * 2
            + [("P2", "GT vs EVP", "none", "a")] * 4 + [("P1", "GT vs ETAD", "a", "b")] * 3
            + [("P2", "GT vs ETAD", "b", "a")] * 3)
    table = preferences(answers(rows)).set_index("pair")
    evp = table.loc["GT vs EVP"]
    assert (evp["n"], evp["n_a"], evp["n_none"], evp["n_b"]) == (15, 9, 4, 2)
    assert (evp["pct_a"], evp["pct_none"]) == pytest.approx((60.0, 100 * 4 / 15))
    assert evp["share_a"] == pytest.approx(9 / 11)
    assert evp["p"] == pytest.approx(binomtest(9, 11).pvalue)
    assert evp["p_bonf"] == pytest.approx(2 * binomtest(9, 11).pvalue)  # two pairs
    assert table.loc["GT vs ETAD", "p"] == pytest.approx(1.0) and table.loc["GT vs ETAD", "p_bonf"] == 1.0


def test_the_known_preference_is_found(sim):
    # pairs_data: EVP well behind GT and ETAD on every question.
    table = preferences(sim.answers)
    behind = table[table["b"] == "EVP"]
    assert (behind["share_a"] > 0.6).all() and (behind["p_bonf"] < 0.001).all()
    assert (table["n"] == 20 * 14).all()  # 20 people x 2 characters x 7 emotions per pair
    by = preferences(sim.answers, ("character",))
    assert len(by) == 3 * 2 * 3 and (by.groupby(["question", "pair"], observed=True)["n"].sum() == 280).all()
    # Bonferroni over pairs x characters of a question: 6 tests.
    assert by["p_bonf"].to_numpy() == pytest.approx(np.minimum(1, 6 * by["p"].to_numpy()))


def test_sign_test_over_majority_votes_by_hand():
    # 15 participants prefer a, 5 prefer b, 2 tied: p = 2 x P(X >= 15 | 20, 1/2)
    # = 2 (15504 + 4845 + 1140 + 190 + 20 + 1) / 2^20.
    rows = []
    for i in range(22):
        votes = ["a", "a", "b"] if i < 15 else ["b", "b", "a"] if i < 20 else ["a", "b", "none"]
        rows += [(f"P{i:02d}", "GT vs EVP", v, "a") for v in votes]
    votes = majorities(answers(rows))
    assert votes["majority"].value_counts().to_dict() == {"a": 15, "b": 5, "tied": 2}
    check = participant_check(answers(rows)).iloc[0]
    assert (check["participants"], check["majority_a"], check["majority_b"], check["majority_tied"]) == (
        22, 15, 5, 2)
    assert check["sign_p"] == pytest.approx(2 * 21700 / 2**20, rel=1e-12)


def test_gee_with_one_answer_per_participant_is_the_plain_share():
    # Without clusters the intercept-only logistic MLE is logit(k / n).
    rows = [(f"P{i:02d}", "GT vs EVP", "a" if i < 14 else "b", "a") for i in range(20)]
    check = participant_check(answers(rows)).iloc[0]
    assert check["gee_share"] == pytest.approx(14 / 20, rel=1e-6)
    assert check["gee_ci_low"] < 0.7 < check["gee_ci_high"] and check["gee_note"] == ""


def test_a_preference_carried_by_one_participant_is_flagged():
    # P00 answers a 60 times; 19 others answer a and b three times each.
    rows = [("P00", "GT vs EVP", "a", "a")] * 60
    rows += [(f"P{i:02d}", "GT vs EVP", c, "a") for i in range(1, 20) for c in "aaabbb"]
    pooled = preferences(answers(rows)).iloc[0]
    check = participant_check(answers(rows)).iloc[0]
    assert pooled["p"] < 1e-4  # the answers alone say "a"
    assert check["sign_p"] == 1.0 and check["majority_tied"] == 19  # the participants do not
    assert check["gee_p"] > 0.05 and check["gee_ci_low"] < 0.5


def test_gee_says_why_it_is_missing():
    one_sided = [(f"P{i}", "GT vs EVP", "a", "a") for i in range(5)]
    assert "every answer prefers a" in participant_check(answers(one_sided)).iloc[0]["gee_note"]
    alone = [("P1", "GT vs EVP", c, "a") for c in "aab"]
    assert participant_check(answers(alone)).iloc[0]["gee_note"] == "fewer than two participants"
    ties = [(f"P{i}", "GT vs EVP", "none", "a") for i in range(4)] + [("P1", "GT vs ETAD", "a", "a")] * 2
    check = participant_check(answers(ties)).set_index("pair").loc["GT vs EVP"]
    assert check["gee_note"] == "no answer prefers either clip" and check["majority_tied"] == 4
    assert math.isnan(check["sign_p"]) and math.isnan(preferences(answers(ties)).iloc[-1]["p"])


def test_position_bias_counts_the_left_clip():
    rows = ([("P1", "GT vs EVP", "a", "a")] * 30 + [("P1", "GT vs EVP", "b", "a")] * 10
            + [("P2", "GT vs EVP", "none", "b")] * 5)
    table = position_bias(answers(rows))
    assert len(table) == 1  # one question: no pooled row
    row = table.iloc[0]
    assert (row["n"], row["n_left"], row["a_left"]) == (40, 30, 100.0)
    assert row["p"] == pytest.approx(binomtest(30, 40).pvalue)


def test_position_bias_in_simulated_data(sim):
    biased = read_pairs(pairs_export(20, seed=5, left_bias=0.8)).answers
    assert (position_bias(biased)["p"] < 0.001).all()
    fair = position_bias(sim.answers)
    assert list(fair["question"]) == ["sync", "naturalness", "expression", POOLED]
    assert fair.iloc[-1]["n"] == fair.iloc[:-1]["n"].sum()
    assert fair["a_left"].between(45, 55).all()  # counterbalanced
