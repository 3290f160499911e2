"""``stimuli import``: mixed formats in, one kind of study clip out; problems listed at once;
a second run does nothing, a changed source redoes only its clip.

Sources are made by the example's own maker (examples/own-study/make_clips.py):
tiny (64 x 48 and so on), about a second long. Loudness is checked with FFmpeg's
ebur128 (tests/generator/loudness_meter.py), not the pyloudnorm meter the code uses.
"""

from __future__ import annotations

import importlib.util
import json
import re
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from contract import file_sha256
from generator.cli.main import main
from generator.common.errors import InputError
from generator.render.transcode import faststart, letterbox
from generator.sets.factors_table import table_check, table_read
from generator.sets.imported import Options, import_write
from tests.generator.loudness_meter import ebur128_file

ROOT = Path(__file__).resolve().parents[3]
_spec = importlib.util.spec_from_file_location(
    "make_clips", ROOT / "examples" / "own-study" / "make_clips.py")
make_clips = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_clips)

#: name -> (kind, fps, width, height, seconds, peak dBFS, channels)
MIXED = {
    "a.webm": ("webm", 25, 64, 48, 1.0, -6.0, 1),      # VP9 + Opus
    "b.mov": ("mov", 30, 48, 64, 1.2, -30.0, 2),       # ProRes + PCM, 30 fps, portrait, stereo
    "c.mkv": ("mkv", 24, 80, 40, 1.0, -15.0, 1),       # MPEG-4 + MP3, 24 fps
    "d.mp4": ("mp4", 50, 64, 64, 0.8, -2.0, 1),        # H.264 + AAC, 50 fps
}
CSV = ("file,emotion,method,practice\n"
       "d.mp4,joy,GT,1\n"
       "a.webm,anger,GT,\n"
       "b.mov,joy,GT,\n"
       "c.mkv,anger,ETAD,\n")


def _sources(folder: Path, spec: dict = MIXED) -> Path:
    for seed, (name, (kind, fps, w, h, seconds, level, channels)) in enumerate(spec.items()):
        make_clips.source_clip(folder / name, kind, fps=fps, width=w, height=h, seconds=seconds,
                               level_db=level, seed=seed, channels=channels)
    return folder


def _import(tmp_path, out="set", csv=CSV, clips=None, **options):
    (tmp_path / "factors.csv").write_text(csv)
    return import_write(clips or tmp_path / "src", tmp_path / "factors.csv", tmp_path / out,
                        options=Options(**{"fps": 25, "size": 64} | options), name="own",
                        workers=1)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("import")
    _sources(tmp_path / "src")
    before = {p.name: file_sha256(p) for p in (tmp_path / "src").iterdir()}
    manifest, summary = _import(tmp_path)
    return tmp_path, manifest, summary, before


def _video(path: Path) -> dict:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        pts = sorted(f.pts for f in container.decode(video))
        return {"codec": video.codec_context.name, "profile": video.profile,
                "pix_fmt": video.codec_context.pix_fmt, "size": (video.width, video.height),
                "steps": {Fraction(b - a) * video.time_base for a, b in zip(pts, pts[1:], strict=False)},
                "frames": len(pts), "audio": audio and audio.codec_context.name}


def test_mixed_formats_become_one_kind_of_study_clip(imported):
    tmp_path, manifest_path, summary, before = imported
    manifest = json.loads(manifest_path.read_text())
    assert manifest["factors"] == ["emotion", "method"]
    assert [p["id"] for p in manifest["practice"]] == ["practice-joy-gt"]
    assert [s["id"] for s in manifest["stimuli"]] == ["anger-gt", "joy-gt", "anger-etad"]
    seconds = {"practice-joy-gt": 0.8, "anger-gt": 1.0, "joy-gt": 1.2, "anger-etad": 1.0}
    for item in manifest["practice"] + manifest["stimuli"]:
        clip = manifest_path.parent / item["file"]
        info = _video(clip)
        assert (info["codec"], info["profile"], info["pix_fmt"]) == ("h264", "Main", "yuv420p")
        assert info["size"] == (64, 64) and info["steps"] == {Fraction(1, 25)}
        assert abs(info["frames"] - seconds[item["id"]] * 25) <= 1
        assert info["audio"] == "aac" and faststart(clip)
        assert item["sha256"] == file_sha256(clip)
        assert item["duration_s"] == pytest.approx(info["frames"] / 25)
        assert (manifest_path.parent / item["poster"]).is_file()
        lufs, peak = ebur128_file(clip)
        assert abs(lufs + 23.0) <= 0.5, (item["id"], lufs)
        assert peak <= -1.0, (item["id"], peak)
    assert (manifest_path.parent / "contact_sheet.png").is_file()
    assert {p.name: file_sha256(p) for p in (tmp_path / "src").iterdir()} == before  # untouched
    text = "\n".join(summary)
    assert "4 clips (3 stimuli, 1 practice): 4 encoded" in text
    assert "emotion: anger 2, joy 1" in text and "method: GT 2, ETAD 1" in text
    assert "durations: min 0.80 s, median 1.00 s, max 1.20 s" in text
    after = next(line for line in summary if line.strip().startswith("after:"))
    assert all(abs(float(v) + 23.0) <= 0.5 for v in re.findall(r"(-?\d+\.\d) LUFS", after))


def test_pictures_are_letterboxed_not_stretched(imported):
    tmp_path, manifest_path, _, _ = imported
    with av.open(str(manifest_path.parent / "clips" / "joy-gt.mp4")) as container:  # 48 x 64 source
        rgb = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(int)
    assert rgb[:, :4].max() < 30 and rgb[:, -4:].max() < 30  # black bars left and right
    assert rgb[:, 20:44].max() > 100  # the picture between them
    assert letterbox(320, 240, Fraction(1), 64) == (64, 48, 0, 8)
    assert letterbox(48, 64, Fraction(1), 64) == (48, 64, 8, 0)
    assert letterbox(720, 576, Fraction(16, 15), 512) == (512, 384, 0, 64)  # PAL 4:3, non-square pixels


def test_second_run_does_nothing_and_a_changed_source_redoes_only_its_clip(imported):
    tmp_path, manifest_path, _, _ = imported
    times = {p: p.stat().st_mtime_ns for p in manifest_path.parent.rglob("*") if p.is_file()}
    _, summary = _import(tmp_path)
    assert "0 encoded, 0 copied, 4 unchanged" in summary[0]
    assert {p: p.stat().st_mtime_ns for p in manifest_path.parent.rglob("*") if p.is_file()} == times
    make_clips.source_clip(tmp_path / "src" / "c.mkv", "mkv", fps=24, width=80, height=40,
                           seconds=1.4, level_db=-9.0, seed=7)
    _, summary = _import(tmp_path)
    assert "1 encoded, 0 copied, 3 unchanged" in summary[0]
    changed = {p for p, t in times.items() if p.stat().st_mtime_ns != t}
    names = {p.relative_to(manifest_path.parent).as_posix() for p in changed}
    assert names == {"clips/anger-etad.mp4", "posters/anger-etad.png", ".cache/anger-etad.json",
                     "manifest.json", "contact_sheet.png", ".cache/contact_sheet.sha"}
    assert json.loads(manifest_path.read_text())["stimuli"][2]["duration_s"] == pytest.approx(1.4)


def test_clips_already_in_form_are_copied(imported):
    tmp_path, manifest_path, _, _ = imported
    manifest = json.loads(manifest_path.read_text())
    rows = ["file,emotion,method,practice"] + [
        f"{item['file']},{item['factors']['emotion']},{item['factors']['method']},{practice}"
        for practice, section in (("1", "practice"), ("", "stimuli")) for item in manifest[section]]
    again, summary = _import(tmp_path, out="again", csv="\n".join(rows) + "\n",
                             clips=manifest_path.parent)
    assert "0 encoded, 4 copied" in summary[0]
    for item in json.loads(again.read_text())["stimuli"]:
        assert item["sha256"] == file_sha256(manifest_path.parent / "clips" / f"{item['id']}.mp4")
    _, summary = _import(tmp_path, out="other-rate", csv="\n".join(rows) + "\n",
                         clips=manifest_path.parent, fps=30)
    assert "4 encoded, 0 copied" in summary[0]


def test_sound_with_a_cover_picture_shows_the_picture_for_the_sound(tmp_path):
    _sources(tmp_path / "src", {"d.mp4": MIXED["d.mp4"]})
    make_clips.cover_audio(tmp_path / "src" / "song.mp3", seconds=1.2)
    manifest, _ = _import(tmp_path, csv="file,emotion,practice\nd.mp4,joy,1\nsong.mp3,anger,\n")
    info = _video(manifest.parent / "clips" / "anger.mp4")
    assert abs(info["frames"] - 1.2 * 25) <= 1 and info["audio"] == "aac"
    assert info["steps"] == {Fraction(1, 25)}
    assert abs(ebur128_file(manifest.parent / "clips" / "anger.mp4")[0] + 23.0) <= 0.5


def test_silent_study_and_kept_loudness(tmp_path):
    spec = {"d.mp4": ("mp4", 25, 64, 48, 0.6, None, 1), "a.webm": ("webm", 25, 64, 48, 0.6, None, 1),
            "b.mov": ("mov", 30, 64, 48, 0.6, None, 1), "c.mkv": ("mkv", 24, 64, 48, 0.6, None, 1)}
    _sources(tmp_path / "src", spec)
    manifest, summary = _import(tmp_path, loudness=None)
    assert "no clip has an audio track (a silent study)" in "\n".join(summary)
    assert _video(manifest.parent / "clips" / "anger-gt.mp4")["audio"] is None
    _sources(tmp_path / "loud", MIXED)
    _, summary = _import(tmp_path, out="kept", clips=tmp_path / "loud", loudness=None)
    text = "\n".join(summary)
    assert "kept as it is (--no-loudness)" in text
    before, after = ([float(v) for v in re.findall(r"(-?\d+\.\d) LUFS", line)]
                     for line in summary if line.strip().startswith(("before", "after")))
    assert before[0] < -30 and before[2] > -15  # the sources' own spread ...
    assert np.allclose(before, after, atol=0.3)  # ... kept (AAC moves it a little)


def test_every_problem_is_listed_at_once_and_nothing_is_written(tmp_path, capsys):
    _sources(tmp_path / "src")
    make_clips.source_clip(tmp_path / "src" / "mute.mp4", "mp4", level_db=None)
    (tmp_path / "src" / "broken.mp4").write_bytes(b"not a video at all")
    csv = ("file,emotion,method,practise,id\n"
           "d.mp4,joy,GT,1,p1\n"
           "a.webm,anger,GT,,x\n"
           "b.mov,anger,GT,,y\n"                  # the same combination as line 3
           "c.mkv,glee,ETAD,,x\n"                 # unknown emotion, id used twice
           "gone.mp4,joy,ETAD,,z\n"               # no such file
           "broken.mp4,fear,,,w\n"                # unreadable, empty factor
           "mute.mp4,sadness,GT,,v\n")            # silent where the others have sound
    (tmp_path / "factors.csv").write_text(csv)
    code = main(["stimuli", "import", "--clips", str(tmp_path / "src"), "--factors",
                 str(tmp_path / "factors.csv"), "--out", str(tmp_path / "set"), "--size", "64",
                 "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    for expected in ["unknown column 'practise' (did you mean 'practice'?)",
                     "line 4: the factor combination emotion=anger, method=GT is used twice "
                     "(also line 3)",
                     "line 5: emotion 'glee' is not one of", "line 5: id 'x' is used twice",
                     "line 6: gone.mp4: does not exist", "line 7: factor 'method' is empty",
                     "line 7: broken.mp4: not readable as video",
                     "line 8: mute.mp4: has no audio track, while 4 other clip(s) have one"]:
        assert expected in err, expected
    assert "8 problem(s), nothing written" in err
    assert not (tmp_path / "set").exists()


@pytest.mark.parametrize("header, rows, problem", [
    ("file,emotion", ["a.mp4,joy"], "no row has practice=1"),
    ("file,practice", ["a.mp4,1", "b.mp4,"], "no factor column"),
    ("file,emotion,correct,practice", ["a.mp4,joy,1,1", "b.mp4,joy,2,"],
     "unknown column 'correct': the responses export has a column of that name"),
    ("file,emotion,my factor,practice", ["a.mp4,joy,1,1"], "unknown column 'my factor'"),
    ("file,emotion,practice", ["a.mp4,joy,yes"], "practice is 'yes'"),
    ("emotion,practice", ["joy,1"], "no 'file' column"),
    ("file,emotion,practice", ["a.mp4,joy"], "line 2: 2 cells for 3 columns"),
])
def test_table_problems_are_named(header, rows, problem):
    _, problems = table_check(header.split(","), [(n, r.split(",")) for n, r in
                                                 enumerate(rows, start=2)])
    assert any(problem in p for p in problems), problems


def test_ids_come_from_the_factor_levels_unless_given():
    table, problems = table_check(["file", "character", "emotion", "practice", "id"], [
        (2, ["p.mp4", "Mery", "joy", "1", ""]), (3, ["a.mp4", "Mery", "joy", "", ""]),
        (4, ["b.mp4", "Ray Q", "anger", "", "mine"])])
    assert problems == []
    assert [r.stimulus_id for r in table.rows] == ["practice-mery-joy", "mery-joy", "mine"]


def test_a_missing_csv_or_folder_is_one_error(tmp_path):
    (tmp_path / "src").mkdir()
    with pytest.raises(InputError, match="no such factors CSV"):
        import_write(tmp_path / "src", tmp_path / "nope.csv", tmp_path / "set",
                     options=Options(size=64), name="x", workers=1)
    with pytest.raises(InputError, match="no such folder of clips"):
        import_write(tmp_path / "nope", tmp_path / "nope.csv", tmp_path / "set",
                     options=Options(size=64), name="x", workers=1)
    assert not (tmp_path / "set").exists()


def test_source_maker_makes_what_it_says(tmp_path):
    path = make_clips.source_clip(tmp_path / "x.mov", "mov", fps=30, width=64, height=48,
                                  seconds=0.5, level_db=-12.0)
    with av.open(str(path)) as container:
        assert container.streams.video[0].codec_context.name == "prores"
        assert container.streams.video[0].average_rate == 30
        assert container.streams.audio[0].codec_context.name == "pcm_s16le"
        audio = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)])
    assert abs(20 * np.log10(np.abs(audio).max() / 32768) + 12.0) < 0.2


def test_the_example_table_names_the_example_clips():
    header, body = table_read(ROOT / "examples" / "own-study" / "factors.csv")
    table, problems = table_check(header, body)
    assert problems == []
    assert sorted(row.file for row in table.rows) == sorted(make_clips.EXAMPLE)
    assert {make_clips.EXAMPLE[row.file][0] for row in table.rows} == set(make_clips.KINDS)


def test_spreadsheet_csv_with_bom_and_semicolons_reads(tmp_path):
    path = tmp_path / "factors.csv"
    path.write_bytes("\ufefffile;emotion;practice\r\np.mp4;joy;1\r\n\r\na.mp4;anger;\r\n".encode())
    header, body = table_read(path)
    assert header == ["file", "emotion", "practice"]
    assert body == [(2, ["p.mp4", "joy", "1"]), (4, ["a.mp4", "anger", ""])]
