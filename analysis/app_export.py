"""A study's responses export, asked of the study app (``report --study SLUG``).

analysis/ never imports Django nor reads the app's tables: the responses
export of docs/design.md is the only coupling between the two. So a study
is read by running the app's own ``manage.py export_responses SLUG`` in a
subprocess, against ``DATABASE_URL`` as the web app reads it, and its CSV is
read exactly as ``--responses FILE`` reads one (no bots, no withdrawn
participants; practice, attention-check and pilot rows flagged).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MANAGE = Path(__file__).resolve().parents[1] / "manage.py"


def study_export_csv(slug: str, url: str | None = None) -> bytes:
    """The export CSV of study ``slug`` as the app writes it; ValueError with the
    app's own message when it cannot (unknown study, database not reachable)."""
    return _export(slug, url)


def study_questions(slug: str, url: str | None = None) -> list[dict]:
    """The study's own questions as the app keeps them ([] for the paper's four)."""
    return json.loads(_export(slug, url, "--question-set"))


def _export(slug: str, url: str | None, *options: str) -> bytes:
    if not MANAGE.is_file():
        raise ValueError(f"--study needs the study app's manage.py at {MANAGE}; "
                         "export the study there and use --responses FILE instead.")
    env = {**os.environ, **({"DATABASE_URL": url} if url else {})}
    if not env.get("SECRET_KEY"):
        env.setdefault("DEBUG", "1")  # an export command, not a server: no key to protect
    done = subprocess.run([sys.executable, str(MANAGE), "export_responses", slug, *options],
                          env=env, capture_output=True, timeout=600)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"]
        raise ValueError(f"the study app could not export study {slug!r}: {lines[-1]}")
    return done.stdout

