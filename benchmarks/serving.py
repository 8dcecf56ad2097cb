"""Start gunicorn on a free loopback port and wait until it answers: the page benchmark
(`bench_pages`) and the tests that need real worker processes (tests/ops/servers.py) both use it."""
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServerDidNotStart(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(app, env, log_path, *, workers=1, args=(), ready_path="/accounts/login/", wait=60):
    """Serve `app` ("wenming.wsgi") with `workers` processes; yields (base URL, process). Any HTTP
    answer on `ready_path` means it is up; `ServerDidNotStart` (with the log's end) after `wait`
    seconds or if it exits. Stopped (terminated, killed after 20 s) on leaving."""
    port = free_port()
    log = open(log_path, "wb")
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), app, "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "120", *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(base + ready_path, timeout=5).read()
                break
            except urllib.error.HTTPError:
                break  # an answer all the same
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    server.kill()
                    raise ServerDidNotStart("gunicorn did not start: " + Path(log_path).read_text()[-2000:])
                time.sleep(0.3)
        yield base, server
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
