"""Load and fault benchmark of the production set-up (run by hand; not a unit test).

    .venv/bin/python bench/load_study.py              # 200 participants, 90 s
    .venv/bin/python bench/load_study.py --fault      # + SIGKILL gunicorn, restart PostgreSQL

It starts deploy/run_local.py's set-up (nginx -> gunicorn -> PostgreSQL, on
127.0.0.1 only, a database of its own that is dropped and made again), builds
a study from small generated clips, and drives N simulated participants
through real HTTP via nginx, as a browser does: the study link, consent,
questionnaire, instructions, the trial page, then for each trial its clip
(a Range request nginx answers) and, ~2 s after the trial appeared, the answer
(JSON, X-CSRFToken), whose reply carries the next trial as trial.js shows it in
place (the trial page is loaded again only after a pause or a reload). Like
the trial page (trial.js), a participant resends an
answer that got no reply or a 5xx with the same submission key after 1, 2,
4 ... s (at most 30 s); pages are retried the same way.

While it runs, a thread syncs 8 kB to disk every 0.2 s beside the set-up
(DiskProbe): an answer's commit waits for the same kind of sync, and on a VM
the disk stalls now and then for a few hundred ms. The report gives the
syncs' latency and the answer p99 apart from the answers in flight during a
slow sync, so a missed target can be told apart: the app, or the disk.

It stops by itself: no new trial after --duration seconds, each participant
finishes the answer it is sending, and everything ends by --duration + 60 s
or after --max-requests requests, whichever comes first. Then it reads the
database back and prints requests, errors, the answer request's latency
(p50/p95/p99, seen by the client and by nginx), answers sent vs stored,
duplicates, and whether every participant resumes where the database says
it is. The PostgreSQL cluster is running again when the script ends,
whatever happened. Exit status 0 only when the target is met (--fault: no
loss, no duplicate, everyone resumes).

--fault: at 35 % of the run gunicorn (master and workers) gets SIGKILL and
is started again --down seconds later; at 65 % PostgreSQL is restarted
(pg_ctlcluster ... restart).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import platform
import random
import re
import resource
import socket
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import psycopg2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import lite_http  # noqa: E402  (bench/, next to this file)

from deploy import nginx  # noqa: E402  (needs REPO on the path)
from deploy.run_local import (  # noqa: E402  (needs REPO on the path)
    HOST,
    LocalSetup,
    postgres_ensure_running,
    postgres_restart,
)

TRANSPORT_ERRORS = (httpx.TransportError, lite_http.TransportError)

SLUG = "bench"
CONFIG = re.compile(r'<script id="trial-config" type="application/json">(.*?)</script>', re.S)
EMOTIONS = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise", "other")
TARGET_P99_MS = 100.0
ARRIVAL_TIMEOUT_S = 120.0  # the study link: nginx paces arrivals (deploy/nginx.py)


SLOW_SYNC_MS = 50.0      # a disk sync this slow shows in the answers' tail
DISK_PROBE_EVERY_S = 0.2


class DiskProbe:
    """What the disk under PostgreSQL's WAL does during the run.

    Every answer is one commit, and a commit waits until its WAL is synced to
    disk (synchronous_commit, so no acknowledged answer is lost), so a disk that
    stalls for 300 ms holds every answer sent meanwhile for as long. On a VM the
    stalls come from the host's storage and nothing in the app can shorten them.
    This thread writes 8 kB and calls fdatasync on a file on the same
    filesystem every 0.2 s (about 5 % of the syncs PostgreSQL does at 200
    participants) and keeps when each began and how long it took; the report
    sets the answers that overlapped a slow sync beside the others.
    """

    def __init__(self, folder: Path, start: float, every: float = DISK_PROBE_EVERY_S):
        self.path, self.start, self.every = folder / "disk-probe", start, every
        self.syncs: list[tuple[float, float]] = []   # (s into the run, ms)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="disk-probe", daemon=True)

    def _loop(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            while not self.stop.wait(self.every):
                os.pwrite(fd, os.urandom(8192), 0)
                began = time.monotonic()
                os.fdatasync(fd)
                self.syncs.append((began - self.start, (time.monotonic() - began) * 1000))
        finally:
            os.close(fd)
            self.path.unlink(missing_ok=True)

    def slow(self) -> list[tuple[float, float]]:
        """(from, to) in s into the run of each sync over SLOW_SYNC_MS."""
        return [(at, at + ms / 1000) for at, ms in self.syncs if ms > SLOW_SYNC_MS]


def same_disk(folder: Path, setup: LocalSetup) -> bool | None:
    """Whether ``folder`` is on the filesystem of PostgreSQL's WAL (None: unknown)."""
    try:
        with psycopg2.connect(setup.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            wal = (Path(cursor.fetchone()[0]) / "pg_wal").resolve()
        connection.close()
        return os.stat(folder).st_dev == os.stat(wal).st_dev
    except (OSError, psycopg2.Error):
        return None


class GiveUp(Exception):
    """The run is over (time or request budget) while a request was still failing."""


@dataclass
class Stats:
    requests: Counter = field(default_factory=Counter)     # kind -> count
    errors: Counter = field(default_factory=Counter)       # "kind status" -> count
    answer_ok_ms: list = field(default_factory=list)       # answer attempts answered 200
    answer_ok_at: list = field(default_factory=list)       # ... and when (s into the run)
    arrival_ms: list = field(default_factory=list)         # the study link, to the consent page
    total: int = 0
    answers_resent: int = 0                                # answers that needed a resend


@dataclass
class Participant:
    number: int
    client: lite_http.LiteClient | httpx.AsyncClient
    code: str = ""
    acked: dict = field(default_factory=dict)       # trial_index -> submission key (200 seen)
    unacked: dict = field(default_factory=dict)     # trial_index -> key, gave up before a 200
    keys: dict = field(default_factory=dict)        # trial_index -> the one key used
    stored: set = field(default_factory=set)        # trial indices the database holds
    in_trials_at: float | None = None               # s into the run: past the instructions
    page: dict | None = None                        # the trial page's config (answer URL, CSRF)
    shown: dict | None = None                       # the trial on screen (None: load the page)
    done: bool = False
    failed: str = ""


class Run:
    def __init__(self, args, url: str, run_dir: Path):
        self.args, self.url = args, url
        assert url.startswith(f"http://{HOST}:"), url  # never anywhere but 127.0.0.1
        self.stats = Stats()
        self.start = time.monotonic()
        self.disk = DiskProbe(run_dir, self.start)
        self.stop_trials = asyncio.Event()   # no new trial after this
        self.hard_stop = asyncio.Event()     # give up retrying after this
        self.events: list[tuple[float, str]] = []

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    # -- one HTTP request, retried as the page does ------------------------
    async def request(self, p: Participant, kind: str, method: str, path: str, *,
                      ok=(200,), **kwargs):
        attempt = 0
        while True:
            if self.stats.total >= self.args.max_requests:
                self.stop_trials.set()
                self.hard_stop.set()
            if self.hard_stop.is_set():
                raise GiveUp(kind)
            self.stats.total += 1
            self.stats.requests[kind] += 1
            began = time.perf_counter()
            try:
                reply = await p.client.request(method, path, **kwargs)
                status = reply.status_code
            except TRANSPORT_ERRORS as exc:
                reply, status = None, type(exc).__name__
            ms = (time.perf_counter() - began) * 1000
            if reply is not None and status in ok:
                if kind == "answer":
                    self.stats.answer_ok_ms.append(ms)
                    self.stats.answer_ok_at.append(self.elapsed())
                elif kind == "enrol":
                    self.stats.arrival_ms.append(ms)
                return reply
            self.stats.errors[f"{kind} {status}"] += 1
            if kind == "answer" and attempt == 0:
                self.stats.answers_resent += 1
            if reply is not None and status < 500:
                raise AssertionError(f"{method} {path}: HTTP {status}: {reply.text[:200]}")
            wait = min(30, 2 ** attempt)  # trial.js: 1, 2, 4 ... 30 s
            attempt += 1
            try:
                await asyncio.wait_for(self.hard_stop.wait(), wait)
            except TimeoutError:
                pass

    def csrf(self, p: Participant) -> str:
        return p.client.cookies.get("csrftoken", "")

    async def form(self, p: Participant, kind: str, page: str, data: dict):
        return await self.request(p, kind, "POST", f"/s/{SLUG}/{page}",
                                  data={**data, "csrfmiddlewaretoken": self.csrf(p)},
                                  headers={"Origin": self.url}, follow_redirects=True)

    # -- one participant ------------------------------------------------------
    async def participant(self, p: Participant) -> None:
        rng = random.Random(p.number)
        await asyncio.sleep(rng.uniform(0, self.args.ramp))
        try:
            # A browser waits minutes for a page; nginx may hold newcomers for a while.
            page = await self.request(p, "enrol", "GET", f"/s/{SLUG}/", follow_redirects=True,
                                      timeout=max(self.args.timeout, ARRIVAL_TIMEOUT_S))
            for asset in ("studyapp/study.css", "studyapp/trial.js", "studyapp/screening.js"):
                await self.request(p, "static", "GET", f"/static/{asset}")
            if _path(page).endswith("/consent/"):
                page = await self.form(p, "consent", "consent/", {"consent": "yes"})
            if _path(page).endswith("/about-you/"):
                page = await self.form(p, "about_you", "about-you/",
                                       {"age": rng.randint(18, 70),
                                        "gender": rng.choice(["female", "male"])})
            if _path(page).endswith("/instructions/"):
                page = await self.form(p, "instructions", "instructions/", {})
            p.in_trials_at = self.elapsed()
            while not self.stop_trials.is_set():
                if not await self.trial(p, rng):
                    break
        except GiveUp:
            pass
        except (AssertionError, KeyError, ValueError, *TRANSPORT_ERRORS) as exc:
            p.failed = f"{type(exc).__name__}: {exc}"[:300]

    async def trial(self, p: Participant, rng: random.Random) -> bool:
        """One trial: clip, think, answer. False when the participant is done.

        As trial.js does, the trial page is loaded only when a run of trials
        starts (after the instructions or a pause); then each answer's reply
        carries the next trial, which the page shows in place.
        """
        began = time.monotonic()
        if p.shown is None:
            page = await self.request(p, "trial_page", "GET", f"/s/{SLUG}/trial/",
                                      follow_redirects=True)
            if _path(page).endswith("/done/"):
                p.done = True
                return False
            if _path(page).endswith("/pause/"):
                await self.form(p, "pause", "pause/", {})
                return True
            match = CONFIG.search(page.text)
            if match is None:
                raise AssertionError(f"no trial config at {_path(page)}")
            p.page = json.loads(match.group(1))
            p.shown = p.page["trial"]
        config, shown = p.page, p.shown
        p.code = shown["storageKey"].split(":")[2]
        if not self.args.no_clips:
            # A browser's first request for a video: nginx answers 206 (X-Accel-Redirect).
            await self.request(p, "clip", "GET", shown["clipUrl"], ok=(200, 206),
                               headers={"Range": "bytes=0-"})
        index = shown["trialIndex"]
        key = p.keys.setdefault(index, str(uuid.uuid4()))  # one key per trial, every resend
        body = {"submission_key": key, "trial_index": index,
                "response_emotion": rng.choice(EMOTIONS),
                "intensity": rng.randint(1, 7), "sync": rng.randint(1, 7),
                "naturalness": rng.randint(1, 7), "rt_ms": rng.randint(300, 3000), "plays": 1}
        think = self.args.interval * rng.uniform(0.75, 1.25) - (time.monotonic() - began)
        if think > 0:
            await asyncio.sleep(think)
        try:
            reply = await self.request(
                p, "answer", "POST", config["answerUrl"], json=body,
                headers={"X-CSRFToken": config["csrfToken"], "Origin": self.url})
        except GiveUp:
            p.unacked[index] = key
            raise
        answer = reply.json()
        if answer.get("ok") is not True:
            raise AssertionError(f"answer to trial {index}: {reply.text[:200]}")
        p.acked[index] = key
        p.shown = answer.get("trial")  # None: a pause or the end, which are pages
        return True

    async def resume_check(self, p: Participant) -> str:
        """'' when the study link brings the participant to the trial after their last answer."""
        try:
            page = await p.client.request("GET", f"/s/{SLUG}/", follow_redirects=True)
        except TRANSPORT_ERRORS as exc:
            return f"{type(exc).__name__}"
        stored_next = (max(p.stored) + 1) if p.stored else 0
        if _path(page).endswith("/done/"):
            return "" if p.done else "at the completion page too early"
        match = CONFIG.search(page.text)
        if page.status_code != 200 or match is None:
            return f"landed on {_path(page)} ({page.status_code})"
        index = json.loads(match.group(1))["trial"]["trialIndex"]
        return "" if index == stored_next else f"on trial {index}, stored says {stored_next}"

    def client(self):
        """One participant's browser: its own connection(s) and cookie jar."""
        if self.args.client == "httpx2":
            limits = httpx.Limits(max_connections=6, max_keepalive_connections=6)  # a browser's
            return httpx.AsyncClient(base_url=self.url, limits=limits, timeout=self.args.timeout)
        return lite_http.LiteClient(HOST, int(self.url.rsplit(":", 1)[1]), timeout=self.args.timeout)

    async def prioritise(self, setup: LocalSetup) -> None:
        """--nice: the set-up's processes get that CPU priority, every second (gunicorn
        and PostgreSQL may restart). Linux shares CPU between autogroups (sessions)
        first, so the autogroup's nice is set as well as each process's."""
        def renice():
            pids = list(setup.running().values())
            try:
                with psycopg2.connect(setup.database_url) as connection, \
                        connection.cursor() as cursor:
                    cursor.execute("SELECT pid FROM pg_stat_activity "
                                   "WHERE datname = current_database()")
                    pids += [row[0] for row in cursor.fetchall()]
                    cursor.execute("SHOW data_directory")
                    postmaster = Path(cursor.fetchone()[0]) / "postmaster.pid"
                connection.close()
                pids.append(int(postmaster.read_text().split()[0]))
            except (OSError, ValueError, IndexError, psycopg2.Error):
                pass
            for pid in pids:
                prioritise(pid, self.args.nice)
        while not self.hard_stop.is_set():
            await asyncio.to_thread(renice)
            await asyncio.sleep(1)

    # -- faults ---------------------------------------------------------------
    async def faults(self, setup: LocalSetup) -> None:
        duration = self.args.duration
        await asyncio.sleep(self.args.ramp + duration * 0.35)
        pid = setup.gunicorn_kill()
        self.events.append((self.elapsed(), f"SIGKILL gunicorn (master {pid} and workers)"))
        await asyncio.sleep(self.args.down)
        await asyncio.to_thread(setup.gunicorn_start)
        self.events.append((self.elapsed(), "gunicorn started again, accepting"))
        await asyncio.sleep(max(0.0, self.args.ramp + duration * 0.65 - self.elapsed()))
        self.events.append((self.elapsed(), "PostgreSQL restart begins"))
        seconds = await asyncio.to_thread(postgres_restart)
        self.events.append((self.elapsed(), f"PostgreSQL accepting again ({seconds:.1f} s)"))

    async def main(self, setup: LocalSetup) -> list[Participant]:
        self.disk.thread.start()
        try:
            return await self._main(setup)
        finally:
            self.disk.stop.set()
            await asyncio.to_thread(self.disk.thread.join)

    async def _main(self, setup: LocalSetup) -> list[Participant]:
        people = [Participant(i, self.client()) for i in range(self.args.participants)]
        tasks = [asyncio.create_task(self.participant(p)) for p in people]
        if self.args.nice:
            asyncio.create_task(self.prioritise(setup))
        fault = asyncio.create_task(self.faults(setup)) if self.args.fault else None
        await asyncio.sleep(self.args.ramp + self.args.duration)
        self.stop_trials.set()
        self.events.append((self.elapsed(), "no new trials; participants finish their answer"))
        _, pending = await asyncio.wait(tasks, timeout=60)
        self.hard_stop.set()
        if pending:
            await asyncio.wait(pending, timeout=10)
        if fault:
            await fault  # the cluster is back before anything is read from it
        return people


# -- set-up, read-back, report ------------------------------------------------

def prioritise(pid: int, nice: int) -> None:
    """Set a process's nice value and its autogroup's (root only; errors ignored)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        pass


def _path(reply) -> str:
    """The path a (redirected) request ended at, for either client."""
    return reply.path if isinstance(reply, lite_http.Reply) else reply.url.path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def stimulus_set(root: Path) -> Path:
    """126 small clips (task2's cells) and a practice clip, made once with PyAV."""
    from tests.media import design_factor_rows, tiny_clip, write_set
    manifest = root / "set" / "manifest.json"
    if not manifest.exists():
        source = tiny_clip(root / "source.mp4")
        write_set(root / "set", design_factor_rows("task2"), source, name="bench")
    return manifest


def stored_answers(setup: LocalSetup) -> list[tuple[str, int, str]]:
    """(participant code, trial index, submission key) of every stored answer of the study."""
    with psycopg2.connect(setup.database_url) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.code, t.index, r.submission_key::text FROM studyapp_response r "
            "JOIN studyapp_trial t ON r.trial_id = t.id "
            "JOIN studyapp_participant p ON t.participant_id = p.id "
            "JOIN studyapp_study s ON p.study_id = s.id WHERE s.slug = %s", [SLUG])
        rows = cursor.fetchall()
    connection.close()
    return rows


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def nginx_answer_times(log: Path) -> tuple[list[float], Counter]:
    """Server-side times (ms) of answer POSTs from nginx's log, and the statuses nginx sent."""
    times, statuses = [], Counter()
    pattern = re.compile(rf'"POST /s/{SLUG}/answer/ [^"]*" (\d+) \d+ rt=([\d.]+)')
    for line in log.read_text().splitlines() if log.exists() else []:
        match = pattern.search(line)
        if match:
            statuses[match.group(1)] += 1
            times.append(float(match.group(2)) * 1000)
    return times, statuses


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def server_cpu(setup: LocalSetup) -> dict[str, float]:
    """CPU seconds used so far by the set-up's gunicorn workers, nginx workers and the
    PostgreSQL backends serving the bench database (what each request costs)."""
    pids: dict[str, list[int]] = {"gunicorn": [], "nginx": [], "postgres": []}
    for name in ("gunicorn", "nginx"):
        master = setup.running().get(name)
        if master:
            children = Path(f"/proc/{master}/task/{master}/children")
            pids[name] = [master, *map(int, children.read_text().split())]
    try:
        with psycopg2.connect(setup.database_url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            pids["postgres"] = [row[0] for row in cursor.fetchall()]
        connection.close()
    except psycopg2.Error:
        pass
    return {name: sum(map(_cpu_seconds, found)) for name, found in pids.items()}


def machine() -> str:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()}, {os.cpu_count()} cores, {model or platform.machine()}"


def report(args, run: Run, people: list[Participant], setup: LocalSetup, loads: dict,
           resumed: list[str], export_rows: int, cpu: float) -> dict:
    rows = stored_answers(setup)
    by_code = {p.code: p for p in people if p.code}
    stored = defaultdict(dict)
    duplicates = 0
    foreign = 0
    for code, index, key in rows:
        if index in stored[code]:
            duplicates += 1
        stored[code][index] = key
        p = by_code.get(code)
        if p is None or p.keys.get(index) != key:
            foreign += 1  # stored under a key this participant never used for this trial
    sent = sum(len(p.acked) for p in people)
    unacked = sum(len(p.unacked) for p in people)
    lost = sum(1 for p in people for i in p.acked if i not in stored.get(p.code, {}))
    server_ms, nginx_status = nginx_answer_times(setup.run_dir / "nginx-access.log")
    client = run.stats
    all_in = max((p.in_trials_at for p in people if p.in_trials_at is not None), default=0.0)
    steady = [ms for at, ms in zip(client.answer_ok_at, client.answer_ok_ms, strict=True)
              if at > all_in]
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "bench/load_study.py " + " ".join(sys.argv[1:]),
        "gunicorn": {k: v for k, v in setup.env().items()
                     if k.startswith("GUNICORN_") and k not in ("GUNICORN_BIND", "GUNICORN_PIDFILE")}
                    or "defaults",
        "load_average": loads,
        "nice": args.nice,
        "arrival_rate": args.arrival_rate,
        "participants": args.participants,
        "seconds": round(run.elapsed(), 1),
        "requests": client.total,
        "requests_by_kind": dict(client.requests),
        "errors": sum(client.errors.values()),
        "errors_by_kind": dict(client.errors),
        "answer_ms_client": {q: round(percentile(client.answer_ok_ms, v), 1)
                             for q, v in (("p50", 50), ("p95", 95), ("p99", 99))},
        "answer_ms_client_max": round(max(client.answer_ok_ms, default=float("nan")), 1),
        # once the last participant reached the trials: enrolments are over
        "all_in_s": round(all_in, 1),
        "answer_ms_client_steady": {q: round(percentile(steady, v), 1)
                                    for q, v in (("p50", 50), ("p95", 95), ("p99", 99))},
        "arrival_ms": {q: round(percentile(client.arrival_ms, v), 1)
                       for q, v in (("p50", 50), ("p95", 95), ("p99", 99))},
        "answer_ms_nginx": {q: round(percentile(server_ms, v), 1)
                            for q, v in (("p50", 50), ("p95", 95), ("p99", 99))},
        "answer_statuses_nginx": dict(nginx_status),
        "answers_sent": sent,
        "answers_unacknowledged": unacked,
        "answers_resent": client.answers_resent,
        "answers_stored": len(rows),
        "export_rows": export_rows,
        "lost": lost,
        "duplicates": duplicates,
        "stored_under_unknown_key": foreign,
        "participants_failed": [f"{p.number}: {p.failed}" for p in people if p.failed][:10],
        "resume_ok": sum(1 for r in resumed if not r),
        "resume_problems": [r for r in resumed if r][:10],
        "bench_client_cpu_s": round(cpu, 1),
        # Meaningless with --fault (processes restart); else CPU s per process kind.
        "server_cpu_s": run.server_cpu,
        "server_cpu_ms_per_app_request": round(
            1000 * sum(run.server_cpu.values()) / max(1, django_requests(client)), 2),
        "events": [f"{t:6.1f} s  {what}" for t, what in run.events],
    }
    result.update(disk_report(run, setup))
    safe = (lost == 0 and duplicates == 0 and foreign == 0 and len(rows) - sent <= unacked
            and result["resume_ok"] == len(people) and not result["participants_failed"])
    fast = (result["errors"] == 0 and result["answer_ms_client"]["p99"] < TARGET_P99_MS
            and len(rows) == sent)
    result["target_met"] = safe and (args.fault or fast)
    result["verdict"] = verdict(result, safe, args.fault)
    return result


def verdict(result: dict, safe: bool, fault: bool) -> str:
    """The report's last line: met, or what missed it (a disk stall, or the app)."""
    if result["target_met"]:
        return "TARGET MET"
    if not safe:
        return "TARGET MISSED: answers lost, duplicated or not resumable (see above)"
    if fault:
        return "TARGET MISSED"
    if result["errors"] or result["answers_stored"] != result["answers_sent"]:
        return (f"TARGET MISSED: {result['errors']} errors, {result['answers_sent']} answers "
                f"sent and {result['answers_stored']} stored")
    p99, others = result["answer_ms_client"]["p99"], result["answer_ms_client_p99_other_answers"]
    if result["disk_slow_syncs"] and others < TARGET_P99_MS:
        return (f"TARGET MISSED while the disk stalled: {result['disk_slow_syncs']} syncs over "
                f"{SLOW_SYNC_MS:.0f} ms (slowest {result['disk_sync_ms']['max']} ms) held "
                f"{result['answers_during_slow_sync']} answers; answer p99 {p99} ms, "
                f"{others} ms without them")
    return f"TARGET MISSED: answer p99 {p99} ms (target {TARGET_P99_MS:.0f} ms)"


def split_by_stalls(answers: list[tuple[float, float]],
                    stalls: list[tuple[float, float]]) -> tuple[int, list[float]]:
    """How many answers ((ended s, ms) each) were in flight during a stall ((from, to) s,
    in time order and disjoint, as one thread's syncs are), and the others' latencies."""
    starts = [a for a, _ in stalls]
    overlapped, others = 0, []
    for end, ms in answers:
        # The last stall that began before this answer ended is also the last to end.
        k = bisect.bisect_left(starts, end)
        if k and stalls[k - 1][1] > end - ms / 1000:
            overlapped += 1
        else:
            others.append(ms)
    return overlapped, others


def disk_report(run: Run, setup: LocalSetup) -> dict:
    """The disk probe's syncs, and the answer latency apart from the answers in flight
    during a slow one (a diagnosis: the target is judged on every answer)."""
    syncs = [ms for _, ms in run.disk.syncs]
    slow = run.disk.slow()
    stats = run.stats
    overlapped, others = split_by_stalls(
        list(zip(stats.answer_ok_at, stats.answer_ok_ms, strict=True)), slow)
    return {
        "disk_same_filesystem_as_wal": same_disk(run.disk.path.parent, setup),
        "disk_sync_ms": {"n": len(syncs), **{q: round(percentile(syncs, v), 1)
                                           for q, v in (("p50", 50), ("p99", 99))},
                         "max": round(max(syncs, default=float("nan")), 1)},
        "disk_slow_syncs": len(slow),
        "answers_during_slow_sync": overlapped,
        "answer_ms_client_p99_other_answers": round(percentile(others, 99), 1),
    }


def django_requests(stats: Stats) -> int:
    """Requests that reach the app (static files never do; clips do, then nginx sends them)."""
    return sum(n for kind, n in stats.requests.items() if kind != "static")


def print_report(result: dict) -> None:
    c, n = result["answer_ms_client"], result["answer_ms_nginx"]
    print(f"\n== {result['command']}  ({result['date']})")
    print(f"machine: {result['machine']}; load average before/after: "
          f"{result['load_average']['before']} / {result['load_average']['after']}"
          + (f"; set-up at nice {result['nice']}" if result["nice"] else ""))
    print(f"gunicorn: {result['gunicorn']}; bench client used {result['bench_client_cpu_s']} s CPU; "
          f"server CPU s {result['server_cpu_s']} = {result['server_cpu_ms_per_app_request']} ms "
          "per app request")
    for line in result["events"]:
        print(f"  {line}")
    print(f"participants {result['participants']}, {result['seconds']} s, "
          f"requests {result['requests']} {result['requests_by_kind']}")
    print(f"errors {result['errors']} {result['errors_by_kind']}  "
          f"(nginx answer statuses {result['answer_statuses_nginx']})")
    print(f"answer latency ms, client: p50 {c['p50']} p95 {c['p95']} p99 {c['p99']} "
          f"max {result['answer_ms_client_max']}; nginx: p50 {n['p50']} p95 {n['p95']} "
          f"p99 {n['p99']}")
    st = result["answer_ms_client_steady"]
    print(f"  once all were in the trials ({result['all_in_s']} s), client: p50 {st['p50']} "
          f"p95 {st['p95']} p99 {st['p99']}")
    a = result["arrival_ms"]
    print(f"study link (arrivals paced by nginx at {result['arrival_rate']}/s) to the consent "
          f"page, ms: p50 {a['p50']} "
          f"p95 {a['p95']} p99 {a['p99']}")
    d = result["disk_sync_ms"]
    where = {True: "the filesystem of PostgreSQL's WAL", False: "NOT the filesystem of "
             "PostgreSQL's WAL", None: "a filesystem that may not be PostgreSQL's"}
    print(f"disk (8 kB + fdatasync every {DISK_PROBE_EVERY_S} s on "
          f"{where[result['disk_same_filesystem_as_wal']]}), ms: p50 {d['p50']} p99 {d['p99']} "
          f"max {d['max']}; {result['disk_slow_syncs']} syncs over {SLOW_SYNC_MS:.0f} ms, "
          f"{result['answers_during_slow_sync']} answers in flight during one; p99 of the "
          f"others {result['answer_ms_client_p99_other_answers']} ms")
    print(f"answers sent (acknowledged) {result['answers_sent']} ({result['answers_resent']} of them "
          f"resent after an error), stored {result['answers_stored']}"
          f" (export rows {result['export_rows']}), unacknowledged "
          f"{result['answers_unacknowledged']}, lost {result['lost']}, duplicates "
          f"{result['duplicates']}, stored under a key not sent {result['stored_under_unknown_key']}")
    print(f"resume: {result['resume_ok']}/{result['participants']} land on the trial after their "
          f"last stored answer {result['resume_problems'] or ''}")
    if result["participants_failed"]:
        print(f"participants that failed: {result['participants_failed']}")
    print(result["verdict"])


async def drive(args, setup: LocalSetup) -> tuple[Run, list[Participant], list[str]]:
    run = Run(args, setup.url, setup.run_dir)
    before = await asyncio.to_thread(server_cpu, setup)
    people = await run.main(setup)
    after = await asyncio.to_thread(server_cpu, setup)
    run.server_cpu = {name: round(after[name] - before[name], 1) for name in after}
    # The database is the truth: read it, then ask the server where each one is.
    stored = defaultdict(set)
    for code, index, _ in await asyncio.to_thread(stored_answers, setup):
        stored[code].add(index)
    for p in people:
        p.stored = stored.get(p.code, set())
    gate = asyncio.Semaphore(20)

    async def check(p):
        async with gate:
            return await run.resume_check(p)

    resumed = await asyncio.gather(*(check(p) for p in people))
    await asyncio.gather(*(p.client.aclose() for p in people))
    return run, people, resumed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--duration", type=float, default=90,
                        help="seconds of answering after the ramp (default 90)")
    parser.add_argument("--ramp", type=float, default=10,
                        help="participants arrive spread over this many seconds (default 10)")
    parser.add_argument("--interval", type=float, default=2.0,
                        help="seconds from one trial page to its answer, +-25%% (default 2)")
    parser.add_argument("--max-requests", type=int, default=150_000,
                        help="hard bound on requests sent (default 150000)")
    parser.add_argument("--timeout", type=float, default=10, help="per-request timeout, s")
    parser.add_argument("--fault", action="store_true",
                        help="SIGKILL gunicorn mid-run and restart it; restart PostgreSQL once")
    parser.add_argument("--down", type=float, default=2.0,
                        help="--fault: seconds gunicorn stays dead (default 2)")
    parser.add_argument("--no-clips", action="store_true", help="do not fetch the clips")
    parser.add_argument("--client", choices=["lite", "httpx2"], default="lite",
                        help="HTTP client: bench/lite_http.py (default: least CPU taken from "
                             "the server on the same cores) or httpx2")
    parser.add_argument("--workers", type=int, help="GUNICORN_WORKERS (default: the config's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: the config's)")
    parser.add_argument("--worker-class", help="GUNICORN_WORKER_CLASS: gthread or sync "
                                               "(default: the config's)")
    parser.add_argument("--arrival-rate", type=int, default=nginx.ARRIVAL_RATE,
                        help="newcomers nginx lets through the study link per second "
                             f"(deploy/nginx.py; default {nginx.ARRIVAL_RATE})")
    parser.add_argument("--nice", type=int, default=0,
                        help="run the set-up (gunicorn, nginx, its PostgreSQL backends) and the "
                             "bench at this niceness, e.g. -10: on a shared machine, approximates "
                             "a server of its own (needs root; default 0)")
    parser.add_argument("--out", type=Path, default=REPO / "var" / "bench",
                        help="run folder, clips, logs and result JSON (default var/bench)")
    args = parser.parse_args(argv)
    if args.participants < 1 or args.duration <= 0 or args.duration > 1800:
        parser.error("--participants >= 1 and 0 < --duration <= 1800")

    gunicorn_env = {k: v for k, v in (("GUNICORN_WORKERS", args.workers),
                                      ("GUNICORN_THREADS", args.threads),
                                      ("GUNICORN_WORKER_CLASS", args.worker_class)) if v}
    if args.nice:
        prioritise(os.getpid(), args.nice)  # the bench; its children inherit the nice value
    args.out.mkdir(parents=True, exist_ok=True)
    setup = LocalSetup(run_dir=args.out / "run", port=free_port(), database="studyapp_bench",
                       stimuli_root=args.out / "stimuli", gunicorn_env=gunicorn_env,
                       arrival_rate=args.arrival_rate)
    if setup.running():  # left behind by a bench that was killed
        setup.stop(log=lambda m: print(f"[setup] {m} (left from an earlier run)"))
    for log in ("nginx-access.log", "nginx-error.log", "gunicorn.log"):
        (setup.run_dir / log).unlink(missing_ok=True)
    manifest = stimulus_set(args.out / "stimuli")
    loads = {"before": " ".join(f"{x:.2f}" for x in os.getloadavg())}
    try:
        setup.start(fresh_database=True, log=lambda m: print(f"[setup] {m}", flush=True))
        setup.manage("build_study", str(manifest), "--design", "custom", "--slug", SLUG,
                     quiet=True)
        print(f"[bench] {args.participants} participants for {args.duration:.0f} s "
              f"(+{args.ramp:.0f} s ramp) against {setup.url}{' with faults' if args.fault else ''}",
              flush=True)
        cpu0 = resource.getrusage(resource.RUSAGE_SELF)
        run, people, resumed = asyncio.run(drive(args, setup))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        loads["after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
        export = setup.manage("export_responses", SLUG, quiet=True).stdout
        export_rows = max(0, len(export.strip().splitlines()) - 1)
    finally:
        try:
            setup.stop(log=lambda m: print(f"[setup] {m}"))  # nginx flushes its log
        finally:
            postgres_ensure_running()  # whatever happened, the cluster runs again
    result = report(args, run, people, setup, loads, resumed, export_rows,
                    cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime)
    print_report(result)
    name = f"result-{'fault' if args.fault else 'load'}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    (args.out / name).write_text(json.dumps(result, indent=1))
    print(f"(all figures in {args.out / name})")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
