"""``stimuli task2`` writes every clip's measures, whatever method made its track."""

from __future__ import annotations

import json

import numpy as np

from contract import METHODS
from generator.common.fileio import track_read
from generator.rig.character import characters
from generator.sets.task2 import task2_write
from generator.speech.corpus import utterances
from generator.speech.dataset import item_paths, split_write


class _Methods:
    """Stands in for the trained methods: ETAD returns the GT track, EVP a trembling,
    late copy of it (so its measures must come out worse)."""

    def __init__(self, dataset):
        groups = json.loads((dataset / "split.json").read_text())["test_groups"]
        self.dataset = dataset
        self.held_out = {u.emotion: u for u in utterances() if u.sentence_type == "emotion"
                         and u.group == groups[u.emotion]["emotion"]}

    def character_rig(self, method, audio, emotion, character, n_frames):
        paths = item_paths(self.dataset, character, self.held_out[emotion])
        gt = track_read(paths.rig, character.rig.controls)
        if method == "etad":
            return gt
        noise = np.random.default_rng(0).normal(0, 0.08, gt.shape)
        return np.clip(np.roll(gt, 6, axis=0) + noise, 0, 1).astype(np.float32)


def test_task2_manifest_carries_the_measures_of_every_method(tmp_path):
    dataset = tmp_path / "ds"
    split_write(dataset, list(characters().values()), 0)
    manifest = json.loads(task2_write(tmp_path / "set", methods=_Methods(dataset),
                                      dataset=dataset, size=32, workers=2).read_text())
    by_method = {m: [s["measures"] for s in manifest["stimuli"]
                     if s["factors"]["method"] == m] for m in METHODS}
    assert {len(v) for v in by_method.values()} == {42}
    assert by_method["GT"] == by_method["ETAD"]
    assert all(m["expression_nearest"] == s["factors"]["emotion"] for s in manifest["stimuli"]
               if s["factors"]["method"] == "GT" for m in [s["measures"]])
    assert np.mean([m["sync_r"] for m in by_method["EVP"]]) \
        < np.mean([m["sync_r"] for m in by_method["GT"]])
    assert np.mean([m["jitter"] for m in by_method["EVP"]]) \
        > np.mean([m["jitter"] for m in by_method["GT"]])
    assert "measures" in manifest["practice"][0]
