"""What a face does: the paper's Table 1 expressions and the visemes of speech.

Both are canonical-rig targets at full strength. Table 1's cues, per emotion:

- anger: inner brow pulled down, brow's lower edge falls (browDown); eyes
  widened, upper lid raised (eyeWide), lower lid tight (eyeSquint); upper lip
  lifted in a sneer, square mouth with both rows of teeth (mouthUpperUp,
  mouthLowerDown, mouthStretch).
- disgust: whole brow lowered, inner corner most (browDown); eyes partly
  squinted (eyeSquint, cheekSquint); upper lip raised in an intense, squared
  sneer showing the upper teeth (mouthUpperUp); nose wings pulled up, nose
  creases deepened (noseSneer).
- fear: brows lifted straight up and pulled together (browInnerUp with some
  browDown, which the renderer draws as drawing the brows inward); eyes opened
  very wide (eyeWide), the lower lid a little raised (eyeSquint); mouth opened
  and widened, lower lip stretched, teeth exposed (jawOpen, mouthStretch,
  mouthLowerDown); upper lip tightened (mouthPress).
- joy: brows relaxed, a little raised (browOuterUp); upper lids slightly down
  (eyeBlink), lower lids tightened (eyeSquint); mouth widened with the corners
  pulled back toward the ears (mouthSmile), lips following the teeth
  (mouthUpperUp); cheeks up (cheekSquint); nose wings up (noseSneer).
- sadness: inner brows up over a lowered brow (browInnerUp, browDown); upper
  lid pushed down, lower lid raised (eyeBlink, eyeSquint); mouth a thin,
  straight, rectangular line with the lower lip tucked (mouthPress,
  mouthRollLower, mouthStretch, mouthFrown); nose wings raised, cheeks tight
  (noseSneer, cheekSquint); eyes cast down (eyeLookDown).
- surprise: brows raised (browInnerUp, browOuterUp) with horizontal forehead
  wrinkles (drawn from the same controls); upper lid raised, white above the
  iris (eyeWide); mouth dropped open, oval, lips protruded (jawOpen,
  mouthFunnel).
- neutral: the rest pose.

Each emotion also carries a head posture (not in Table 1, but part of how
the expressions read): sadness and anger lower the head, surprise and fear
lift it, disgust turns it away, joy tilts it.
"""

from __future__ import annotations


def _both(name: str, value: float) -> dict[str, float]:
    return {f"{name}Left": value, f"{name}Right": value}


EXPRESSIONS: dict[str, dict[str, float]] = {
    "anger": {**_both("browDown", 1.0), **_both("eyeWide", 0.35), **_both("eyeSquint", 0.6),
              **_both("mouthUpperUp", 0.75), **_both("mouthLowerDown", 0.7),
              **_both("mouthStretch", 0.45), **_both("noseSneer", 0.35), "jawOpen": 0.08,
              "headPitch": 0.44},
    "disgust": {**_both("browDown", 0.75), **_both("eyeSquint", 0.7),
                **_both("cheekSquint", 0.5), **_both("noseSneer", 1.0),
                **_both("mouthUpperUp", 0.9), **_both("mouthFrown", 0.4),
                **_both("mouthLowerDown", 0.15), **_both("mouthStretch", 0.2),
                "headYaw": 0.45, "headRoll": 0.47},
    "fear": {"browInnerUp": 1.0, **_both("browOuterUp", 0.35), **_both("browDown", 0.35),
             **_both("eyeWide", 1.0), **_both("eyeSquint", 0.25), **_both("mouthStretch", 0.9),
             **_both("mouthLowerDown", 0.8), **_both("mouthPress", 0.3), "jawOpen": 0.3,
             "headPitch": 0.54},
    "joy": {**_both("browOuterUp", 0.25), **_both("eyeBlink", 0.12),
            **_both("eyeSquint", 0.55), **_both("cheekSquint", 0.85),
            **_both("mouthSmile", 1.0), **_both("mouthUpperUp", 0.35),
            **_both("mouthLowerDown", 0.25), **_both("noseSneer", 0.2), "jawOpen": 0.06,
            "headRoll": 0.54, "headPitch": 0.53},
    "neutral": {},
    "sadness": {"browInnerUp": 1.0, **_both("browDown", 0.35), **_both("eyeBlink", 0.3),
                **_both("eyeSquint", 0.3), **_both("eyeLookDown", 0.35),
                **_both("mouthFrown", 0.85), **_both("mouthPress", 0.7),
                **_both("mouthStretch", 0.2), "mouthRollLower": 0.5,
                **_both("noseSneer", 0.15), **_both("cheekSquint", 0.2), "headPitch": 0.4},
    "surprise": {"browInnerUp": 1.0, **_both("browOuterUp", 1.0), **_both("eyeWide", 1.0),
                 "jawOpen": 0.9, "mouthFunnel": 0.5, "mouthPucker": 0.15,
                 "headPitch": 0.57},
}

# How strongly each emotion articulates speech (sad speech is mumbled).
ARTICULATION = {"anger": 1.1, "disgust": 0.9, "fear": 1.0, "joy": 1.1, "neutral": 1.0,
                "sadness": 0.7, "surprise": 1.15}


# Visemes: (target, dominance). Dominance decides which phoneme wins where
# neighbours overlap (co-articulation, after Cohen and Massaro): vowels set the
# jaw, rounded sounds the lips, velars and /h/ borrow from their neighbours.
# Lip closure is not blended: see CLOSURE in animator.py.
VISEMES: dict[str, tuple[dict[str, float], float]] = {
    "rest": ({}, 1.0),
    "bilabial": ({"jawOpen": 0.05, "mouthClose": 1.0, **_both("mouthPress", 0.35)}, 3.0),
    "labiodental": ({"jawOpen": 0.08, "mouthRollLower": 0.7, **_both("mouthUpperUp", 0.25)},
                    3.0),
    "dental": ({"jawOpen": 0.2, "tongueOut": 0.6}, 1.5),
    "alveolar": ({"jawOpen": 0.15}, 0.6),
    "postalveolar": ({"jawOpen": 0.12, "mouthFunnel": 0.65, "mouthPucker": 0.2}, 2.0),
    "round": ({"jawOpen": 0.15, "mouthPucker": 0.8, "mouthFunnel": 0.35}, 2.5),
    "r": ({"jawOpen": 0.18, "mouthPucker": 0.35, "mouthFunnel": 0.2}, 1.2),
    "velar": ({"jawOpen": 0.25}, 0.3),
    "spread": ({"jawOpen": 0.3, **_both("mouthStretch", 0.4)}, 1.4),
    "open": ({"jawOpen": 0.85}, 2.0),
    "mid": ({"jawOpen": 0.55, **_both("mouthStretch", 0.1)}, 1.6),
    "round_open": ({"jawOpen": 0.6, "mouthFunnel": 0.45, "mouthPucker": 0.2}, 1.6),
}

# espeak-ng English phoneme mnemonics -> viseme. Longest prefix wins.
_PHONEME_VISEME = {
    "_": "rest", "p": "bilabial", "b": "bilabial", "m": "bilabial",
    "f": "labiodental", "v": "labiodental", "T": "dental", "D": "dental",
    "s": "alveolar", "z": "alveolar", "t": "alveolar", "d": "alveolar", "n": "alveolar",
    "l": "alveolar", "@L": "alveolar",
    "S": "postalveolar", "Z": "postalveolar", "tS": "postalveolar", "dZ": "postalveolar",
    "w": "round", "u": "round", "U": "round", "r": "r", "3": "r",
    "k": "velar", "g": "velar", "N": "velar", "h": "velar", "x": "velar",
    "j": "spread", "i": "spread", "I": "spread", "eI": "spread",
    "a": "open", "A": "open", "aI": "open", "aU": "open", "V": "open",
    "E": "mid", "e": "mid", "@": "mid",
    "O": "round_open", "0": "round_open", "o": "round_open", "oU": "round_open",
}


def viseme_of(symbol: str) -> str:
    """The viseme of an espeak phoneme mnemonic (unknown symbols count as ``mid``)."""
    for length in range(len(symbol), 0, -1):
        if symbol[:length] in _PHONEME_VISEME:
            return _PHONEME_VISEME[symbol[:length]]
    return "mid"
