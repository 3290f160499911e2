"""A real nginx (127.0.0.1, no app behind it) sends a clip from its link, Range
included, and asks the app for anything else under the clip URLs."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from deploy import nginx
from deploy.run_local import HOST

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=10) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture
def served():
    """nginx with one linked clip; its workers may run as another user, so the
    folder is a world-readable one under var/ rather than pytest's private tmp."""
    (REPO / "var").mkdir(exist_ok=True)
    base = Path(tempfile.mkdtemp(dir=REPO / "var", prefix="test-nginx-"))
    base.chmod(0o755)
    clip = base / "stimuli" / "set" / "clips" / "s0001-mery-anger.mp4"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(bytes(range(256)) * 40)
    (base / "static").mkdir()
    (base / "links" / "study").mkdir(parents=True)
    (base / "links" / "study" / "7.mp4").symlink_to(clip)
    port = _free_port()
    site = nginx.NginxSite(run_dir=base / "run", static_root=base / "static",
                           stimuli_root=base / "stimuli", clip_links_root=base / "links",
                           upstream=f"unix:{base}/no-app.sock", listen=f"{HOST}:{port}",
                           server_name=HOST)
    conf = nginx.write(site, base / "nginx.conf")
    subprocess.run(["nginx", "-c", str(conf)], check=True, capture_output=True, timeout=30)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex((HOST, port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://{HOST}:{port}", clip.read_bytes()
    finally:
        pid = (base / "run" / "nginx.pid").read_text().strip()
        subprocess.run(["kill", "-QUIT", pid], check=False)
        time.sleep(0.3)
        shutil.rmtree(base, ignore_errors=True)


def test_nginx_sends_linked_clips_itself_and_asks_the_app_otherwise(served):
    url, data = served
    status, body = _get(f"{url}/s/study/clip/7.mp4", Range="bytes=10-19")
    assert (status, body) == (206, data[10:20])
    assert _get(f"{url}/s/study/clip/7.mp4") == (200, data)
    # No link, or not a clip URL: nginx asks the app, and there is none here (502).
    assert _get(f"{url}/s/study/clip/8.mp4")[0] == 502
    assert _get(f"{url}/s/study/clip/7.mp4.bak")[0] == 502
    assert _get(f"{url}/s/other/clip/7.mp4")[0] == 502
