"""MFCC in plain torch (no torchaudio here, docs/models.md) and ETAD's 28 x 12 windows.

Definition (the usual one; ``tests/generator_models/test_mfcc.py`` recomputes
it with numpy and scipy frame by frame):

1. frames of ``WIN`` = 400 samples (25 ms at 16 kHz) every ``HOP`` = 160
   samples (10 ms, so 100 MFCC frames per second), frame ``k`` centred on
   sample ``k * HOP`` (the signal is zero-padded by ``N_FFT / 2`` on both sides),
   periodic Hann window, zero-padded to ``N_FFT`` = 512;
2. power spectrum ``|X|^2``;
3. ``N_MELS`` = 40 triangular filters, equally spaced on the HTK mel scale
   ``2595 log10(1 + f / 700)`` from 0 Hz to 8 kHz;
4. ``log(mel + 1e-6)``;
5. orthonormal DCT-II, keeping coefficients 0..11 (c0, the log energy, is kept:
   loudness carries emotion, paper 4.2 "rhythm and beat").

ETAD's audio encoder sees, for every 25 fps video frame, a one-second window
centred on the frame as 28 x 12 MFCC: the 28 rows are 28 equally spaced times
``c - 0.5 + (k + 0.5) / 28`` s (``k`` = 0..27) around the frame's centre ``c``,
each linearly interpolated from the 100 Hz MFCC sequence, i.e. one row per
35.7 ms. Before the MFCC is taken the audio is padded with half a second of
silence on both sides, so the first and last frames see silence, not a copy
of the edge.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from generator.models.data import AUDIO_RATE
from generator.rig.controls import FPS

WIN, HOP, N_FFT, N_MELS, N_MFCC = 400, 160, 512, 40, 12
MFCC_RATE = AUDIO_RATE // HOP  # 100 frames per second
WINDOW_ROWS, WINDOW_S = 28, 1.0


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT, sample_rate: int = AUDIO_RATE,
                   f_min: float = 0.0, f_max: float | None = None) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters, equally spaced in HTK mel."""
    f_max = sample_rate / 2 if f_max is None else f_max
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    bins = np.linspace(0, sample_rate / 2, n_fft // 2 + 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None] - lower) / (centre - lower)
    falling = (upper - bins[None]) / (upper - centre)
    return np.clip(np.minimum(rising, falling), 0.0, None)


def dct_matrix(n_in: int = N_MELS, n_out: int = N_MFCC) -> np.ndarray:
    """(n_out, n_in) orthonormal DCT-II rows (scipy.fft.dct(norm="ortho"))."""
    n = np.arange(n_in)
    k = np.arange(n_out)[:, None]
    basis = np.cos(math.pi / n_in * (n + 0.5) * k) * math.sqrt(2.0 / n_in)
    basis[0] /= math.sqrt(2.0)
    return basis


_FB = torch.from_numpy(mel_filterbank()).float()
_DCT = torch.from_numpy(dct_matrix()).float()
_HANN = torch.hann_window(WIN, periodic=True)


def mfcc(audio: np.ndarray | torch.Tensor) -> torch.Tensor:
    """(S,) mono audio at 16 kHz -> (1 + S // HOP, 12) MFCC at 100 Hz (float32)."""
    x = torch.as_tensor(np.asarray(audio, dtype=np.float32))
    if x.ndim != 1:
        raise ValueError(f"mfcc expects mono audio (S,), not shape {tuple(x.shape)}")
    window = torch.nn.functional.pad(_HANN, ((N_FFT - WIN) // 2, (N_FFT - WIN) // 2))
    spec = torch.stft(x, N_FFT, hop_length=HOP, win_length=N_FFT, window=window, center=True,
                      pad_mode="constant", return_complex=True)  # (257, F)
    power = spec.real ** 2 + spec.imag ** 2
    mel = _FB @ power  # (40, F)
    return (_DCT @ torch.log(mel + 1e-6)).T.contiguous()  # (F, 12)


def window_times(n_frames: int, fps: int = FPS) -> np.ndarray:
    """(T, 28) times in seconds of the rows of every video frame's window."""
    centres = (np.arange(n_frames) + 0.5) / fps
    offsets = -WINDOW_S / 2 + (np.arange(WINDOW_ROWS) + 0.5) * WINDOW_S / WINDOW_ROWS
    return centres[:, None] + offsets[None, :]


def mfcc_windows(audio: np.ndarray, n_frames: int, fps: int = FPS) -> torch.Tensor:
    """(S,) audio at 16 kHz -> (T, 28, 12) one-second MFCC windows, one per video frame."""
    pad = int(WINDOW_S / 2 * AUDIO_RATE)
    padded = np.concatenate([np.zeros(pad, np.float32), np.asarray(audio, np.float32),
                             np.zeros(pad + int(AUDIO_RATE / fps), np.float32)])
    features = mfcc(padded)  # (F, 12), frame k at time k / 100 - 0.5 s of the clip
    position = (window_times(n_frames, fps) + WINDOW_S / 2) * MFCC_RATE  # fractional frame
    position = np.clip(position, 0, len(features) - 1)
    left = np.floor(position).astype(np.int64)
    right = np.minimum(left + 1, len(features) - 1)
    weight = torch.from_numpy((position - left).astype(np.float32))[..., None]
    return features[left] * (1 - weight) + features[right] * weight
