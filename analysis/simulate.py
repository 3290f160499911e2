"""``python -m analysis.simulate``: responses drawn from the paper's reported results.

Writes a responses export (docs/design.md schema) so that the report can be
shown, and tested, before any participant has taken part. Means, SEs and Fs
are those of the paper's sections 5.1.5-5.1.6: every effect the paper reports
an F for is sized so that the paper's F is the median F of studies of the
paper's n (:func:`measure_models`); values the paper does not report are
marked ASSUMED below (docs/analysis.md lists them).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.cli import run
from analysis.responses import ORDER
from analysis.rm_anova import effect_contrasts
from contract import EMOTIONS, EXPORT_COLUMNS

PROG = "python -m analysis.simulate"
#: Correlation of a participant's condition deviations (ASSUMED) where no reported F fixes it.
PARTICIPANT_R = 0.6
#: SD of a single rating around the participant's condition mean (ASSUMED).
TRIAL_SD = 0.8
#: Measured trials per ANOVA cell: Task 1 two sentence types, Task 2 seven emotions.
TRIALS_PER_CELL = {"task1": 2, "task2": 7}

# (M, SE) per emotion, Task 1 recognition (5.1.5); surprise is not reported: ASSUMED.
T1_RECOGNITION = {
    "anger": (0.921, 0.014), "disgust": (0.407, 0.041), "fear": (0.375, 0.050),
    "joy": (0.925, 0.019), "neutral": (0.886, 0.027), "sadness": (0.836, 0.034),
    "surprise": (0.800, 0.030),
}  # fmt: skip
# Task 1 intensity: neutral reported (3.461, .398); the others "high in general": ASSUMED 5.2.
T1_INTENSITY = {e: (3.461, 0.398) if e == "neutral" else (5.2, 0.30) for e in EMOTIONS}
# Task 1 sync and naturalness: no effects, means not reported: ASSUMED 4.5 (.30).
T1_FLAT = {e: (4.5, 0.30) for e in EMOTIONS}
# Shape of Task 1's character main effect (ASSUMED; its size comes from the reported F).
T1_CHARACTER_SHAPE = dict(zip(ORDER["character"], (-4, 2, 0, 3, -2, 1, 0), strict=True))
#: Seed of the fixed pattern of Task 1's character x emotion interaction (ASSUMED shape).
INTERACTION_SEED = 15
# (M, SE) per method, Task 2 (5.1.6).
T2 = {
    "correct": {"GT": (0.786, 0.046), "ETAD": (0.743, 0.033), "EVP": (0.619, 0.030)},
    "intensity": {"GT": (5.171, 0.603), "ETAD": (5.090, 0.620), "EVP": (5.133, 0.668)},
    "sync": {"GT": (5.024, 0.703), "ETAD": (4.133, 0.633), "EVP": (1.929, 0.347)},
    "naturalness": {"GT": (4.983, 0.681), "ETAD": (3.805, 0.672), "EVP": (2.186, 0.411)},
}
PAPER_N = {"task1": 20, "task2": 5}
#: The Fs the paper reports (F, df1, df2), per design, measure and effect (5.1.5-5.1.6); the
#: simulation's effects are sized so that these are the median F of studies of the paper's n.
#: Task 2 naturalness is printed F(2, 22); with 5 participants df2 is 8 (its p = .002 is F(2, 8)'s).
PAPER_F = {
    "task1": {
        "correct": {"emotion": (53.139, 6, 114), "character": (3.215, 6, 114),
                    "character:emotion": (3.957, 36, 684)},
        "intensity": {"emotion": (27.03, 6, 114), "character": (8.515, 6, 114),
                      "character:emotion": (3.386, 36, 684)},
    },
    "task2": {
        "correct": {"method": (5.056, 2, 8)},
        "intensity": {"method": (0.056, 2, 8)},
        "sync": {"method": (16.531, 2, 8)},
        "naturalness": {"method": (15.077, 2, 8)},
    },
}  # fmt: skip
#: Effects the paper found absent (no significant F): none is simulated.
PAPER_ABSENT = {
    "task1": {"sync": ("character", "emotion", "character:emotion"),
              "naturalness": ("character", "emotion", "character:emotion")},
    "task2": {"intensity": ("method",)},
}  # fmt: skip
# Where wrong answers go (ASSUMED, consistent with the paper's remarks: fear and disgust
# are hard; the usual fear-surprise and disgust-anger confusions of the literature).
CONFUSIONS = {
    "anger": {"disgust": 0.5, "surprise": 0.1, "neutral": 0.2, "other": 0.2},
    "disgust": {"anger": 0.45, "sadness": 0.2, "neutral": 0.15, "other": 0.2},
    "fear": {"surprise": 0.55, "sadness": 0.2, "disgust": 0.1, "other": 0.15},
    "joy": {"surprise": 0.4, "neutral": 0.4, "other": 0.2},
    "neutral": {"sadness": 0.5, "anger": 0.2, "other": 0.3},
    "sadness": {"neutral": 0.5, "fear": 0.2, "disgust": 0.15, "other": 0.15},
    "surprise": {"fear": 0.6, "joy": 0.2, "other": 0.2},
}


def _stimuli(design: str) -> pd.DataFrame:
    """The measured clips of one participant, in a fixed order."""
    if design == "task1":
        grid = pd.MultiIndex.from_product(
            [ORDER["character"], EMOTIONS, ["common", "emotion"]],
            names=["character", "emotion", "sentence_type"],
        )
        return grid.to_frame(index=False).assign(method="GT")
    grid = pd.MultiIndex.from_product(
        [ORDER["character"][1:], EMOTIONS, ORDER["method"]], names=["character", "emotion", "method"]
    )
    return grid.to_frame(index=False).assign(sentence_type="common")


@dataclass(frozen=True)
class MeasureModel:
    """How one measure is drawn: per stimulus the population mean, per condition the SD of a
    participant's deviation, and the correlation of those deviations across conditions."""

    mean: np.ndarray  # (stimuli,)
    sd: np.ndarray  # (conditions,)
    r: float
    cell_sd: float = 0.0  # SD of a participant's deviation per ANOVA cell (participant x cell)


def _design_frame(design: str, stim: pd.DataFrame) -> tuple[dict, np.ndarray, np.ndarray]:
    """The ANOVA's factor levels, the ANOVA cell of each stimulus and its condition (the
    factor the paper reports M and SE for: emotion in Task 1, method in Task 2)."""
    within = ("character", "emotion") if design == "task1" else ("method", "character")
    levels = {f: tuple(lv for lv in ORDER[f] if lv in set(stim[f])) for f in within}
    codes = [stim[f].map({lv: i for i, lv in enumerate(levels[f])}).to_numpy() for f in within]
    cell = np.ravel_multi_index(codes, tuple(len(v) for v in levels.values()))
    condition = "emotion" if design == "task1" else "method"
    cond = stim[condition].map({lv: i for i, lv in enumerate(ORDER[condition])}).to_numpy()
    return levels, cell, cond


def median_noncentrality(F: float, df1: float, df2: float) -> float:
    """The noncentrality for which ``F`` is the median of the noncentral F(df1, df2); 0 when
    ``F`` is at or below the central F's median (no effect can make it the median)."""
    if F <= stats.f.median(df1, df2):
        return 0.0
    return float(optimize.brentq(lambda lam: stats.ncf.median(df1, df2, lam) - F, 1e-9, 100 * df1 * F))


def _trial_var(measure: str, p: np.ndarray, var_p: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Variance of one trial around the participant's mean: Bernoulli, averaged over
    participants (``E p(1 - p) = mu (1 - mu) - Var p``), or rating noise plus rounding,
    shrunk by the share of ratings inside 1..7 (``slope`` of :func:`_expected`)."""
    if measure == "correct":
        return np.clip(p * (1 - p) - var_p, 1e-4, None)
    return (TRIAL_SD**2 + 1 / 12) * slope


def _expected(measure: str, mean: np.ndarray, sd: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mean of a trial whose participant mean is N(``mean``, ``sd``), and its slope in
    ``mean`` (about the share of a participant's deviation that reaches the trial):
    recognition probabilities are clipped into .01..99 per participant; a rating, the
    participant's mean plus trial noise rounded into 1..7, is taken as that normal clipped
    into 0.5..7.5 (rounding averages out inside) with 1 and 7 beyond."""
    if measure == "correct":
        lo, hi, s = 0.01, 0.99, np.maximum(sd, 1e-12)
    else:
        lo, hi, s = 0.5, 7.5, np.sqrt(sd**2 + TRIAL_SD**2)
    a, b = (lo - mean) / s, (hi - mean) / s
    Pa, Pb = stats.norm.cdf(a), stats.norm.cdf(b)
    expected = lo * Pa + hi * (1 - Pb) + mean * (Pb - Pa) + s * (stats.norm.pdf(a) - stats.norm.pdf(b))
    if measure != "correct":
        expected = expected + 0.5 * Pa - 0.5 * (1 - Pb)
    return expected, Pb - Pa


def _interaction_pattern(levels: dict, weight: np.ndarray) -> np.ndarray:
    """A fixed pseudo-random character x emotion pattern (seed ``INTERACTION_SEED``), scaled per
    emotion by ``weight``, double-centred (no main effect), of unit norm; (cells,)."""
    k1, k2 = (len(v) for v in levels.values())
    B = np.random.default_rng(INTERACTION_SEED).standard_normal((k1, k2)) * weight
    B = B - B.mean(axis=0) - B.mean(axis=1, keepdims=True) + B.mean()
    return (B / np.linalg.norm(B)).ravel()


@cache
def measure_models(design: str) -> dict[str, MeasureModel]:
    """Per measure, the population :func:`simulate` draws from: the paper's means, its SEs
    as the SD of a participant's condition mean, and effects sized from the reported Fs.

    For each reported F (``PAPER_F``) with df (df1, df2), the noncentrality ``lam`` for
    which it is the median F (:func:`median_noncentrality`) fixes the effect's size
    relative to its error: ``n ||C' mu||^2 = lam tr(C' Sigma C) / df1`` (``C`` the effect's
    orthonormal contrasts, ``Sigma`` the covariance of a participant's cell means, ``n``
    the paper's). For the factor whose means the paper reports (emotion, method) that fixes
    the correlation of a participant's deviations across its levels (clipped to 0..0.95);
    for Task 1's character effect and interaction it fixes the scale of an ASSUMED shape.
    """
    stim = _stimuli(design)
    return {m: _fit_measure(design, m, stim) for m in ("correct", "intensity", "sync", "naturalness")}


def _fit_measure(design: str, measure: str, stim: pd.DataFrame) -> MeasureModel:
    """:func:`measure_models` for one measure."""
    levels, cell, cond = _design_frame(design, stim)
    n, K = PAPER_N[design], TRIALS_PER_CELL[design]
    n_cells, n_cond = int(np.prod([len(v) for v in levels.values()])), int(cond.max()) + 1
    A = np.zeros((len(stim), n_cells))
    A[np.arange(len(stim)), cell] = 1 / K  # cell mean = A' x trials
    Acond = np.zeros((n_cells, n_cond))
    Acond[cell, cond] = 1.0  # cell -> its condition
    cells_per_cond = Acond.sum(axis=0)
    if design == "task1":
        table = {"correct": T1_RECOGNITION, "intensity": T1_INTENSITY}.get(measure, T1_FLAT)
        key = stim["emotion"]
    else:
        table, key = T2[measure], stim["method"]
    base = key.map(lambda k, t=table: t[k][0]).to_numpy(dtype=float)
    se = np.array([table[c][1] for c in ORDER["emotion" if design == "task1" else "method"]])
    if design == "task2" and measure == "correct":
        # Emotions differ in recognition as in Task 1 (ASSUMED); averaged out in the ANOVA.
        mean_t1 = np.mean([x[0] for x in T1_RECOGNITION.values()])
        rel = {e: v[0] / mean_t1 for e, v in T1_RECOGNITION.items()}
        base = base * stim["emotion"].map(rel).to_numpy(dtype=float)
    reported = PAPER_F[design].get(measure, {})
    contrasts = {e: effect_contrasts(levels, tuple(e.split(":"))) for e in reported}
    shapes = {}
    if design == "task1" and reported:
        char = np.array([T1_CHARACTER_SHAPE[c] for c in levels["character"]], dtype=float)
        char = np.repeat(char - char.mean(), len(levels["emotion"]))
        shapes["character"] = char / np.linalg.norm(char)
        emo_mean = np.array([table[e][0] for e in levels["emotion"]])
        weight = np.sqrt(emo_mean * (1 - emo_mean)) if measure == "correct" else np.ones(len(emo_mean))
        shapes["character:emotion"] = _interaction_pattern(levels, weight)
    scale = dict.fromkeys(shapes, 0.0)
    sd, r, extra = se * np.sqrt(n), PARTICIPANT_R, 0.0

    def cells_of(scale, sd):
        """The expected cell means (recognition clipped into .01..99 per participant)."""
        mean = base + sum(scale[e] * shapes[e][cell] for e in shapes)
        return A.T @ _expected(measure, mean, np.sqrt(sd[cond] ** 2 + extra))[0]

    reported_means = np.array([table[c][0] for c in ORDER["emotion" if design == "task1" else "method"]])
    for _ in range(10):  # the trial noise depends on the means and SDs found: iterate
        # Shift each condition so that its expected mean (after clipping) is the paper's.
        base = base + (reported_means - (Acond.T @ cells_of(scale, sd)) / cells_per_cond)[cond]
        mean = base + sum(scale[e] * shapes[e][cell] for e in shapes)
        p, slope = _expected(measure, mean, np.sqrt(sd[cond] ** 2 + extra))
        g = A.T @ slope  # how much of a participant's deviation reaches the cell mean
        var_p = slope**2 * (sd[cond] ** 2 + extra)
        trial = _trial_var(measure, p, var_p, slope)
        noise = A.T @ (trial / K) + extra * g**2  # variance of a cell mean, not shared
        g_cond = (Acond.T @ g) / cells_per_cond
        sd = np.sqrt(np.clip(n * se**2 - (Acond.T @ noise) / cells_per_cond**2, 0, None)) / g_cond
        for effect, (F, df1, df2) in reported.items():
            C = contrasts[effect]
            lam = median_noncentrality(F, df1, df2)
            t_noise = float(np.sum(C**2 * noise[:, None]))
            M = C.T @ (g[:, None] * Acond)  # the effect's contrasts of the conditions
            t_ind = float(np.sum((M * sd) ** 2))  # tr(C' A D^2 A' C): uncorrelated deviations
            t_all = float(np.sum((M @ sd) ** 2))  # ||C' A sd||^2: fully correlated
            if effect in shapes:
                target = lam * (t_noise + (1 - r) * t_ind + r * t_all) / df1 / n

                def excess(k, effect=effect, C=C, target=target, sd=sd):
                    return float(np.sum((C.T @ cells_of({**scale, effect: k}, sd)) ** 2)) - target

                hi = 4 * np.sqrt(target) / np.linalg.norm(C.T @ shapes[effect]) + 1e-9
                scale[effect] = optimize.brentq(excess, 0.0, hi) if excess(hi) > 0 else hi
            elif lam > 0:
                need = n * float(np.sum((C.T @ cells_of(scale, sd)) ** 2)) * df1 / lam  # tr(C' Sigma C)
                r_raw = (need - t_noise - t_ind) / (t_all - t_ind) if abs(t_all - t_ind) > 1e-12 else 0.0
                r = float(np.clip(r_raw, 0.0, 0.95))
                if r_raw < 0 or extra > 0:  # more error than the SEs allow: participant x cell
                    r, gg = 0.0, float(np.sum(C**2 * (g**2)[:, None]))
                    extra = max(0.0, extra + (need - t_noise - t_ind) / gg)
    final = base + sum(scale[e] * shapes[e][cell] for e in shapes)
    return MeasureModel(final, sd, r, float(np.sqrt(extra)))


def draw_measures(design: str, shown: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Every measure for ``shown`` (participants x trials, stimulus row numbers of
    :func:`_stimuli`), one participant per row: a participant's condition means are the
    population's plus a deviation (SD per condition, correlated ``r`` across conditions, one
    common factor per participant shared by the measures); ratings add trial noise
    (``TRIAL_SD``) and are rounded into 1..7; recognition is a Bernoulli draw."""
    models = measure_models(design)
    _, cell, cond = _design_frame(design, _stimuli(design))
    n_cond, n_cells = int(cond.max()) + 1, int(cell.max()) + 1
    z = rng.standard_normal((len(shown), 1))
    out = {}
    for measure, m in models.items():
        e = rng.standard_normal((len(shown), n_cond))
        dev = m.sd * (np.sqrt(m.r) * z + np.sqrt(1 - m.r) * e)  # participants x conditions
        mean = m.mean[shown] + np.take_along_axis(dev, cond[shown], axis=1)
        if m.cell_sd > 0:
            per_cell = rng.standard_normal((len(shown), n_cells))
            mean += m.cell_sd * np.take_along_axis(per_cell, cell[shown], axis=1)
        if measure == "correct":
            out[measure] = (rng.random(shown.shape) < np.clip(mean, 0.01, 0.99)).astype(int)
        else:
            noisy = np.rint(mean + rng.normal(0, TRIAL_SD, shown.shape))
            out[measure] = np.clip(noisy, 1, 7).astype(int)
    return out


def cell_draws(design: str, participants: int, rng: np.random.Generator) -> tuple[dict, dict]:
    """``participants`` simulated participants' cell means of every measure, drawn as
    :func:`simulate` draws them but without the export: (levels of the ANOVA's factors,
    measure -> array (participants, cells), first factor slowest)."""
    stim = _stimuli(design)
    levels, cell, _ = _design_frame(design, stim)
    shown = np.broadcast_to(np.arange(len(stim)), (participants, len(stim)))
    counts = np.bincount(cell)
    cells = {}
    for measure, x in draw_measures(design, shown, rng).items():
        sums = np.zeros((participants, len(counts)))
        np.add.at(sums, (slice(None), cell), x)
        cells[measure] = sums / counts
    return levels, cells


def _wrong_answer(rng: np.random.Generator, emotion: str) -> str:
    options = CONFUSIONS[emotion]
    return str(rng.choice(list(options), p=list(options.values())))


def simulate(design: str, participants: int, seed: int) -> pd.DataFrame:
    """Draw a responses export for ``participants`` people from the paper's results.

    Every participant sees one practice trial (trial_index 0) and then all
    clips of the design in their own random order. The measures are drawn by
    :func:`draw_measures` from :func:`measure_models`: a participant's
    condition mean is the population's plus a deviation (its SD makes the
    condition mean's SE the paper's, correlated across conditions as the
    paper's F requires); ratings add trial noise and are rounded into 1..7;
    recognition is a Bernoulli draw.

    Returns
    -------
    pandas.DataFrame
        The export's columns, one row per trial.
    """
    if design not in PAPER_N:
        raise ValueError(f"design must be one of {', '.join(PAPER_N)}; got {design!r}.")
    if participants < 2:
        raise ValueError(f"participants must be at least 2; got {participants}.")
    rng = np.random.default_rng(seed)
    stim = _stimuli(design)
    practice = int(np.flatnonzero((stim["character"] == "Mery") & (stim["emotion"] == "neutral"))[0])
    orders = np.argsort(rng.random((participants, len(stim))), axis=1)
    # The stimulus row of each trial, the practice trial first.
    shown = np.concatenate([np.full((participants, 1), practice), orders], axis=1)
    drawn = draw_measures(design, shown, rng)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    frames = []
    for i in range(participants):
        group = (i % 4) + 1 if design == "task1" else 1
        trials = stim.iloc[shown[i]].reset_index(drop=True)
        row = {"is_practice": np.r_[1, np.zeros(len(stim), dtype=int)]}
        row.update({measure: x[i] for measure, x in drawn.items()})
        trials = trials.assign(**row)
        trials["response_emotion"] = [
            e if ok else _wrong_answer(rng, e)
            for e, ok in zip(trials["emotion"], trials["correct"], strict=True)
        ]
        rt = rng.gamma(4, 900, len(trials)).round().astype(int)
        offsets = np.cumsum(rt + 15_000)
        begin = start + timedelta(days=i)
        trials = trials.assign(
            study=f"sim-{design}",
            participant=f"P{i + 1:02d}",
            group=str(group),
            trial_index=np.arange(len(trials)),
            stimulus_id=trials[["character", "emotion", "method", "sentence_type"]]
            .astype(str)
            .agg("-".join, axis=1)
            .str.lower(),
            sentence_group=group,
            rt_ms=rt,
            plays=1 + (rng.random(len(trials)) < 0.1),
            started_at=[(begin + timedelta(milliseconds=int(o) - 15_000)).isoformat() for o in offsets],
            submitted_at=[(begin + timedelta(milliseconds=int(o))).isoformat() for o in offsets],
            pilot=0,
            bot=0,
            attention_check=0,
            attention_passed="",
        )
        frames.append(trials)
    return pd.concat(frames, ignore_index=True)[list(EXPORT_COLUMNS)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Write a simulated responses export (CSV) drawn from the paper's reported "
        "means and SEs (sections 5.1.5-5.1.6), for trying the report before real data exist.",
    )
    p.add_argument("--design", required=True, choices=sorted(PAPER_N), help="which task of the paper")
    p.add_argument(
        "--participants", type=int, default=None, help="how many (default: the paper's n, 20 or 5)"
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", required=True, type=Path, help="CSV file to write")
    args = p.parse_args(argv)
    n = args.participants if args.participants is not None else PAPER_N[args.design]
    data = simulate(args.design, n, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(args.out, index=False)
    print(f"wrote {len(data)} trials of {n} participants to {args.out}")
    return 0


if __name__ == "__main__":
    run(main, PROG)
