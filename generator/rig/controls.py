"""The canonical rig: per-frame controls in [0, 1] named as ARKit blendshapes.

Every control belongs to one face part (docs/design.md, "The rig"). M-RPD is
measured on the ``mouth`` part, F-RPD on all face parts. Head pose (the three
``head*`` controls, the names Live Link Face streams) is not a face part: it is
carried in the track, centred at 0.5, and left out of both measures.
"""

from __future__ import annotations

import numpy as np

from contract import EMOTIONS
from generator.common.errors import InputError

FPS = 25
FACE_PARTS = ("brow", "eye", "mouth", "cheek", "nose")

# (control, part), in the column order every canonical track uses.
_CONTROLS = (
    ("browInnerUp", "brow"), ("browDownLeft", "brow"), ("browDownRight", "brow"),
    ("browOuterUpLeft", "brow"), ("browOuterUpRight", "brow"),
    ("eyeBlinkLeft", "eye"), ("eyeBlinkRight", "eye"),
    ("eyeWideLeft", "eye"), ("eyeWideRight", "eye"),
    ("eyeSquintLeft", "eye"), ("eyeSquintRight", "eye"),
    ("eyeLookUpLeft", "eye"), ("eyeLookUpRight", "eye"),
    ("eyeLookDownLeft", "eye"), ("eyeLookDownRight", "eye"),
    ("eyeLookInLeft", "eye"), ("eyeLookInRight", "eye"),
    ("eyeLookOutLeft", "eye"), ("eyeLookOutRight", "eye"),
    ("jawOpen", "mouth"), ("mouthClose", "mouth"),
    ("mouthFunnel", "mouth"), ("mouthPucker", "mouth"),
    ("mouthSmileLeft", "mouth"), ("mouthSmileRight", "mouth"),
    ("mouthFrownLeft", "mouth"), ("mouthFrownRight", "mouth"),
    ("mouthStretchLeft", "mouth"), ("mouthStretchRight", "mouth"),
    ("mouthUpperUpLeft", "mouth"), ("mouthUpperUpRight", "mouth"),
    ("mouthLowerDownLeft", "mouth"), ("mouthLowerDownRight", "mouth"),
    ("mouthPressLeft", "mouth"), ("mouthPressRight", "mouth"),
    ("mouthRollLower", "mouth"), ("mouthRollUpper", "mouth"),
    ("tongueOut", "mouth"),
    ("cheekSquintLeft", "cheek"), ("cheekSquintRight", "cheek"), ("cheekPuff", "cheek"),
    ("noseSneerLeft", "nose"), ("noseSneerRight", "nose"),
    ("headYaw", "head"), ("headPitch", "head"), ("headRoll", "head"),
)
CONTROLS: tuple[str, ...] = tuple(name for name, _ in _CONTROLS)
PART: dict[str, str] = dict(_CONTROLS)
INDEX: dict[str, int] = {name: i for i, name in enumerate(CONTROLS)}
# Controls whose rest value is 0.5 rather than 0 (signed motion around centre).
CENTRED = ("headYaw", "headPitch", "headRoll")


def rest_pose() -> np.ndarray:
    """(C,) the canonical rig at rest: everything 0, head pose centred."""
    pose = np.zeros(len(CONTROLS), dtype=np.float32)
    for name in CENTRED:
        pose[INDEX[name]] = 0.5
    return pose


def pose_from(values: dict[str, float]) -> np.ndarray:
    """(C,) canonical pose from a {control: value} dict; other controls at rest."""
    pose = rest_pose()
    for name, value in values.items():
        pose[INDEX[name]] = value
    return pose


def emotions_check(emotions) -> None:
    """Raise InputError naming the first emotion code that is not one of EMOTIONS."""
    for emotion in emotions:
        if emotion not in EMOTIONS:
            raise InputError(f"unknown emotion {emotion!r} (known: {', '.join(EMOTIONS)})")
