"""Run independent jobs on every core, with a progress bar."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence

from tqdm import tqdm


def _stop(signum, frame) -> None:
    raise SystemExit(1)


def _worker_init() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool and reports once; the
    pool's SIGTERM becomes SystemExit so a half-written file's temporary is removed."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


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
        with context.Pool(min(workers, len(jobs)), initializer=_worker_init) as pool:
            for result in pool.imap_unordered(func, jobs):
                yield result
                bar.update()
            # All done: let the workers exit on their own. Leaving the block calls
            # terminate(), whose SIGTERM would otherwise reach a worker that is already
            # shutting down and print 'Exception ignored ... SystemExit' to the user.
            pool.close()
            pool.join()
    finally:
        bar.close()
