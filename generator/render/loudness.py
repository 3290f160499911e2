"""Loudness of a clip's audio (EBU R128 / ITU-R BS.1770) and its normalisation.

Imported clips (``stimuli import``) are brought to one integrated loudness so
that no condition of a study is louder than another: a gain to the target,
and where that gain would push the true peak over the ceiling, a smooth
true-peak limiter, repeated until the loudness is within 0.05 LU of the
target. Integrated loudness is pyloudnorm's BS.1770-4 meter; the true peak
is the sample peak of the signal oversampled four times (BS.1770-4, Annex 2).
Audio is float in [-1, 1], shaped (channels, samples).
"""

from __future__ import annotations

import numpy as np

TARGET_LUFS = -23.0  # EBU R128
TRUE_PEAK_DBTP = -1.0  # EBU R128's maximum true peak
#: The limiter aims this far under the ceiling: AAC's reconstruction adds overshoot.
PEAK_HEADROOM_DB = 0.5
#: A clip this close to the target is left as it is (EBU R128's tolerance).
TOLERANCE_LU = 0.5
#: BS.1770 integrates over 400 ms blocks: shorter audio has no integrated loudness.
MIN_SECONDS = 0.4
_LIMITER_WINDOW_S = 0.005  # gain changes spread over 5 ms either side of a peak


def integrated_lufs(audio: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS; ``-inf`` for silence (every block under -70 LUFS)."""
    import pyloudnorm

    audio = np.atleast_2d(audio)
    if audio.shape[-1] < MIN_SECONDS * rate:
        raise ValueError(f"audio shorter than {MIN_SECONDS} s has no integrated loudness")
    return float(pyloudnorm.Meter(rate).integrated_loudness(audio.T.astype(np.float64)))


def _oversampled_peaks(audio: np.ndarray) -> np.ndarray:
    """Per sample, the largest magnitude of any channel's 4x-oversampled signal around it."""
    from scipy.signal import resample_poly

    audio = np.atleast_2d(audio)
    over = np.abs(resample_poly(audio.astype(np.float64), 4, 1, axis=-1)).max(axis=0)
    return over[: audio.shape[-1] * 4].reshape(-1, 4).max(axis=1)


def true_peak_dbtp(audio: np.ndarray) -> float:
    """True peak in dBTP (4x oversampling, BS.1770-4 Annex 2); ``-inf`` for silence."""
    peak = float(_oversampled_peaks(audio).max(initial=0.0))
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def peak_limit(audio: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """``audio`` with its true peak at most ``ceiling_dbtp``, by a smooth gain.

    The gain each sample needs is spread with a running minimum and then a
    moving average over the same window; the average of minima over windows
    that all contain a sample is at most what that sample needs, so no peak
    is missed, and the gain changes over 10 ms instead of clicking.
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_dbtp / 20)
    need = np.minimum(1.0, ceiling / np.maximum(_oversampled_peaks(audio), 1e-12))
    if need.min() >= 1.0:
        return audio
    width = 2 * int(rate * _LIMITER_WINDOW_S) + 1
    gain = uniform_filter1d(minimum_filter1d(need, width, mode="nearest"), width, mode="nearest")
    return (audio * np.minimum(gain, need)).astype(np.float32)


def loudness_normalise(audio: np.ndarray, rate: int, target_lufs: float = TARGET_LUFS,
                       ceiling_dbtp: float = TRUE_PEAK_DBTP) -> np.ndarray:
    """``audio`` at ``target_lufs`` with its true peak under ``ceiling_dbtp`` less headroom.

    Silence (no measurable loudness) comes back unchanged. Limiting lowers the
    loudness a little, so gain and limiter are repeated until the loudness is
    within 0.05 LU of the target (a few rounds for speech).
    """
    before = integrated_lufs(audio, rate)
    if not np.isfinite(before):
        return audio
    gain_db, out = target_lufs - before, audio
    for _ in range(6):
        out = peak_limit(audio * np.float32(10 ** (gain_db / 20)), rate,
                         ceiling_dbtp - PEAK_HEADROOM_DB)
        error = target_lufs - integrated_lufs(out, rate)
        if abs(error) < 0.05:
            break
        gain_db += error
    return out.astype(np.float32)
