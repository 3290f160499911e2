"""The load bench's disk diagnosis (bench/load_study.py): which answers a disk stall held,
and the probe that finds the stalls."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def load_study():
    sys.path.insert(0, str(BENCH))  # the bench imports lite_http from beside itself
    try:
        import load_study
        yield load_study
    finally:
        sys.path.remove(str(BENCH))


def test_answers_in_flight_during_a_stall_are_told_apart(load_study):
    stalls = [(10.0, 10.4), (20.0, 20.1), (30.0, 30.05)]
    answers = [
        (10.2, 50.0),    # 10.15-10.2: inside the first stall
        (10.5, 300.0),   # 10.2-10.5: ended after the stall, began within it
        (9.9, 100.0),    # 9.8-9.9: before it
        (10.45, 20.0),   # 10.43-10.45: began after it ended
        (25.0, 6000.0),  # 19-25: spans the second stall
        (31.0, 10.0),    # after every stall
    ]
    overlapped, others = load_study.split_by_stalls(answers, stalls)
    assert overlapped == 3
    assert others == [100.0, 20.0, 10.0]
    assert load_study.split_by_stalls(answers, []) == (0, [ms for _, ms in answers])


def test_disk_probe_records_syncs_and_removes_its_file(load_study, tmp_path):
    probe = load_study.DiskProbe(tmp_path, time.monotonic(), every=0.01)
    probe.thread.start()
    time.sleep(0.3)
    probe.stop.set()
    probe.thread.join(5)
    assert len(probe.syncs) >= 3
    assert all(ms >= 0 for _, ms in probe.syncs)
    starts = [at for at, _ in probe.syncs]
    assert starts == sorted(starts)
    assert not (tmp_path / "disk-probe").exists()
    probe.syncs = [(1.0, 10.0), (2.0, 80.0), (3.0, 51.0)]
    assert probe.slow() == [(2.0, 2.08), (3.0, 3.051)]
