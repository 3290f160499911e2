"""The synthetic speech carries its emotion: an audio-only classifier names it.

Measured on two voices (Mery, female; Ray, male) x 7 emotions x 8 sentences,
leaving each sentence out in turn (docs/generator.md has the figures for the
whole dataset). Chance is 1/7.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from generator.common.fileio import audio_read
from generator.rig.controls import EMOTIONS
from generator.speech.vocal_emotion import (
    FEATURES,
    dataset_audio_emotion,
    leave_one_sentence_out,
    nearest_mean_fit,
    nearest_mean_predict,
    speaker_centred,
    utterance_features,
)

VOICES = ("Mery", "Ray")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    from generator.cli.main import main

    root = tmp_path_factory.mktemp("voices")
    assert main(["dataset", "build", "--out", str(root), "--characters", *VOICES,
                 "--jobs", "1"]) == 0
    return root


def test_audio_alone_names_each_emotion_well_above_chance(dataset, capsys):
    accuracy = dataset_audio_emotion(dataset)
    with capsys.disabled():
        print("\naudio-only emotion accuracy (leave one sentence out, "
              f"{' + '.join(VOICES)}): " + ", ".join(f"{k} {v:.2f}" for k, v in accuracy.items()))
    assert accuracy["all"] > 0.75  # chance 0.14
    assert all(accuracy[e] >= 0.5 for e in EMOTIONS), accuracy


def test_cues_point_the_way_the_literature_says(dataset):
    """Against neutral (Juslin & Laukka 2003, Table 7): anger, joy and fear higher in pitch,
    sadness lower, slower and softer; anger loudest in the high frequencies, sadness and fear
    least; fear narrower in pitch range than joy."""
    rows, emotions, speakers = [], [], []
    for meta_path in sorted((dataset / "items").glob("*/*.json")):
        meta = json.loads(meta_path.read_text())
        rows.append(utterance_features(audio_read(meta_path.with_suffix(".wav"), 16000)))
        emotions.append(meta["emotion"])
        speakers.append(meta_path.parent.name)
    x = speaker_centred(np.array(rows), np.array(speakers), np.ones(len(rows), bool))
    mean = {e: dict(zip(FEATURES, x[np.array(emotions) == e].mean(0), strict=True))
            for e in EMOTIONS}
    for emotion in ("anger", "joy", "fear", "surprise"):
        assert mean[emotion]["f0_median_st"] > mean["neutral"]["f0_median_st"] + 2, emotion
    assert mean["sadness"]["f0_median_st"] < mean["neutral"]["f0_median_st"] - 2
    assert mean["sadness"]["level_mean_db"] < mean["neutral"]["level_mean_db"] - 2
    assert mean["anger"]["level_mean_db"] > mean["neutral"]["level_mean_db"] + 2
    assert mean["sadness"]["syllable_rate"] < mean["neutral"]["syllable_rate"]
    assert mean["fear"]["syllable_rate"] > mean["neutral"]["syllable_rate"]
    assert mean["anger"]["hf_ratio_db"] > mean["neutral"]["hf_ratio_db"] + 2
    for emotion in ("sadness", "fear"):
        assert mean[emotion]["hf_ratio_db"] < mean["neutral"]["hf_ratio_db"] - 2, emotion
    assert mean["fear"]["f0_range_st"] < mean["joy"]["f0_range_st"]
    assert mean["sadness"]["f0_range_st"] < mean["neutral"]["f0_range_st"]


def test_pitch_and_level_of_a_known_signal():
    t = np.arange(32000) / 16000
    voice = sum(np.sin(2 * np.pi * 200 * k * t) / k for k in range(1, 6))
    gate = (t > 0.3) & (t < 1.7)
    loud = utterance_features((0.3 * voice * gate).astype(np.float32))
    soft = utterance_features((0.03 * voice * gate).astype(np.float32))
    f = dict(zip(FEATURES, loud, strict=True))
    assert f["f0_median_st"] == pytest.approx(12.0, abs=0.3)  # 200 Hz is 12 st over 100 Hz
    assert f["f0_range_st"] < 0.5 and f["periodicity"] > 0.9
    assert f["log_duration_s"] == pytest.approx(np.log(1.4), abs=0.05)
    assert loud[0] - soft[0] == pytest.approx(20.0, abs=0.1)  # 10x amplitude is 20 dB


def test_nearest_mean_and_leave_one_sentence_out_on_hand_data():
    x = np.array([[0.0, 0], [0.2, 0], [5, 5], [5.2, 5], [0.1, 0.1], [5.1, 4.9]])
    y = np.array([0, 0, 1, 1, 0, 1])
    means, scale = nearest_mean_fit(x[:4], y[:4], 2)
    np.testing.assert_allclose(means, [[0.1, 0], [5.1, 5]])
    np.testing.assert_allclose(scale[0], 0.1, atol=1e-6)
    assert list(nearest_mean_predict(x[4:], (means, scale))) == [0, 1]
    # A sentence is never in its own training fold: a "sentence" whose class exists only in
    # it cannot be named (its class mean would be undefined), so each class needs 2 sentences.
    sentences = np.array(["a", "b", "a", "b", "c", "c"])
    speakers = np.array(["s"] * 6)
    assert list(leave_one_sentence_out(x, y, sentences, speakers, 2)) == list(y)
