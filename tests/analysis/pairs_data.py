"""A synthetic pairs export (docs/design.md, "Pairs export") with a known preference."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from contract import EMOTIONS, PAIR_HEAD, PAIR_TRAILER

METHODS = ("GT", "ETAD", "EVP")
CHARACTERS = ("Mery", "Bonnie")
QUESTIONS = ("sync", "naturalness", "expression")
#: Bradley-Terry strengths per question: GT and ETAD close, EVP well behind.
STRENGTHS = {"sync": {"GT": 0.0, "ETAD": -0.2, "EVP": -1.5},
             "naturalness": {"GT": 0.0, "ETAD": 0.3, "EVP": -1.0},
             "expression": {"GT": 0.0, "ETAD": 0.0, "EVP": -0.8}}


def pairs_export(participants: int = 20, seed: int = 0, *, ties: float = 0.1, left_bias: float = 0.0,
                 participant_sd: float = 0.5, pilot: int = 1, strengths=STRENGTHS) -> pd.DataFrame:
    """``participants`` x (1 practice + 42 pair trials + 2 attention checks), plus ``pilot``
    pilot participants: 3 method pairs x 2 characters x 7 emotions. Each answer prefers
    ``a`` with the Bradley-Terry probability of ``strengths`` shifted by a participant's
    normal bias (SD ``participant_sd``) and by ``left_bias`` towards the left clip; a
    share ``ties`` of answers is 'none'."""
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(participants + pilot):
        person, bias = f"P{n + 1:02d}", rng.normal(0, participant_sd)
        cells = list(itertools.product(itertools.combinations(METHODS, 2), CHARACTERS, EMOTIONS))
        sides = rng.permutation(np.resize(["a", "b"], len(cells)))
        trials = [(pair, c, e, side, 0) for (pair, c, e), side in zip(cells, sides, strict=True)]
        practice = (("GT", "ETAD"), "Mery", "joy", "a", 0)
        trials = [practice, *(trials[i] for i in rng.permutation(len(trials)))]
        trials.insert(10, (("ETAD", "ETAD"), "Mery", "anger", "a", 1))
        trials.insert(30, (("GT", "GT"), "Bonnie", "fear", "b", 1))
        for index, ((a, b), character, emotion, left, check) in enumerate(trials):
            row = {"study": "pairs-sim", "participant": person, "group": "", "trial_index": index,
                   "is_practice": int(index == 0), "stimulus_a": f"{character}-{emotion}-{a}",
                   "stimulus_b": f"{character}-{emotion}-{b}", "left": left, "a_method": a,
                   "b_method": b, "character": character, "emotion": emotion}
            for q in QUESTIONS:
                if check:
                    row[q] = "none"
                    continue
                logit = strengths[q][a] - strengths[q][b] + bias + (left_bias if left == "a" else -left_bias)
                if rng.random() < ties:
                    row[q] = "none"
                else:
                    row[q] = a if rng.random() < 1 / (1 + np.exp(-logit)) else b
            row.update({"rt_ms": int(rng.integers(800, 4000)), "plays_a": 1, "plays_b": 1,
                        "started_at": "2026-12-01T10:00:00Z", "submitted_at": "2026-12-01T10:00:05Z",
                        "pilot": int(n >= participants), "bot": 0, "attention_check": check,
                        "attention_passed": 1 if check else ""})
            rows.append(row)
    columns = [*PAIR_HEAD, "a_method", "b_method", "character", "emotion", *QUESTIONS, *PAIR_TRAILER]
    return pd.DataFrame(rows)[columns]
