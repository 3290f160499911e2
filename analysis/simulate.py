"""``python -m analysis.simulate``: responses drawn from the paper's reported results.

Writes a responses export (docs/design.md schema) so that the report can be
shown, and tested, before any participant has taken part. Means and SEs are
those of the paper's sections 5.1.5-5.1.6; values the paper does not report
are marked ASSUMED below (docs/analysis.md lists them).
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.cli import run
from analysis.responses import ORDER
from contract import EMOTIONS, EXPORT_COLUMNS

PROG = "python -m analysis.simulate"
#: Correlation of a participant's condition means across conditions (ASSUMED).
PARTICIPANT_R = 0.6
#: SD of a single rating around the participant's condition mean (ASSUMED).
TRIAL_SD = 0.8

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
# Task 1 character main effect on recognition (significant, size not reported): ASSUMED.
T1_CHARACTER_SHIFT = dict(zip(ORDER["character"], (-0.04, 0.02, 0.0, 0.03, -0.02, 0.01, 0.0), strict=True))
# (M, SE) per method, Task 2 (5.1.6).
T2 = {
    "correct": {"GT": (0.786, 0.046), "ETAD": (0.743, 0.033), "EVP": (0.619, 0.030)},
    "intensity": {"GT": (5.171, 0.603), "ETAD": (5.090, 0.620), "EVP": (5.133, 0.668)},
    "sync": {"GT": (5.024, 0.703), "ETAD": (4.133, 0.633), "EVP": (1.929, 0.347)},
    "naturalness": {"GT": (4.983, 0.681), "ETAD": (3.805, 0.672), "EVP": (2.186, 0.411)},
}
PAPER_N = {"task1": 20, "task2": 5}
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


def _condition_means(design: str, stim: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Population (M, SD across participants) per measure for every clip."""
    n = PAPER_N[design]
    out = {}
    if design == "task1":
        tables = {
            "correct": T1_RECOGNITION,
            "intensity": T1_INTENSITY,
            "sync": T1_FLAT,
            "naturalness": T1_FLAT,
        }
        for measure, table in tables.items():
            m = stim["emotion"].map(lambda e, t=table: t[e][0]).to_numpy(dtype=float)
            se = stim["emotion"].map(lambda e, t=table: t[e][1]).to_numpy(dtype=float)
            if measure == "correct":
                m = m + stim["character"].map(T1_CHARACTER_SHIFT).to_numpy(dtype=float)
            out[measure] = (m, se * np.sqrt(n))
        return out
    emotion_rel = {
        e: v[0] / np.mean([x[0] for x in T1_RECOGNITION.values()]) for e, v in T1_RECOGNITION.items()
    }
    for measure, table in T2.items():
        m = stim["method"].map(lambda k, t=table: t[k][0]).to_numpy(dtype=float)
        se = stim["method"].map(lambda k, t=table: t[k][1]).to_numpy(dtype=float)
        if measure == "correct":
            m = m * stim["emotion"].map(emotion_rel).to_numpy(dtype=float)
        out[measure] = (m, se * np.sqrt(n))
    return out


def _wrong_answer(rng: np.random.Generator, emotion: str) -> str:
    options = CONFUSIONS[emotion]
    return str(rng.choice(list(options), p=list(options.values())))


def simulate(design: str, participants: int, seed: int) -> pd.DataFrame:
    """Draw a responses export for ``participants`` people from the paper's results.

    Every participant sees one practice trial (trial_index 0) and then all
    clips of the design in their own random order. A participant's condition
    mean is the paper's mean plus a participant effect (SD = SE x sqrt(paper's
    n), drawn per reported condition, correlated ``PARTICIPANT_R`` across
    conditions); ratings add trial noise and are rounded into 1..7;
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
    # The paper reports M and SE per emotion (Task 1) or method (Task 2): a participant's
    # deviation is drawn once per such condition, so those SEs are what the data show.
    condition = pd.Categorical(stim["emotion" if design == "task1" else "method"])
    practice = int(np.flatnonzero((stim["character"] == "Mery") & (stim["emotion"] == "neutral"))[0])
    population = _condition_means(design, stim)
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    frames = []
    for i in range(participants):
        group = (i % 4) + 1 if design == "task1" else 1
        z = rng.normal()
        order = rng.permutation(len(stim))
        trials = stim.iloc[order].reset_index(drop=True)
        trials = pd.concat([stim.iloc[[practice]], trials], ignore_index=True)
        shown = np.r_[practice, order]  # stimulus row of each trial, practice first
        row = {"is_practice": np.r_[1, np.zeros(len(stim), dtype=int)]}
        for measure, (m, sd) in population.items():
            e = rng.normal(size=len(condition.categories))[condition.codes]
            mean = (m + sd * (np.sqrt(PARTICIPANT_R) * z + np.sqrt(1 - PARTICIPANT_R) * e))[shown]
            if measure == "correct":
                row[measure] = (rng.random(len(trials)) < np.clip(mean, 0.01, 0.99)).astype(int)
            else:
                noisy = np.rint(mean + rng.normal(0, TRIAL_SD, len(trials)))
                row[measure] = np.clip(noisy, 1, 7).astype(int)
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
