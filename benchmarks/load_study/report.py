"""What a load run measured: read back from the database, nginx and /proc, judged, printed, saved.

The database is the truth: answers sent (acknowledged) are checked against
the answers stored, for loss, duplicates and answers under a key never sent.
Latency is the answer request's, as the client saw it and as nginx logged it;
the disk probe's syncs tell whether a missed target was the disk. The last
printed line is the verdict; the JSON keeps every figure.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg2

from benchmarks.load_study.participant import SLUG, Crowd, Participant, Stats
from benchmarks.load_study.probe import (
    DISK_PROBE_EVERY_S,
    SLOW_SYNC_MS,
    DiskProbe,
    same_disk,
    split_by_stalls,
)
from deploy.run_local import LocalSetup

TARGET_P99_MS = 100.0
TARGET_ARRIVED_P99_MS = 5000.0  # --launch: study link to the consent page or a waiting page
QUANTILES = (("p50", 50), ("p95", 95), ("p99", 99))


@dataclass
class Outcome:
    """What a run leaves for the report."""

    crowd: Crowd
    people: list[Participant]
    probe: DiskProbe
    server_cpu: dict[str, float]                 # CPU s per process kind during the run
    resumed: list[str]                           # per participant: '' or what went wrong
    loads: dict = field(default_factory=dict)    # load average before / after
    export_rows: int = 0                         # rows of export_responses
    client_cpu_s: float = 0.0                    # the bench's own CPU


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


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and its reaped children), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1]


def _quantiles(values: list[float]) -> dict[str, float]:
    return {name: round(percentile(values, q), 1) for name, q in QUANTILES}


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


def machine() -> str:
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.node()}, {os.cpu_count()} cores, {model or platform.machine()}"


def django_requests(stats: Stats) -> int:
    """Requests that reach the app (static files never do; clips do, then nginx sends them)."""
    return sum(n for kind, n in stats.requests.items() if kind != "static")


def report(args, outcome: Outcome, setup: LocalSetup) -> dict:
    """Every figure of the run, its target judged (``target_met``) and the verdict line."""
    people, crowd = outcome.people, outcome.crowd
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
    client = crowd.stats
    all_in = max((p.in_trials_at for p in people if p.in_trials_at is not None), default=0.0)
    steady = [ms for at, ms in zip(client.answer_ok_at, client.answer_ok_ms, strict=True)
              if at > all_in]
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "python -m benchmarks.load_study " + " ".join(sys.argv[1:]),
        "gunicorn": {k: v for k, v in setup.env().items()
                     if k.startswith("GUNICORN_") and k not in ("GUNICORN_BIND", "GUNICORN_PIDFILE")}
                    or "defaults",
        "load_average": outcome.loads,
        "nice": args.nice,
        "arrival_rate": args.arrival_rate,
        "launch": args.launch,
        "participants": args.participants,
        "seconds": round(crowd.elapsed(), 1),
        "requests": client.total,
        "requests_by_kind": dict(client.requests),
        "errors": sum(client.errors.values()),
        "errors_by_kind": dict(client.errors),
        "answer_ms_client": _quantiles(client.answer_ok_ms),
        "answer_ms_client_max": round(max(client.answer_ok_ms, default=float("nan")), 1),
        # once the last participant reached the trials: enrolments are over
        "all_in_s": round(all_in, 1),
        "answer_ms_client_steady": _quantiles(steady),
        "arrival_ms": _quantiles(client.arrival_ms),
        "arrival_max_ms": round(max(client.arrival_ms, default=float("nan")), 1),
        "arrived_ms": _quantiles(client.arrived_ms),
        "arrived_max_ms": round(max(client.arrived_ms, default=float("nan")), 1),
        "answer_ms_nginx": _quantiles(server_ms),
        "answer_statuses_nginx": dict(nginx_status),
        "answers_sent": sent,
        "answers_unacknowledged": unacked,
        "answers_resent": client.answers_resent,
        "answers_stored": len(rows),
        "export_rows": outcome.export_rows,
        "lost": lost,
        "duplicates": duplicates,
        "stored_under_unknown_key": foreign,
        "participants_failed": [f"{p.number}: {p.failed}" for p in people if p.failed][:10],
        "resume_ok": sum(1 for r in outcome.resumed if not r),
        "resume_problems": [r for r in outcome.resumed if r][:10],
        "bench_client_cpu_s": round(outcome.client_cpu_s, 1),
        # Meaningless with --fault (processes restart); else CPU s per process kind.
        "server_cpu_s": outcome.server_cpu,
        "server_cpu_ms_per_app_request": round(
            1000 * sum(outcome.server_cpu.values()) / max(1, django_requests(client)), 2),
        "events": [f"{t:6.1f} s  {what}" for t, what in crowd.events],
    }
    result.update(disk_report(outcome, setup))
    safe = (lost == 0 and duplicates == 0 and foreign == 0 and len(rows) - sent <= unacked
            and result["resume_ok"] == len(people) and not result["participants_failed"])
    # --launch: the answers once everyone is in, and everyone told within seconds
    answers = result["answer_ms_client_steady" if args.launch else "answer_ms_client"]
    fast = (result["errors"] == 0 and answers["p99"] < TARGET_P99_MS and len(rows) == sent
            and (not args.launch or result["arrived_ms"]["p99"] <= TARGET_ARRIVED_P99_MS))
    result["target_met"] = safe and (args.fault or fast)
    result["verdict"] = verdict(result, safe, args.fault)
    return result


def disk_report(outcome: Outcome, setup: LocalSetup) -> dict:
    """The disk probe's syncs, and the answer latency apart from the answers in flight
    during a slow one (a diagnosis: the target is judged on every answer)."""
    syncs = [ms for _, ms in outcome.probe.syncs]
    slow = outcome.probe.slow()
    stats = outcome.crowd.stats
    overlapped, others = split_by_stalls(
        list(zip(stats.answer_ok_at, stats.answer_ok_ms, strict=True)), slow)
    return {
        "disk_same_filesystem_as_wal": same_disk(outcome.probe.path.parent, setup),
        "disk_sync_ms": {"n": len(syncs), **{q: round(percentile(syncs, v), 1)
                                           for q, v in (("p50", 50), ("p99", 99))},
                         "max": round(max(syncs, default=float("nan")), 1)},
        "disk_slow_syncs": len(slow),
        "answers_during_slow_sync": overlapped,
        "answer_ms_client_p99_other_answers": round(percentile(others, 99), 1),
    }


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
    if result.get("launch") and result["arrived_ms"]["p99"] > TARGET_ARRIVED_P99_MS:
        return (f"TARGET MISSED: arrivals p99 {result['arrived_ms']['p99']} ms "
                f"(target {TARGET_ARRIVED_P99_MS:.0f} ms)")
    p99, others = result["answer_ms_client"]["p99"], result["answer_ms_client_p99_other_answers"]
    if result["disk_slow_syncs"] and others < TARGET_P99_MS:
        return (f"TARGET MISSED while the disk stalled: {result['disk_slow_syncs']} syncs over "
                f"{SLOW_SYNC_MS:.0f} ms (slowest {result['disk_sync_ms']['max']} ms) held "
                f"{result['answers_during_slow_sync']} answers; answer p99 {p99} ms, "
                f"{others} ms without them")
    return f"TARGET MISSED: answer p99 {p99} ms (target {TARGET_P99_MS:.0f} ms)"


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
    print(f"study link (arrivals paced by nginx at {result['arrival_rate']}/s; beyond a few "
          f"seconds' queue the waiting page) to the consent page, ms: p50 {a['p50']} "
          f"p95 {a['p95']} p99 {a['p99']} max {result['arrival_max_ms']}")
    a = result["arrived_ms"]
    print(f"  to the consent page or a waiting page within 1 s (told where they are), ms: "
          f"p50 {a['p50']} p95 {a['p95']} p99 {a['p99']} max {result['arrived_max_ms']}"
          f"; server CPU per arrival: python -m benchmarks.arrival_cost")
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


def save(result: dict, folder: Path, *, fault: bool) -> Path:
    """The result as JSON in ``folder``, named for the mode and the time."""
    path = folder / f"result-{'fault' if fault else 'load'}-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(result, indent=1))
    return path
