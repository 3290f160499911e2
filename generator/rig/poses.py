"""Random canonical poses that cover a character's rig space.

Used twice: the EVP-style baseline's expression database (``evp.py``) and the
paired poses the adaptation MLPs learn from (``adapt.py``). A pose is a mixture
of what faces do (``expressions.py``): a Table 1 expression at a random
strength, a random viseme, a blink, a gaze, plus sparse noise on single
controls; one pose in five is fully random (each control at rest with
probability 0.6, else uniform), so rig corners are covered too.
"""

from __future__ import annotations

import numpy as np

from generator.rig.controls import CENTRED, CONTROLS, EMOTIONS, INDEX, pose_from, rest_pose
from generator.rig.expressions import EXPRESSIONS, VISEMES


def poses_sample(n: int, rng: np.random.Generator) -> np.ndarray:
    """(n, C) canonical poses in [0, 1], head pose at rest."""
    rest = rest_pose()
    expressions = np.stack([pose_from(EXPRESSIONS[e]) - rest for e in EMOTIONS])
    visemes = np.stack([pose_from(target) - rest for target, _ in VISEMES.values()])
    out = np.tile(rest, (n, 1))
    out += rng.uniform(0, 1.15, (n, 1)) * expressions[rng.integers(len(EMOTIONS), size=n)]
    out += rng.uniform(0, 1.1, (n, 1)) * visemes[rng.integers(len(visemes), size=n)]
    blink = rng.uniform(0, 1, n) ** 4
    for name in ("eyeBlinkLeft", "eyeBlinkRight"):
        out[:, INDEX[name]] += (1 - out[:, INDEX[name]]) * blink
    noise = rng.normal(0, 0.12, out.shape) * (rng.uniform(size=out.shape) < 0.15)
    out += noise
    wild = rng.uniform(size=n) < 0.2
    random = rng.uniform(0, 1, (n, len(CONTROLS))) * (rng.uniform(size=(n, len(CONTROLS))) > 0.6)
    out[wild] = rest + random[wild]
    for name in CENTRED:
        out[:, INDEX[name]] = 0.5
    return np.clip(out, 0, 1).astype(np.float32)
