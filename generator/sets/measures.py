"""Objective measures of a rendered clip, from its canonical rig track and its audio.

They go into each stimulus of a set's manifest under ``"measures"`` (schema in
stimuli/README.md) so that ``run_bots --answers observer`` can answer from the
clips themselves: a pilot before any person takes part. Every measure compares
the clip with the rig's own definitions (the speech it was made for, the
expression table of ``generator.rig.expressions``); none says what people see.

- ``sync_r``, ``sync_lag_ms``: how well the mouth follows the speech. The mouth
  opening (``jawOpen``) is correlated with the speech envelope (RMS of the audio
  per video frame) at every lag within +-80 ms (+-2 frames at 25 fps); the best
  Pearson r and its lag are kept. A positive lag means the mouth moves after
  the sound.
- ``expression_distance``: per emotion, the Euclidean distance (rig units) of
  the clip's expression from that emotion's full-strength pose in the expression
  table, over the face controls speech does not drive (visemes, blinks and gaze
  are left out; they would blur every clip toward the same pose). The clip's
  expression is the per-control median over its frames, which ignores transient
  blinks and glances. ``expression_nearest`` is the emotion an ideal observer
  would name; ``expression_clarity`` is the margin (second-nearest distance minus
  the nearest): 0 when two emotions are equally near.
- ``jitter``: mean absolute second difference of the face-part controls per
  frame (rig units / frame^2): 0 for motion at constant speed, large for a face
  that trembles from frame to frame.
"""

from __future__ import annotations

import numpy as np

from contract import EMOTIONS
from generator.rig.controls import CONTROLS, FACE_PARTS, FPS, INDEX, PART, pose_from
from generator.rig.expressions import EXPRESSIONS, VISEMES

MAX_LAG_MS = 80
#: The mouth opening whose course is compared with the speech envelope.
MOUTH_OPEN = "jawOpen"
_TRANSIENT = ("eyeBlink", "eyeLook")  # blinks and gaze: animated apart from the emotion
_SPEECH = {name for target, _ in VISEMES.values() for name in target}
#: The controls the expression distance is measured on (in CONTROLS order).
EXPRESSION_CONTROLS: tuple[str, ...] = tuple(
    name for name in CONTROLS if PART[name] in FACE_PARTS and name not in _SPEECH
    and not name.startswith(_TRANSIENT))
_FACE = [INDEX[name] for name in CONTROLS if PART[name] in FACE_PARTS]


def speech_envelope(audio: np.ndarray, rate: int, n_frames: int, fps: int = FPS) -> np.ndarray:
    """(n_frames,) RMS of mono ``audio`` over each video frame's span (0 past its end)."""
    audio = np.asarray(audio, dtype=np.float64).reshape(-1)
    bounds = np.round(np.arange(n_frames + 1) * rate / fps).astype(int)
    squares = np.concatenate([[0.0], np.cumsum(audio ** 2)])
    ends = np.minimum(bounds, audio.size)
    counts = np.diff(bounds)
    sums = squares[ends[1:]] - squares[ends[:-1]]
    return np.sqrt(np.where(counts > 0, sums / np.maximum(counts, 1), 0.0))


def sync_measure(mouth: np.ndarray, envelope: np.ndarray, fps: int = FPS,
                 max_lag_ms: float = MAX_LAG_MS) -> tuple[float, int]:
    """(best Pearson r, its lag in ms) of ``mouth`` against ``envelope`` within
    +-``max_lag_ms``; a positive lag: the mouth follows the sound. r is 0 where
    either series is constant over the overlap (no evidence of sync)."""
    mouth, envelope = np.asarray(mouth, float), np.asarray(envelope, float)
    if mouth.shape != envelope.shape:
        raise ValueError(f"mouth ({mouth.size} frames) and envelope ({envelope.size}) differ")
    max_lag = int(max_lag_ms * fps / 1000)
    best = (-np.inf, 0)
    for lag in range(-max_lag, max_lag + 1):
        a = mouth[lag:] if lag >= 0 else mouth[:lag]
        b = envelope[:envelope.size - lag] if lag >= 0 else envelope[-lag:]
        r = _pearson(a, b)
        if r > best[0] or (r == best[0] and abs(lag) < abs(best[1])):
            best = (r, lag)
    return float(best[0]), int(round(best[1] * 1000 / fps))


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


def expression_distances(track: np.ndarray) -> dict[str, float]:
    """Per emotion, the distance of the (T, C) canonical ``track``'s median expression
    from that emotion's full-strength pose, over EXPRESSION_CONTROLS."""
    columns = [INDEX[name] for name in EXPRESSION_CONTROLS]
    held = np.median(np.asarray(track, dtype=np.float64)[:, columns], axis=0)
    return {emotion: float(np.linalg.norm(held - pose_from(EXPRESSIONS[emotion])[columns]))
            for emotion in EMOTIONS}


def jitter(track: np.ndarray) -> float:
    """Mean absolute frame-to-frame second difference of the face-part controls."""
    face = np.asarray(track, dtype=np.float64)[:, _FACE]
    if face.shape[0] < 3:
        return 0.0
    return float(np.abs(np.diff(face, n=2, axis=0)).mean())


def clip_measures(track: np.ndarray, audio: np.ndarray, rate: int) -> dict:
    """The manifest's ``measures`` of one clip: its (T, C) canonical rig track (the
    frames the renderer draws) and its mono audio at ``rate`` Hz."""
    track = np.asarray(track)
    if track.ndim != 2 or track.shape[1] != len(CONTROLS):
        raise ValueError(f"a canonical track is (frames, {len(CONTROLS)}), got {track.shape}")
    envelope = speech_envelope(audio, rate, track.shape[0])
    r, lag_ms = sync_measure(track[:, INDEX[MOUTH_OPEN]], envelope)
    distances = expression_distances(track)
    near = sorted(distances, key=distances.get)
    return {"sync_r": round(r, 4), "sync_lag_ms": lag_ms,
            "expression_distance": {e: round(d, 4) for e, d in distances.items()},
            "expression_nearest": near[0],
            "expression_clarity": round(distances[near[1]] - distances[near[0]], 4),
            "jitter": round(jitter(track), 5)}
