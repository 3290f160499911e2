"""analysis.simulate reproduces the Fs the paper reports (issue 15): over 200 simulated studies
of the paper's n, the median F of every reported effect lies within 25 % of the paper's F, and
the effects the paper found absent stay absent (median p > .2). Checked on the simulation's own
draws and on ``analysis.power --from-paper``'s population (the multivariate normal it fits)."""

import numpy as np
import pytest
from scipy import stats

from analysis.power import anova_sims, draw_studies, population_from_paper
from analysis.simulate import PAPER_ABSENT, PAPER_F, PAPER_N, cell_draws, median_noncentrality

STUDIES = 200
#: Task 2 intensity, F(1.021, 4.085) = .056: below the median of F(2, 8) with no effect at all
#: (.76); no population of independent participants has it as its median F. Checked: absent.
UNREACHABLE = {("task2", "intensity", "method")}


def _medians(design, cells_of_dv, levels):
    n = PAPER_N[design]
    out = {}
    for dv, Y in cells_of_dv.items():
        studies = Y.reshape(STUDIES, n, -1) if Y.ndim == 2 else Y
        for effect, r in anova_sims(studies, levels, "auto").items():
            out[dv, effect] = (float(np.median(r["F"])), float(np.median(r["p_reported"])))
    return out


@pytest.fixture(scope="module")
def simulated():
    """Median F and p per (design, dv, effect) over 200 studies drawn as analysis.simulate draws."""
    out = {}
    for design in PAPER_N:
        levels, cells = cell_draws(design, STUDIES * PAPER_N[design], np.random.default_rng(15))
        out.update({(design, *k): v for k, v in _medians(design, cells, levels).items()})
    return out


def reported():
    return [(d, dv, e, F) for d, by_dv in PAPER_F.items() for dv, fs in by_dv.items()
            for e, (F, _, _) in fs.items() if (d, dv, e) not in UNREACHABLE]


def absent():
    return [(d, dv, e) for d, by_dv in PAPER_ABSENT.items() for dv, es in by_dv.items() for e in es]


@pytest.mark.parametrize("design, dv, effect, F", reported())
def test_median_f_is_the_papers(simulated, design, dv, effect, F):
    median_f, _ = simulated[design, dv, effect]
    assert abs(median_f - F) <= 0.25 * F, (median_f, F)


@pytest.mark.parametrize("design, dv, effect", absent())
def test_absent_effects_stay_absent(simulated, design, dv, effect):
    assert simulated[design, dv, effect][1] > 0.2


def test_task2_intensity_f_is_below_any_median():
    F, df1, df2 = PAPER_F["task2"]["intensity"]["method"]
    assert F < stats.f.median(df1, df2) and median_noncentrality(F, df1, df2) == 0.0
    assert median_noncentrality(16.531, 2, 8) > 0
    assert stats.ncf.median(2, 8, median_noncentrality(16.531, 2, 8)) == pytest.approx(16.531)


@pytest.mark.parametrize("design", list(PAPER_N))
def test_power_from_paper_reproduces_the_papers_fs(design, monkeypatch):
    monkeypatch.setattr("analysis.power.PAPER_SAMPLE", 1000)
    rng = np.random.default_rng(1)
    for dv in ("correct", "intensity", "sync", "naturalness"):
        pop = population_from_paper(design, dv, seed=2)
        medians = _medians(design, {dv: draw_studies(pop, PAPER_N[design], STUDIES, rng)}, pop.levels)
        for effect, (F, _, _) in PAPER_F[design].get(dv, {}).items():
            if (design, dv, effect) not in UNREACHABLE:
                assert abs(medians[dv, effect][0] - F) <= 0.25 * F, (dv, effect, medians[dv, effect], F)
        for effect in PAPER_ABSENT.get(design, {}).get(dv, ()):
            assert medians[dv, effect][1] > 0.2, (dv, effect)
