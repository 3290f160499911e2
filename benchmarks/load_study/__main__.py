"""Load and fault benchmark of the production set-up (run by hand; not a unit test).

    .venv/bin/python -m benchmarks.load_study              # 200 participants, 90 s
    .venv/bin/python -m benchmarks.load_study --fault      # + SIGKILL gunicorn, restart PostgreSQL

It starts deploy/run_local.py's set-up (nginx -> gunicorn -> PostgreSQL, on
127.0.0.1 only, a database of its own that is dropped and made again), builds
a study from small generated clips (benchmarks/stimulus_fixtures.py), and
drives N simulated participants through real HTTP via nginx as a browser does
(participant.py). Meanwhile a thread syncs 8 kB to disk every 0.2 s beside the
set-up (probe.py): an answer's commit waits for the same kind of sync, and on
a VM the disk stalls now and then for a few hundred ms.

It stops by itself: no new trial after --duration seconds, each participant
finishes the answer it is sending, and everything ends by --duration + 60 s
or after --max-requests requests, whichever comes first. Then it reads the
database back and prints requests, errors, the answer request's latency
(p50/p95/p99, seen by the client and by nginx), the disk's syncs, answers sent
vs stored, duplicates, and whether every participant resumes where the
database says it is (report.py). The PostgreSQL cluster is running again when
the script ends, whatever happened. Exit status 0 only when the target is met
(p99 < 100 ms, no error; --fault: no loss, no duplicate, everyone resumes).

--fault: at 35 % of the run gunicorn (master and workers) gets SIGKILL and
is started again --down seconds later; at 65 % PostgreSQL is restarted
(pg_ctlcluster ... restart).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import sys
from collections import defaultdict
from pathlib import Path

import psycopg2

from benchmarks.load_study.participant import SLUG, Crowd, Participant
from benchmarks.load_study.probe import DiskProbe
from benchmarks.load_study.report import (
    Outcome,
    print_report,
    report,
    save,
    server_cpu,
    stored_answers,
)
from benchmarks.stimulus_fixtures import design_factor_rows, tiny_clip, write_set
from deploy import nginx
from deploy.run_local import (
    HOST,
    REPO,
    LocalSetup,
    postgres_ensure_running,
    postgres_restart,
)


def stimulus_set(root: Path) -> Path:
    """126 small clips (task2's cells) and a practice clip, made once with PyAV."""
    manifest = root / "set" / "manifest.json"
    if not manifest.exists():
        source = tiny_clip(root / "source.mp4")
        write_set(root / "set", design_factor_rows("task2"), source, name="bench")
    return manifest


def free_port() -> int:
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        return listener.getsockname()[1]


def prioritise(pid: int, nice: int) -> None:
    """Set a process's nice value and its autogroup's (root only; errors ignored)."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, nice)
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        pass


async def keep_prioritised(crowd: Crowd, setup: LocalSetup) -> None:
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
            prioritise(pid, crowd.args.nice)
    while not crowd.hard_stop.is_set():
        await asyncio.to_thread(renice)
        await asyncio.sleep(1)


async def faults(crowd: Crowd, setup: LocalSetup) -> None:
    """--fault: gunicorn killed at 35 % of the run and started again, PostgreSQL
    restarted at 65 %."""
    args = crowd.args
    await asyncio.sleep(args.ramp + args.duration * 0.35)
    pid = setup.gunicorn_kill()
    crowd.note(f"SIGKILL gunicorn (master {pid} and workers)")
    await asyncio.sleep(args.down)
    await asyncio.to_thread(setup.gunicorn_start)
    crowd.note("gunicorn started again, accepting")
    await asyncio.sleep(max(0.0, args.ramp + args.duration * 0.65 - crowd.elapsed()))
    crowd.note("PostgreSQL restart begins")
    seconds = await asyncio.to_thread(postgres_restart)
    crowd.note(f"PostgreSQL accepting again ({seconds:.1f} s)")


async def run_participants(crowd: Crowd, setup: LocalSetup) -> list[Participant]:
    """Every participant from arrival to the end of the run (and the faults, if asked)."""
    args = crowd.args
    people = [Participant(i, crowd.client()) for i in range(args.participants)]
    tasks = [asyncio.create_task(crowd.take_part(p)) for p in people]
    if args.nice:
        asyncio.create_task(keep_prioritised(crowd, setup))
    fault = asyncio.create_task(faults(crowd, setup)) if args.fault else None
    await asyncio.sleep(args.ramp + args.duration)
    crowd.stop_trials.set()
    crowd.note("no new trials; participants finish their answer")
    _, pending = await asyncio.wait(tasks, timeout=60)
    crowd.hard_stop.set()
    if pending:
        await asyncio.wait(pending, timeout=10)
    if fault:
        await fault  # the cluster is back before anything is read from it
    return people


async def drive(args, setup: LocalSetup) -> Outcome:
    """The run, with the disk probe beside it, then where each participant resumes."""
    crowd = Crowd(args, setup.url)
    probe = DiskProbe(setup.run_dir, crowd.start)
    before = await asyncio.to_thread(server_cpu, setup)
    probe.thread.start()
    try:
        people = await run_participants(crowd, setup)
    finally:
        probe.stop.set()
        await asyncio.to_thread(probe.thread.join)
    after = await asyncio.to_thread(server_cpu, setup)
    # The database is the truth: read it, then ask the server where each one is.
    stored = defaultdict(set)
    for code, index, _ in await asyncio.to_thread(stored_answers, setup):
        stored[code].add(index)
    for p in people:
        p.stored = stored.get(p.code, set())
    gate = asyncio.Semaphore(20)

    async def check(p):
        async with gate:
            return await crowd.resume_check(p)

    resumed = await asyncio.gather(*(check(p) for p in people))
    await asyncio.gather(*(p.client.aclose() for p in people))
    return Outcome(crowd=crowd, people=people, probe=probe, resumed=resumed,
                   server_cpu={name: round(after[name] - before[name], 1) for name in after})


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load_study", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, default=200)
    parser.add_argument("--launch", action="store_true",
                        help="launch day: 500 participants arriving within 60 s, then answering "
                             "as usual (sets --participants 500 --ramp 60 unless given)")
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
                        help="HTTP client: lite_http.py beside this file (default: least CPU "
                             "taken from the server on the same cores) or httpx2")
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
    if args.launch:
        given = set(argv if argv is not None else sys.argv[1:])
        args.participants = args.participants if "--participants" in given else 500
        args.ramp = args.ramp if "--ramp" in given else 60.0
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
                       arrival_rate=args.arrival_rate,
                       per_client_limit=False)  # every simulated participant is 127.0.0.1
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
        outcome = asyncio.run(drive(args, setup))
        cpu1 = resource.getrusage(resource.RUSAGE_SELF)
        outcome.client_cpu_s = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
        outcome.loads = {**loads, "after": " ".join(f"{x:.2f}" for x in os.getloadavg())}
        export = setup.manage("export_responses", SLUG, quiet=True).stdout
        outcome.export_rows = max(0, len(export.strip().splitlines()) - 1)
    finally:
        try:
            setup.stop(log=lambda m: print(f"[setup] {m}"))  # nginx flushes its log
        finally:
            postgres_ensure_running()  # whatever happened, the cluster runs again
    result = report(args, outcome, setup)
    print_report(result)
    path = save(result, args.out, fault=args.fault)
    print(f"(all figures in {path})")
    return 0 if result["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
