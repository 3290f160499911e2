"""Voice quality of the synthetic speech: the part of an emotion espeak-ng cannot say.

espeak-ng sets rate, pitch level, pitch range and loudness (``synthesis.PROSODY``);
the speech-emotion literature also names voice quality (Juslin & Laukka 2003,
Table 7; Banse & Scherer 1996; Scherer 2003): much high-frequency energy in
anger (tense, "pressed" voice), little in sadness and fear (lax, breathy voice),
and microstructural irregularity in fear and sadness. Three effects applied to
the synthesized audio stand for those cues:

- spectral tilt: the band above ``TILT_HZ`` raised or lowered by ``tilt_db``
  against the band below (zero-phase, so no timing moves);
- breathiness: aspiration noise above ``BREATH_HZ`` following the speech's
  envelope, at ``breath`` times the speech's RMS;
- tremor: the pitch wobbles by +-``tremor`` (a fraction) at ``TREMOR_HZ``, by a
  time-varying delay of at most ``tremor / (2 pi TREMOR_HZ)`` seconds (under a
  millisecond: the phoneme timings stay exact).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

TILT_HZ, BREATH_HZ, TREMOR_HZ = 1000.0, 1500.0, 6.0  # chosen
PEAK = 0.97  # the result is scaled down, never clipped, if it would pass this


@dataclass(frozen=True)
class VoiceQuality:
    tilt_db: float = 0.0  # energy above TILT_HZ against below; + tense, - lax
    breath: float = 0.0   # aspiration noise, fraction of the speech's RMS
    tremor: float = 0.0   # F0 modulation depth, fraction (0.03 = +-3 %)


def voice_quality_apply(audio: np.ndarray, quality: VoiceQuality, sample_rate: int,
                        rng: np.random.Generator) -> np.ndarray:
    """The audio with the quality's tilt, breathiness and tremor (float32, peak <= PEAK)."""
    from scipy import signal

    x = np.asarray(audio, np.float64)
    if quality == VoiceQuality() or not len(x):
        return np.asarray(audio, np.float32)
    noise = rng.standard_normal(len(x))  # drawn first, whatever the quality, for reproducibility
    if quality.tremor:
        t = np.arange(len(x)) / sample_rate
        delay = quality.tremor / (2 * np.pi * TREMOR_HZ) * np.sin(2 * np.pi * TREMOR_HZ * t)
        x = np.interp(t - delay, t, x)
    if quality.tilt_db:
        low = signal.sosfiltfilt(signal.butter(2, TILT_HZ, fs=sample_rate, output="sos"), x)
        x = low + 10 ** (quality.tilt_db / 20) * (x - low)
    if quality.breath:
        envelope = np.convolve(np.abs(x), np.hanning(321) / 160.5, mode="same")
        hiss = signal.sosfiltfilt(signal.butter(2, BREATH_HZ, "highpass", fs=sample_rate,
                                                output="sos"), noise)
        hiss *= envelope / (np.sqrt(np.mean(hiss ** 2)) + 1e-12)
        x = x + quality.breath * hiss
    peak = np.abs(x).max()
    return (x * (PEAK / peak if peak > PEAK else 1.0)).astype(np.float32)
