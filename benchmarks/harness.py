"""Shared pieces of the benchmark commands (bench_reports, bench_assessment, bench_pages, bench_writes).

Not used by the application: plain helpers to time a step, count its queries and read the
process's peak memory, to run each step in its own child process, and to serve the demo data with
the production settings under gunicorn.
"""
import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks.scratch import scratch_url

ROOT = Path(__file__).resolve().parent.parent


def peak_mb():
    """The process's peak resident set (VmHWM, C allocations included), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(work, *args, repeat=1):
    """Run `work(*args, prepare=True)` (not measured), then `work(*args, prepared=...)` timed and with
    its queries counted; returns {"seconds", "cpu", "queries", "peak", **what the step returned}.
    "cpu" is this process's CPU time (the database server's, on PostgreSQL, is not in it). With
    repeat > 1 the measured call runs that many times: "seconds" and "cpu" are the first (cold) call's,
    "best_seconds" and "best_cpu" the lowest of all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepared = work(*args, prepare=True)
    runs = []
    for _ in range(max(1, repeat)):
        with CaptureQueriesContext(connection) as queries:
            start, cpu = time.perf_counter(), time.process_time()
            extra = work(*args, prepared=prepared)
            runs.append((time.perf_counter() - start, time.process_time() - cpu, len(queries)))
    seconds, cpu, count = runs[0]
    return {"seconds": seconds, "cpu": cpu, "queries": count, "peak": peak_mb(),
            "best_seconds": min(r[0] for r in runs), "best_cpu": min(r[1] for r in runs), **(extra or {})}


def print_json(stdout, result):
    stdout.write(json.dumps(result))


def run_child(command, args, env):
    """Run `manage.py COMMAND ARGS` in a child process; its last output line is JSON, returned decoded."""
    out = subprocess.run([sys.executable, "manage.py", command, *args], env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def add_database_url(parser):
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"), type=scratch_url,
                        help="an empty PostgreSQL database instead of a temporary SQLite file "
                             "(default: $BENCH_DATABASE_URL, set by bin/with-postgres --scratch)")


def production_env(tmp, database_url=None):
    """The environment of a served benchmark: its own database (`database_url`, else a SQLite file in
    `tmp`), media and static folders in `tmp`, DEBUG=0 and the production settings on loopback."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DEBUG")}
    env.update({
        "DATABASE_URL": database_url or f"sqlite:///{tmp}/bench.sqlite3",
        "MEDIA_ROOT": f"{tmp}/media", "STATIC_ROOT": f"{tmp}/static",
        "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "SECURE_HSTS_SECONDS": "0",
        "PYTHONDONTWRITEBYTECODE": "1", "WENMING_BENCHMARKS": "1",
    })
    return env


def database_label(env):
    return "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"


def load_demo(env):
    """Migrate, load the demo data unless it is there, collect the static files; the seconds it took."""
    started = time.perf_counter()
    for step in (["migrate", "--noinput", "-v0"], ["load_demo", "--if-empty"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *step], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


@contextmanager
def served(env, tmp, app, workers):
    """gunicorn serving `app` with `workers` processes, its log in `tmp`; yields the base URL.
    CommandError if it does not start."""
    from django.core.management.base import CommandError

    from benchmarks.serving import ServerDidNotStart
    from benchmarks.serving import gunicorn

    try:
        with gunicorn(app, env, Path(tmp) / f"gunicorn-{app}.log", workers=workers) as (base, _server):
            yield base
    except ServerDidNotStart as error:
        raise CommandError(str(error))
