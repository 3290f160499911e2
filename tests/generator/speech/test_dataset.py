"""Dataset items are bit-identical for the same inputs, whatever was built before them."""

from __future__ import annotations

from generator.rig.character import character_get
from generator.speech.corpus import utterances
from generator.speech.dataset import item_build, item_paths


def test_item_is_identical_whatever_was_built_before(tmp_path):
    rose = character_get("Rose")
    first, other = utterances()[0], utterances()[20]
    item_build(tmp_path / "a", rose, first)
    item_build(tmp_path / "b", rose, other)  # another utterance first in this folder
    item_build(tmp_path / "b", rose, first)
    a, b = item_paths(tmp_path / "a", rose, first), item_paths(tmp_path / "b", rose, first)
    for name in ("wav", "canonical", "rig", "meta"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes(), name


def test_changed_seed_rebuilds_and_changes_the_track(tmp_path):
    ray = character_get("Ray")
    utterance = utterances()[5]
    meta0, built0 = item_build(tmp_path, ray, utterance, base_seed=0)
    _, again = item_build(tmp_path, ray, utterance, base_seed=0)
    meta1, built1 = item_build(tmp_path, ray, utterance, base_seed=1)
    assert built0 and not again and built1
    assert meta0["seed"] != meta1["seed"]
