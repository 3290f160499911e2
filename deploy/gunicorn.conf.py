"""gunicorn settings for the study app: `gunicorn -c deploy/gunicorn.conf.py`.

nginx sits in front (deploy/nginx.conf.template): it buffers slow clients and
sends static files and clips itself, so gunicorn only runs Django. The app
keeps no state in its processes (sessions and answers are in PostgreSQL), so
a worker, or the whole server, can die and restart without losing anything;
more capacity is more workers here or more hosts behind nginx.

Every value can be set from the environment (GUNICORN_*), so one file serves
the local rehearsal (deploy/run_local.py) and a lab's server.
"""

import os

# Where nginx finds the app: a unix socket next to nginx, or host:port when
# app servers run on other machines (then bind the private address only).
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")]

# Single-threaded processes, a few more than cores: nginx buffers slow
# clients, so a worker only ever runs Django. Measured on 2 cores
# (BENCHMARKS.md, "Study app: load and faults"): at 200 participants, 3 sync
# workers gave answer p99 100 ms once all had enrolled where 3 or 4 workers x
# 4 threads gave 300-900 ms; under load a request spends most of its time in
# round trips to PostgreSQL, and more threads mean more of them waiting for a
# core at once. (gunicorn runs gthread whenever threads > 1.)
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Used by threaded workers only: nginx keeps connections to them open
# (upstream keepalive). Sync workers close each one; on a unix socket a new
# connection per request costs next to nothing.
keepalive = 75

# A stuck request is killed after this long; a restart waits this long for
# requests in flight before it stops a worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20

# Load Django once in the master: workers fork ready, and a broken setting
# stops the start instead of every worker.
preload_app = True
# Heartbeat files in memory, not on a (possibly slow) disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# nginx logs every request (with timings); gunicorn logs errors only.
accesslog = None
errorlog = os.environ.get("GUNICORN_ERRORLOG", "-")
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "studyapp"

wsgi_app = "studyapp.wsgi:application"
