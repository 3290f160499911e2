"""A real nginx on 127.0.0.1, configured as deploy/run_local.py configures it,
with a stand-in app on its socket that gives the app's real clip answer
(X-Accel-Redirect, studyapp.media). nginx sends a clip from its link itself and
asks the app for any other clip URL; either way Range works and no header tells
of the file. All of it from a checkout inside a private folder."""

from __future__ import annotations

import shutil
import socket
import socketserver
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

import pytest

from deploy import nginx
from deploy.run_local import HOST, LocalSetup
from studyapp.media import accel_redirect_response

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")

NAME = "0123456789abcdef0123456789abcdef"  # a clip's URL name: 32 random hex digits
UNLINKED = "fedcba9876543210fedcba9876543210"
REVEALING = {"last-modified", "etag", "content-disposition"}


@dataclass
class Served:
    url: str
    data: bytes       # the clip's bytes
    asked: list[str]  # the paths the app was asked for


class _App(BaseHTTPRequestHandler):
    """Answers every request as the app answers a clip URL: X-Accel-Redirect to the clip."""

    protocol_version = "HTTP/1.1"  # nginx keeps its upstream connections open

    def do_GET(self):
        self.server.asked.append(self.path)
        response = accel_redirect_response(self.server.clip, self.server.root,
                                           "/protected-stimuli/")
        self.send_response(response.status_code)
        for name, value in response.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        """Silent: a unix socket has no client address to log."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _get(url: str, **headers) -> tuple[int, bytes, dict[str, str]]:
    """Status, body and headers (names in lower case) of a GET."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=10) as reply:
            return reply.status, reply.read(), {k.lower(): v for k, v in reply.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, b"", {k.lower(): v for k, v in exc.headers.items()}


@pytest.fixture
def served(tmp_path):
    """run_local's nginx and a stand-in app, with one clip and its link, all inside a
    folder only its owner may enter (mode 0700, as ``mktemp -d`` makes for a clone)."""
    private = tmp_path / "private"
    private.mkdir()
    private.chmod(0o700)
    setup = LocalSetup(run_dir=private / "run", port=_free_port(),
                       stimuli_root=private / "stimuli")
    clip = setup.stimuli_root / "set" / "clips" / "s0001-mery-anger.mp4"
    clip.parent.mkdir(parents=True)
    clip.write_bytes(bytes(range(256)) * 40)
    (setup.clip_links_root / "study").mkdir(parents=True)
    (setup.clip_links_root / "study" / f"{NAME}.mp4").symlink_to(clip)
    app = socketserver.ThreadingUnixStreamServer(str(setup.socket_path), _App)
    app.clip, app.root, app.asked = clip, setup.stimuli_root, []
    threading.Thread(target=app.serve_forever, daemon=True).start()
    conf = nginx.write(setup.nginx_site(), setup.nginx_conf)
    subprocess.run(["nginx", "-c", str(conf)], check=True, capture_output=True, timeout=30)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex((HOST, setup.port)) == 0:
                    break
            time.sleep(0.05)
        yield Served(setup.url, clip.read_bytes(), app.asked)
    finally:
        subprocess.run(["kill", "-QUIT", (setup.run_dir / "nginx.pid").read_text().strip()],
                       check=False)
        app.shutdown()
        app.server_close()
        time.sleep(0.3)


@pytest.mark.parametrize("name", [NAME, UNLINKED], ids=["from its link", "from the app"])
def test_a_clip_comes_whole_or_in_ranges(served, name):
    status, body, headers = _get(f"{served.url}/s/study/clip/{name}.mp4", Range="bytes=10-19")
    assert (status, body) == (206, served.data[10:20])
    assert headers["content-range"] == f"bytes 10-19/{len(served.data)}"
    status, body, headers = _get(f"{served.url}/s/study/clip/{name}.mp4")
    assert (status, body) == (200, served.data)
    assert headers["cache-control"] == "private, max-age=3600"
    assert headers["content-type"] == "video/mp4"
    assert (f"/s/study/clip/{name}.mp4" in served.asked) == (name == UNLINKED)


@pytest.mark.parametrize("name", [NAME, UNLINKED], ids=["from its link", "from the app"])
def test_a_clip_reply_tells_nothing_of_the_file(served, name):
    """No mtime, ETag or file name: they would give the render order, so the method, away."""
    url = f"{served.url}/s/study/clip/{name}.mp4"
    for extra in ({}, {"Range": "bytes=0-1"}):
        headers = _get(url, **extra)[2]
        assert not REVEALING & set(headers), headers
    # Nor can a conditional request probe the mtime: a date after it still gets the clip.
    tomorrow = formatdate(time.time() + 86400, usegmt=True)
    assert _get(url, **{"If-Modified-Since": tomorrow})[0] == 200


def test_only_a_linked_clip_name_is_sent_without_the_app(served):
    for path in (f"study/clip/{NAME}.mp4.bak", f"study/clip/{NAME.upper()}.mp4",
                 f"study/clip/{NAME[:-1]}.mp4", "study/clip/7.mp4", f"other/clip/{NAME}.mp4"):
        _get(f"{served.url}/s/{path}")
        assert f"/s/{path}" in served.asked, path
