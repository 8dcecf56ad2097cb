"""Shared pieces of the benchmark commands (bench_reports, bench_assessment, bench_pages).

Not used by the application: plain helpers to time a step, count its queries and read the
process's peak memory, and to run each step in its own child process.
"""
import json
import subprocess
import sys
import time


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
