"""Render + encode speed of the generator, beside encode-only speed of the same frames.

Run: ``.venv/bin/python -m benchmarks.render_speed [--size 512] [--frames 250] [--repeats 3]``

Prints, for one animated utterance of the primary character:

- render only: frames drawn per second (skia, one process);
- encode only: the same frames, already drawn, through H.264/AAC (one process);
- render + encode: drawing and encoding together, one process;
- render + encode on every core: one clip per worker process, frames per
  second summed over the workers (how ``stimuli task1`` runs);
- the ratio of each figure to encode-only, measured in the same run.

Each figure is the best of ``--repeats`` runs: the machines this project runs
on are shared, and the best run is the one least disturbed by other work.
Figures go in BENCHMARKS.md with the machine they were measured on.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from generator.render.renderer import Renderer
from generator.render.video import X264_PRESET, clip_write
from generator.rig.animator import animate
from generator.rig.character import characters
from generator.speech.corpus import COMMON
from generator.speech.synthesis import SAMPLE_RATE, speech_synthesize


def _track(n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """A canonical track of ``n_frames`` (one sentence's animation) and matching audio."""
    mery = characters()["Mery"]
    speech, phonemes = speech_synthesize(COMMON[2], voice=mery.voice.name, emotion="joy")
    repeats = int(np.ceil(n_frames / (len(speech) / SAMPLE_RATE * 25)))
    audio = np.tile(speech, repeats)[: n_frames * SAMPLE_RATE // 25]
    track = animate(phonemes, emotion="joy", n_frames=n_frames, seed=0).track
    return track, audio


def _best(repeats: int, work) -> float:
    """Shortest wall time of ``repeats`` calls of ``work``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def _end_to_end(job: tuple[int, int, str]) -> float:
    size, n_frames, path = job
    track, audio = _track(n_frames)
    renderer = Renderer(characters()["Mery"], size)
    start = time.perf_counter()
    clip_write(Path(path), renderer.frames(track), audio)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=512, help="frame size (default 512)")
    parser.add_argument("--frames", type=int, default=250, help="frames per clip (default 250)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default 3)")
    args = parser.parse_args()
    size, n, repeats = args.size, args.frames, args.repeats
    workers = len(os.sched_getaffinity(0))
    track, audio = _track(n)
    renderer = Renderer(characters()["Mery"], size)
    frames = np.stack([renderer.frame(pose).copy() for pose in track])

    def render_only() -> None:
        for pose in track:
            renderer.frame(pose)

    with tempfile.TemporaryDirectory() as tmp:
        render_s = _best(repeats, render_only)
        encode_s = _best(repeats, lambda: clip_write(Path(tmp) / "e.mp4", frames, audio))
        both_s = _best(repeats, lambda: clip_write(Path(tmp) / "b.mp4",
                                                   renderer.frames(track), audio))
        jobs = [(size, n, str(Path(tmp) / f"w{i}.mp4")) for i in range(workers)]
        with multiprocessing.get_context("spawn").Pool(workers) as pool:
            pool.map(_end_to_end, jobs)  # start and warm the workers before timing
            parallel_s = _best(repeats, lambda: pool.map(_end_to_end, jobs))

    encode_fps = n / encode_s
    rows = [
        ("render only (1 process)", n / render_s),
        ("encode only (1 process)", encode_fps),
        ("render + encode (1 process)", n / both_s),
        (f"render + encode ({workers} processes, 1 clip each)", workers * n / parallel_s),
    ]
    print(f"{n} frames of {size} x {size}, H.264 {X264_PRESET} + AAC, best of {repeats}, "
          f"{workers} cores")
    for label, fps in rows:
        print(f"  {label:<48} {fps:7.1f} fps   {fps / encode_fps:5.2f} x encode-only")


if __name__ == "__main__":
    main()
