"""HuBERT: local loading only, 50 Hz frames aligned to 25 fps, the pretraining recipe runs,
and the project's own is pretrained where a folder holds none yet."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from generator.common.errors import InputError
from generator.models.hubert import (
    PretrainConfig,
    hidden_states,
    hubert_ensure,
    hubert_load,
    hubert_pretrain,
    mfcc_targets,
    span_mask,
)
from generator.models.registry import Methods
from tests.generator.models.conftest import speechlike


def test_pretrained_folder_loads_offline_and_gives_two_frames_per_video_frame(tiny_hubert):
    handle = hubert_load(tiny_hubert)
    states = hidden_states(handle, speechlike(1.0, 9), n_frames=25)
    assert states.shape == (handle.n_layers, 50, handle.dim)
    assert torch.isfinite(states).all()
    assert (tiny_hubert / "project_hubert.json").is_file()


def test_pretraining_resumes_from_its_state(tiny_hubert):
    # Same config, already at the last step: nothing left to do, the checkpoint is rewritten.
    cfg = PretrainConfig(steps=3, batch=2, crop_s=0.5, clusters=4)
    hubert_pretrain([speechlike(1.2, s) for s in range(3)], tiny_hubert, cfg, progress=False)
    assert hubert_load(tiny_hubert).n_layers == 4


def test_missing_or_broken_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no config.json"):
        hubert_load(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(InputError, match="could not be loaded"):
        hubert_load(tmp_path)


def test_span_mask_covers_spans_and_never_nothing():
    gen = torch.Generator().manual_seed(0)
    mask = span_mask(50, 10, 0.0, gen, batch=3)
    assert mask.shape == (3, 50) and (mask.sum(1) == 10).all()  # the forced span at 0
    dense = span_mask(200, 10, 0.08, torch.Generator().manual_seed(1), batch=64)
    assert 0.35 < dense.float().mean() < 0.65  # HuBERT's p=8 %, l=10 masks about half


def test_mfcc_targets_are_at_hubert_rate():
    assert mfcc_targets(np.zeros(16000, np.float32)).shape == (50, 36)


def test_methods_pretrain_the_missing_hubert_of_any_runs_folder(tiny_dataset, tmp_path,
                                                                tiny_defaults):
    """`stimuli task2 --runs X` trains what X lacks, its HuBERT included, whatever X is called."""
    runs = tmp_path / "my-runs"
    _, handle = Methods(runs, tiny_dataset, train_missing=True).etad()
    assert handle.path == str(runs / "hubert")
    assert (runs / "hubert" / "project_hubert.json").is_file()
    # An interrupted pretraining (its state only) is resumed in place, not refused.
    again = tmp_path / "again"
    again.mkdir()
    shutil.copy(runs / "hubert" / "pretrain_state.pt", again)
    assert hubert_load(hubert_ensure(again, tiny_dataset)).fingerprint == handle.fingerprint


def test_a_checkpoint_folder_is_used_as_it_is(tiny_hubert, tmp_path):
    # no dataset: anything but using the folder would stop here
    assert hubert_ensure(tiny_hubert, tmp_path / "no-dataset") == tiny_hubert


def test_a_folder_with_other_files_is_refused_not_trained_into(tiny_dataset, tmp_path):
    folder = tmp_path / "hubert-base"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights without their config")
    with pytest.raises(InputError, match=r"not a HuBERT checkpoint folder \(no config.json; "
                                         r"it holds model.safetensors\)"):
        hubert_ensure(folder, tiny_dataset)
    assert [p.name for p in folder.iterdir()] == ["model.safetensors"]
    with pytest.raises(InputError, match="a file, not a HuBERT checkpoint folder"):
        hubert_ensure(folder / "model.safetensors", tiny_dataset)
