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


def measure(work, *args):
    """Run `work(*args, prepare=True)` (not measured), then `work(*args, prepared=...)` timed and with
    its queries counted; returns {"seconds", "queries", "peak", **what the step returned}."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepared = work(*args, prepare=True)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        extra = work(*args, prepared=prepared)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "queries": len(queries), "peak": peak_mb(), **(extra or {})}


def print_json(stdout, result):
    stdout.write(json.dumps(result))


def run_child(command, args, env):
    """Run `manage.py COMMAND ARGS` in a child process; its last output line is JSON, returned decoded."""
    out = subprocess.run([sys.executable, "manage.py", command, *args], env=env, check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])
