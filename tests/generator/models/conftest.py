"""A tiny synthetic dataset in the layout of ``dataset build`` and a tiny HuBERT pretrained on it."""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest

from generator.common.fileio import json_write, track_write, wav_write
from generator.models.hubert import PretrainConfig, hubert_pretrain
from generator.rig.controls import CONTROLS, INDEX, rest_pose


def speechlike(seconds: float, seed: int) -> np.ndarray:
    """Voiced bursts (a pitch glide gated at 3 Hz) with a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * 16000)) / 16000
    f0 = 120 + 40 * np.sin(2 * np.pi * 1.5 * t)
    gate = np.sin(2 * np.pi * 3 * t + seed) > 0
    return (0.3 * np.sin(2 * np.pi * np.cumsum(f0) / 16000) * gate
            + 0.01 * rng.normal(size=t.size)).astype(np.float32)


def _item(root, slug, key, seed, seconds=1.6):
    audio = speechlike(seconds, seed)
    n = int(seconds * 25)
    track = np.tile(rest_pose(), (n, 1))
    energy = np.abs(audio[: n * 640].reshape(n, 640)).mean(1)
    track[:, INDEX["jawOpen"]] = np.clip(energy * 4, 0, 1)
    emotion = key.split("-")[0]
    if emotion == "joy":
        track[:, INDEX["mouthSmileLeft"]] = track[:, INDEX["mouthSmileRight"]] = 0.8
    base = root / "items" / slug / key
    wav_write(base.with_suffix(".wav"), audio, 16000)
    track_write(base.with_suffix(".canonical.csv"), CONTROLS, track)
    # the audio-aligned twin: the GT's mouth one frame later (the artist led by a frame)
    track_write(base.with_suffix(".aligned.csv"), CONTROLS, np.roll(track, 1, axis=0))
    json_write(base.with_suffix(".json"), {"id": f"{slug}-{key}", "emotion": emotion,
                                           "inputs_sha": f"sha-{slug}-{key}-{seed}"})


@pytest.fixture(scope="session")
def tiny_dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset")
    train, test = [], []
    for slug in ("mery", "human"):
        for k, key in enumerate(("joy-common-1", "neutral-common-1", "joy-common-2",
                                 "neutral-common-2")):
            _item(root, slug, key, seed=k)
            (test if k == 3 else train).append(f"{slug}-{key}")
    (root / "split.json").write_text(json.dumps({"train": train, "test": test}))
    return root


TINY_PRETRAIN = dict(steps=3, batch=2, crop_s=0.5, clusters=4)
TINY_ETAD = dict(mouth_channels=16, mouth_hidden=8, audio_dim=16, emotion_dim=8)
TINY_ETAD_TRAIN = dict(crop=16, batch=2, steps=2)


@pytest.fixture(scope="session")
def tiny_hubert(tmp_path_factory):
    out = tmp_path_factory.mktemp("hubert")
    cfg = PretrainConfig(**TINY_PRETRAIN)
    return hubert_pretrain([speechlike(1.2, s) for s in range(3)], out, cfg, progress=False)


@pytest.fixture
def tiny_defaults(monkeypatch):
    """The default HuBERT pretraining and ETAD configs, shrunk to seconds, for the
    commands and ``Methods`` that train what is missing with the defaults."""
    from generator.models import etad, etad_train, hubert

    monkeypatch.setattr(hubert, "PretrainConfig", partial(PretrainConfig, **TINY_PRETRAIN))
    monkeypatch.setattr(etad, "ETADConfig", partial(etad.ETADConfig, **TINY_ETAD))
    monkeypatch.setattr(etad_train, "TrainConfig",
                        partial(etad_train.TrainConfig, **TINY_ETAD_TRAIN))


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    """The models' ops are small: on a shared 2-core machine one thread is much faster."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
