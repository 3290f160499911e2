"""MFCC in torch against a direct numpy/scipy computation of the same definition."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft
import scipy.signal

from generator.models.data import AUDIO_RATE
from generator.models.mfcc import (
    HOP,
    N_FFT,
    N_MELS,
    N_MFCC,
    WIN,
    WINDOW_ROWS,
    dct_matrix,
    mel_filterbank,
    mfcc,
    mfcc_windows,
    window_times,
)


def _mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def _reference_filterbank() -> np.ndarray:
    """Triangles built filter by filter from their three corner frequencies."""
    mels = np.linspace(0, _mel(AUDIO_RATE / 2), N_MELS + 2)
    hz = 700.0 * (10 ** (mels / 2595.0) - 1)
    freqs = np.arange(N_FFT // 2 + 1) * AUDIO_RATE / N_FFT
    bank = np.zeros((N_MELS, len(freqs)))
    for m in range(N_MELS):
        lo, mid, hi = hz[m], hz[m + 1], hz[m + 2]
        for k, f in enumerate(freqs):
            if lo <= f <= mid:
                bank[m, k] = (f - lo) / (mid - lo)
            elif mid < f <= hi:
                bank[m, k] = (hi - f) / (hi - mid)
    return bank


def _reference_mfcc(audio: np.ndarray) -> np.ndarray:
    """Frame by frame: centred 25 ms Hann frames every 10 ms, |rfft|^2, mel, log, DCT."""
    window = scipy.signal.get_window("hann", WIN)  # periodic
    padded = np.concatenate([np.zeros(N_FFT), audio, np.zeros(N_FFT)])
    bank, rows = _reference_filterbank(), []
    for k in range(1 + len(audio) // HOP):
        start = N_FFT + k * HOP - WIN // 2
        spectrum = np.abs(np.fft.rfft(padded[start:start + WIN] * window, n=N_FFT)) ** 2
        rows.append(scipy.fft.dct(np.log(bank @ spectrum + 1e-6), norm="ortho")[:N_MFCC])
    return np.array(rows)


def test_filterbank_and_dct_match_their_definitions():
    assert np.allclose(mel_filterbank(), _reference_filterbank(), atol=1e-12)
    x = np.random.default_rng(0).normal(size=(5, N_MELS))
    assert np.allclose(x @ dct_matrix().T, scipy.fft.dct(x, norm="ortho")[:, :N_MFCC])


def test_mfcc_matches_numpy_reference():
    rng = np.random.default_rng(1)
    t = np.arange(int(0.37 * AUDIO_RATE)) / AUDIO_RATE
    audio = (0.3 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.normal(size=t.size)).astype(np.float32)
    ours = mfcc(audio).numpy()
    ref = _reference_mfcc(audio.astype(np.float64))
    assert ours.shape == ref.shape == (1 + len(audio) // HOP, N_MFCC)
    # float32 STFT against float64: relative to the coefficients' scale
    assert np.abs(ours - ref).max() < 2e-3 * np.abs(ref).max()


def test_windows_are_one_second_of_28_rows_centred_on_each_frame():
    times = window_times(3)
    assert times.shape == (3, WINDOW_ROWS)
    assert np.allclose(times.mean(axis=1), [0.02, 0.06, 0.10])
    assert np.isclose(times[0, -1] - times[0, 0], 27 / 28)


def test_windows_see_a_burst_only_while_it_is_within_half_a_second():
    audio = np.zeros(4 * AUDIO_RATE, np.float32)
    audio[2 * AUDIO_RATE:int(2.1 * AUDIO_RATE)] = 0.5 * np.sin(np.arange(1600) * 0.3)
    windows = mfcc_windows(audio, 100).numpy()  # (100, 28, 12)
    assert windows.shape == (100, 28, 12)
    energy = windows[:, :, 0]
    silent = energy.min()
    assert np.allclose(energy[:30], silent, atol=1e-3)       # frames before 1.2 s: no burst in window
    assert (energy[50] > silent + 1).any()                     # frame at 2.02 s sees it
    assert np.allclose(energy[70:], silent, atol=1e-3)         # frames after 2.8 s: gone again


def test_mfcc_rejects_stereo():
    with pytest.raises(ValueError, match="mono"):
        mfcc(np.zeros((2, 100), np.float32))
