"""``evaluate``: Table 3 (section 5.2) and objective proxies for the study's ratings.

F-RPD and M-RPD (facial / mouth rig parameter distance) of a method on a set of
clips, with prediction ``p_t`` and ground truth ``y_t`` (controls in [0, 1]) at
every frame ``t`` of every clip:

    RPD = mean over all frames of || p_t - y_t ||_2 / sqrt(D)

over the D = 43 face controls (F-RPD; head pose excluded) or the D = 19 mouth
controls (M-RPD). Dividing by sqrt(D) makes it the root-mean-square error per
control of a frame, comparable between the two sets of controls.
"""

from __future__ import annotations

import numpy as np

from generator.modeldata import MOUTH_IN_FACE


def rpd(preds: list[np.ndarray], truths: list[np.ndarray]) -> dict[str, float]:
    """F-RPD and M-RPD of (T, 43) face tracks, pooled over every frame of every clip."""
    p, y = np.concatenate(preds), np.concatenate(truths)
    if p.shape != y.shape:
        raise ValueError(f"prediction {p.shape} and ground truth {y.shape} differ in shape")
    face = np.linalg.norm(p - y, axis=1) / np.sqrt(p.shape[1])
    mouth = np.linalg.norm(p[:, MOUTH_IN_FACE] - y[:, MOUTH_IN_FACE], axis=1) / np.sqrt(
        len(MOUTH_IN_FACE))
    return {"F-RPD": float(face.mean()), "M-RPD": float(mouth.mean())}
