"""The real worker as its own process (`manage.py db_worker`) on this test's database — SQLite
(a file) or PostgreSQL: a job runs and reports progress, is killed with kill -9 mid-job, and
runs beside web requests writing at the same time.

Jobs are slowed down with JOBS_STEP_DELAY (a pause at each progress step) so that progress can
be watched and the kill lands mid-job. Waits poll; nothing asserts a duration.
"""
import io
import json
import threading
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.urls import reverse

from ledgers.models import Unit
from reports.models import Job, JobStatus
from tests.reports.jobs.support import WorkerProcess, wait_for

from .conftest import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def start_worker(tmp_path, settings):
    """start_worker(**env) -> a running `manage.py db_worker` on this test's database."""
    settings.JOBS_LEASE_SECONDS = 4  # the web side decides when a silent worker is dead
    workers = []

    def start(**env):
        worker = WorkerProcess(tmp_path / f"worker-{len(workers)}.log", **env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def poll(client, job):
    return json.loads(client.get(reverse("reports:job_status", args=[job.pk])).content)


def start_job(client, url):
    response = client.post(url)
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_the_worker_process_runs_the_bureau_binder_and_reports_progress(client_for, inspector, school_a, school_b,
                                                                        archives, start_worker):
    worker = start_worker(JOBS_STEP_DELAY=0.3)
    browser = client_for(inspector)
    job = start_job(browser, reverse("reports:bureau_binder") + "?year=2026")
    seen = []

    def finished():
        state = poll(browser, job)
        seen.append((state["percent"], state["stage"]))
        return state["status"] in ("done", "failed") and state

    state = wait_for(finished, message=f"the job to finish; worker log:\n{worker.output()}")
    assert state["status"] == "done", (state, worker.output())
    stages = [stage for _percent, stage in seen]
    units = Unit.objects.active().count()  # the two schools and the inspector's office
    assert [f"正在生成第 {n}/{units} 个单位的档案册…" in stages for n in range(1, units + 1)] == [True] * units
    percents = [percent for percent, _stage in seen]
    assert percents == sorted(percents) and any(0 < p < 100 for p in percents) and percents[-1] == 100
    data = b"".join(browser.get(state["download_url"]).streaming_content)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    a, b = school_a.name, school_b.name
    assert {f"{a}/目录.xlsx", f"{b}/目录.xlsx", f"{a}/{a}-2026年度台账档案册.pdf"} <= set(archive.namelist())
    assert "开学典礼文明礼仪教育" in pdf_text(archive.read(f"{a}/{a}-2026年度台账档案册.pdf"))


def test_kill_9_mid_job_offers_no_half_file_and_the_job_is_retried(client_for, inspector, school_a, school_b,
                                                                    archives, start_worker):
    first = start_worker(JOBS_STEP_DELAY=1.5)
    browser = client_for(inspector)
    job = start_job(browser, reverse("reports:bureau_binder") + "?year=2026")
    wait_for(lambda: (s := poll(browser, job))["status"] == "running" and s["percent"] > 0,
             message=f"the job to be under way; log:\n{first.output()}")
    first.kill()

    state = poll(browser, job)
    assert state["status"] == "running" and not state["download_url"]  # not yet noticed: still no file
    assert browser.get(reverse("reports:job_file", args=[job.pk])).status_code == 404
    assert not Job.objects.exclude(file="").exists()

    second = start_worker()
    # Polling (what the progress page does) notices the silent worker once its lease runs out.
    state = wait_for(lambda: (s := poll(browser, job))["status"] in ("done", "failed") and s,
                     message=f"the retried job to finish; log:\n{second.output()}")
    assert state["status"] == "done", (state, second.output())
    job.refresh_from_db()
    assert job.attempt == 2
    archive = zipfile.ZipFile(io.BytesIO(b"".join(browser.get(state["download_url"]).streaming_content)))
    assert archive.testzip() is None and f"{school_b.name}/目录.xlsx" in archive.namelist()
    # The only stored job file is the finished one.
    dirs, files = default_storage.listdir(f"jobs/{inspector.pk}")
    assert [f"jobs/{inspector.pk}/{name}" for name in files] == [job.file.name]


def test_kill_9_on_the_last_attempt_fails_the_job_with_a_chinese_reason(client_for, liaison, school_a, archives,
                                                                        start_worker, settings):
    settings.JOBS_MAX_ATTEMPTS = 1
    worker = start_worker(JOBS_STEP_DELAY=8)
    browser = client_for(liaison)
    job = start_job(browser, reverse("reports:binder_zip") + f"?unit={school_a.pk}")
    wait_for(lambda: poll(browser, job)["status"] == "running", message=f"the job to start; log:\n{worker.output()}")
    worker.kill()
    state = wait_for(lambda: (s := poll(browser, job))["status"] == "failed" and s, message="the job to fail")
    assert "后台进程意外中断（已尝试 1 次），没有生成文件" in state["error"]
    assert state["retry_url"] and not state["download_url"]
    assert "后台进程意外中断" in browser.get(reverse("reports:downloads")).content.decode()


def test_the_worker_beside_web_requests_writing_at_the_same_time(client_for, admin_user, inspector, leader, liaison,
                                                                  school_a, school_b, archives, start_worker):
    """Web requests start jobs and save records while the worker writes progress and heartbeats:
    no request fails and every job finishes (SQLite: WAL + IMMEDIATE transactions)."""
    worker = start_worker(JOBS_HEARTBEAT_SECONDS=0.1, JOBS_STEP_DELAY=0.05)
    users = [admin_user, inspector, leader]
    errors, statuses = [], []

    def web(user):
        client = Client()
        client.force_login(user)
        try:
            for unit in (school_a, school_b):
                for kind in ("binder_pdf", "binder_zip"):
                    for period in ("year", "spring", "autumn"):
                        response = client.post(reverse(f"reports:{kind}") + f"?unit={unit.pk}&period={period}")
                        statuses.append(response.status_code)
                        client.get(reverse("reports:downloads"))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    def writer():
        client = Client()
        client.force_login(liaison)
        try:
            for n in range(15):
                response = client.post(reverse("ledgers:activity_create"), {
                    "title": f"并发写入测试{n}", "category": archives["学雷锋志愿服务进社区"].category_id,
                    "date": "2026-04-10", "place": "操场", "participants": "全体", "organizer": "德育处",
                    "summary": "测试", "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"})
                statuses.append(response.status_code)
        except Exception as error:  # pragma: no cover
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=web, args=(user,)) for user in users] + [threading.Thread(target=writer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and set(statuses) == {302}, (errors, sorted(set(statuses)))
    assert Job.objects.count() == 3 * 2 * 2 * 3
    wait_for(lambda: not Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists(),
             timeout=600, interval=0.5, message=f"every job to finish; log:\n{worker.output()}")
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}, worker.output()
    assert "database is locked" not in worker.output()
    from ledgers.models import Activity

    assert Activity.objects.filter(title__startswith="并发写入测试").count() == 15


def test_stopping_the_worker_twice_hands_its_job_back_to_the_queue(client_for, liaison, school_a, archives,
                                                                   start_worker):
    """Ctrl-C (bin/serve) or a deploy's SIGTERM, twice: the running job is queued again, not lost."""
    import signal

    worker = start_worker(JOBS_STEP_DELAY=8)
    browser = client_for(liaison)
    job = start_job(browser, reverse("reports:binder_pdf") + f"?unit={school_a.pk}")
    wait_for(lambda: poll(browser, job)["status"] == "running", message=f"the job to start; log:\n{worker.output()}")
    worker.process.send_signal(signal.SIGTERM)
    wait_for(lambda: "shutting down gracefully" in worker.output(), message="the worker to acknowledge")
    worker.process.send_signal(signal.SIGTERM)
    worker.process.wait(timeout=60)
    # The stopping worker queues it again itself ("后台进程已停止…"); should that last write lose a
    # race for the database on a busy machine, the lease (4 s here) hands it on ("后台进程中断…").
    state = wait_for(lambda: (s := poll(browser, job))["status"] == "queued" and s,
                     message="the job to be queued again")
    assert "已重新排队（第 2 次尝试）" in state["stage"]
    start_worker()
    state = wait_for(lambda: (s := poll(browser, job))["status"] in ("done", "failed") and s,
                     message="the job to finish on the next worker")
    assert state["status"] == "done" and state["download_url"]
