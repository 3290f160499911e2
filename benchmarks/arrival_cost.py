"""Server CPU per arrival: this tree against an earlier revision, in the same run.

    .venv/bin/python -m benchmarks.arrival_cost                    # 3 x 100 arrivals each
    .venv/bin/python -m benchmarks.arrival_cost --before c7549df --participants 200

An arrival is everything a newcomer costs the server before the first trial
(issue 18): the study link and the information sheet (behind a redirect in the
code before, shown by the link itself now), the consent form, the
questionnaire, the instructions, and the trial page they end on. Both trees
walk the same path, calling Django's WSGI handler as gunicorn does (on https,
as behind nginx, so no redirect to https is counted; a small cookie jar in
place of a browser), in a process of their own, on a fresh PostgreSQL database
each, against the same Task 2-sized study (126 clips,
benchmarks/stimulus_fixtures.py): the app's CPU is the process's own, the
database's is that of its one backend (read from /proc; the connection is kept
between requests, as gunicorn's workers keep theirs with CONN_MAX_AGE).
gunicorn's and nginx's own work per request (parsing HTTP, about 1 ms a
request on this machine) is left out, the same for both trees. Per page it
prints app and database CPU (ms, mean over arrivals) and the queries, and at
the end the total per arrival and the ratio after/before, over ``--rounds``
rounds that measure the two trees alternately (each round on fresh databases),
with each round's totals, so that a VM whose speed drifts shows it.

The earlier revision is checked out into a temporary git worktree (default
c7549df: the code before issue 18, whose study link made the participant and
all their trial rows). Needs a PostgreSQL server (--server, default the
project machine's); run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEFORE = "c7549df"
SERVER = "postgres://postgres@127.0.0.1:5432"
#: (step, method, path, form): what a newcomer does before the first trial.
STEPS = (
    ("study link", "get", "", None),
    ("consent", "post", "consent/", {"consent": "yes"}),
    ("questionnaire", "post", "about-you/", {"age": "30", "gender": "female"}),
    ("instructions", "post", "instructions/", {}),
)
SLUG = "arrivals"


def backend_cpu_ms(pid: int) -> float:
    """A process's user + system CPU time so far, from /proc (ms)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


class Browser:
    """One newcomer's browser, calling the app as gunicorn does (its WSGI handler, on
    https as behind nginx): cookies kept, redirects followed. Nothing of Django's
    test client (which copies every template context for its tests) is measured."""

    def __init__(self, app):
        self.app, self.cookies = app, {}

    def call(self, method: str, path: str, form: dict | None = None):
        from http.cookies import SimpleCookie
        from urllib.parse import urlencode

        path, _, query = path.partition("?")
        body = b""
        if form is not None:
            form = {**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(form).encode()
        environ = {
            "REQUEST_METHOD": method.upper(), "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "443", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "https", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/x-www-form-urlencoded" if form is not None else "",
            "HTTP_HOST": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https",
            "HTTP_ORIGIN": "https://127.0.0.1", "HTTP_ACCEPT_LANGUAGE": "en",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        reply = {}

        def start_response(status, headers, exc_info=None):
            reply["status"], reply["headers"] = int(status.split()[0]), headers

        content = b"".join(self.app(environ, start_response))
        location = None
        for name, value in reply["headers"]:
            if name.lower() == "location":
                location = value
            elif name.lower() == "set-cookie":
                cookie = SimpleCookie()
                cookie.load(value)
                for key, morsel in cookie.items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.coded_value
        return reply["status"], location, content

    def go(self, method: str, path: str, form: dict | None = None):
        """The page a browser ends at: (status, path, body)."""
        status, location, content = self.call(method, path, form)
        while status in (301, 302, 303):
            path = location.removeprefix("https://127.0.0.1")
            status, location, content = self.call("get", path)
        return status, path, content


def worker(tree: Path, manifest: Path, n: int, out: Path) -> None:
    """In ``tree``'s Django: build the study, walk ``n`` arrivals, write the figures."""
    sys.path.insert(0, str(tree))
    os.chdir(tree)
    import time

    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.db import connection

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studyapp.settings")
    django.setup()
    call_command("migrate", verbosity=0)
    call_command("build_study", str(manifest), design="task2", slug=SLUG, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    handler = WSGIHandler()
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    def arrive(measure: bool):
        browser = Browser(handler)
        query = (f"?PROLIFIC_PID={secrets.token_hex(12)}&STUDY_ID={secrets.token_hex(12)}"
                 f"&SESSION_ID={secrets.token_hex(8)}")
        figures = {}
        for step, method, page, form in STEPS:
            url = f"/s/{SLUG}/{page}" + (query if step == "study link" else "")
            queries[0] = 0
            app0, db0 = time.process_time(), backend_cpu_ms(backend)
            with connection.execute_wrapper(count):
                status, landed, content = browser.go(method, url, form)
            app = (time.process_time() - app0) * 1000
            db = backend_cpu_ms(backend) - db0
            if status != 200:
                raise SystemExit(f"{tree}: {step} answered HTTP {status}")
            if figures and landed == list(figures.values())[-1]["page"]:
                raise SystemExit(f"{tree}: {step} stayed at {landed}: "
                                 f"{content.decode()[-1500:]}")
            figures[step] = {"app_ms": app, "db_ms": db, "queries": queries[0], "page": landed}
        if not figures["instructions"]["page"].endswith("/trial/"):
            raise SystemExit(f"{tree}: the walk ended at {figures['instructions']['page']}, "
                             "not the trial page")
        return figures if measure else None

    for _ in range(5):  # warm: templates, the ORM's compiled queries, the backend's caches
        arrive(False)
    runs = [arrive(True) for _ in range(n)]
    out.write_text(json.dumps(runs))


def _database(url: str, name: str) -> None:
    """Drop and create ``name`` on the server of ``url``."""
    import psycopg2

    connection = psycopg2.connect(f"{url}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def measure(tree: Path, manifest: Path, n: int, server: str, name: str, work: Path) -> list:
    """Run the worker in ``tree`` on a fresh database ``name``; its per-arrival figures."""
    _database(server, name)
    out = work / f"{name}.json"
    env = {**os.environ, "DATABASE_URL": f"{server}/{name}", "DEBUG": "0",
           "SECRET_KEY": secrets.token_urlsafe(50), "STIMULI_ROOT": str(manifest.parent.parent),
           "DJANGO_SETTINGS_MODULE": "studyapp.settings", "PYTHONPATH": str(tree)}
    env.pop("CLIP_LINKS_ROOT", None)
    subprocess.run([sys.executable, "-m", "benchmarks.arrival_cost", "--worker", str(tree),
                    "--manifest", str(manifest), "--participants", str(n), "--out", str(out)],
                   cwd=REPO, env=env, check=True)
    return json.loads(out.read_text())


def summary(runs: list) -> dict:
    """Mean app/database CPU and queries per step, and per arrival. Means, not medians:
    /proc counts a backend's CPU in clock ticks (10 ms), so one step's reading is
    mostly 0 or 10 and only the sum over many arrivals tells the time."""
    steps = {}
    for step, *_ in STEPS:
        steps[step] = {key: round(statistics.fmean(r[step][key] for r in runs), 2)
                       for key in ("app_ms", "db_ms", "queries")}
    app = [sum(r[s]["app_ms"] for s, *_ in STEPS) for r in runs]
    return {"steps": steps, "app_ms": round(statistics.fmean(app), 2),
            "app_p90_ms": round(statistics.quantiles(app, n=10)[-1], 2),
            "db_ms": round(sum(v["db_ms"] for v in steps.values()), 2),
            "total_ms": round(sum(v["app_ms"] + v["db_ms"] for v in steps.values()), 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.arrival_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=100,
                        help="arrivals measured per tree (default 100; 5 more warm up first)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="before and after measured this many times, alternately "
                             "(default 3; the figures are over all rounds)")
    parser.add_argument("--before", default=BEFORE,
                        help=f"the git revision to compare with (default {BEFORE}, before issue 18)")
    parser.add_argument("--server", default=SERVER,
                        help=f"PostgreSQL server URL without a database (default {SERVER})")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.participants < 2 or args.rounds < 1:
        parser.error("--participants must be at least 2 and --rounds at least 1")
    if args.worker:
        worker(args.worker, args.manifest, args.participants, args.out)
        return 0

    from benchmarks.stimulus_fixtures import design_factor_rows, tiny_clip, write_set

    with tempfile.TemporaryDirectory(prefix="arrival-cost-") as tmp:
        work = Path(tmp)
        manifest = work / "stimuli" / "set" / "manifest.json"
        write_set(manifest.parent, design_factor_rows("task2"), tiny_clip(work / "source.mp4"),
                  name="arrivals")
        before_tree = work / "before"
        try:
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(before_tree),
                            args.before], cwd=REPO, check=True)
        except subprocess.CalledProcessError:
            print(f"cannot check out {args.before!r} (git worktree add failed)", file=sys.stderr)
            return 2
        try:
            runs, totals = {"before": [], "after": []}, {"before": [], "after": []}
            for n in range(1, args.rounds + 1):  # alternating: a VM's drift hits both
                for label, tree in (("before", before_tree), ("after", REPO)):
                    print(f"[arrival_cost] round {n}/{args.rounds}, {label}: "
                          f"{tree if label == 'after' else args.before}, "
                          f"{args.participants} arrivals ...", flush=True)
                    found = measure(tree, manifest, args.participants, args.server,
                                    f"arrival_cost_{label}", work)
                    runs[label] += found
                    totals[label].append(summary(found)["total_ms"])
            results = {label: summary(found) for label, found in runs.items()}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=REPO,
                           check=False)
    print(f"\nserver CPU per arrival, mean over {args.participants} x {args.rounds} arrivals "
          "(app = Django process, db = its PostgreSQL backend), ms:")
    print(f"{'step':<15}" + "".join(f"{label + ' app':>12}{'db':>7}{'queries':>9}"
                                    for label in results))
    for step, *_ in STEPS:
        cells = "".join(f"{results[label]['steps'][step]['app_ms']:>12.1f}"
                        f"{results[label]['steps'][step]['db_ms']:>7.1f}"
                        f"{results[label]['steps'][step]['queries']:>9.0f}" for label in results)
        print(f"{step:<15}{cells}")
    before, after = results["before"]["total_ms"], results["after"]["total_ms"]
    print(f"total per arrival: before {before:.1f} ms, after {after:.1f} ms (app p90 "
          f"{results['before']['app_p90_ms']:.1f} / {results['after']['app_p90_ms']:.1f}); "
          f"after/before = {after / before:.2f} (target <= 0.33)")
    ratios = [a / b for a, b in zip(totals["after"], totals["before"], strict=True)]
    print("per round, before / after ms (ratio): " + ", ".join(
        f"{b:.1f} / {a:.1f} ({r:.2f})"
        for b, a, r in zip(totals["before"], totals["after"], ratios, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
