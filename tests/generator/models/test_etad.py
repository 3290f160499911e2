"""ETAD: shapes of every component, Eq. 1 and Eq. 4, the loss, deterministic resumable training."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import generator.models.etad_train as train_module
from generator.common.errors import InputError
from generator.models.checkpoint import checkpoint_load, checkpoint_save
from generator.models.data import MOUTH_IN_FACE
from generator.models.etad import (
    ETAD,
    ETADConfig,
    LayerWeightedSum,
    LossConfig,
    etad_loss,
    etad_predict,
)
from generator.models.etad_train import TrainConfig, clip_features, etad_load, etad_train

TINY = dict(hubert_layers=4, hubert_dim=128, mouth_channels=16, mouth_hidden=8, audio_dim=16,
            emotion_dim=8)
TINY_TRAIN = dict(crop=16, batch=2, steps=4)


def _train(dataset, out, hubert, **kwargs):
    return etad_train(data=dataset, out=out, hubert=hubert, model_cfg=ETADConfig(**TINY),
                      train_cfg=TrainConfig(**TINY_TRAIN), progress=False, **kwargs)


def test_layer_weights_sum_to_one_and_mix_layers():
    layer_sum = LayerWeightedSum(3)
    h = torch.stack([torch.full((1, 4, 2), float(i)) for i in range(3)], dim=1)  # (1, 3, 4, 2)
    assert torch.allclose(layer_sum(h), torch.full((1, 4, 2), 1.0))  # equal weights: mean of 0,1,2
    assert torch.isclose(torch.softmax(layer_sum.logits, 0).sum(), torch.tensor(1.0))


def test_forward_shapes_and_fusion():
    cfg = ETADConfig(**TINY)
    model = ETAD(cfg)
    out = model(torch.randn(2, 4, 20, 128), torch.randn(2, 10, 28, 12), torch.tensor([0, 3]))
    assert out.shape == (2, 10, 43)  # 50 Hz HuBERT frames -> 25 fps
    y_m, y_e = torch.ones(1, 5, len(MOUTH_IN_FACE)), torch.zeros(1, 5, 43)
    fused = model.fuse(y_m, y_e)
    assert fused[..., MOUTH_IN_FACE].eq(1).all() and fused.sum() == 5 * len(MOUTH_IN_FACE)


def test_without_emotion_encoder_the_label_is_ignored():
    model = ETAD(ETADConfig(**TINY, use_emotion=False)).eval()  # eval: no dropout
    assert model.emotion_encoder is None
    h, w = torch.randn(1, 4, 12, 128), torch.randn(1, 6, 28, 12)
    assert torch.equal(model(h, w, torch.tensor([0])), model(h, w, torch.tensor([5])))


def test_loss_terms():
    cfg = LossConfig()
    y = torch.rand(2, 10, 43)
    exact = etad_loss(y, y, cfg)
    assert exact["l2"] == 0 and abs(exact["dtw"]) < 1e-3
    shifted = torch.roll(y, 1, dims=1)
    terms = etad_loss(shifted, y, cfg)
    assert terms["dtw"] < terms["l2"]  # a time shift costs DTW less than frame-wise L2
    assert torch.isclose(terms["total"], terms["l2"] + terms["dtw"] + cfg.continuity * terms["continuity"])
    # the ablation replaces the DTW term by MSE (paper 5.2): same weight on the GT, no warping
    ablation = etad_loss(shifted, y, LossConfig(use_softdtw=False))
    assert "dtw" not in ablation
    mouth_mse = ((shifted - y)[..., MOUTH_IN_FACE] ** 2).mean()
    assert torch.isclose(ablation["total"], terms["l2"] + mouth_mse + cfg.continuity * terms["continuity"])


def test_soft_dtw_sees_only_the_mouth():
    # Blinks, gaze and brows are not timed by the audio: shifting them changes L2, not DTW.
    cfg = LossConfig()
    y = torch.rand(1, 12, 43)
    moved = y.clone()
    others = [c for c in range(43) if c not in MOUTH_IN_FACE]
    moved[..., others] = torch.roll(y[..., others], 3, dims=1)
    exact, terms = etad_loss(y, y, cfg), etad_loss(moved, y, cfg)
    assert terms["l2"] > 0.01
    assert torch.isclose(terms["dtw"], exact["dtw"])


def test_training_is_deterministic_and_resumes_exactly(tiny_dataset, tiny_hubert, tmp_path,
                                                       monkeypatch):
    monkeypatch.setattr(train_module, "CHECKPOINT_EVERY", 2)
    _train(tiny_dataset, tmp_path / "a", tiny_hubert)
    original = train_module._batch
    calls = {"n": 0}

    def interrupted(features, c, step):
        calls["n"] += 1
        if step == 3 and calls["n"] < 10:
            raise KeyboardInterrupt
        return original(features, c, step)

    monkeypatch.setattr(train_module, "_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _train(tiny_dataset, tmp_path / "b", tiny_hubert)
    calls["n"] = 10
    _train(tiny_dataset, tmp_path / "b", tiny_hubert)
    a = checkpoint_load(tmp_path / "a" / "etad.pt", "etad", retrain="")["model"]
    b = checkpoint_load(tmp_path / "b" / "etad.pt", "etad", retrain="")["model"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    metrics = json.loads((tmp_path / "a" / "metrics.json").read_text())
    assert set(metrics["test"]) == {"F-RPD", "M-RPD"}

    model, handle = etad_load(tmp_path / "a" / "etad.pt")
    audio = np.zeros(16000, np.float32)
    audio[4000:8000] = 0.3
    h, w = clip_features(handle, audio)
    face = etad_predict(model, h, w, 3)
    assert face.shape == (25, 43) and face.min() >= 0 and face.max() <= 1


def test_missing_or_corrupt_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no trained ETAD"):
        etad_load(tmp_path / "etad.pt")
    (tmp_path / "etad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(InputError, match="not a readable checkpoint"):
        etad_load(tmp_path / "etad.pt")
    checkpoint_save(tmp_path / "evp.pt", "evp", {"model": {}})
    with pytest.raises(InputError, match="a 'evp' checkpoint, not 'etad'; run `python -m "
                                         "generator train etad --out "):
        etad_load(tmp_path / "evp.pt")


def test_training_leaves_its_configs_alone_and_records_both(tiny_dataset, tiny_hubert, tmp_path):
    """nanoGPT's way: the network's config and the training's, apart; the HuBERT's sizes
    go into the checkpoint's copy, not into the caller's config."""
    model_cfg = ETADConfig(**{**TINY, "hubert_layers": 99, "hubert_dim": 7})
    train_cfg = TrainConfig(**TINY_TRAIN, loss=LossConfig(use_softdtw=False))
    etad_train(data=tiny_dataset, out=tmp_path, hubert=tiny_hubert, model_cfg=model_cfg,
               train_cfg=train_cfg, progress=False)
    assert model_cfg.hubert_layers == 99 and model_cfg.hubert_dim == 7
    state = checkpoint_load(tmp_path / "etad.pt", "etad", retrain="")
    assert (state["model_config"]["hubert_layers"], state["model_config"]["hubert_dim"]) == (4, 128)
    assert state["train_config"]["steps"] == 4 and state["train_config"]["loss"]["use_softdtw"] is False
    assert "steps" not in state["model_config"] and "dropout" not in state["train_config"]


def test_etad_loads_with_a_copied_hubert_and_refuses_a_changed_one(tiny_dataset, tiny_hubert,
                                                                     tmp_path, capsys):
    """The HuBERT check compares weights, not files: a copy made elsewhere (new
    modification times) is the same HuBERT, one changed weight is another, for
    loading a trained ETAD and for resuming its training alike."""
    import shutil

    from transformers import HubertModel

    _train(tiny_dataset, tmp_path / "etad", tiny_hubert)
    copy = tmp_path / "hubert-copy"
    shutil.copytree(tiny_hubert, copy, copy_function=shutil.copyfile)  # fresh mtimes
    state = checkpoint_load(tmp_path / "etad" / "etad.pt", "etad", retrain="")
    state["hubert"] = str(copy)
    torch.save(state, tmp_path / "moved.pt")
    model, handle = etad_load(tmp_path / "moved.pt")
    assert handle.path == str(copy)
    capsys.readouterr()
    _train(tiny_dataset, tmp_path / "etad", copy)
    assert "resuming" in capsys.readouterr().out

    hubert = HubertModel.from_pretrained(str(copy), local_files_only=True)
    with torch.no_grad():
        hubert.encoder.layers[0].attention.q_proj.weight[0, 0] += 1e-3
    hubert.save_pretrained(copy)
    with pytest.raises(InputError, match="has changed since ETAD was trained"):
        etad_load(tmp_path / "moved.pt")
    _train(tiny_dataset, tmp_path / "etad", copy)
    out = capsys.readouterr().out
    assert "starting again" in out and "resuming" not in out

    # A checkpoint of the earlier format (one config, no kind): one line that says to retrain.
    old = {"config": {**TINY, **TINY_TRAIN}, "model": state["model"], "hubert": str(copy)}
    torch.save(old, tmp_path / "old.pt")
    with pytest.raises(InputError, match="not a 'etad' checkpoint .written by an earlier version"):
        etad_load(tmp_path / "old.pt")
