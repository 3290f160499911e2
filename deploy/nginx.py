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
import os
import re
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
MIME_TYPES = "/etc/nginx/mime.types"  # Debian's nginx package
# Newcomers let through the study link per second. Measured on 2 cores
# (BENCHMARKS.md): an arrival costs ~90 ms of server CPU over its first pages.
ARRIVAL_RATE = 5

TLS = """ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache shared:SSL:10m;
        ssl_session_timeout 1d;"""
HSTS = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains; preload" always;'
# Clips by their URL (/s/<study>/clip/<n>.mp4): sent from the link the app made
# for each (CLIP_LINKS_ROOT, studyapp/clip_links.py), so a clip costs no app
# request; without a link the app answers (X-Accel-Redirect, above).
CLIP_LINKS = r"""location ~ "^/s/(?<clip_study>[-\w]+)/clip/(?<clip_name>\d+\.(mp4|png))$" {
            root ROOT;
            try_files /$clip_study/$clip_name @app;
            add_header Cache-Control "private, max-age=3600";
            add_header X-Content-Type-Options nosniff;
            HEADERS
        }"""
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
        "clip_links": "" if site.clip_links_root is None else CLIP_LINKS.replace(
            "ROOT", _path(site.clip_links_root)).replace("HEADERS", HSTS if tls else ""),
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
                             f"nginx (default {ARRIVAL_RATE}, measured on 2 cores: an arrival "
                             "costs ~90 ms of server CPU over its first pages; raise it with "
                             "more cores)")
    parser.add_argument("--upstream", default="127.0.0.1:8001",
                        help="where gunicorn listens: host:port or unix:/path.sock")
    parser.add_argument("--listen", default=None,
                        help="address nginx listens on (default 443 with TLS, "
                             "127.0.0.1:8080 without)")
    parser.add_argument("--server-name", default="_", help="the study's host name")
    parser.add_argument("--tls-cert", type=Path, help="certificate chain (PEM)")
    parser.add_argument("--tls-key", type=Path, help="private key (PEM)")
    parser.add_argument("--user", default="www-data" if os.geteuid() == 0 else None,
                        help="user nginx's workers run as when started as root "
                             "(default: www-data when run as root)")
    parser.add_argument("--out", type=Path, required=True, help="the nginx.conf to write")
    args = parser.parse_args(argv)
    listen = args.listen or ("443" if args.tls_cert else "127.0.0.1:8080")
    site = NginxSite(run_dir=args.run_dir, static_root=args.static_root,
                     stimuli_root=args.stimuli_root, upstream=args.upstream, listen=listen,
                     server_name=args.server_name, tls_cert=args.tls_cert,
                     tls_key=args.tls_key, user=args.user,
                     clip_links_root=args.clip_links_root, arrival_rate=args.arrival_rate)
    write(site, args.out)
    print(f"wrote {args.out}; check it with: nginx -t -c {args.out.resolve()}")


if __name__ == "__main__":
    main()
