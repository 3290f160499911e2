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


def test_build_keeps_the_aligned_track_stays_fast_and_is_idempotent(tmp_path):
    """``dataset build`` of 8 items takes seconds, a second run writes nothing, and each GT
    track's lag against its aligned twin is the offset the metadata records."""
    import json
    import time

    from generator.cli.main import main
    from generator.common.fileio import track_read
    from generator.rig.controls import CONTROLS, FPS, INDEX
    from generator.rig.timing import track_lag_frames

    args = ["dataset", "build", "--out", str(tmp_path), "--characters", "Mery", "--emotions",
            "fear", "--jobs", "1"]
    began = time.perf_counter()
    assert main(args) == 0
    first = time.perf_counter() - began
    files = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    began = time.perf_counter()
    assert main(args) == 0
    again = time.perf_counter() - began
    assert first < 20 and again < 3, (first, again)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == files
    for meta_path in sorted((tmp_path / "items" / "mery").glob("*.json")):
        meta = json.loads(meta_path.read_text())
        base = str(meta_path)[:-len(".json")]
        gt = track_read(base + ".canonical.csv", CONTROLS)[:, INDEX["jawOpen"]]
        aligned = track_read(base + ".aligned.csv", CONTROLS)[:, INDEX["jawOpen"]]
        assert abs(track_lag_frames(gt, aligned) - meta["keys"]["offset_s"] * FPS) <= 1.0
        assert meta["artist_timing"]["offset_mean_frames"] < 0  # the default leads


def test_artist_timing_none_makes_the_gt_the_aligned_track(tmp_path):
    from generator.cli.main import main

    assert main(["dataset", "build", "--out", str(tmp_path), "--characters", "Mery",
                 "--emotions", "joy", "--artist-timing", "none", "--jobs", "1"]) == 0
    for canonical in (tmp_path / "items" / "mery").glob("*.canonical.csv"):
        aligned = canonical.with_name(canonical.name.replace(".canonical.", ".aligned."))
        assert canonical.read_bytes() == aligned.read_bytes()
