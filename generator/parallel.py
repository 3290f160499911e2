"""Run independent jobs on every core, with a progress bar."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence

from tqdm import tqdm


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)))


def parallel_map(func: Callable, jobs: Sequence, *, workers: int, desc: str,
                 unit: str = "item") -> Iterator:
    """Results of ``func(job)`` in completion order; one worker runs in-process."""
    bar = tqdm(total=len(jobs), desc=desc, unit=unit, dynamic_ncols=True)
    try:
        if workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                yield func(job)
                bar.update()
            return
        # spawn: each worker starts its own espeak-ng and skia state cleanly.
        context = multiprocessing.get_context("spawn")
        with context.Pool(min(workers, len(jobs))) as pool:
            for result in pool.imap_unordered(func, jobs):
                yield result
                bar.update()
    finally:
        bar.close()
