"""Start and stop the production set-up on this machine, bound to 127.0.0.1 only.

    python -m deploy.run_local start     # PostgreSQL db, migrate, collectstatic, gunicorn, nginx
    python -m deploy.run_local status
    python -m deploy.run_local manage build_study stimuli/demo/manifest.json --slug demo
    python -m deploy.run_local stop      # nginx and gunicorn; PostgreSQL keeps running

What runs (docs/deployment.md):
- PostgreSQL: the machine's own cluster at 127.0.0.1:5432 (user postgres,
  trust auth), with a database of its own (default ``studyapp_local``);
- gunicorn (deploy/gunicorn.conf.py) with DEBUG=0 and a SECRET_KEY generated
  once and kept in the run folder (sessions stay valid across restarts), on a
  unix socket in the run folder;
- nginx (Debian's package; deploy/nginx.conf.template) on 127.0.0.1:PORT,
  serving /static/ and the clips itself (from the app's clip links, else
  X-Accel-Redirect; Range) and proxying the rest, with its pid, logs and temp files in the run folder;
  its workers run as whoever starts it (root included), so a checkout in a
  private folder (mode 0700, as ``mktemp -d`` makes) is served too.

benchmarks/load_study (python -m benchmarks.load_study) drives exactly this set-up.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy import nginx

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address this script ever binds or calls
PG_URL = "postgres://postgres@127.0.0.1:5432/"
DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class SetupError(RuntimeError):
    """The set-up could not start; the message says what to do."""


@dataclass
class LocalSetup:
    """One production-like set-up on 127.0.0.1; everything it writes is under run_dir."""

    run_dir: Path = REPO / "var" / "run-local"
    port: int = 8080
    database: str = "studyapp_local"
    stimuli_root: Path = REPO / "stimuli"
    gunicorn_env: dict = field(default_factory=dict)  # GUNICORN_WORKERS, GUNICORN_THREADS, ...
    arrival_rate: int = nginx.ARRIVAL_RATE  # newcomers let through the study link per second
    per_client_limit: bool = True  # off for the load benchmark's crowd on one address
    _gunicorn: subprocess.Popen | None = field(default=None, repr=False)

    def __post_init__(self):
        self.run_dir = Path(self.run_dir).resolve()
        self.stimuli_root = Path(self.stimuli_root).resolve()
        if not DB_NAME.match(self.database):
            raise SetupError(f"database name {self.database!r}: use lower-case letters, "
                             "digits and _")

    # -- paths and settings ---------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def database_url(self) -> str:
        return PG_URL + self.database

    @property
    def socket_path(self) -> Path:
        return self.run_dir / "gunicorn.sock"

    @property
    def clip_links_root(self) -> Path:
        return self.run_dir / "clip-links"

    @property
    def nginx_conf(self) -> Path:
        return self.run_dir / "nginx.conf"

    def secret_key(self) -> str:
        """Generated on first start, then reused: a new key would end every session."""
        path = self.run_dir / "secret_key"
        if not path.exists():
            self.run_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(50))
        return path.read_text().strip()

    def env(self) -> dict[str, str]:
        """The app's settings (studyapp/settings.py reads them) and gunicorn's."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "studyapp.settings",
            "DATABASE_URL": self.database_url,
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key(),
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "CSRF_TRUSTED_ORIGINS": self.url,
            "HTTPS": "0",  # plain HTTP on 127.0.0.1 only; a lab's server uses TLS
            "STIMULI_ROOT": str(self.stimuli_root),
            "STATIC_ROOT": str(self.run_dir / "static"),
            "STIMULI_ACCEL_REDIRECT": "/protected-stimuli/",
            "CLIP_LINKS_ROOT": str(self.clip_links_root),
            "GUNICORN_BIND": f"unix:{self.socket_path}",
            "GUNICORN_PIDFILE": str(self.run_dir / "gunicorn.pid"),
            "PYTHONUNBUFFERED": "1",
            **{k: str(v) for k, v in self.gunicorn_env.items()},
        }

    def nginx_site(self) -> nginx.NginxSite:
        return nginx.NginxSite(
            run_dir=self.run_dir, static_root=self.run_dir / "static",
            stimuli_root=self.stimuli_root, upstream=f"unix:{self.socket_path}",
            listen=f"{HOST}:{self.port}", server_name=HOST,
            user=nginx.local_user(),
            clip_links_root=self.clip_links_root, arrival_rate=self.arrival_rate,
            per_client_limit=self.per_client_limit)

    # -- the whole set-up -----------------------------------------------
    def start(self, *, fresh_database: bool = False, log=print) -> None:
        if not shutil.which("nginx"):
            raise SetupError("nginx is not installed: apt-get install -y nginx")
        if self.running():
            raise SetupError(f"already running from {self.run_dir}: stop it first")
        if not _port_free(self.port):
            raise SetupError(f"{HOST}:{self.port} is taken: choose another --port")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        postgres_ensure_running()
        database_create(self.database, drop_first=fresh_database)
        log(f"database {self.database_url}")
        self.manage("migrate", "--noinput", quiet=True)
        self.manage("collectstatic", "--noinput", "--clear", quiet=True)
        self.manage("link_clips", quiet=True)
        nginx.write(self.nginx_site(), self.nginx_conf)
        _run(["nginx", "-t", "-q", "-c", str(self.nginx_conf)], what="nginx -t")
        try:
            self.gunicorn_start()
            _run(["nginx", "-c", str(self.nginx_conf)], what="nginx")
            self.wait_ready()
        except BaseException:
            self.stop(log=lambda _: None)  # nothing half-started stays behind
            raise
        log(f"serving {self.url}/ (nginx -> gunicorn -> PostgreSQL); logs in {self.run_dir}")

    def stop(self, log=print) -> None:
        pid = _pid(self.run_dir / "nginx.pid")
        if pid:
            os.kill(pid, signal.SIGQUIT)  # graceful: finish requests in flight
            _wait_gone(pid, 10) or os.kill(pid, signal.SIGKILL)
        self.gunicorn_stop()
        log("stopped nginx and gunicorn (PostgreSQL keeps running)")

    def running(self) -> dict[str, int | None]:
        return {name: _pid(self.run_dir / f"{name}.pid") for name in ("nginx", "gunicorn")
                if _pid(self.run_dir / f"{name}.pid")}

    def manage(self, *args: str, quiet: bool = False) -> subprocess.CompletedProcess:
        """``manage.py ARGS`` with the set-up's settings (same database, same folders)."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=self.env(),
                                text=True, capture_output=quiet)
        if result.returncode != 0:
            detail = (result.stderr or "")[-2000:] if quiet else ""
            raise SetupError(f"manage.py {' '.join(args)} failed:\n{detail}")
        return result

    def wait_ready(self, timeout: float = 60) -> float:
        """Wait until a page comes through nginx from Django; return seconds waited."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                with urllib.request.urlopen(f"{self.url}/admin/login/", timeout=2) as reply:
                    if reply.status == 200:
                        return time.monotonic() - start
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise SetupError(f"no answer from {self.url} after {timeout:.0f} s; see "
                         f"{self.run_dir}/gunicorn.log and nginx-error.log")

    # -- gunicorn alone (the load benchmark kills and restarts it) --------
    def gunicorn_start(self) -> None:
        log = open(self.run_dir / "gunicorn.log", "ab")
        # A session of its own: gunicorn_kill takes the master and its workers at once.
        self._gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(REPO / "deploy" / "gunicorn.conf.py")],
            cwd=REPO, env=self.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._gunicorn.poll() is not None:
                raise SetupError(f"gunicorn exited ({self._gunicorn.returncode}); see "
                                 f"{self.run_dir}/gunicorn.log")
            if _unix_accepts(self.socket_path):
                return
            time.sleep(0.05)
        raise SetupError("gunicorn did not open its socket within 60 s")

    def gunicorn_kill(self) -> int:
        """SIGKILL the gunicorn master and all its workers at once (a crash); return the pid."""
        pid = _pid(self.run_dir / "gunicorn.pid")
        if not pid:
            raise SetupError("gunicorn is not running")
        os.killpg(os.getpgid(pid), signal.SIGKILL)
        self._reap(pid)
        (self.run_dir / "gunicorn.pid").unlink(missing_ok=True)
        return pid

    def gunicorn_stop(self) -> None:
        pid = _pid(self.run_dir / "gunicorn.pid")
        if not pid:
            return
        group = os.getpgid(pid)
        os.kill(pid, signal.SIGTERM)  # graceful: workers finish their requests
        if not self._reap(pid, 25):
            os.killpg(group, signal.SIGKILL)
            self._reap(pid)
        (self.run_dir / "gunicorn.pid").unlink(missing_ok=True)

    def _reap(self, pid: int, timeout: float = 10) -> bool:
        if self._gunicorn is not None and self._gunicorn.pid == pid:
            try:
                self._gunicorn.wait(timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        return _wait_gone(pid, timeout)


# -- PostgreSQL: the machine's own cluster -----------------------------------

def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        raise SetupError("no PostgreSQL cluster in /etc/postgresql: apt-get install -y postgresql")
    return versions[-1]


def postgres_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", HOST, "-p", "5432"]).returncode == 0


def postgres_ensure_running(timeout: float = 60) -> None:
    """Start the machine's cluster if it is down (as .ci/run does), and wait for it."""
    if postgres_ready():
        return
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "start"],
                   capture_output=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if postgres_ready():
            return
        time.sleep(0.2)
    raise SetupError(f"PostgreSQL at {HOST}:5432 did not come up within {timeout:.0f} s")


def postgres_restart() -> float:
    """Restart the cluster (what a database failover looks like to the app); return seconds."""
    start = time.monotonic()
    _run(["pg_ctlcluster", "--skip-systemctl-redirect", pg_version(), "main", "restart"],
         what="pg_ctlcluster restart")
    postgres_ensure_running()
    return time.monotonic() - start


def _psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(["psql", "-h", HOST, "-U", "postgres", "-d", database, "-Atqc", sql],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"psql: {result.stderr.strip()}")
    return result.stdout.strip()


def database_create(name: str, *, drop_first: bool = False) -> None:
    if not DB_NAME.match(name):
        raise SetupError(f"database name {name!r}: use lower-case letters, digits and _")
    if drop_first:
        _psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if not _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
        _psql(f'CREATE DATABASE "{name}"')


# -- small helpers -----------------------------------------------------------

def _run(cmd: list[str], *, what: str) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SetupError(f"{what} failed: {(result.stderr or result.stdout).strip()}")


def _pid(path: Path) -> int | None:
    """The pid in ``path`` if that process is alive and is what the file is named after
    (nginx.pid -> nginx, gunicorn.pid -> gunicorn): a stale file never names a stranger."""
    try:
        pid = int(path.read_text().strip())
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if path.stem.encode() in command else None


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            return True
        time.sleep(0.05)
    return False


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx does
        try:
            probe.bind((HOST, port))
            return True
        except OSError:
            return False


def _unix_accepts(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX) as probe:
        try:
            probe.connect(str(path))
            return True
        except OSError:
            return False


def main(argv: list[str] | None = None) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--run-dir", type=Path, default=LocalSetup.run_dir,
                        help="pid files, logs, static files, nginx.conf (default: var/run-local)")
    common.add_argument("--port", type=int, default=8080, help=f"nginx port on {HOST}")
    common.add_argument("--database", default="studyapp_local",
                        help="PostgreSQL database (created when missing)")
    common.add_argument("--stimuli-root", type=Path, default=REPO / "stimuli",
                        help="STIMULI_ROOT: the folder holding stimulus sets")
    parser = argparse.ArgumentParser(prog="python -m deploy.run_local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("start", parents=[common], help="start everything (127.0.0.1 only)")
    commands.add_parser("stop", parents=[common], help="stop nginx and gunicorn")
    commands.add_parser("status", parents=[common], help="what runs (exit 1 unless all)")
    manage = commands.add_parser("manage", parents=[common],
                                 help="manage.py with the set-up's settings")
    manage.add_argument("args", nargs=argparse.REMAINDER, help="manage.py arguments")
    args = parser.parse_args(argv)
    saved = args.run_dir / "setup.json"
    if args.command != "start" and saved.exists():  # stop/status/manage: what start used
        known = json.loads(saved.read_text())
        args.port, args.database = known["port"], known["database"]
        args.stimuli_root = Path(known["stimuli_root"])
    setup = LocalSetup(run_dir=args.run_dir, port=args.port, database=args.database,
                       stimuli_root=args.stimuli_root)
    try:
        if args.command == "start":
            setup.start()
            saved.write_text(json.dumps({"port": setup.port, "database": setup.database,
                                         "stimuli_root": str(setup.stimuli_root)}))
            print(f"participant links: {setup.url}/s/<slug>/   stop: python -m deploy.run_local stop")
        elif args.command == "stop":
            setup.stop()
        elif args.command == "status":
            running = setup.running()
            print(json.dumps({"url": setup.url, "database": setup.database_url,
                              "running": running, "postgres": postgres_ready()}, indent=1))
            sys.exit(0 if len(running) == 2 else 1)
        else:
            sys.exit(setup.manage(*args.args).returncode)
    except SetupError as exc:
        sys.exit(f"run_local: {exc}")


if __name__ == "__main__":
    main()
