"""``evaluate``: Table 3 (section 5.2) and objective proxies for the study's ratings.

F-RPD and M-RPD (facial / mouth rig parameter distance) of a method on a set of
clips, with prediction ``p_t`` and ground truth ``y_t`` (controls in [0, 1]) at
every frame ``t`` of every clip:

    RPD = mean over all frames of || p_t - y_t ||_2 / sqrt(D)

over the D = 43 face controls (F-RPD; head pose excluded) or the D = 19 mouth
controls (M-RPD). Dividing by sqrt(D) makes it the root-mean-square error per
control of a frame, comparable between the two sets of controls.

The GT is keyed with an artist's timing (``rig/timing.py``); each method is also
scored against the audio-aligned twin of the GT (``aligned``), which is what a
loss that tolerates misaligned timing (Soft-DTW, 4.3) is meant to recover.
"""

from __future__ import annotations

import numpy as np

from generator.models.data import AUDIO_RATE, MOUTH_IN_FACE
from generator.rig.controls import FPS


def rpd(preds: list[np.ndarray], truths: list[np.ndarray]) -> dict[str, float]:
    """F-RPD and M-RPD of (T, 43) face tracks, pooled over every frame of every clip."""
    p, y = np.concatenate(preds), np.concatenate(truths)
    if p.shape != y.shape:
        raise ValueError(f"prediction {p.shape} and ground truth {y.shape} differ in shape")
    face = np.linalg.norm(p - y, axis=1) / np.sqrt(p.shape[1])
    mouth = np.linalg.norm(p[:, MOUTH_IN_FACE] - y[:, MOUTH_IN_FACE], axis=1) / np.sqrt(
        len(MOUTH_IN_FACE))
    return {"F-RPD": float(face.mean()), "M-RPD": float(mouth.mean())}


PAPER_TABLE3 = {"EVP": {"F-RPD": 0.179, "M-RPD": 0.094},
                "w/o Soft-DTW": {"F-RPD": 0.057, "M-RPD": 0.029},
                "w/o Emo Encoder": {"F-RPD": 0.089, "M-RPD": 0.037},
                "Ours": {"F-RPD": 0.014, "M-RPD": 0.005}}
MAX_LAG = 6  # frames (240 ms) either way for the lip-sync offset search


def audio_energy(audio: np.ndarray, n_frames: int, fps: int = FPS, sr: int = AUDIO_RATE) -> np.ndarray:
    """(T,) log RMS energy of the audio in a 40 ms window centred on each video frame."""
    centres = ((np.arange(n_frames) + 0.5) * sr / fps).astype(int)
    half = sr // fps // 2
    padded = np.pad(audio, (half, half + sr // fps))
    rms = np.array([np.sqrt(np.mean(padded[c:c + 2 * half] ** 2)) for c in centres])
    return np.log(rms + 1e-4)


def mouth_opening(face: np.ndarray, look) -> np.ndarray:
    """(T,) the drawn gap between the lips (512 units) of a (T, 43) face track."""
    from generator.models.data import face_to_track
    from generator.models.landmarks import LOWER_INNER, UPPER_INNER, landmarks

    points = landmarks(look, face_to_track(face))
    return points[:, LOWER_INNER, 1] - points[:, UPPER_INNER, 1]


def lip_sync(energies: list[np.ndarray], openings: list[np.ndarray]) -> dict[str, float]:
    """Pearson r of audio energy and mouth opening at every lag in +-MAX_LAG frames, pooled over
    clips; ``offset`` is the lag of the best r (positive: the mouth moves after the sound)."""
    scores = {}
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        a, m = [], []
        for e, o in zip(energies, openings, strict=True):
            if lag >= 0:
                a.append(e[:len(e) - lag])
                m.append(o[lag:])
            else:
                a.append(e[-lag:])
                m.append(o[:len(o) + lag])
        a, m = np.concatenate(a), np.concatenate(m)
        scores[lag] = _pearson(a, m)
    best = max(scores, key=scores.get)
    return {"r_at_0": round(scores[0], 4), "best_offset_frames": best,
            "r_at_best": round(scores[best], 4)}


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson r, 0.0 where either side (nearly) does not vary: a mouth that stays still
    (an untrained model's) follows no sound, rather than making the score undefined."""
    if a.std() <= 1e-9 or b.std() <= 1e-9:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = float(np.corrcoef(a, b)[0, 1])
    return r if np.isfinite(r) else 0.0


class ExpressionClassifier:
    """Softmax regression on single GT frames (face controls -> emotion); a clip is labelled
    by the sum of its frames' log-probabilities. Trained on GT rigs only."""

    def __init__(self, faces: list[np.ndarray], emotions: list[int], seed: int = 0) -> None:
        import torch

        x = torch.from_numpy(np.concatenate(faces)).float()
        y = torch.cat([torch.full((len(f),), e) for f, e in zip(faces, emotions, strict=True)])
        torch.manual_seed(seed)
        self.linear = torch.nn.Linear(x.shape[1], 7)
        optimizer = torch.optim.Adam(self.linear.parameters(), lr=0.05, weight_decay=1e-4)
        for _ in range(300):
            loss = torch.nn.functional.cross_entropy(self.linear(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    def predict(self, face: np.ndarray) -> int:
        import torch

        with torch.no_grad():
            logp = torch.log_softmax(self.linear(torch.from_numpy(face).float()), dim=-1)
        return int(logp.sum(0).argmax())


def table3_run(methods, data, *, seed: int = 0) -> dict:
    """Every number of ``evaluate --table3`` on the primary character's held-out 25 %."""
    from tqdm import tqdm

    from generator.models.data import (
        FACE,
        emotion_index,
        item_aligned_track,
        item_audio,
        item_track,
        split_items,
    )
    from generator.rig.character import primary_character

    primary = primary_character()
    test, train = split_items(data, primary.slug, "test"), split_items(data, primary.slug, "train")
    rows = {"EVP": "evp", "w/o Soft-DTW": "etad-no-softdtw", "w/o Emo Encoder": "etad-no-emotion",
            "Ours": "etad"}
    truths, audios, emotions, aligned = [], [], [], []
    for item in test:
        truths.append(item_track(item)[:, FACE])
        audios.append(item_audio(item))
        emotions.append(item.emotion)
        aligned.append(item_aligned_track(item))
    aligned = None if any(a is None for a in aligned) else [a[:, FACE] for a in aligned]
    classifier = ExpressionClassifier([item_track(i)[:, FACE] for i in train],
                                      [emotion_index(i.emotion) for i in train], seed)
    energies = [audio_energy(a, len(t)) for a, t in zip(audios, truths, strict=True)]
    results = {"GT": {"lip_sync": lip_sync(energies, [mouth_opening(t, primary.look) for t in truths]),
                      "recognition_accuracy": float(np.mean(
                          [classifier.predict(t) == emotion_index(e)
                           for t, e in zip(truths, emotions, strict=True)]))}}
    if aligned is not None:  # the GT itself against the audio: how far the artist strayed
        results["aligned"] = {"GT": {**rpd(truths, aligned), "lip_sync": lip_sync(
            energies, [mouth_opening(t, primary.look) for t in aligned])}}
    for row, method in tqdm(rows.items(), desc="evaluate", dynamic_ncols=True):
        preds = [methods.primary_face(method, a, e, len(t))
                 for a, e, t in zip(audios, emotions, truths, strict=True)]
        if aligned is not None:
            results["aligned"][row] = rpd(preds, aligned)
        results[row] = {
            **rpd(preds, truths),
            "lip_sync": lip_sync(energies, [mouth_opening(p, primary.look) for p in preds]),
            "recognition_accuracy": float(np.mean([classifier.predict(p) == emotion_index(e)
                                                   for p, e in zip(preds, emotions, strict=True)])),
        }
    results["clips"] = len(test)
    results["frames"] = int(sum(len(t) for t in truths))
    return results


def table3_print(results: dict) -> str:
    """Table 3 beside the paper's numbers, then the proxies."""
    rows = ["EVP", "w/o Soft-DTW", "w/o Emo Encoder", "Ours"]
    lines = [f"Table 3 on the primary character's held-out 25 % ({results['clips']} clips, "
             f"{results['frames']} frames); paper's value in brackets",
             f"{'Metric/Method':<16}" + "".join(f"{r:>22}" for r in rows)]
    for metric in ("F-RPD", "M-RPD"):
        lines.append(f"{metric:<16}" + "".join(
            f"{results[r][metric]:>13.4f} ({PAPER_TABLE3[r][metric]:.3f})" for r in rows))
    lines += ["", "Objective proxies (GT first): lip sync = Pearson r of audio log-energy and "
                  "lip gap (best lag, frames); recognition = accuracy of a classifier trained "
                  "on GT rigs"]
    for r in ["GT", *rows]:
        sync = results[r]["lip_sync"]
        lines.append(f"  {r:<16} r(0) {sync['r_at_0']:+.3f}   best r {sync['r_at_best']:+.3f} at "
                     f"{sync['best_offset_frames']:+d}   recognition "
                     f"{results[r]['recognition_accuracy']:.3f}")
    if "aligned" in results:
        lines += ["", "Against the audio-aligned track (the GT without the artist's timing; "
                      f"the GT itself: F-RPD {results['aligned']['GT']['F-RPD']:.4f}, M-RPD "
                      f"{results['aligned']['GT']['M-RPD']:.4f})"]
        for metric in ("F-RPD", "M-RPD"):
            lines.append(f"{metric:<16}" + "".join(
                f"{results['aligned'][r][metric]:>22.4f}" for r in rows))
    return "\n".join(lines)
