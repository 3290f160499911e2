"""Landmarks, the EVP-style baseline's database and retrieval, the adaptation MLPs, RPD."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from generator.common.errors import InputError
from generator.models.adapt import AdaptConfig, Adapter, adapt_train, part_controls
from generator.models.data import FACE, MOUTH_IN_FACE
from generator.models.evaluate import ExpressionClassifier, lip_sync, rpd
from generator.models.evp import EVPBaseline, EVPConfig, ExpressionDatabase, evp_train
from generator.models.landmarks import LOWER_INNER, N_POINTS, UPPER_INNER, landmarks
from generator.models.mfcc import mfcc_windows
from generator.rig.character import character_get, characters
from generator.rig.controls import CONTROLS, FACE_PARTS, PART, pose_from, rest_pose
from generator.rig.poses import poses_sample


def test_landmarks_follow_the_drawing_geometry():
    look = character_get("Mery").look
    poses = np.stack([rest_pose(), pose_from({"jawOpen": 1.0}),
                      pose_from({"jawOpen": 1.0, "mouthClose": 1.0}),
                      pose_from({"browInnerUp": 1.0})])
    points = landmarks(look, poses)
    assert points.shape == (4, N_POINTS, 2)
    gap = points[:, LOWER_INNER, 1] - points[:, UPPER_INNER, 1]
    assert gap[0] == 0 and gap[1] > 30 and gap[2] == 0     # open jaw parts the lips; close shuts
    assert points[3, 0, 1] < points[0, 0, 1]                 # inner brow rises (y is down)


def test_poses_cover_the_rig_and_keep_the_head_at_rest():
    poses = poses_sample(2000, np.random.default_rng(0))
    assert poses.min() >= 0 and poses.max() <= 1
    assert np.allclose(poses[:, [CONTROLS.index("headYaw")]], 0.5)
    assert (poses[:, FACE].max(axis=0) > 0.5).all()  # every face control is exercised


def test_database_retrieves_its_own_entries_exactly():
    database = ExpressionDatabase(character_get("Mery"), 10000, seed=0)
    assert len(database.poses) >= 10000
    assert np.array_equal(database.retrieve(database.points[[3, 500]]), database.poses[[3, 500]])


def test_evp_baseline_trains_and_predicts(tiny_dataset, tmp_path):
    path = evp_train(data=tiny_dataset, out=tmp_path, cfg=EVPConfig(steps=3, database_size=500,
                                                                   crop=16), progress=False)
    baseline = EVPBaseline(path)
    audio = np.random.default_rng(0).normal(0, 0.1, 16000).astype(np.float32)
    face = baseline.predict(mfcc_windows(audio, 25), "joy")
    assert face.shape == (25, 43)
    with pytest.raises(InputError, match="no trained EVP"):
        EVPBaseline(tmp_path / "missing.pt")


def test_every_face_control_of_every_rig_belongs_to_one_part():
    for character in characters().values():
        covered = sorted(k for part in FACE_PARTS for k in part_controls(character, part))
        face = [k for k, src in enumerate(character.rig.sources) if PART[CONTROLS[src[0]]] != "head"]
        assert covered == face


def test_adaptation_learns_the_rig_mapping(tmp_path):
    cfg = AdaptConfig(hidden=16, train_poses=2000, test_poses=200, steps=150, batch=256)
    path, errors = adapt_train(out=tmp_path, cfg=cfg, progress=False)
    assert set(errors) == {"Bonnie", "Ray", "Malcolm", "Rose", "Miosha"}
    held_out = [v for parts in errors.values() for v in parts.values()]
    assert np.mean(held_out) < 0.2  # 150 steps only; the real run reaches 0.01-0.04 (docs/models.md)
    adapter = Adapter(path)
    mery, ray = character_get("Mery"), character_get("Ray")
    values = mery.rig.from_canonical(poses_sample(5, np.random.default_rng(3)))
    out = adapter.adapt(values, "Ray")
    assert out.shape == (5, len(ray.rig.controls)) and out.min() >= 0 and out.max() <= 1
    assert np.array_equal(adapter.adapt(values, "Mery"), values)


def test_rpd_is_rms_per_control_of_a_frame():
    truth = [np.zeros((4, 43))]
    pred = [np.full((4, 43), 0.1)]
    assert rpd(pred, truth) == pytest.approx({"F-RPD": 0.1, "M-RPD": 0.1})
    only_eyes = np.zeros((4, 43))
    only_eyes[:, 10] = 0.5
    result = rpd([only_eyes], truth)
    assert result["M-RPD"] == 0 and result["F-RPD"] == pytest.approx(0.5 / np.sqrt(43))
    assert 10 not in MOUTH_IN_FACE


def test_lip_sync_finds_the_offset():
    rng = np.random.default_rng(0)
    energy = np.convolve(rng.normal(size=200), np.ones(5) / 5, mode="same")
    opening = np.roll(energy, 2)  # the mouth follows the sound by 2 frames
    result = lip_sync([energy], [opening])
    assert result["best_offset_frames"] == 2 and result["r_at_best"] > 0.95


def test_classifier_separates_distinct_expressions():
    torch.manual_seed(0)
    faces = [np.full((10, 43), 0.1 * e) + np.random.default_rng(e).normal(0, 0.01, (10, 43))
             for e in range(7)]
    classifier = ExpressionClassifier(faces, list(range(7)))
    assert [classifier.predict(f) for f in faces] == list(range(7))
