"""Bradley-Terry (analysis.bradley_terry) against hand computations and a separate optimisation.

References: two closed forms worked out in the comments, and for an irregular
example scipy.optimize.minimize on a log-likelihood written here pair by pair,
with standard errors from a finite-difference Hessian of that function.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from analysis.bradley_terry import bradley_terry, bradley_terry_answers, hub, win_matrix

LEVELS = ["GT", "ETAD", "EVP"]


def wins(matrix, levels=LEVELS) -> pd.DataFrame:
    return pd.DataFrame(matrix, index=levels, columns=levels)


def test_a_balanced_cycle_by_hand():
    # GT beats ETAD 2-1, ETAD beats EVP 2-1, EVP beats GT 2-1: by symmetry every b = 0.
    # Then p = 1/2 for every pair (n = 3): information for (ETAD, EVP) with GT fixed is
    # [[3/4 + 3/4, -3/4], [-3/4, 3/2]], whose inverse has diagonal 1.5 / (2.25 - 0.5625) = 8/9.
    table = bradley_terry(wins([[0, 2, 1], [1, 0, 2], [2, 1, 0]])).set_index("level")
    assert table["beta"].to_numpy() == pytest.approx([0, 0, 0], abs=1e-10)
    assert table["se"].to_numpy() == pytest.approx([0, math.sqrt(8 / 9), math.sqrt(8 / 9)], rel=1e-9)
    assert table["worth"].to_numpy() == pytest.approx([1 / 3] * 3)
    assert table.loc["GT", "reference"] and (table["wins"] == 3).all() and (table["losses"] == 3).all()


def test_comparisons_with_the_reference_only_by_hand():
    # Every pair includes GT (--against GT): the likelihood splits into one logistic per level,
    # b = log(wins / losses) against GT, SE = sqrt(1/wins + 1/losses).
    # ETAD beat GT 6 times and lost 3: b = log 2, SE = sqrt(1/6 + 1/3); EVP: 2 and 4, b = log 1/2.
    table = bradley_terry(wins([[0, 3, 4], [6, 0, 0], [2, 0, 0]])).set_index("level")
    assert table.loc["ETAD", "beta"] == pytest.approx(math.log(2), abs=1e-9)
    assert table.loc["EVP", "beta"] == pytest.approx(math.log(0.5), abs=1e-9)
    assert table.loc["ETAD", "se"] == pytest.approx(math.sqrt(1 / 6 + 1 / 3), rel=1e-8)
    assert table.loc["EVP", "se"] == pytest.approx(math.sqrt(1 / 2 + 1 / 4), rel=1e-8)
    ci = table.loc["ETAD", ["ci_low", "ci_high"]].to_numpy(dtype=float)
    assert ci == pytest.approx(math.log(2) + np.array([-1, 1]) * 1.959964 * math.sqrt(0.5), rel=1e-6)


def _negative_log_likelihood(free, w, ref=0):
    """-l(b) written pair by pair, b[ref] = 0."""
    b = np.insert(free, ref, 0.0)
    total = 0.0
    for i, j in itertools.combinations(range(len(b)), 2):
        p = 1 / (1 + math.exp(b[j] - b[i]))
        total += w[i][j] * math.log(p) + w[j][i] * math.log(1 - p)
    return -total


def _finite_difference_hessian(f, x, h=1e-4):
    k = len(x)
    hess = np.zeros((k, k))
    for i, j in itertools.product(range(k), repeat=2):
        e_i, e_j = np.eye(k)[i] * h, np.eye(k)[j] * h
        hess[i, j] = (f(x + e_i + e_j) - f(x + e_i - e_j) - f(x - e_i + e_j) + f(x - e_i - e_j)) / (4 * h * h)
    return hess


def test_an_irregular_example_against_a_separate_optimisation():
    levels = ["GT", "ETAD", "EVP", "X"]
    w = [[0, 12, 30, 7], [9, 0, 25, 4], [6, 5, 0, 2], [9, 3, 11, 0]]
    table = bradley_terry(wins(w, levels))
    found = minimize(_negative_log_likelihood, np.zeros(3), args=(w,), method="BFGS", options={"gtol": 1e-10})
    assert table["beta"].to_numpy()[1:] == pytest.approx(found.x, abs=1e-6)
    cov = np.linalg.inv(_finite_difference_hessian(lambda x: _negative_log_likelihood(x, w), found.x))
    assert table["se"].to_numpy()[1:] == pytest.approx(np.sqrt(np.diag(cov)), rel=1e-5)
    # Another reference shifts every b by a constant and leaves the worths as they are.
    other = bradley_terry(wins(w, levels), reference="EVP")
    assert (other["beta"] - table["beta"]).to_numpy() == pytest.approx([-table["beta"][2]] * 4, abs=1e-8)
    assert other["worth"].to_numpy() == pytest.approx(table["worth"].to_numpy(), abs=1e-10)


def test_no_finite_estimate_when_a_level_never_lost():
    table = bradley_terry(wins([[0, 4, 3], [0, 0, 2], [0, 1, 0]]))
    assert table["beta"].isna().all() and table["se"].isna().all()
    assert list(table["wins"]) == [7, 2, 1]


def test_bad_win_matrices_are_refused():
    with pytest.raises(ValueError, match="same levels"):
        bradley_terry(pd.DataFrame([[0, 1], [1, 0]], index=["a", "b"], columns=["b", "a"]))
    with pytest.raises(ValueError, match="reference level 'Z'"):
        bradley_terry(wins([[0, 2, 1], [1, 0, 2], [2, 1, 0]]), reference="Z")


def test_win_matrix_and_reference_from_answers():
    answers = pd.DataFrame({
        "question": ["sync"] * 5, "a": ["GT", "GT", "ETAD", "GT", "ETAD"],
        "b": ["ETAD", "ETAD", "EVP", "EVP", "EVP"], "choice": ["a", "b", "a", "none", "b"]})
    m = win_matrix(answers, LEVELS)
    assert m.loc["GT", "ETAD"] == 1 and m.loc["ETAD", "GT"] == 1 and m.loc["ETAD", "EVP"] == 1
    assert m.loc["EVP", "ETAD"] == 1 and int(m.to_numpy().sum()) == 4  # the tie is left out
    assert hub(["ETAD vs GT", "EVP vs GT"]) == "GT"
    assert hub(["GT vs ETAD", "GT vs EVP", "ETAD vs EVP"]) is None
    table = bradley_terry_answers(answers, LEVELS, ["GT vs ETAD", "ETAD vs EVP", "GT vs EVP"])
    assert list(table["question"]) == ["sync"] * 3 and table.loc[0, "reference"]
