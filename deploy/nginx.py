"""Render deploy/nginx.conf.template into a complete nginx.conf.

Locally (deploy/run_local.py) nginx listens on 127.0.0.1 without TLS; on a
lab's server it listens on 443 with the lab's certificate and redirects
port 80 there:

    python -m deploy.nginx --run-dir /srv/studies/run --static-root /srv/studies/static \\
        --stimuli-root /srv/studies/stimuli --clip-links-root /srv/studies/clip-links \\
        --upstream unix:/srv/studies/run/gunicorn.sock \\
        --server-name study.example.org \\
        --tls-cert /etc/letsencrypt/live/study.example.org/fullchain.pem \\
        --tls-key /etc/letsencrypt/live/study.example.org/privkey.pem \\
        --out /srv/studies/nginx.conf
    nginx -t -c /srv/studies/nginx.conf && nginx -c /srv/studies/nginx.conf
"""

from __future__ import annotations

import argparse
import grp
import os
import pwd
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
MIME_TYPES = "/etc/nginx/mime.types"  # Debian's nginx package
# What one arrival costs the server, every page from the study link to the first
# trial, in ms of CPU, measured on the 2-core benchmark machine (BENCHMARKS.md,
# "Launch day"): gunicorn ~34 ms (the app and gunicorn's own ~1 ms a request, from
# the load bench's /proc figures over 300 arrivals), nginx ~3 ms, PostgreSQL ~11 ms
# (benchmarks/arrival_cost.py).
ARRIVAL_CPU_MS = 50
# The share of the machine's CPU newcomers may take at a launch; the rest stays
# with the answers of those already in the study.
ARRIVAL_CPU_SHARE = 0.5


def arrival_rate_for(cpus: int, *, cpu_ms: float = ARRIVAL_CPU_MS,
                     share: float = ARRIVAL_CPU_SHARE) -> int:
    """Newcomers a second that ``cpus`` cores can let in while keeping ``1 - share`` of
    their time for answers: share x cpus x 1000 / cpu_ms, at least 1."""
    if cpus < 1 or cpu_ms <= 0 or not 0 < share <= 1:
        raise ValueError("cpus >= 1, cpu_ms > 0 and 0 < share <= 1")
    return max(1, int(share * cpus * 1000 / cpu_ms))


def machine_cpus() -> int:
    """The cores this process may run on (a container's or taskset's share too)."""
    return len(os.sched_getaffinity(0))


# Newcomers let through the study link per second on this machine (14 on 2 cores).
ARRIVAL_RATE = arrival_rate_for(machine_cpus())
# How long a newcomer may be held at the study link before nginx answers with the
# waiting page instead (a browser shows nothing while a request is held).
ARRIVAL_QUEUE_S = 3
# One client address: this many study-link requests a second, after a burst of
# CLIENT_BURST (a class in one room behind one address still gets in at once);
# more get the waiting page, so one client cannot hold everyone else up.
CLIENT_RATE, CLIENT_BURST = 2, 30
# The waiting page: nginx sends it itself (no app request, no database write) when
# more people arrive than can be let in now. It says so in the platform's
# languages (the participant's is not known yet) and reloads the study link after
# 2-5 s (a script with jitter, a meta refresh where scripts are off). No `$` or
# single quote in it: it sits in a quoted nginx string, where `$` names a variable.
WAITING_PAGE = (
    '<!doctype html><html><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    '<meta http-equiv="refresh" content="6"><title>Please wait / 请稍候</title>'
    "<style>body{font:17px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;"
    "padding:0 1rem;color:#1d2330}h1{font-size:1.3rem}</style></head><body>"
    '<h1 id="waiting">You are in line</h1><p>Many people are starting the study right now. '
    "This page moves on by itself within a few seconds: please keep it open.</p>"
    '<h1 lang="zh-hans">您正在排队</h1><p lang="zh-hans">现在有很多人同时开始本研究。'
    "本页会在几秒内自动继续，请不要关闭。</p>"
    "<script>setTimeout(function(){location.reload()},2000+Math.floor(Math.random()*3000))"
    "</script></body></html>"
)

TLS = """ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 1d;"""
HSTS = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;'
# Headers of every clip nginx sends: Range (206) works, but nothing tells of the
# file: its mtime or ETag would give away the order clips were rendered in, so
# their method. The empty Last-Modified also keeps If-Modified-Since from
# probing the mtime (always 200, never 304). nginx sends no Content-Disposition
# itself but passes on the app's with X-Accel-Redirect, so the app sends none
# (studyapp.media; tests/deploy/test_clip_links_nginx.py checks all of this).
CLIP_HEADERS = """add_header Cache-Control "private, max-age=3600";
            add_header X-Content-Type-Options nosniff;
            add_header Last-Modified "";
            etag off;"""
# Clips by their URL (/s/<study>/clip/<name>.mp4, name: 32 random hex digits):
# sent from the link the app made for each (CLIP_LINKS_ROOT,
# studyapp/clip_links.py), so a clip costs no app request; without a link the
# app answers (X-Accel-Redirect, above).
CLIP_LINKS = r"""location ~ "^/s/(?<clip_study>[-\w]+)/clip/(?<clip_name>[0-9a-f]{{32}}\.(mp4|png))$" {{
            root {root};
            try_files /$clip_study/$clip_name @app;
            {clip_headers}
            {file_headers}
        }}"""
REDIRECT = """
    server {{
        listen 80;
        listen [::]:80;
        server_name {name};
        return 301 https://$host$request_uri;
    }}"""


@dataclass(frozen=True)
class NginxSite:
    """What differs between one nginx set-up and another."""

    run_dir: Path           # pid, logs and temp files
    static_root: Path       # STATIC_ROOT (collectstatic)
    stimuli_root: Path      # STIMULI_ROOT: the clips nginx sends itself
    upstream: str           # gunicorn: "unix:/path/gunicorn.sock" or "127.0.0.1:8001"
    listen: str = "127.0.0.1:8080"
    server_name: str = "_"
    tls_cert: Path | None = None
    tls_key: Path | None = None
    user: str | None = None  # worker user when nginx starts as root (Debian: www-data)
    clip_links_root: Path | None = None  # CLIP_LINKS_ROOT: nginx sends clips from these links
    arrival_rate: int = ARRIVAL_RATE  # newcomers let through the study link per second
    # The per-client-address limit; off only where every participant shares one
    # address on purpose (the load benchmark's simulated crowd on 127.0.0.1).
    per_client_limit: bool = True
    mime_types: str = MIME_TYPES


def render(site: NginxSite, template: str | None = None) -> str:
    """The nginx.conf text for ``site``; every placeholder must be filled."""
    text = TEMPLATE.read_text() if template is None else template
    tls = site.tls_cert is not None
    if tls != (site.tls_key is not None):
        raise ValueError("give both a TLS certificate and its key, or neither")
    if tls:
        port = site.listen.rsplit(":", 1)[-1] if ":" in site.listen else "443"
        listen = f"listen {port} ssl http2;\n        listen [::]:{port} ssl http2;"
    else:
        listen = f"listen {site.listen};"
    if site.arrival_rate < 1:
        raise ValueError("the arrival rate must be at least 1 participant a second")
    values = {
        "arrival_rate": str(int(site.arrival_rate)),
        "arrival_burst": str(int(site.arrival_rate) * ARRIVAL_QUEUE_S),
        "client_rate": str(CLIENT_RATE),
        "client_burst": str(CLIENT_BURST),
        "client_limit": (f"limit_req zone=arrivals_per_client burst={CLIENT_BURST} nodelay;"
                         if site.per_client_limit else "# no per-client limit (one test client)"),
        "waiting_page": WAITING_PAGE,
        "user": f"user {site.user};" if site.user else "",
        "run_dir": _path(site.run_dir),
        "mime_types": site.mime_types,
        "upstream": site.upstream,
        "listen": listen,
        "server_name": site.server_name,
        "tls": TLS.format(cert=_path(site.tls_cert), key=_path(site.tls_key)) if tls else "",
        "file_headers": HSTS if tls else "",
        "http_redirect": REDIRECT.format(name=site.server_name) if tls else "",
        "static_root": _path(site.static_root),
        "stimuli_root": _path(site.stimuli_root),
        "clip_headers": CLIP_HEADERS,
        "clip_links": "" if site.clip_links_root is None else CLIP_LINKS.format(
            root=_path(site.clip_links_root), clip_headers=CLIP_HEADERS,
            file_headers=HSTS if tls else ""),
    }

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"the nginx template names {{{{{name}}}}}, which nothing fills")
        return values[name]

    return PLACEHOLDER.sub(fill, text)


def _path(path: Path | None) -> str:
    """An absolute path without a trailing slash; nginx needs no quoting for these."""
    text = str(Path(path).resolve())
    if re.search(r"[\s;{}\"'$]", text):
        raise ValueError(f"{text!r}: nginx paths here may not contain spaces, quotes, ; {{ }} or $")
    return text


def local_user() -> str | None:
    """nginx's worker user and group for a set-up on this machine: whoever starts it.

    Started as root without a ``user`` line, nginx runs its workers as
    ``nobody``, which cannot read a checkout under a private folder (mode 0700,
    as ``mktemp -d`` makes) and answers 403 or 502 for every clip. Started as
    anyone else, nginx cannot change user and needs no line.
    """
    if os.geteuid() != 0:
        return None
    return f"{pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name}"


def unreadable(site: NginxSite) -> list[str]:
    """One sentence per folder nginx sends files from that its workers' user cannot
    open (by the folders' mode bits; ACLs are not read), saying what to change."""
    if not site.user:
        return []  # workers run as whoever starts nginx
    name = site.user.split()[0]
    try:
        account = pwd.getpwnam(name)
    except KeyError:
        return [f"there is no user {name!r} here for nginx's workers: create it or "
                "choose another --user"]
    folders = (site.static_root, site.stimuli_root, site.clip_links_root)
    return [problem for folder in folders
            if folder is not None and (problem := _blocked(Path(folder), account))]


def _blocked(folder: Path, account: pwd.struct_passwd) -> str | None:
    """Where ``account`` is stopped on its way into ``folder`` (it needs x on every
    folder above and r and x on ``folder``), as a sentence; None when it gets in,
    or where the path stops existing (collectstatic and build_study make it later)
    or cannot be looked at from here."""
    if account.pw_uid == 0:
        return None
    groups = set(os.getgrouplist(account.pw_name, account.pw_gid))
    target = folder.resolve()
    for part in (*reversed(target.parents), target):
        try:
            info = part.stat()
        except OSError:
            return None
        need, fix = (0o5, "o+rx") if part == target else (0o1, "o+x")
        shift = 6 if info.st_uid == account.pw_uid else 3 if info.st_gid in groups else 0
        if (info.st_mode >> shift) & need != need:
            return (f"nginx's workers (user {account.pw_name}) cannot read {folder}: {part} "
                    f"is mode {info.st_mode & 0o777:04o}; let them in (e.g. chmod {fix} "
                    f"{part}) or choose another --user")
    return None


def write(site: NginxSite, out: Path) -> Path:
    """Render into ``out`` and create the run folder and its temp folders."""
    for sub in ("", "tmp"):
        (Path(site.run_dir) / sub).mkdir(parents=True, exist_ok=True)
    out.write_text(render(site))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m deploy.nginx", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", type=Path, required=True,
                        help="folder for nginx's pid, logs and temp files")
    parser.add_argument("--static-root", type=Path, required=True, help="the app's STATIC_ROOT")
    parser.add_argument("--stimuli-root", type=Path, required=True,
                        help="the app's STIMULI_ROOT (clips are sent by nginx from here)")
    parser.add_argument("--clip-links-root", type=Path, default=None,
                        help="the app's CLIP_LINKS_ROOT: nginx sends clips from these links "
                             "without asking the app (manage.py link_clips makes them)")
    parser.add_argument("--arrival-rate", type=int, default=ARRIVAL_RATE,
                        help="newcomers let through the study link per second; more wait in "
                             f"nginx, then get the waiting page (default {ARRIVAL_RATE}: this "
                             f"machine's {machine_cpus()} core(s) x {ARRIVAL_CPU_SHARE:g} x "
                             f"1000 / {ARRIVAL_CPU_MS} ms of CPU per arrival; run the server "
                             "elsewhere: give its figure)")
    parser.add_argument("--upstream", default="127.0.0.1:8001",
                        help="where gunicorn listens: host:port or unix:/path.sock")
    parser.add_argument("--listen", default=None,
                        help="address nginx listens on (default 443 with TLS, "
                             "127.0.0.1:8080 without)")
    parser.add_argument("--server-name", default="_", help="the study's host name")
    parser.add_argument("--tls-cert", type=Path, help="certificate chain (PEM)")
    parser.add_argument("--tls-key", type=Path, help="private key (PEM)")
    parser.add_argument("--user", default="www-data" if os.geteuid() == 0 else None,
                        help="user nginx's workers run as when started as root; it must be "
                             "able to read the static, stimuli and clip-links folders (a "
                             "warning says when it cannot) (default: www-data when run as "
                             "root)")
    parser.add_argument("--out", type=Path, required=True, help="the nginx.conf to write")
    args = parser.parse_args(argv)
    listen = args.listen or ("443" if args.tls_cert else "127.0.0.1:8080")
    site = NginxSite(run_dir=args.run_dir, static_root=args.static_root,
                     stimuli_root=args.stimuli_root, upstream=args.upstream, listen=listen,
                     server_name=args.server_name, tls_cert=args.tls_cert,
                     tls_key=args.tls_key, user=args.user,
                     clip_links_root=args.clip_links_root, arrival_rate=args.arrival_rate)
    write(site, args.out)
    for problem in unreadable(site):
        print(f"warning: {problem}", file=sys.stderr)
    print(f"wrote {args.out}; check it with: nginx -t -c {args.out.resolve()}")


if __name__ == "__main__":
    main()
