"""The clip measures of generator.sets.measures on tracks whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from contract import EMOTIONS
from generator.rig.controls import CONTROLS, FPS, INDEX, pose_from, rest_pose
from generator.rig.expressions import EXPRESSIONS
from generator.sets.measures import (
    clip_measures,
    expression_distances,
    jitter,
    speech_envelope,
    sync_measure,
)

RATE = 1600  # 64 samples per frame: small, exact


def _speech(n_frames: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Noise whose loudness follows a slow random envelope; (audio, envelope per frame)."""
    loudness = np.convolve(rng.random(n_frames), np.hanning(5) / np.hanning(5).sum(), "same")
    audio = np.repeat(loudness, RATE // FPS) * rng.choice([-1.0, 1.0], n_frames * RATE // FPS)
    return audio, loudness


def test_envelope_is_the_rms_per_frame():
    audio = np.concatenate([np.full(64, 0.5), np.full(64, -0.25)])
    assert speech_envelope(audio, RATE, 3) == pytest.approx([0.5, 0.25, 0.0])


@pytest.mark.parametrize("lag_frames", [-2, -1, 0, 1, 2])
def test_a_mouth_following_the_speech_with_a_lag_gives_that_lag(lag_frames, rng):
    audio, loudness = _speech(120, rng)
    mouth = np.roll(loudness, lag_frames)  # positive: the mouth moves after the sound
    r, lag_ms = sync_measure(mouth, speech_envelope(audio, RATE, 120))
    assert lag_ms == lag_frames * 1000 // FPS
    assert r > 0.95


def test_a_mouth_unrelated_to_the_speech_correlates_little(rng):
    audio, _ = _speech(200, rng)
    r, _ = sync_measure(rng.random(200), speech_envelope(audio, RATE, 200))
    assert abs(r) < 0.3


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_a_face_at_an_emotions_pose_is_nearest_that_emotion(emotion):
    track = np.tile(pose_from(EXPRESSIONS[emotion]), (10, 1))
    distances = expression_distances(track)
    assert distances[emotion] == pytest.approx(0.0)
    assert min(distances, key=distances.get) == emotion


def test_clarity_falls_as_the_expression_weakens(rng):
    audio, _ = _speech(30, rng)
    expression = pose_from(EXPRESSIONS["joy"]) - rest_pose()
    clarity = [clip_measures(np.tile(rest_pose() + s * expression, (30, 1)), audio, RATE)
               for s in (1.0, 0.8, 0.6)]
    assert [m["expression_nearest"] for m in clarity] == ["joy"] * 3
    values = [m["expression_clarity"] for m in clarity]
    assert values[0] > values[1] > values[2] > 0


def test_jitter_of_a_smooth_track_is_below_that_of_a_trembling_one(rng):
    t = np.arange(100)[:, None] / FPS
    smooth = np.tile(rest_pose(), (100, 1)) + 0.3 * np.sin(2 * np.pi * 0.5 * t)
    trembling = smooth + rng.normal(0, 0.02, smooth.shape)
    ramp = np.tile(rest_pose(), (100, 1)) + np.linspace(0, 1, 100)[:, None]
    assert jitter(ramp) == pytest.approx(0.0, abs=1e-9)
    assert jitter(smooth) < 0.01 < jitter(trembling)


def test_measures_hold_every_key_and_refuse_a_track_of_other_controls(rng):
    audio, loudness = _speech(50, rng)
    track = np.tile(rest_pose(), (50, 1))
    track[:, INDEX["jawOpen"]] = loudness
    measures = clip_measures(track, audio, RATE)
    assert set(measures) == {"sync_r", "sync_lag_ms", "expression_distance",
                             "expression_nearest", "expression_clarity", "jitter"}
    assert list(measures["expression_distance"]) == list(EMOTIONS)
    assert measures["sync_r"] > 0.95 and measures["sync_lag_ms"] == 0
    with pytest.raises(ValueError, match=f"frames, {len(CONTROLS)}"):
        clip_measures(track[:, :5], audio, RATE)
