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

# Threads in a few processes: a request spends much of its time waiting on
# PostgreSQL, so threads keep the CPUs busy without a process per connection.
# Measured on 2 cores (BENCHMARKS.md, "Study app: load and faults").
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# nginx keeps connections to gunicorn open (upstream keepalive).
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
