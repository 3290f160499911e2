"""Tiny clips and stimulus sets made without the generator, for the tests and the load benchmark.

One short H.264/AAC MP4 (0.48 s, 64 x 64) is encoded with PyAV and copied
under every name a manifest needs; manifests follow docs/design.md. Both the
tests (through tests/media.py) and benchmarks/load_study build their studies
from these sets: seconds to make, where the generator takes minutes.
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from itertools import product
from pathlib import Path

import av
import numpy as np
from PIL import Image

from contract import SCHEMA_VERSION, file_sha256
from studyapp.designs import DESIGNS


def tiny_clip(path: Path, *, frames: int = 12, size: int = 64, seconds: float = 0.48) -> Path:
    """A short colour-ramp video with a tone: enough for a browser to play to its end."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as out:
        video = out.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        video.width = video.height = size
        video.pix_fmt = "yuv420p"
        audio = out.add_stream("aac", rate=48000)
        audio.layout = "mono"
        for i in range(frames):
            rgb = np.full((size, size, 3), (i * 20 % 255, 80, 160), dtype=np.uint8)
            for packet in video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        n = int(48000 * seconds)
        tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(n) / 48000)).astype(np.float32)
        for start in range(0, n, 1024):
            chunk = tone[start:start + 1024]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="fltp", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = 48000, start, Fraction(1, 48000)
            for packet in audio.encode(frame):
                out.mux(packet)
        for packet in audio.encode():
            out.mux(packet)
    return path


def design_factor_rows(design: str) -> list[dict]:
    """Every factor combination a design needs (task1 includes the between groups)."""
    d = DESIGNS[design]
    names = list(d.within)
    rows = [dict(zip(names, combo, strict=True)) for combo in product(*d.within.values())]
    if d.between:
        rows = [{**row, d.between: level} for level in d.between_levels for row in rows]
    return rows


def write_set(directory: Path, factor_rows: list[dict], source: Path, *, name: str = "set",
              extra: dict | None = None, posters: bool = False,
              duration_s: float = 0.48) -> Path:
    """Write a stimulus set: one copy of ``source`` per stimulus (and a poster image
    each with ``posters``), a practice clip, a manifest. Ids and file names name
    the factor levels, as generated sets do."""
    clips = directory / "clips"
    clips.mkdir(parents=True, exist_ok=True)
    stimuli = []
    for n, factors in enumerate(factor_rows):
        stimulus_id = f"s{n:04d}-" + "-".join(str(v).lower() for v in factors.values())
        clip = clips / f"{stimulus_id}.mp4"
        shutil.copyfile(source, clip)
        stimuli.append({"id": stimulus_id, "file": f"clips/{clip.name}", "sha256": file_sha256(clip),
                        "duration_s": duration_s, "sentence": "Kids are talking by the door",
                        "factors": factors})
        if posters:
            poster = directory / "posters" / f"{stimulus_id}.png"
            poster.parent.mkdir(exist_ok=True)
            Image.new("RGB", (8, 8), (n % 255, 80, 160)).save(poster)
            stimuli[-1]["poster"] = f"posters/{poster.name}"
    practice_clip = clips / "practice.mp4"
    shutil.copyfile(source, practice_clip)
    manifest = {
        "schema": SCHEMA_VERSION, "name": name, "description": "test set",
        "factors": sorted({k for row in factor_rows for k in row}),
        "practice": [{"id": "practice", "file": "clips/practice.mp4",
                      "factors": {"character": "Mery", "emotion": "neutral"}}],
        "stimuli": stimuli, **(extra or {}),
    }
    path = directory / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1))
    return path
