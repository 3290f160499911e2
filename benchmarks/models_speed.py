"""Speed of the models: Soft-DTW, ETAD and EVP-style inference, training wall time.

    .venv/bin/python -m benchmarks.models_speed [--runs runs] [--data build/dataset]

1. Soft-DTW forward + backward at batch 16, length 100, dimension 50: ours in
   float32 and float64 beside tslearn's ``SoftDTWLossPyTorch`` (numba; only if
   tslearn is installed; its first call, which compiles, is timed separately),
   and the largest difference between the two values.
2. Real-time factor (seconds of audio per second of compute) of ETAD and the
   EVP-style baseline on the primary character's held-out clips, features
   included, with one and two torch threads; the ratio ETAD / EVP.
3. Training wall time of the runs found under ``--runs`` (from their metrics).
Prints figures and ratios; BENCHMARKS.md records them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch

from generator.models.softdtw import soft_dtw


def _time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def softdtw_bench(repeat: int, threads: int) -> None:
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(0)
    x32, y32 = torch.rand(16, 100, 50, generator=gen), torch.rand(16, 100, 50, generator=gen)

    def ours(dtype):
        x = x32.to(dtype).requires_grad_(True)
        soft_dtw(x, y32.to(dtype), 0.1).sum().backward()

    t32, t64 = _time(lambda: ours(torch.float32), repeat), _time(lambda: ours(torch.float64), repeat)
    print(f"Soft-DTW B16 T100 D50 fwd+bwd, {threads} thread(s), median of {repeat}:")
    print(f"  ours float32   {t32 * 1000:7.1f} ms")
    print(f"  ours float64   {t64 * 1000:7.1f} ms")
    try:
        from tslearn.metrics import SoftDTWLossPyTorch
    except ImportError:
        print("  tslearn        not installed (pip install tslearn to compare)")
        return
    loss = SoftDTWLossPyTorch(gamma=0.1)

    def theirs():
        x = x32.clone().requires_grad_(True)
        loss(x, y32).sum().backward()

    start = time.perf_counter()
    theirs()
    first = time.perf_counter() - start
    tt = _time(theirs, repeat)
    ref = soft_dtw(x32.double(), y32.double(), 0.1)
    diff = (loss(x32, y32).double() - ref).abs().max().item()
    print(f"  tslearn        {tt * 1000:7.1f} ms  (first call, compiling: {first:.1f} s)")
    print(f"  ratio ours float32 / tslearn: {t32 / tt:.2f}x the time")
    print(f"  largest |tslearn - ours float64| over the batch: {diff:.2e}")


def inference_bench(runs: Path, data: Path) -> None:
    from generator.models.data import item_audio, item_track, split_items
    from generator.models.registry import Methods

    methods = Methods(runs, data)
    items = split_items(data, "mery", "test")
    clips = [(item_audio(i), len(item_track(i)), i.emotion) for i in items]
    seconds = sum(len(a) for a, _, _ in clips) / 16000
    print(f"Inference on {len(clips)} held-out clips ({seconds:.1f} s of audio), features "
          "included; x real time on the first pass (every clip length new to oneDNN, as for "
          "a user's new clip) / best of 3 passes:")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        rtf = {}
        for method in ("etad", "evp"):
            methods.primary_face(method, *clips[0][:1], clips[0][2], clips[0][1])  # load the model
            passes = []
            for _ in range(3):
                start = time.perf_counter()
                for audio, n, emotion in clips:
                    methods.primary_face(method, audio, emotion, n)
                passes.append(seconds / (time.perf_counter() - start))
            rtf[method] = (passes[0], max(passes))
        (e1, eb), (v1, vb) = rtf["etad"], rtf["evp"]
        print(f"  {threads} thread(s): ETAD {e1:6.1f}x / {eb:6.1f}x, EVP-style {v1:6.1f}x / "
              f"{vb:6.1f}x; ratio ETAD / EVP speed {e1 / v1:.2f} / {eb / vb:.2f}")


def training_times(runs: Path) -> None:
    print("Training wall time (from the runs' metrics):")
    for name in ("etad", "etad-no-softdtw", "etad-no-emotion"):
        path = runs / name / "metrics.json"
        if path.is_file():
            metrics = json.loads(path.read_text())
            wall = metrics.get("train_wall_s")
            steps = metrics["history"][-1]["step"] if metrics.get("history") else "?"
            print(f"  {name:16s} {steps} steps, {wall if wall is not None else '?'} s")
    hubert = runs / "hubert" / "project_hubert.json"
    if hubert.is_file():
        print(f"  hubert           {json.loads(hubert.read_text())['config']['steps']} steps")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="runs", help="trained models (default: %(default)s)")
    parser.add_argument("--data", default="build/dataset", help="dataset (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=7, help="timings per figure (default: 7)")
    parser.add_argument("--skip-models", action="store_true",
                        help="only the Soft-DTW figures (no trained models needed)")
    args = parser.parse_args()
    print(f"cores visible: {len(os.sched_getaffinity(0))}, torch {torch.__version__}")
    for threads in (1, 2):
        softdtw_bench(args.repeat, threads)
    if not args.skip_models:
        inference_bench(Path(args.runs), Path(args.data))
        training_times(Path(args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
