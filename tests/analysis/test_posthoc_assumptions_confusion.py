"""Post-hocs, Shapiro-Wilk, outliers and confusion matrices."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.assumptions import boxplot_outliers, shapiro_cells, tukey_hinges
from analysis.cells import cell_means
from analysis.confusion import EMOTIONS, RESPONSES, confusion_matrices, confusion_matrix
from analysis.posthoc import pairwise_bonferroni
from tests.analysis.reference_data import long_from_wide


def test_posthoc_matches_pingouin_on_marginal_means(reacttime):
    ours = pairwise_bonferroni(reacttime, "rt", ["deg", "noise"], "subj", factor="deg")
    theirs = pg.pairwise_tests(reacttime, dv="rt", within=["deg", "noise"], subject="subj", padjust="bonf")
    theirs = theirs[theirs["Contrast"] == "deg"]
    np.testing.assert_allclose(ours["t"], theirs["T"], rtol=1e-10)
    np.testing.assert_allclose(ours["p_unc"], theirs["p_unc"], rtol=1e-8)
    np.testing.assert_allclose(ours["p_bonf"], theirs["p_corr"], rtol=1e-8)
    assert (ours["df"] == 9).all()


def test_posthoc_by_hand():
    # Levels a, b of a 2 x 2 design; marginal means per participant: a = (1, 2, 4),
    # b = (2, 4, 5) -> differences (-1, -2, -1): mean -4/3, sd 1/sqrt(3), t = -4, df 2.
    df = long_from_wide([[1, 1, 2, 2], [2, 2, 4, 4], [4, 4, 5, 5]], {"A": ["a", "b"], "B": ["x", "y"]})
    row = pairwise_bonferroni(df, "y", ["A", "B"], "subj", factor="A").iloc[0]
    assert row["mean_diff"] == pytest.approx(-4 / 3)
    assert row["t"] == pytest.approx(-4)
    assert row["p_unc"] == pytest.approx(2 * stats.t.sf(4, 2))
    assert row["p_bonf"] == row["p_unc"]  # one pair
    assert row["d_z"] == pytest.approx((-4 / 3) / np.sqrt(1 / 3))
    with pytest.raises(ValueError, match="not one of the within factors"):
        pairwise_bonferroni(df, "y", ["A", "B"], "subj", factor="C")


def test_shapiro_per_cell_matches_scipy(reacttime):
    cells = cell_means(reacttime, "rt", ["deg", "noise"], "subj")
    table = shapiro_cells(cells)
    assert table["cell"].tolist()[0] == "deg0|NA" and len(table) == 6
    W, p = stats.shapiro(reacttime.query("cond == 'deg0NA'")["rt"])
    assert table.loc[0, "W"] == pytest.approx(W) and table.loc[0, "p"] == pytest.approx(p)
    ceiling = cell_means(reacttime.assign(rt=1), "rt", "cond", "subj")
    assert shapiro_cells(ceiling)["note"].eq("all values equal").all()


def test_tukey_hinges_match_r_fivenum():
    # R: fivenum(1:6) -> 1 2 3.5 5 6; fivenum(c(1:10, 50)) -> 1 3.5 6 8.5 50
    assert tukey_hinges(np.arange(1, 7)) == (2, 5)
    assert tukey_hinges(np.r_[np.arange(1, 11), 50]) == (3.5, 8.5)


def test_boxplot_outliers_listed_by_participant():
    # R: boxplot.stats(c(1:10, 50))$out -> 50 (fences 3.5 -/+ 1.5 x 5); 50 is also extreme.
    Y = np.c_[np.r_[np.arange(1, 11), 50], np.arange(11)]
    cells = cell_means(long_from_wide(Y, {"A": ["a", "b"]}), "y", "A", "subj")
    out = boxplot_outliers(cells)
    assert out[["cell", "participant", "value", "kind"]].values.tolist() == [["a", "10", 50.0, "extreme"]]
    assert out.loc[0, "upper_fence"] == pytest.approx(8.5 + 1.5 * 5)


def test_confusion_matrix_rows_are_percentages():
    trials = pd.DataFrame(
        {
            "emotion": ["anger"] * 4 + ["fear"] * 2 + ["joy"],
            "response_emotion": ["anger", "anger", "anger", "disgust", "surprise", "other", "joy"],
            "character": ["Mery"] * 6 + ["Ray"],
        }
    )
    m = confusion_matrix(trials)
    assert m.shape == (7, 8) and list(m.index) == list(EMOTIONS) and list(m.columns) == list(RESPONSES)
    assert m.loc["anger", "anger"] == 75 and m.loc["anger", "disgust"] == 25
    assert m.loc["fear", "other"] == 50 and m.loc["joy", "joy"] == 100
    assert m.loc["sadness"].isna().all()
    per = confusion_matrices(trials, by="character")
    assert set(per) == {"Mery", "Ray"} and per["Ray"].loc["joy", "joy"] == 100
    with pytest.raises(ValueError, match="unknown emotion code"):
        confusion_matrix(trials.assign(response_emotion="happy"))
