"""parallel_map: results from every worker, and a quiet exit after the last job."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# Records whether the pool's terminate() (SIGTERM to the workers) meets a live worker.
SCRIPT = """
import math
import multiprocessing.pool
from generator.common.parallel import parallel_map

alive_at_terminate = []
_terminate = multiprocessing.pool.Pool.terminate

def terminate(self):
    alive_at_terminate.extend(p.pid for p in self._pool if p.is_alive())
    _terminate(self)

multiprocessing.pool.Pool.terminate = terminate
if __name__ == "__main__":
    squares = [n * n for n in range(30)]
    print(sorted(parallel_map(math.isqrt, squares, workers=2, desc="t")) == list(range(30)))
    print(alive_at_terminate)
"""


def test_two_workers_return_every_result_and_none_is_killed_after_the_last_job(tmp_path):
    # A worker that got the pool's SIGTERM while already shutting down printed
    # "Exception ignored ... SystemExit: 1" under `make demo` (about 1 run in 6).
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=REPO,
                          timeout=120, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["True", "[]"], done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
