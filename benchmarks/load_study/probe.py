"""The disk under PostgreSQL's WAL during a load run: a probe that finds its stalls.

Every answer is one commit, and a commit waits until its WAL is synced to disk
(``synchronous_commit``, so no acknowledged answer is lost), so a disk that
stalls for 300 ms holds every answer sent meanwhile for as long. On a VM the
stalls come from the host's storage and nothing in the app can shorten them.
The probe syncs beside the set-up; the report sets the answers that were in
flight during a slow sync beside the others, so a missed target can be told
apart: the app, or the disk.
"""

from __future__ import annotations

import bisect
import os
import threading
import time
from pathlib import Path

import psycopg2

from deploy.run_local import LocalSetup

SLOW_SYNC_MS = 50.0      # a disk sync this slow shows in the answers' tail
DISK_PROBE_EVERY_S = 0.2


class DiskProbe:
    """A thread that writes 8 kB and calls fdatasync on a file every 0.2 s (about
    5 % of the syncs PostgreSQL does at 200 participants), keeping when each
    sync began and how long it took."""

    def __init__(self, folder: Path, start: float, every: float = DISK_PROBE_EVERY_S):
        self.path, self.start, self.every = folder / "disk-probe", start, every
        self.syncs: list[tuple[float, float]] = []   # (s into the run, ms)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="disk-probe", daemon=True)

    def _loop(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while not self.stop.wait(self.every):
                os.pwrite(fd, os.urandom(8192), 0)
                began = time.monotonic()
                os.fdatasync(fd)
                self.syncs.append((began - self.start, (time.monotonic() - began) * 1000))
        finally:
            os.close(fd)
            self.path.unlink(missing_ok=True)

    def slow(self) -> list[tuple[float, float]]:
        """(from, to) in s into the run of each sync over SLOW_SYNC_MS."""
        return [(at, at + ms / 1000) for at, ms in self.syncs if ms > SLOW_SYNC_MS]


def same_disk(folder: Path, setup: LocalSetup) -> bool | None:
    """Whether ``folder`` is on the filesystem of PostgreSQL's WAL (None: unknown)."""
    try:
        with psycopg2.connect(setup.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            wal = (Path(cursor.fetchone()[0]) / "pg_wal").resolve()
        connection.close()
        return os.stat(folder).st_dev == os.stat(wal).st_dev
    except (OSError, psycopg2.Error):
        return None


def split_by_stalls(answers: list[tuple[float, float]],
                    stalls: list[tuple[float, float]]) -> tuple[int, list[float]]:
    """How many answers ((ended s, ms) each) were in flight during a stall ((from, to) s,
    in time order and disjoint, as one thread's syncs are), and the others' latencies."""
    starts = [a for a, _ in stalls]
    overlapped, others = 0, []
    for end, ms in answers:
        # The last stall that began before this answer ended is also the last to end.
        k = bisect.bisect_left(starts, end)
        if k and stalls[k - 1][1] > end - ms / 1000:
            overlapped += 1
        else:
            others.append(ms)
    return overlapped, others
