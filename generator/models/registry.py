"""The trained methods behind one interface: speech + emotion -> the primary's face track.

``Methods`` finds each trained model under ``runs/`` (the folders the ``train``
commands write by default), trains what is missing first when asked to (with
progress, then cached), and adapts the primary character's result to any
other character with the adaptation MLPs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from generator.common.errors import InputError
from generator.models.data import AUDIO_RATE, emotion_index, face_to_track
from generator.rig.character import primary_character
from generator.rig.controls import FPS

# Table 3's ETAD variants: (changes to ETADConfig, changes to its LossConfig).
ETAD_VARIANTS = {"etad": ({}, {}), "etad-no-softdtw": ({}, {"use_softdtw": False}),
                 "etad-no-emotion": ({"use_emotion": False}, {})}
MIN_AUDIO_S = 0.2
SILENCE_PEAK = 1e-3


def audio_check(audio: np.ndarray, where: str) -> None:
    """Refuse audio a method cannot animate, with a sentence that says why."""
    if len(audio) < MIN_AUDIO_S * AUDIO_RATE:
        raise InputError(f"{where}: the audio lasts {len(audio) / AUDIO_RATE:.2f} s; at least "
                         f"{MIN_AUDIO_S} s is needed to animate")
    if np.abs(audio).max() < SILENCE_PEAK:
        raise InputError(f"{where}: the audio is silent (peak below {SILENCE_PEAK}); there is "
                         "no speech to animate")


class Methods:
    """The trained models under ``runs``; ``seed`` is what a missing one is trained with
    (``evaluate --table3 --seeds`` keeps one ``runs/seed-S`` folder per seed) and ``hubert``
    the HuBERT ETAD uses (default ``runs/hubert``; the seeds share the parent's)."""

    def __init__(self, runs: Path = Path("runs"), data: Path = Path("build/dataset"), *,
                 train_missing: bool = False, seed: int = 0, hubert: Path | None = None) -> None:
        self.runs, self.data, self.train_missing = Path(runs), Path(data), train_missing
        self.seed = seed
        self.hubert = Path(hubert) if hubert is not None else self.runs / "hubert"
        self._cache: dict = {}

    def _ensure(self, path: Path, what: str, train) -> Path:
        if not path.is_file():
            if not self.train_missing:
                raise InputError(f"{path}: no trained {what}; run `python -m generator train "
                                 f"{what.split()[0].lower()}` first")
            print(f"{path} is missing: training {what} first")
            train()
        return path

    def etad(self, variant: str = "etad"):
        if variant not in self._cache:
            from generator.models.etad import ETADConfig, LossConfig
            from generator.models.etad_train import TrainConfig, etad_load, etad_train

            out = self.runs / variant

            def train():
                from generator.models.hubert import hubert_ensure

                hubert = hubert_ensure(self.hubert, self.data)
                net, loss = ETAD_VARIANTS[variant]
                etad_train(data=self.data, out=out, hubert=hubert, model_cfg=ETADConfig(**net),
                           train_cfg=TrainConfig(seed=self.seed, loss=LossConfig(**loss)))

            self._cache[variant] = etad_load(self._ensure(out / "etad.pt", f"ETAD ({variant})",
                                                          train))
        return self._cache[variant]

    def evp(self):
        if "evp" not in self._cache:
            from generator.models.evp import EVPBaseline, EVPConfig, evp_train

            path = self._ensure(self.runs / "evp" / "evp.pt", "EVP baseline",
                                lambda: evp_train(data=self.data, out=self.runs / "evp",
                                                  cfg=EVPConfig(seed=self.seed)))
            self._cache["evp"] = EVPBaseline(path)
        return self._cache["evp"]

    def adapter(self):
        if "adapt" not in self._cache:
            from generator.models.adapt import AdaptConfig, Adapter, adapt_train

            path = self._ensure(self.runs / "adapt" / "adapt.pt", "adapt MLPs",
                                lambda: adapt_train(out=self.runs / "adapt", cfg=AdaptConfig()))
            self._cache["adapt"] = Adapter(path)
        return self._cache["adapt"]

    def primary_face(self, method: str, audio: np.ndarray, emotion: str,
                     n_frames: int | None = None) -> np.ndarray:
        """(T, 43) face controls of the primary character for speech ``audio`` (AUDIO_RATE)."""
        from generator.models.etad import etad_predict
        from generator.models.etad_train import clip_features
        from generator.models.mfcc import mfcc_windows

        index = emotion_index(emotion)
        if method == "evp":
            n = n_frames or int(np.ceil(len(audio) * FPS / AUDIO_RATE))
            return self.evp().predict(mfcc_windows(audio, n), emotion)
        if method not in ETAD_VARIANTS:
            raise InputError(f"unknown method {method!r} (known: etad, evp)")
        model, handle = self.etad(method)
        hubert, windows = clip_features(handle, audio, n_frames)
        return etad_predict(model, hubert, windows, index)

    def character_rig(self, method: str, audio: np.ndarray, emotion: str, character,
                      n_frames: int | None = None) -> np.ndarray:
        """(T, K) the character's own rig values: the primary's prediction, adapted."""
        primary = primary_character()
        track = face_to_track(self.primary_face(method, audio, emotion, n_frames))
        values = primary.rig.from_canonical(track)
        return values if character.primary else self.adapter().adapt(values, character.name)
