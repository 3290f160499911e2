"""Loudness normalisation, checked with FFmpeg's ebur128 (not the meter under test)."""

from __future__ import annotations

import numpy as np
import pytest

from generator.render.loudness import (
    integrated_lufs,
    loudness_normalise,
    peak_limit,
    true_peak_dbtp,
)
from tests.generator.loudness_meter import ebur128_array

RATE = 48000


def _speechy(seconds: float, peak_db: float, clicks: bool = False, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * RATE)) / RATE
    sound = np.sin(2 * np.pi * 180 * t) * np.clip(np.sin(2 * np.pi * 3 * t), 0, 1)
    sound += 0.05 * rng.standard_normal(t.size)
    if clicks:  # a crest factor that a plain gain would push over the true-peak ceiling
        sound[::RATE // 5] = 8.0
    sound *= 10 ** (peak_db / 20) / np.abs(sound).max()
    return np.repeat(sound[None, :], channels, axis=0).astype(np.float32)


def test_meter_agrees_with_ffmpeg_on_a_tone():
    tone = (0.1 * np.sin(2 * np.pi * 1000 * np.arange(2 * RATE) / RATE)).astype(np.float32)
    ours, theirs = integrated_lufs(tone[None], RATE), ebur128_array(tone, RATE)[0]
    assert abs(ours - theirs) < 0.2 and abs(ours + 23.0) < 0.2  # 1 kHz at -20 dBFS ~ -23 LUFS


@pytest.mark.parametrize("peak_db, clicks, channels", [(-30.0, False, 1), (-2.0, False, 2),
                                                       (-40.0, True, 1)])
def test_normalised_to_the_target_under_the_ceiling(peak_db, clicks, channels):
    audio = _speechy(1.5, peak_db, clicks, channels)
    out = loudness_normalise(audio, RATE, -23.0, -1.0)
    lufs, peak = ebur128_array(out, RATE)
    assert abs(lufs + 23.0) <= 0.5
    assert peak <= -1.0
    assert out.shape == audio.shape


def test_limiter_only_lowers_and_spares_quiet_audio():
    quiet = _speechy(1.0, -20.0)
    assert peak_limit(quiet, RATE, -1.0) is quiet
    loud = _speechy(1.0, 0.0, clicks=True)
    limited = peak_limit(loud, RATE, -3.0)
    assert true_peak_dbtp(limited) <= -3.0 + 0.05
    assert np.all(np.abs(limited) <= np.abs(loud) + 1e-7)


def test_silence_is_left_as_it_is():
    silence = np.zeros((1, RATE), np.float32)
    assert integrated_lufs(silence, RATE) == float("-inf")
    assert loudness_normalise(silence, RATE) is silence
