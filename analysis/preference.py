"""Preference statistics of A/B pair studies: binomial tests, CIs, participants, position.

Every function takes the long answers of :func:`analysis.pairs.read_pairs`
(one row per trial and question: ``question``, ``pair``, ``a``, ``b``,
``choice`` in 'a' / 'b' / 'none', ``participant``, ``chose_left``) and returns
a tidy DataFrame with the columns its docstring lists.

Ties ("no preference", 'none') are counted and reported but left out of every
share, CI and test, as the talking-face literature reports its A/B tests
(e.g. FaceFormer, Fan et al. 2022; CodeTalker, Xing et al. 2023): the question
is which of the two clips is preferred when one is. The share's CI is Wilson's
score interval (Wilson 1927; recommended by Brown, Cai & DasGupta 2001 for its
coverage near the nominal level at small n), with the exact Clopper-Pearson
(1934) interval beside it in the tables; the test is the exact two-sided
binomial test against 50 % (``scipy.stats.binomtest``, two-sided p as the sum
of the probabilities no more likely than the observed count, as R's
``binom.test``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import binomtest, norm

#: The interval the report shows; the tables hold the exact one beside it.
CI_METHOD = "wilson"
CONFIDENCE = 0.95
#: Name of the participant-level model in the report.
GEE_METHOD = ("GEE logistic regression, intercept only, exchangeable working correlation within "
              "participants, bias-reduced sandwich SE (Mancl & DeRouen 2001)")


def binomial_summary(k: int, n: int, confidence: float = CONFIDENCE) -> dict:
    """Share ``k / n`` with its Wilson and Clopper-Pearson CIs and the exact two-sided
    binomial test against 50 %.

    Returns a dict: ``share``, ``ci_low``, ``ci_high`` (Wilson score interval:
    ``(p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``, ``z`` the normal
    quantile), ``ci_exact_low``, ``ci_exact_high`` (Clopper-Pearson, from the beta
    quantiles), ``p``. All NaN when ``n`` is 0.
    """
    if n == 0:
        return dict.fromkeys(("share", "ci_low", "ci_high", "ci_exact_low", "ci_exact_high", "p"),
                             np.nan)
    test = binomtest(int(k), int(n), 0.5)
    wilson = test.proportion_ci(confidence, method="wilson")
    exact = test.proportion_ci(confidence, method="exact")
    return {"share": k / n, "ci_low": float(wilson.low), "ci_high": float(wilson.high),
            "ci_exact_low": float(exact.low), "ci_exact_high": float(exact.high),
            "p": float(test.pvalue)}


def bonferroni(p: pd.Series) -> pd.Series:
    """``min(1, p x m)``, ``m`` the number of tested (non-missing) p values."""
    return (p * p.notna().sum()).clip(upper=1.0)


def preferences(answers: pd.DataFrame, by: tuple[str, ...] | list[str] = ()) -> pd.DataFrame:
    """Per question and pair (and per level of each factor in ``by``): the answers'
    counts, the share preferring ``a`` among non-ties, its CI and binomial test.

    Returns columns ``question``, ``*by``, ``pair``, ``a``, ``b``, ``n`` (answers),
    ``n_a``, ``n_none``, ``n_b``, ``pct_a``, ``pct_none``, ``pct_b`` (% of all
    answers, the stacked bars), ``share_a`` (``n_a / (n_a + n_b)``), ``ci_low``,
    ``ci_high`` (Wilson), ``ci_exact_low``, ``ci_exact_high`` (Clopper-Pearson),
    ``p`` (exact binomial, ties left out), ``p_bonf`` (Bonferroni over the rows
    of the question: its pairs, times the levels of ``by``). A row whose answers
    are all ties has NaN share, CI and p.
    """
    keys = ["question", *by, "pair"]
    counts = (answers.groupby([*keys, "choice"], observed=True).size()
              .unstack("choice").reindex(columns=["a", "none", "b"]).fillna(0).astype(int))
    counts.columns = ["n_a", "n_none", "n_b"]
    counts = counts.reset_index()
    sides = answers.groupby("pair", observed=True)[["a", "b"]].first()
    counts = counts.join(sides, on="pair")
    counts.insert(len(keys), "n", counts[["n_a", "n_none", "n_b"]].sum(axis=1))
    for side in ("a", "none", "b"):
        counts[f"pct_{side}"] = 100 * counts[f"n_{side}"] / counts["n"]
    tests = pd.DataFrame([binomial_summary(k, k + m) for k, m in zip(counts["n_a"], counts["n_b"],
                                                                       strict=True)], index=counts.index)
    out = pd.concat([counts, tests.rename(columns={"share": "share_a"})], axis=1)
    out["p_bonf"] = out.groupby("question", observed=True)["p"].transform(bonferroni)
    return out[[*keys[:-1], "pair", "a", "b", "n", "n_a", "n_none", "n_b", "pct_a", "pct_none",
                "pct_b", "share_a", "ci_low", "ci_high", "ci_exact_low", "ci_exact_high", "p",
                "p_bonf"]]


def majorities(answers: pd.DataFrame) -> pd.DataFrame:
    """Each participant's majority vote per question and pair: ``n_a``, ``n_b`` (their
    non-tie answers) and ``majority`` ('a', 'b', or 'tied' when ``n_a == n_b``,
    including a participant who answered only 'none')."""
    counts = (answers.groupby(["question", "pair", "participant"], observed=True)["choice"]
              .value_counts().unstack("choice").reindex(columns=["a", "b"]).fillna(0).astype(int))
    counts.columns = ["n_a", "n_b"]
    counts["majority"] = np.select([counts["n_a"] > counts["n_b"], counts["n_b"] > counts["n_a"]],
                                   ["a", "b"], "tied")
    return counts.reset_index()


def participant_check(answers: pd.DataFrame) -> pd.DataFrame:
    """Whether a preference holds across participants, per question and pair.

    Two checks, so that a few participants with many answers cannot carry it:

    - **sign test** over participants' majority votes (:func:`majorities`): the
      exact binomial test of the participants preferring ``a`` against those
      preferring ``b``, tied participants left out;
    - **GEE**: a logistic model of preferring ``a`` (non-tie answers) with an
      intercept only, exchangeable working correlation within participants and the
      bias-reduced sandwich covariance of Mancl & DeRouen (2001) for few clusters
      (statsmodels ``GEE``; Liang & Zeger 1986). ``gee_share = expit(b0)`` is the
      population-averaged share, its CI ``expit(b0 ± z SE)``, ``gee_p`` the Wald
      test of ``b0 = 0`` (50 %), ``gee_rho`` the estimated within-participant
      correlation.

    Returns columns ``question``, ``pair``, ``a``, ``b``, ``participants`` (with
    an answer), ``majority_a``, ``majority_b``, ``majority_tied``, ``sign_share``,
    ``sign_p``, ``sign_p_bonf``, ``gee_share``, ``gee_ci_low``, ``gee_ci_high``,
    ``gee_p``, ``gee_p_bonf``, ``gee_rho``, ``gee_note`` (why the model is
    missing: no non-tie answer, all on one side, fewer than two participants, no
    convergence). Bonferroni over the pairs of each question.
    """
    votes = majorities(answers)
    rows = []
    for (question, pair), part in answers.groupby(["question", "pair"], observed=True):
        v = votes[(votes["question"] == question) & (votes["pair"] == pair)]
        wins_a, wins_b = int((v["majority"] == "a").sum()), int((v["majority"] == "b").sum())
        sign = binomial_summary(wins_a, wins_a + wins_b)
        rows.append({"question": question, "pair": pair, "a": part["a"].iloc[0], "b": part["b"].iloc[0],
                     "participants": len(v), "majority_a": wins_a, "majority_b": wins_b,
                     "majority_tied": len(v) - wins_a - wins_b, "sign_share": sign["share"],
                     "sign_p": sign["p"], **gee_share(part[part["choice"] != "none"])})
    out = pd.DataFrame(rows)
    for p in ("sign_p", "gee_p"):
        out.insert(out.columns.get_loc(p) + 1, f"{p}_bonf",
                   out.groupby("question", observed=True)[p].transform(bonferroni))
    return out


def gee_share(answers: pd.DataFrame, confidence: float = CONFIDENCE) -> dict:
    """The GEE of :func:`participant_check` on non-tie answers (``choice`` 'a' or 'b',
    ``participant``): ``gee_share``, ``gee_ci_low``, ``gee_ci_high``, ``gee_p``,
    ``gee_rho``, ``gee_note`` (empty when estimated)."""
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    missing = dict.fromkeys(("gee_share", "gee_ci_low", "gee_ci_high", "gee_p", "gee_rho"), np.nan)
    y = (answers["choice"] == "a").to_numpy(dtype=float)
    if not len(y):
        return {**missing, "gee_note": "no answer prefers either clip"}
    if answers["participant"].nunique() < 2:
        return {**missing, "gee_note": "fewer than two participants"}
    if y.min() == y.max():
        return {**missing, "gee_note": f"every answer prefers {'a' if y[0] else 'b'}: not estimable"}
    model = sm.GEE(y, np.ones((len(y), 1)), groups=answers["participant"].to_numpy(),
                   family=sm.families.Binomial(), cov_struct=sm.cov_struct.Exchangeable())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fit = model.fit(cov_type="bias_reduced")
    except (ConvergenceWarning, np.linalg.LinAlgError, ValueError) as exc:
        return {**missing, "gee_note": f"not estimated ({str(exc).splitlines()[0][:60]})"}
    b0, se = float(fit.params[0]), float(fit.bse[0])
    z = norm.ppf(0.5 + confidence / 2)
    return {"gee_share": float(expit(b0)), "gee_ci_low": float(expit(b0 - z * se)),
            "gee_ci_high": float(expit(b0 + z * se)), "gee_p": float(2 * norm.sf(abs(b0 / se))),
            "gee_rho": float(model.cov_struct.dep_params), "gee_note": ""}


POOLED = "all questions"


def position_bias(answers: pd.DataFrame) -> pd.DataFrame:
    """The share of non-tie answers choosing the clip shown left (first on a phone),
    per question and pooled over questions, with its Wilson CI and the exact binomial
    test against 50 %.

    Returns columns ``question`` (the pooled row: :data:`POOLED`), ``n`` (non-tie
    answers), ``n_left``, ``share_left``, ``ci_low``, ``ci_high``,
    ``ci_exact_low``, ``ci_exact_high``, ``p``, ``a_left`` (% of those answers
    whose trial showed clip ``a`` left: the counterbalancing). The pooled row counts
    every question's answer to a trial, which are not independent: read its p as
    approximate.
    """
    decided = answers[answers["choice"] != "none"]
    groups = [(str(q), part) for q, part in decided.groupby("question", observed=True)]
    rows = []
    for question, part in [*groups, *([(POOLED, decided)] if len(groups) > 1 else [])]:
        k, n = int(part["chose_left"].astype(bool).sum()), len(part)
        summary = binomial_summary(k, n)
        rows.append({"question": question, "n": n, "n_left": k,
                     "share_left": summary.pop("share"), **summary,
                     "a_left": 100 * float((part["left"] == "a").mean())})
    return pd.DataFrame(rows)
