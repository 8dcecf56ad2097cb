"""Running the real job worker in tests.

- `run_jobs_inline()`: django-tasks-db's own worker loop (`db_worker`'s Worker, batch mode)
  in this process, on the real database backend and the test's database: every queued task
  runs, then it returns. Used wherever a test only needs the job's result.
- `WorkerProcess`: `manage.py db_worker` as a separate process on the same test database
  (a file for SQLite, see settings; the test database for PostgreSQL), for what needs a real
  second process: kill -9 mid-job, a worker beside the web server. Needs `transactional_db`,
  since the other process sees only committed rows.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def run_jobs_inline():
    from django_tasks_db.management.commands import db_worker

    worker = db_worker.Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                              startup_delay=False, max_tasks=None, worker_id="pytest-inline",
                              excluded_queue_names=[])
    # The loop closes "old" connections between tasks, which would end the test's transaction.
    with mock.patch.object(db_worker, "close_old_connections", lambda: None):
        worker.run()


def database_url():
    """DATABASE_URL of the database this test runs on (pytest-django's test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def wait_for(predicate, timeout=90, interval=0.1, message="condition"):
    """Poll until predicate() is truthy (a wait, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {message}")
        time.sleep(interval)


class WorkerProcess:
    def __init__(self, log_path, **env):
        self.log_path = Path(log_path)
        self.env = {
            **os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DJANGO_DEBUG": "1", "LOG_LEVEL": "INFO",
            "JOBS_HEARTBEAT_SECONDS": "0.5", "JOBS_LEASE_SECONDS": "4",
            **{k: str(v) for k, v in env.items()},
        }
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def kill(self):
        """kill -9: no clean-up of any kind in the worker."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log.close()

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def file_of(client, job):
    """The bytes a user gets from 我的下载 for a finished job."""
    from django.urls import reverse

    response = client.get(reverse("reports:job_file", args=[job.pk]))
    assert response.status_code == 200, (response.status_code, job.status, job.error)
    return b"".join(response.streaming_content)


def export_through_job(client, url, query=None):
    """Click an export button (POST), let the worker run the job, download the file.

    Returns (job, bytes). The POST answers with a redirect to the job's progress page.
    """
    from urllib.parse import urlencode

    from reports.models import Job, JobStatus

    full = url + (("&" if "?" in url else "?") + urlencode(query) if query else "")
    response = client.post(full)
    assert response.status_code == 302, (response.status_code, response.content[:500])
    job = Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    run_jobs_inline()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.status, job.error)
    return job, file_of(client, job)
