"""The front door: dataset build, render, stimuli task1 on a tiny selection, bad input."""

from __future__ import annotations

import json
import shutil

import av
import pytest

from generator.cli.main import build_parser, main
from generator.rig.controls import CONTROLS, EMOTIONS
from generator.sets.manifest import file_sha256

SUBCOMMANDS = [["dataset", "build"], ["render"], ["stimuli", "task1"], ["demo"], ["characters"]]


@pytest.mark.parametrize("words", SUBCOMMANDS)
def test_every_subcommand_has_help(words, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([*words, "--help"])
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    root = tmp_path_factory.mktemp("dataset")
    assert main(["dataset", "build", "--out", str(root), "--characters", "Ray",
                 "--emotions", "anger", "--jobs", "1"]) == 0
    return root


def test_dataset_item_files_and_metadata(dataset):
    items = sorted(p.name for p in (dataset / "items" / "ray").iterdir())
    assert len(items) == 8 * 5  # 4 common + 4 emotion sentences, 5 files each
    meta = json.loads((dataset / "items/ray/anger-common-1.json").read_text())
    assert meta["sentence"] == "Kids are talking by the door"
    assert meta["sentence_group"] == 1 and meta["emotion"] == "anger"
    assert meta["phonemes"][0][0] == "_" or meta["phonemes"][0][1] >= 0.25  # lead silence
    header = (dataset / "items/ray/anger-common-1.canonical.csv").read_text().split("\n")[0]
    assert header.split(",") == ["frame", *CONTROLS]
    rig_header = (dataset / "items/ray/anger-common-1.rig.csv").read_text().split("\n")[0]
    assert "tongueOut" not in rig_header and "mouthUpperUp" in rig_header.split(",")
    rows = (dataset / "items/ray/anger-common-1.rig.csv").read_text().strip().split("\n")
    assert len(rows) - 1 == meta["n_frames"]


def test_dataset_rebuild_is_a_no_op(dataset, capsys):
    before = {p: p.stat().st_mtime_ns for p in dataset.rglob("*") if p.is_file()}
    assert main(["dataset", "build", "--out", str(dataset), "--characters", "Ray",
                 "--emotions", "anger", "--jobs", "1"]) == 0
    assert "0 built, 8 up to date" in capsys.readouterr().out
    assert before == {p: p.stat().st_mtime_ns for p in dataset.rglob("*") if p.is_file()}


def test_split_is_stratified_75_25(dataset):
    split = json.loads((dataset / "split.json").read_text())
    assert len(split["train"]) == 3 * len(split["test"]) == 3 * 7 * 7 * 2
    assert not set(split["train"]) & set(split["test"])
    for emotion in EMOTIONS:
        for kind in ("common", "emotion"):
            tested = [i for i in split["test"] if i.startswith(f"mery-{emotion}-{kind}-")]
            assert len(tested) == 1


def test_render_writes_clip_and_poster(dataset, tmp_path, capsys):
    out = tmp_path / "clip.mp4"
    code = main(["render", "--character", "Ray", "--rig",
                 str(dataset / "items/ray/anger-common-1.rig.csv"), "--audio",
                 str(dataset / "items/ray/anger-common-1.wav"), "--out", str(out),
                 "--size", "64"])
    assert code == 0, capsys.readouterr().err
    meta = json.loads((dataset / "items/ray/anger-common-1.json").read_text())
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) == meta["n_frames"]
    assert (tmp_path / "clip.png").read_bytes()[:4] == b"\x89PNG"


def _bad_csv(tmp_path, dataset, kind):
    good = (dataset / "items/ray/anger-common-1.rig.csv").read_text().split("\n")
    path = tmp_path / "bad.csv"
    if kind == "missing":
        path.write_text("\n".join(",".join(r.split(",")[:5]) for r in good))
    else:
        good[3] = good[3].replace(good[3].split(",")[2], "loud", 1)
        path.write_text("\n".join(good))
    return path


@pytest.mark.parametrize("case, message", [
    ("character", "unknown character 'Zed'"),
    ("missing", "missing column(s)"),
    ("nonnumeric", "line 4 has a missing or non-numeric value"),
    ("empty_audio", "not decodable as audio"),
    ("garbage_audio", "not decodable as audio"),
    ("long_audio", "the audio lasts"),
])
def test_bad_input_is_one_line_nonzero_and_leaves_nothing(dataset, tmp_path, capsys, case,
                                                          message):
    rig = dataset / "items/ray/anger-common-1.rig.csv"
    audio = dataset / "items/ray/anger-common-1.wav"
    character = "Zed" if case == "character" else "Ray"
    if case in ("missing", "nonnumeric"):
        rig = _bad_csv(tmp_path, dataset, case)
    if case == "empty_audio":
        audio = tmp_path / "empty.wav"
        audio.write_bytes(b"")
    if case == "garbage_audio":
        audio = tmp_path / "noise.wav"
        audio.write_bytes(b"RIFF....WAVEfmt nonsense" * 10)
    if case == "long_audio":
        audio = tmp_path / "long.wav"
        shutil.copy(dataset / "items/ray/anger-emotion-4.wav", audio)  # a longer sentence
    out = tmp_path / "out" / "clip.mp4"
    code = main(["render", "--character", character, "--rig", str(rig), "--audio", str(audio),
                 "--out", str(out), "--size", "64"])
    err = capsys.readouterr().err
    assert code != 0
    assert message in err and err.startswith("error: ") and err.count("\n") == 1
    assert not out.parent.exists() or not any(out.parent.iterdir())


def test_task1_subset_manifest_follows_the_contract(dataset, tmp_path, capsys):
    out = tmp_path / "set"
    args = ["stimuli", "task1", "--out", str(out), "--dataset", str(dataset),
            "--characters", "Ray", "Human", "--emotions", "anger", "joy",
            "--sentence-types", "common", "--groups", "1", "--size", "64", "--jobs", "1"]
    assert main(args) == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["schema"] == 1 and manifest["name"] == "task1"
    assert manifest["placeholder"] is False
    assert manifest["factors"] == ["character", "emotion", "method", "sentence_type",
                                   "sentence_group"]
    assert len(manifest["practice"]) == 1 and len(manifest["stimuli"]) == 4
    ids = set()
    for item in manifest["practice"] + manifest["stimuli"]:
        assert {"id", "file", "factors", "sha256", "poster", "duration_s", "sentence"} <= set(item)
        assert item["id"] not in ids
        ids.add(item["id"])
        assert file_sha256(out / item["file"]) == item["sha256"]
        assert (out / item["poster"]).is_file()
        assert item["factors"]["emotion"] in EMOTIONS and item["factors"]["method"] == "GT"
        measures = item["measures"]  # the GT clip against its own speech and expression
        assert measures["expression_nearest"] == item["factors"]["emotion"]
        assert measures["sync_r"] > 0.3 and abs(measures["sync_lag_ms"]) <= 80
        assert set(measures["expression_distance"]) == set(EMOTIONS)
    for item in manifest["stimuli"]:
        assert item["factors"]["character"] in ("Ray", "Human")
        assert item["factors"]["sentence_type"] == "common"
        assert item["factors"]["sentence_group"] == 1
    assert (out / "contact_sheet.png").is_file()
    capsys.readouterr()
    assert main(args) == 0
    assert "(0 rendered)" in capsys.readouterr().out  # unchanged inputs: nothing re-rendered


def test_unknown_emotion_is_rejected(tmp_path, capsys):
    code = main(["stimuli", "task1", "--out", str(tmp_path / "s"), "--emotions", "glee"])
    assert code != 0 and "unknown emotion 'glee'" in capsys.readouterr().err


def test_demo_writes_a_real_set(tmp_path, capsys):
    """What `make demo` runs (at a small frame size): 7 x 7 real clips and a practice clip."""
    assert main(["demo", "--out", str(tmp_path / "demo"), "--dataset", str(tmp_path / "ds"),
                 "--size", "48", "--jobs", "2"]) == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "demo" / "manifest.json").read_text())
    assert manifest["placeholder"] is False and len(manifest["practice"]) == 1
    cells = {(s["factors"]["character"], s["factors"]["emotion"]) for s in manifest["stimuli"]}
    assert len(manifest["stimuli"]) == len(cells) == 49
    nearest = [s["measures"]["expression_nearest"] == s["factors"]["emotion"]
               for s in manifest["stimuli"]]
    assert all(nearest), "an ideal observer names every GT clip's emotion"
