"""Simulated power (analysis.power): the vectorised ANOVA, power against theory, the CLI."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.cells import cell_means
from analysis.power import (
    PROG,
    Population,
    anova_sims,
    debiased,
    draw_studies,
    main,
    power_analysis,
    power_rm_anova_sim,
    smallest_n,
)
from analysis.rm_anova import orthonormal_contrasts, rm_anova_cells
from analysis.simulate import simulate
from analysis.sphericity import epsilon_gg


def compound_symmetry(k, rho, sigma2=1.0):
    return sigma2 * ((1 - rho) * np.eye(k) + rho)


def ar1(k, r=0.9):
    """AR(1) correlations with SDs from 1 to 3: far from spherical (GG epsilon .42 for k = 5)."""
    i = np.arange(k)
    sd = np.linspace(1, 3, k)
    return r ** np.abs(i[:, None] - i[None, :]) * np.outer(sd, sd)


def noncentral_f_power(means, n, rho, sigma2=1.0, alpha=0.05):
    """The textbook power of a one-way rm-ANOVA under compound symmetry."""
    k = len(means)
    lam = n * np.sum((np.asarray(means) - np.mean(means)) ** 2) / (sigma2 * (1 - rho))
    df1, df2 = k - 1, (n - 1) * (k - 1)
    return stats.ncf.sf(stats.f.isf(alpha, df1, df2), df1, df2, lam)


def long_frame(Y, levels):
    """One study's cell means (n, cells) as long data with the factors' levels."""
    grid = pd.MultiIndex.from_product([[f"{f}{i}" for i in range(k)] for f, k in levels.items()],
                                      names=list(levels)).to_frame(index=False)
    return pd.concat([grid.assign(subj=s, y=row) for s, row in enumerate(Y)], ignore_index=True)


@pytest.mark.parametrize("n", [12, 5])  # 5: Mauchly not computable for the 6-df interaction
def test_vectorised_anova_equals_rm_anova_on_each_study(n):
    levels = {"A": 3, "B": 4}
    rng = np.random.default_rng(7)
    root = rng.normal(size=(12, 12)) * np.linspace(0.3, 2, 12)
    pop = Population(np.linspace(0, 1, 12), root @ root.T, levels)
    Y = draw_studies(pop, n, 6, rng)
    for policy in ("auto", "always", "never"):
        sims = anova_sims(Y, levels, policy)
        for s in range(len(Y)):
            table = rm_anova_cells(cell_means(long_frame(Y[s], levels), "y", ["A", "B"], "subj"), policy)
            for row in table.to_dict("records"):
                got = {k: v[s] for k, v in sims[row["effect"]].items()}
                for key in ("F", "p", "eps_gg", "p_reported"):
                    assert got[key] == pytest.approx(row[key], rel=1e-9), (row["effect"], key)
                assert got["corrected"] == row["corrected"]
                if row["mauchly_p"] is None or np.isnan(row["mauchly_p"]):
                    assert np.isnan(got["mauchly_p"])
                else:
                    assert got["mauchly_p"] == pytest.approx(row["mauchly_p"], rel=1e-9)
    assert any(anova_sims(Y, levels, "auto")["A:B"]["corrected"]) or n == 5


@pytest.mark.parametrize(
    "k, n, means, rho",
    [
        (3, 20, [0, 0.3, 0.6], 0.5),
        (4, 10, [0, 0.2, 0.4, 0.9], 0.3),
        (5, 30, [0, 0, 0, 0, 0.4], 0.7),
        (6, 8, [0, 0.5, 0.2, 0.8, 0.1, 0.4], 0.0),
    ],
)
def test_power_under_compound_symmetry_is_the_noncentral_f(k, n, means, rho):
    sims = 4000
    exact = noncentral_f_power(means, n, rho)
    got = power_rm_anova_sim(means, compound_symmetry(k, rho), k, n, sims, correction="never", seed=k)
    assert abs(got.at[0, "power"] - exact) <= 3 * np.sqrt(exact * (1 - exact) / sims)


def test_pingouin_power_rm_anova_agrees_for_one_factor():
    pg = pytest.importorskip("pingouin")
    k, n, rho, means = 4, 15, 0.5, np.array([0, 0.2, 0.3, 0.5])
    f2 = np.mean((means - means.mean()) ** 2)  # sigma^2 = 1
    theirs = pg.power_rm_anova(eta_squared=f2 / (1 + f2), m=k, n=n, corr=rho)
    assert theirs == pytest.approx(noncentral_f_power(means, n, rho), rel=1e-6)
    ours = power_rm_anova_sim(means, compound_symmetry(k, rho), k, n, 4000, correction="never", seed=2)
    assert abs(ours.at[0, "power"] - theirs) <= 3 * np.sqrt(theirs * (1 - theirs) / 4000)


def test_type_one_error_with_sphericity_violated():
    """Null means, GG epsilon .42: GG (and 'auto', as Mauchly rejects) hold 5 %, uncorrected does not."""
    k, n, sims = 5, 20, 4000
    C = orthonormal_contrasts(k)
    assert epsilon_gg(C.T @ ar1(k) @ C) < 0.45
    se = np.sqrt(0.05 * 0.95 / sims)
    rate = {c: power_rm_anova_sim(np.zeros(k), ar1(k), k, n, sims, correction=c, seed=3).at[0, "power"]
            for c in ("always", "auto", "never")}
    assert abs(rate["always"] - 0.05) <= 3 * se
    assert abs(rate["auto"] - 0.05) <= 3 * se
    assert rate["never"] > 0.05 + 3 * se


def test_debiasing_removes_the_expected_noise_from_each_effect():
    """Shrinking by sqrt(1 - 1/F) leaves SS - SS_error / (n - 1) per effect (0 when F < 1),
    the unbiased estimate of n ||C' mu||^2; SS_error and the covariance stay."""
    levels = {"A": 3, "B": 4}
    rng = np.random.default_rng(11)
    pop = Population(np.linspace(0, 0.6, 12), compound_symmetry(12, 0.4), levels)
    sample = draw_studies(pop, 9, 1, rng)[0]
    observed = Population(sample.mean(0), np.cov(sample, rowvar=False), levels, sample)
    shrunk = debiased(observed)
    before = rm_anova_cells(cell_means(long_frame(sample, levels), "y", ["A", "B"], "subj"))
    moved = sample + (shrunk.means - observed.means)
    after = rm_anova_cells(cell_means(long_frame(moved, levels), "y", ["A", "B"], "subj"))
    expected = np.maximum(0, before["SS"] - before["SS_error"] / 8)
    assert np.allclose(after["SS"], expected, atol=1e-9)
    assert np.allclose(after["SS_error"], before["SS_error"])
    assert (before["F"] < 1).any()  # the interaction here: shrunk to nothing
    assert shrunk.cov is observed.cov and shrunk.means.mean() == pytest.approx(observed.means.mean())


def test_resampling_draws_the_pilots_participants():
    sample = np.arange(12.0).reshape(4, 3)
    pop = Population(sample.mean(0), np.cov(sample, rowvar=False), {"A": 3}, sample)
    Y = draw_studies(pop, 5, 7, np.random.default_rng(0), resample=True)
    assert Y.shape == (7, 5, 3)
    assert {tuple(r) for r in Y.reshape(-1, 3)} <= {tuple(r) for r in sample}
    with pytest.raises(ValueError, match="pilot's participants"):
        draw_studies(Population(pop.means, pop.cov, pop.levels), 5, 7, np.random.default_rng(0), True)


def test_smallest_n_searches_beyond_the_given_n():
    calls = []

    def power_of(n):
        calls.append(n)
        return min(1.0, n / 100)

    assert smallest_n(power_of, 0.8, 2, 500) == 80
    assert len(calls) < 20
    assert smallest_n(power_of, 0.8, 2, 50) is None
    assert smallest_n(lambda n: 1.0, 0.8) == 2


def test_power_analysis_finds_n_where_power_crosses_the_target():
    means, k, rho = [0, 0.3, 0.6], 3, 0.5
    pop = Population(np.array(means, float), compound_symmetry(k, rho), {"A": k})
    out = power_analysis(pop, [10], [0.8], sims=1000, correction="never", seed=1)
    n = out["n_for_target"].at[0, "n"]
    assert noncentral_f_power(means, n - 3, rho) < 0.8 < noncentral_f_power(means, n + 3, rho)
    assert list(out["results"]["n"]) == [10] and n in set(out["curve"]["n"])


@pytest.fixture
def cli(run_cli):
    return lambda *args: run_cli(main, PROG, *args)


@pytest.fixture(scope="module")
def pilot_csv(tmp_path_factory):
    """A Task 2 export of 8 simulated participants, plus a practice row and a pilot participant."""
    data = simulate("task2", 9, seed=4)
    data.loc[data["participant"] == "P09", "pilot"] = 1
    path = tmp_path_factory.mktemp("pilot") / "pilot.csv"
    data.to_csv(path, index=False)
    return path


def test_cli_json_and_power_curves(cli, pilot_csv, tmp_path):
    code, out, err = cli("--responses", pilot_csv, "--dv", "sync", "--within", "method", "character",
                         "--subject", "participant", "--n", "4", "8", "--target", "0.8", "--max-n", "8",
                         "--sims", "200", "--seed", "1", "--json", "--out", tmp_path / "power")
    assert code == 0, err
    assert "practice / attention-check / pilot" in err  # as the report: practice and pilot rows left out
    doc = json.loads(out)
    assert {"dv", "within", "sims", "alpha", "results", "n_for_target"} <= set(doc)
    assert doc["within"] == ["method", "character"] and doc["source"]["pilot_n"] == 8
    assert [(r["effect"], r["n"]) for r in doc["results"]] == [
        (e, n) for n in (4, 8) for e in ("method", "character", "method:character")]
    assert set(doc["results"][0]) == {"effect", "n", "power", "mcse"}
    method = [r for r in doc["n_for_target"] if r["effect"] == "method"][0]
    assert method["target"] == 0.8 and 2 <= method["n"] <= 8  # sync differs strongly by method
    assert isinstance(method["n"], int) and '"n": null' in out  # character: not reached by --max-n
    for name in ("power.pdf", "power.png", "power.json"):
        assert (tmp_path / "power" / name).stat().st_size > 1000


def test_cli_from_paper_labels_its_assumptions(cli, monkeypatch):
    monkeypatch.setattr("analysis.power.PAPER_SAMPLE", 60)  # the command's 1000: slower, same path
    code, out, err = cli("--from-paper", "task2", "--dv", "correct", "--n", "5", "--target",
                         "--sims", "100", "--seed", "2")
    assert code == 0, err
    assert "method" in out and "assumed:" in out and "ASSUMED" in out


def test_cli_resamples_the_pilots_participants(cli, pilot_csv):
    code, out, err = cli("--responses", pilot_csv, "--dv", "naturalness", "--within", "method",
                         "--n", "6", "--target", "--sims", "100", "--seed", "3", "--resample", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["resample"] is True and [r["effect"] for r in doc["results"]] == ["method"]
    code, _, err = cli("--from-paper", "task2", "--dv", "sync", "--resample")
    assert code == 2 and "--resample needs --responses" in err
    code, _, err = cli("--responses", pilot_csv, "--dv", "sync", "--within", "method",
                       "--resample", "--debias")
    assert code == 2 and "cannot apply to --resample" in err
    code, out, err = cli("--responses", pilot_csv, "--dv", "sync", "--within", "method", "--n", "4",
                         "--target", "--sims", "100", "--seed", "3", "--debias", "--json")
    assert code == 0 and json.loads(out)["debias"] is True, err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dv", "speed", "--within", "method"], "column(s) 'speed' not found"),
        (["--dv", "sync", "--within", "method", "--target", "1.2"], "target power must lie between 0 and 1"),
        (["--dv", "sync"], "--within is required with --responses"),
    ],
)
def test_cli_errors_are_one_line(cli, pilot_csv, args, message):
    code, _, err = cli("--responses", pilot_csv, "--sims", "10", *args)
    assert code == 2 and message in err and err.strip().count("\n") <= 1
