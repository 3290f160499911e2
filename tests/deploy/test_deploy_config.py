"""The production set-up's files, checked without starting any server.

The nginx template renders with every placeholder filled, for the local
set-up and for a lab's TLS server, and `nginx -t` accepts both where nginx is
installed; the gunicorn config imports and names a worker class that exists.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from deploy import nginx
from deploy.run_local import HOST, LocalSetup

REPO = Path(__file__).resolve().parents[2]


def _site(tmp_path: Path, **overrides) -> nginx.NginxSite:
    for name in ("static", "stimuli", "clip-links"):
        (tmp_path / name).mkdir(exist_ok=True)
    values = {"run_dir": tmp_path / "run", "static_root": tmp_path / "static",
              "stimuli_root": tmp_path / "stimuli", "clip_links_root": tmp_path / "clip-links",
              "upstream": f"unix:{tmp_path}/g.sock",
              "listen": f"{HOST}:18080", "server_name": HOST, **overrides}
    return nginx.NginxSite(**values)


def _nginx_t(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["nginx", "-t", "-c", str(conf)], capture_output=True, text=True,
                          timeout=30)


def test_local_config_renders_every_placeholder(tmp_path):
    text = nginx.render(_site(tmp_path))
    assert "{{" not in text and "}}" not in text
    assert f"listen {HOST}:18080;" in text
    assert "ssl_certificate" not in text and "return 301" not in text
    # the clips: an internal location nginx serves itself after X-Accel-Redirect
    internal = text.split("location /protected-stimuli/ {", 1)[1].split("}", 1)[0]
    assert "internal;" in internal and f"alias {tmp_path / 'stimuli'}/;" in internal
    assert f"alias {tmp_path / 'static'}/;" in text
    assert f"server unix:{tmp_path}/g.sock;" in text
    # every file nginx writes stays in the run folder
    for directive in ("pid ", "error_log ", "access_log ", "client_body_temp_path ",
                      "proxy_temp_path "):
        line = next(x for x in text.splitlines() if x.strip().startswith(directive))
        assert str(tmp_path / "run") in line, line


def test_local_setup_matches_the_app_settings(tmp_path):
    setup = LocalSetup(run_dir=tmp_path, port=18080, stimuli_root=tmp_path / "stimuli")
    env = setup.env()
    assert env["DEBUG"] == "0" and env["HTTPS"] == "0" and len(env["SECRET_KEY"]) >= 50
    assert env["STIMULI_ACCEL_REDIRECT"] == "/protected-stimuli/"
    assert env["DATABASE_URL"].startswith("postgres://postgres@127.0.0.1:5432/")
    assert setup.url == f"http://{HOST}:18080"
    # the key is made once and kept: a new key would end every participant's session
    assert LocalSetup(run_dir=tmp_path).env()["SECRET_KEY"] == env["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert "location /protected-stimuli/" in nginx.render(setup.nginx_site())


def test_tls_config_listens_on_443_and_redirects_80(tmp_path):
    site = _site(tmp_path, listen="443", server_name="study.example.org",
                 tls_cert=tmp_path / "cert.pem", tls_key=tmp_path / "key.pem")
    text = nginx.render(site)
    assert "listen 443 ssl" in text and f"ssl_certificate {tmp_path}/cert.pem;" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "Strict-Transport-Security" in text
    with pytest.raises(ValueError):
        nginx.render(_site(tmp_path, tls_cert=tmp_path / "cert.pem"))


def test_unknown_placeholder_and_unsafe_paths_are_refused(tmp_path):
    with pytest.raises(KeyError, match="nothing fills"):
        nginx.render(_site(tmp_path), template="pid {{run_dir}}/x; {{nope}}")
    with pytest.raises(ValueError):
        nginx.render(_site(tmp_path, static_root=tmp_path / "a b"))


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_local_config(tmp_path):
    conf = nginx.write(_site(tmp_path), tmp_path / "nginx.conf")
    result = _nginx_t(conf)
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(shutil.which("nginx") is None or shutil.which("openssl") is None,
                    reason="nginx or openssl is not installed")
def test_nginx_accepts_the_tls_config(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=study.example.org", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    # high ports: `nginx -t` binds nothing, but keep the test runnable without root
    site = _site(tmp_path, listen="8443", server_name="study.example.org",
                 tls_cert=cert, tls_key=key)
    conf = nginx.write(site, tmp_path / "nginx.conf")
    result = _nginx_t(conf)
    assert result.returncode == 0, result.stderr


def test_gunicorn_config_imports_with_sane_values(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "unix:/tmp/x.sock")
    spec = importlib.util.spec_from_file_location("gunicorn_conf", REPO / "deploy" /
                                                  "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert conf.bind == ["unix:/tmp/x.sock"]
    assert conf.wsgi_app == "studyapp.wsgi:application"
    assert conf.workers >= 1 and conf.threads >= 1 and conf.timeout > 0
    assert importlib.util.find_spec(f"gunicorn.workers.{conf.worker_class}") is not None


def test_gunicorn_checks_the_config():
    """gunicorn itself parses the file (its --check-config loads the app too)."""
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c",
         "deploy/gunicorn.conf.py", "--print-config"],
        cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "worker_class" in result.stdout


def test_arrivals_are_paced_at_the_study_link_only(tmp_path):
    text = nginx.render(_site(tmp_path, arrival_rate=7))
    assert "rate=7r/s" in text and f"burst={7 * nginx.ARRIVAL_QUEUE_S};" in text
    pacing = text.index("limit_req zone=arrivals")
    link = text.rindex("location", 0, pacing)
    assert text[link:pacing].strip().startswith('location ~ "^/s/[-\\w]+/$"')
    # Both limits (all newcomers, and one client address) and nothing else is paced.
    assert text.count("limit_req zone=") == 2
    assert "limit_req zone=arrivals_per_client" in text[link:text.index("}", pacing)]
    unlimited = nginx.render(_site(tmp_path, arrival_rate=7, per_client_limit=False))
    assert unlimited.count("limit_req zone=") == 1
    with pytest.raises(ValueError, match="at least 1"):
        nginx.render(_site(tmp_path, arrival_rate=0))


def test_the_arrival_rate_is_derived_from_the_cores_and_the_measured_cost():
    """Half of the cores' time over the measured CPU per arrival (deploy/nginx.py)."""
    assert nginx.arrival_rate_for(2, cpu_ms=70, share=0.5) == 14  # 1000 / 70 = 14.3
    assert nginx.arrival_rate_for(16, cpu_ms=70, share=0.5) == 114
    assert nginx.arrival_rate_for(1, cpu_ms=5000, share=0.5) == 1  # never 0: nobody gets in
    assert nginx.ARRIVAL_RATE == nginx.arrival_rate_for(len(os.sched_getaffinity(0)))
    with pytest.raises(ValueError):
        nginx.arrival_rate_for(0)


@pytest.fixture
def open_folder():
    """A folder anyone may enter (pytest's own temporary folders are private to their owner)."""
    base = Path(tempfile.mkdtemp(dir="/tmp", prefix="test-nginx-"))
    base.chmod(0o755)
    yield base
    shutil.rmtree(base)


def _lab_config(base: Path, stimuli: Path, user: str) -> list[str]:
    """``python -m deploy.nginx`` for a lab's server, as in docs/deployment.md."""
    return ["--run-dir", str(base / "run"), "--static-root", str(base / "static"),
            "--stimuli-root", str(stimuli), "--clip-links-root", str(base / "clip-links"),
            "--user", user, "--out", str(base / "nginx.conf")]


def test_the_lab_config_warns_when_its_workers_cannot_read_the_clips(open_folder, capsys):
    private = open_folder / "private"
    (private / "stimuli").mkdir(parents=True)
    private.chmod(0o700)
    (open_folder / "static").mkdir(mode=0o755)
    # clip-links does not exist yet (build_study makes it): nothing to say about it
    nginx.main(_lab_config(open_folder, private / "stimuli", "nobody"))
    warnings = capsys.readouterr().err.strip().splitlines()
    assert warnings == [f"warning: nginx's workers (user nobody) cannot read {private / 'stimuli'}: "
                        f"{private} is mode 0700; let them in (e.g. chmod o+x {private}) or "
                        "choose another --user"]
    assert (open_folder / "nginx.conf").read_text().startswith("# nginx")  # written all the same
    private.chmod(0o711)
    (private / "stimuli").chmod(0o750)
    nginx.main(_lab_config(open_folder, private / "stimuli", "nobody"))
    assert "chmod o+rx" in capsys.readouterr().err
    (private / "stimuli").chmod(0o755)
    nginx.main(_lab_config(open_folder, private / "stimuli", "nobody"))
    assert capsys.readouterr().err == ""


def test_the_lab_config_warns_of_a_worker_user_that_does_not_exist(open_folder, capsys):
    nginx.main(_lab_config(open_folder, open_folder, "no-such-user-here"))
    assert "there is no user 'no-such-user-here' here" in capsys.readouterr().err
