"""An audio-only emotion classifier: does the synthetic speech carry its emotion?

The paper's voice actors deliver each emotion (section 3.1 follows MEAD and
RAVDESS), so the audio alone tells much of it; ETAD's "w/o Emo Encoder"
ablation (Table 3) relies on that. This module measures it for the synthetic
dataset with the cues the speech-emotion literature names (Banse & Scherer
1996; Juslin & Laukka 2003, Table 7; Scherer 2003): per utterance,

- loudness: mean, spread and 95th percentile of the frame level (dB) over speech;
- pitch: median F0 (semitones re 100 Hz), its range (10th-90th percentile) and
  spread, from a normalised autocorrelation per 40 ms frame;
- voice quality and spectrum: periodicity (the autocorrelation peak of voiced
  frames, low for breathy or irregular voice), the energy above 1 kHz against
  below it (dB; high in tense, "pressed" voice, low in lax voice), the spectral
  centroid;
- timing: syllable-like energy peaks per second of speech, the fraction of
  pauses within the speech, the speech's length (log seconds).

The classifier is the nearest class mean after two normalisations fitted on
the training fold only: each feature centred per speaker (every character's
voice has its own pitch and timbre, as any speaker-independent study does) and
scaled by its pooled within-class sd. ``leave_one_sentence_out`` tests every
sentence with a classifier that never heard it in any emotion or voice.
"""

from __future__ import annotations

import numpy as np

SR = 16000
FRAME, HOP = 640, 160          # 40 ms frames every 10 ms
F0_MIN, F0_MAX = 60.0, 500.0   # Hz
SPEECH_DB = 35.0               # frames within this of the loudest frame are speech
VOICED = 0.5                   # autocorrelation peak above which a frame is voiced
FEATURES = ("level_mean_db", "level_sd_db", "level_p95_db", "f0_median_st", "f0_range_st",
            "f0_sd_st", "periodicity", "hf_ratio_db", "centroid_hz", "syllable_rate",
            "pause_fraction", "log_duration_s")


def _frames(audio: np.ndarray) -> np.ndarray:
    n = 1 + max(0, len(audio) - FRAME) // HOP
    index = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    return np.asarray(audio, np.float64)[index]


def _pitch(frames: np.ndarray, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """(F0 in Hz, autocorrelation peak in [0, 1]) of every frame."""
    n, lo, hi = frames.shape[1], int(sr / F0_MAX), int(sr / F0_MIN)
    window = np.hanning(n)
    x = (frames - frames.mean(1, keepdims=True)) * window
    ac = np.fft.irfft(np.abs(np.fft.rfft(x, 2 * n)) ** 2)[:, :hi + 1]
    window_ac = np.correlate(window, window, "full")[n - 1:n + hi]  # the window's own decay
    ac = ac / np.maximum(ac[:, :1], 1e-12) / (window_ac / window_ac[0])
    # The shortest lag whose peak comes within 10 % of the highest: a periodic signal peaks
    # at every multiple of its period, and the window correction can favour a later one.
    band = ac[:, lo:hi + 1]
    is_peak = np.zeros_like(band, dtype=bool)
    is_peak[:, 1:-1] = (band[:, 1:-1] >= band[:, :-2]) & (band[:, 1:-1] >= band[:, 2:])
    best = np.where(is_peak, band, -np.inf).max(1, keepdims=True)
    lag = lo + np.argmax(is_peak & (band >= 0.9 * best), axis=1)
    return sr / lag, ac[np.arange(len(ac)), lag]


def utterance_features(audio: np.ndarray, sr: int = SR) -> np.ndarray:
    """(len(FEATURES),) the utterance's acoustic profile (see the module docstring)."""
    frames = _frames(audio)
    level = 10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-10)
    speech = level > level.max() - SPEECH_DB
    first, last = np.flatnonzero(speech)[[0, -1]]
    f0, peak = _pitch(frames, sr)
    voiced = speech & (peak > VOICED)
    semitones = 12 * np.log2(f0[voiced] / 100.0) if voiced.any() else np.zeros(1)
    power = np.abs(np.fft.rfft(frames[speech] * np.hanning(FRAME), axis=1)) ** 2
    freqs = np.fft.rfftfreq(FRAME, 1 / sr)
    high, low = power[:, freqs >= 1000].sum(), power[:, freqs < 1000].sum()
    centroid = float((power.sum(0) * freqs).sum() / power.sum())
    envelope = np.convolve(np.where(speech, level, level.max() - SPEECH_DB), np.hanning(7) / 3,
                           mode="same")
    peaks = ((envelope[1:-1] > envelope[:-2]) & (envelope[1:-1] >= envelope[2:])
             & speech[1:-1] & (envelope[1:-1] > level.max() - 20))
    span_s = (last - first + 1) * HOP / sr
    return np.array([
        level[speech].mean(), level[speech].std(), np.percentile(level[speech], 95),
        np.median(semitones), np.subtract(*np.percentile(semitones, [90, 10])), semitones.std(),
        peak[voiced].mean() if voiced.any() else 0.0, 10 * np.log10(high / max(low, 1e-12)),
        centroid, peaks.sum() / span_s, 1 - speech[first:last + 1].mean(), np.log(span_s)])


def speaker_centred(x: np.ndarray, speakers: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Each row minus the mean of its speaker's rows among ``fit`` (a boolean mask)."""
    out = x.copy()
    for speaker in np.unique(speakers):
        rows = speakers == speaker
        out[rows] -= x[rows & fit].mean(0)
    return out


def nearest_mean_fit(x: np.ndarray, labels: np.ndarray, n_classes: int):
    """(class means, per-feature scale): the pooled within-class sd of each feature."""
    means = np.stack([x[labels == k].mean(0) for k in range(n_classes)])
    scale = np.sqrt(np.mean((x - means[labels]) ** 2, axis=0)) + 1e-9
    return means, scale


def nearest_mean_predict(x: np.ndarray, model) -> np.ndarray:
    means, scale = model
    distance = (((x[:, None, :] - means[None]) / scale) ** 2).sum(-1)
    return distance.argmin(1)


def leave_one_sentence_out(x: np.ndarray, labels: np.ndarray, sentences: np.ndarray,
                           speakers: np.ndarray, n_classes: int) -> np.ndarray:
    """Predicted class of every utterance by a classifier fitted without its sentence."""
    predicted = np.empty(len(x), dtype=int)
    for sentence in np.unique(sentences):
        test = sentences == sentence
        centred = speaker_centred(x, speakers, ~test)
        model = nearest_mean_fit(centred[~test], labels[~test], n_classes)
        predicted[test] = nearest_mean_predict(centred[test], model)
    return predicted


def per_class_accuracy(predicted: np.ndarray, labels: np.ndarray, names) -> dict[str, float]:
    """Accuracy within each class (its recall), and ``all`` over every utterance."""
    out = {name: float(np.mean(predicted[labels == k] == k)) for k, name in enumerate(names)
           if np.any(labels == k)}
    out["all"] = float(np.mean(predicted == labels))
    return out


def dataset_audio_emotion(root, characters=None) -> dict[str, float]:
    """Per-emotion accuracy of the leave-one-sentence-out classifier on a built dataset
    (every complete item of ``characters``, default all built ones)."""
    import json
    from pathlib import Path

    from generator.common.fileio import audio_read
    from generator.rig.controls import EMOTIONS

    rows, labels, sentences, speakers = [], [], [], []
    for meta_path in sorted(Path(root, "items").glob("*/*.json")):
        if characters and meta_path.parent.name not in characters:
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        rows.append(utterance_features(audio_read(meta_path.with_suffix(".wav"), SR)))
        labels.append(EMOTIONS.index(meta["emotion"]))
        sentences.append(meta["sentence"])
        speakers.append(meta_path.parent.name)
    x, y = np.array(rows), np.array(labels)
    predicted = leave_one_sentence_out(x, y, np.array(sentences), np.array(speakers),
                                       len(EMOTIONS))
    return per_class_accuracy(predicted, y, EMOTIONS)
