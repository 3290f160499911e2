"""Arrival control at the study link, with a real nginx as run_local configures it
(no app behind it: a request let through gets nginx's 502). More newcomers than the
set-up lets in get the waiting page at once, and so does one client address that
asks too often; neither is held open (deploy/nginx.py, ARRIVAL_QUEUE_S, CLIENT_RATE)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from deploy import nginx
from deploy.run_local import HOST, LocalSetup

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, dict, float]:
    """Status, body, headers (lower-case names) and seconds taken."""
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as reply:
            status, body, headers = reply.status, reply.read(), reply.headers
    except urllib.error.HTTPError as exc:
        status, body, headers = exc.code, exc.read(), exc.headers
    return (status, body.decode("utf-8", "replace"), {k.lower(): v for k, v in headers.items()},
            time.perf_counter() - began)


def _nginx(tmp_path, arrival_rate: int):
    setup = LocalSetup(run_dir=tmp_path / "run", port=_free_port(),
                       stimuli_root=tmp_path / "stimuli", arrival_rate=arrival_rate)
    setup.stimuli_root.mkdir(parents=True)
    conf = nginx.write(setup.nginx_site(), setup.nginx_conf)
    subprocess.run(["nginx", "-c", str(conf)], check=True, capture_output=True, timeout=30)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex((HOST, setup.port)) == 0:
                break
        time.sleep(0.05)
    return setup


@pytest.fixture
def running(tmp_path):
    """running(arrival_rate) -> the URL of nginx letting that many newcomers in a second."""
    started = []

    def start(arrival_rate: int) -> str:
        setup = _nginx(tmp_path / str(arrival_rate), arrival_rate)
        started.append(setup)
        return setup.url

    yield start
    for setup in started:
        subprocess.run(["kill", "-QUIT", (setup.run_dir / "nginx.pid").read_text().strip()])
    time.sleep(0.3)


def test_a_crowd_beyond_the_queue_gets_the_waiting_page_at_once(running):
    slow = running(1)
    with ThreadPoolExecutor(12) as pool:
        replies = list(pool.map(_get, [f"{slow}/s/study/?PROLIFIC_PID=x"] * 12))
    waiting = [r for r in replies if r[0] == 503]
    let_in = [r for r in replies if r[0] == 502]   # passed to the (absent) app
    assert len(let_in) == 1 + nginx.ARRIVAL_QUEUE_S and len(waiting) == 12 - len(let_in)
    for _, body, headers, seconds in waiting:
        assert "You are in line" in body and "您正在排队" in body and "location.reload()" in body
        assert headers["retry-after"] == "3" and headers["cache-control"] == "no-store"
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert seconds < 1  # said at once, not held
    assert max(r[3] for r in let_in) < nginx.ARRIVAL_QUEUE_S + 1.5
    # Other pages are not paced.
    assert _get(f"{slow}/s/study/consent/")[0] == 502


def test_one_client_cannot_hold_everyone_up(running):
    fast = running(1000)  # only the per-client limit can stop anyone
    codes = [_get(f"{fast}/s/study/")[0] for _ in range(nginx.CLIENT_BURST + 6)]
    assert codes[:nginx.CLIENT_BURST] == [502] * nginx.CLIENT_BURST
    assert 503 in codes[nginx.CLIENT_BURST:]
