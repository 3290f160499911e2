"""Production settings: DEBUG off unless asked for, weak SECRET_KEYs refused at start,
and a 500's traceback in the server's log (stderr)."""

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = secrets.token_urlsafe(50)


def run(args, tmp_path, **env):
    """``python ARGS`` in the project with studyapp.settings and only the given
    DEBUG / SECRET_KEY (none of the test run's own)."""
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env = {**base, "DJANGO_SETTINGS_MODULE": "studyapp.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def env_example_secret_key() -> str:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return next(line.split("=", 1)[1] for line in lines if line.startswith("SECRET_KEY="))


def test_debug_is_off_by_default_and_the_error_says_what_to_do(tmp_path):
    result = run(["manage.py", "check"], tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr
    assert "or DEBUG=1 for local use" in result.stderr


@pytest.mark.parametrize(("key", "debug", "message"), [
    (env_example_secret_key(), "0", "SECRET_KEY is a placeholder (it starts with 'change-me')"),
    ("django-insecure-" + STRONG_KEY, "0", "SECRET_KEY is a placeholder"),
    ("Zq8#pL2!vX9-short", "0", "SECRET_KEY is too short (17 characters, at least 32 needed)"),
    ("Zq8#pL2!vX9-short", "1", "SECRET_KEY is too short"),
])
def test_placeholder_and_short_secret_keys_are_refused_at_start(tmp_path, key, debug, message):
    result = run(["manage.py", "check"], tmp_path, DEBUG=debug, SECRET_KEY=key)
    assert result.returncode != 0 and "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr       # how to make a good one
    assert key[-8:] not in result.stderr                       # a key is never echoed


# A view that fails, behind the project's settings and middleware.
FAILING_VIEW = textwrap.dedent("""
    import django
    from django.urls import path

    def fails(request):
        raise RuntimeError("the view failed on purpose")

    urlpatterns = [path("fails/", fails)]

    django.setup()
    from django.test import Client, override_settings

    with override_settings(ROOT_URLCONF=__name__):
        reply = Client(raise_request_exception=False).get("/fails/", secure=True)
    print(reply.status_code)
""")


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_server_error_writes_its_traceback_to_stderr_once(tmp_path, debug):
    script = tmp_path / "fails.py"
    script.write_text(FAILING_VIEW)
    result = run([str(script)], tmp_path, DEBUG=debug, SECRET_KEY=STRONG_KEY,
                 PYTHONPATH=str(ROOT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "500"
    assert "Internal Server Error: /fails/" in result.stderr
    assert "Traceback (most recent call last)" in result.stderr
    # Once: with DEBUG on Django's console handler prints it, with DEBUG off ours.
    assert result.stderr.count("RuntimeError: the view failed on purpose") == 1
    if debug == "0":
        assert "ERROR django.request" in result.stderr
