"""The procedural animator: phoneme timings + emotion -> 25 fps canonical rig tracks.

It stands in for the paper's artists (section 3.2), who keyed visemes on the
audio and held each Table 1 expression over the sentence. Everything random
comes from one ``numpy`` generator seeded by ``seed``: the same inputs give the
same track, bit for bit.

Timeline of a clip (all configurable in :class:`AnimatorConfig`):

- visemes: each phoneme's target rises over ``attack_s`` before its start
  (anticipation), holds at apex for the phoneme (sustain), and decays over
  ``decay_s`` after it; overlapping targets blend by dominance (co-articulation);
- expression: eased in from rest to apex over ``onset_s``, held with a slow
  wobble, released toward ``release_to`` of apex after the speech ends; its apex
  strength varies from sentence to sentence (``intensity_range``);
- blinks every ``blink_gap_s`` (uniform), small gaze shifts and head motion,
  with small nods on open syllables;
- artist timing (``rig/timing.py``): the visemes are keyed as an animator keys
  them to a recorded line (a per-line lead or lag, keys on whole frames, dropped
  and held shapes, smoothed articulation), the misalignment the paper's
  Soft-DTW loss is meant to tolerate; the same animation keyed exactly on the
  audio is returned beside it (``Animation.aligned``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.rig.controls import CONTROLS, EMOTIONS, FPS, INDEX, PART, pose_from, rest_pose
from generator.rig.expressions import ARTICULATION, EXPRESSIONS, VISEMES, viseme_of
from generator.rig.timing import DEFAULT_TIMING, ArtistTiming, KeyReport, artist_keys, smooth_articulation

CLOSURE = "mouthClose"
ARTICULATED = [INDEX[c] for c in CONTROLS if PART[c] == "mouth" and c != CLOSURE]


@dataclass(frozen=True)
class Phoneme:
    """One phoneme of speech and when it is spoken: what the animator follows
    (``generator.speech.synthesis`` makes them from espeak-ng's events)."""

    symbol: str   # espeak mnemonic without stress marks ("aI", "p", "_" for a pause)
    start_s: float
    end_s: float


@dataclass(frozen=True)
class AnimatorConfig:
    attack_s: float = 0.05         # anticipation before a phoneme
    decay_s: float = 0.07          # carry-over after it
    closure_release_s: float = 0.03  # lips part fast after p/b/m (a plosive's release)
    onset_s: float = 0.45          # expression from rest to apex
    release_s: float = 0.5         # expression release after speech
    release_to: float = 0.6        # fraction of apex left at the clip's end
    wobble: float = 0.07           # slow +- variation of the held expression
    intensity_range: tuple[float, float] = (0.8, 1.0)  # per-sentence apex strength
    blink_first_s: tuple[float, float] = (0.3, 1.4)
    blink_gap_s: tuple[float, float] = (1.8, 3.6)
    blink_close_s: float = 0.06
    blink_open_s: float = 0.1
    gaze_hold_s: tuple[float, float] = (0.5, 1.4)
    gaze_amplitude: float = 0.18
    head_amplitude: float = 0.06   # around the centred 0.5
    nod: float = 0.05              # head dips with open (stressed) syllables


DEFAULT_CONFIG = AnimatorConfig()


@dataclass(frozen=True)
class Animation:
    track: np.ndarray    # (T, C) canonical controls in [0, 1], visemes keyed by the artist
    aligned: np.ndarray  # (T, C) the same animation with visemes exactly on the audio
    apex_frame: int      # the frame that shows the expression at its strongest
    intensity: float     # the sentence's apex strength
    keys: KeyReport      # the artist's offset, dropped and held visemes


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def _viseme_track(times: np.ndarray, phonemes: list[Phoneme], cfg: AnimatorConfig,
                  articulation: float) -> np.ndarray:
    """(T, C) mouth shapes of speech, blended by dominance.

    Lip closure (``CLOSURE``) is the exception: a bilabial must seal the lips
    whatever its neighbours do, so it takes the strongest envelope, not a blend.
    """
    weighted = np.zeros((len(times), len(CONTROLS)))
    total = np.full(len(times), 1e-3)  # a faint rest pose fills gaps
    closure = np.zeros(len(times))
    for ph in phonemes:
        target, dominance = VISEMES[viseme_of(ph.symbol)]
        rise = _smoothstep((times - (ph.start_s - cfg.attack_s)) / cfg.attack_s)
        fall = 1.0 - _smoothstep((times - ph.end_s) / cfg.decay_s)
        weight = dominance * rise * fall
        pose = pose_from(target) - rest_pose()
        weighted += weight[:, None] * pose[None, :]
        total += weight
        if CLOSURE in target:
            release = 1.0 - _smoothstep((times - ph.end_s) / cfg.closure_release_s)
            closure = np.maximum(closure, rise * release * target[CLOSURE])
    track = weighted / total[:, None]
    track[:, ARTICULATED] *= articulation
    track[:, INDEX[CLOSURE]] = closure
    return track


def _blinks(times: np.ndarray, rng: np.random.Generator, cfg: AnimatorConfig) -> np.ndarray:
    closed = np.zeros_like(times)
    t = rng.uniform(*cfg.blink_first_s)
    while t < times[-1] + cfg.blink_close_s:
        closing = _smoothstep((times - t) / cfg.blink_close_s)
        opening = 1 - _smoothstep((times - t - cfg.blink_close_s - 0.03) / cfg.blink_open_s)
        closed = np.maximum(closed, closing * opening)
        t += rng.uniform(*cfg.blink_gap_s)
    return closed


def _gaze(times: np.ndarray, rng: np.random.Generator, cfg: AnimatorConfig) -> np.ndarray:
    """(T, 2) gaze x (toward the character's left) and y (up): held, then a quick shift."""
    out = np.zeros((len(times), 2))
    t = 0.0
    while t <= times[-1]:
        target = rng.uniform(-cfg.gaze_amplitude, cfg.gaze_amplitude, 2) * (1.0, 0.5)
        step = _smoothstep((times - t) / 0.05)[:, None] if t > 0 else np.ones((len(times), 1))
        out = out * (1 - step) + target * step
        t += rng.uniform(*cfg.gaze_hold_s)
    return out


def _head(times: np.ndarray, rng: np.random.Generator, cfg: AnimatorConfig) -> np.ndarray:
    """(T, 3) yaw, pitch, roll offsets: a sum of slow sines per axis."""
    freqs = rng.uniform(0.15, 0.6, (3, 3))
    phases = rng.uniform(0, 2 * np.pi, (3, 3))
    waves = np.sin(2 * np.pi * freqs[None] * times[:, None, None] + phases[None]).mean(axis=2)
    return cfg.head_amplitude * waves * np.array([1.0, 0.7, 0.5])


def _with_speech(face: np.ndarray, visemes: np.ndarray, cfg: AnimatorConfig) -> np.ndarray:
    """The face plus the visemes of speech and the small nods on open syllables."""
    kernel = np.hanning(7)
    nods = np.convolve(visemes[:, INDEX["jawOpen"]], kernel / kernel.sum(), mode="same")
    track = face + visemes
    track[:, INDEX["headPitch"]] -= cfg.nod * nods
    return np.clip(track, 0, 1).astype(np.float32)


def animate(phonemes: list[Phoneme], *, emotion: str, n_frames: int, seed: int,
            cfg: AnimatorConfig = DEFAULT_CONFIG,
            timing: ArtistTiming = DEFAULT_TIMING) -> Animation:
    """Canonical rig tracks for one utterance (phoneme times relative to the clip start):
    visemes keyed with the artist's ``timing`` (the GT) and exactly on the audio."""
    if emotion not in EMOTIONS:
        raise ValueError(f"unknown emotion {emotion!r}")
    rng = np.random.default_rng(seed)
    times = (np.arange(n_frames) + 0.5) / FPS
    intensity = float(rng.uniform(*cfg.intensity_range))
    spoken = [p for p in phonemes if p.symbol != "_"]
    speech_end = spoken[-1].end_s if spoken else times[-1]
    keyed, keys = artist_keys(phonemes, timing, rng)

    # Expression envelope: onset, held with a slow wobble, release after speech.
    onset = _smoothstep(times / cfg.onset_s)
    release = 1 - (1 - cfg.release_to) * _smoothstep((times - speech_end) / cfg.release_s)
    wobble_phase = rng.uniform(0, 2 * np.pi)
    wobble = 1 + cfg.wobble * np.sin(2 * np.pi * 0.4 * times + wobble_phase)
    envelope = intensity * onset * release * np.minimum(wobble, 1 / intensity)
    expression = pose_from(EXPRESSIONS[emotion]) - rest_pose()
    face = rest_pose()[None, :] + envelope[:, None] * expression[None, :]

    blink = _blinks(times, rng, cfg)
    for side in ("Left", "Right"):
        column = INDEX[f"eyeBlink{side}"]
        face[:, column] = face[:, column] + (1 - face[:, column]) * blink
    gaze = _gaze(times, rng, cfg)
    right, up = gaze[:, 0], gaze[:, 1]
    for name, value in (("eyeLookOutLeft", right), ("eyeLookInRight", right),
                        ("eyeLookInLeft", -right), ("eyeLookOutRight", -right),
                        ("eyeLookUpLeft", up), ("eyeLookUpRight", up),
                        ("eyeLookDownLeft", -up), ("eyeLookDownRight", -up)):
        face[:, INDEX[name]] += np.maximum(value, 0)
    head = _head(times, rng, cfg)
    for axis, name in enumerate(("headYaw", "headPitch", "headRoll")):
        face[:, INDEX[name]] += head[:, axis]

    # Visemes: on the audio, and as the artist keyed them (articulation smoothed, not closure).
    on_audio = _viseme_track(times, phonemes, cfg, ARTICULATION[emotion])
    keyed_visemes = on_audio if timing.is_none else smooth_articulation(
        _viseme_track(times, keyed, cfg, ARTICULATION[emotion]), ARTICULATED, timing)
    track = _with_speech(face, keyed_visemes, cfg)
    aligned = track if timing.is_none else _with_speech(face, on_audio, cfg)

    # Apex: the strongest expression, preferring frames with open eyes and open lips.
    apex = int(np.argmax(envelope - blink - 0.5 * keyed_visemes[:, INDEX["mouthClose"]]))
    return Animation(track, aligned, apex, intensity, keys)
