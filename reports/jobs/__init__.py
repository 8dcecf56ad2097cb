"""Background jobs (我的下载): long documents built by the job worker, with progress.

The queue is django-tasks with its database backend (django-tasks-db): a task is a row in our
own database and `manage.py db_worker` runs it. django-tasks-db claims a row in one
transaction and records success or failure, but a worker killed mid-task leaves its row
RUNNING forever and nothing retries it. So each user-facing job also has a `reports.models.Job`
row of ours, which adds what the user sees and what survives a dead worker:

- progress: `progress(done, total, stage)` writes the Chinese stage and percent (throttled);
- a heartbeat: a thread beside the job writes `heartbeat_at` every JOBS_HEARTBEAT_SECONDS;
  `recover_stale_jobs()` takes a RUNNING job silent for JOBS_LEASE_SECONDS as dead and
  re-queues it (a new task, attempt + 1) up to JOBS_MAX_ATTEMPTS, then marks it failed with a
  Chinese reason. It runs when someone looks (status poll, 我的下载, starting a job) and in the
  daily upkeep. Every write of a job is conditional on (attempt, status), so a stalled worker
  that wakes up after its job was handed on cannot overwrite the new attempt;
- the file: built in a temporary file, stored under a fresh name, and only then the row
  becomes DONE with the name (one conditional UPDATE). A worker killed before that leaves a
  row that is not DONE: no download is offered; the stored leftover (if any) is an orphan the
  daily upkeep removes.

API for the rest of the app (notifications build on it):

    job, joined = start_job(user=..., kind="binder_pdf", params={...})
    retry_job(job=..., user=...)
    may_download(user, job)

A kind is registered with `@job_kind(...)` on a `prepare(user, params)` function that checks
access and returns `JobSpec(params, title, unit)`; its body is a plain function
`run(job, progress) -> JobOutput`, executed by the one `@task` `run_job(job_id, attempt)`.
Plain `@task` functions without a Job row (e.g. the daily upkeep) are fine too.
"""
import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import task

from ..models import ACTIVE_STATUSES, Job, JobStatus

logger = logging.getLogger("reports.jobs")

KINDS = {}

WORKER_LOST = "生成过程中后台进程意外中断（已尝试 {n} 次），没有生成文件。请点击“重试”再试一次；如仍失败，请联系局文明办。"
NOT_ALLOWED = "您已无权查看这些数据（账号的单位或角色已变更），没有生成文件。"
INTERNAL_ERROR = "生成失败：程序内部错误（{name}）。请点击“重试”再试一次；如仍失败，请联系局文明办。"


class JobRefused(Exception):
    """A job that cannot run, with the Chinese reason shown to the user (no retry helps)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class JobLost(Exception):
    """This attempt no longer owns its job (it was handed to another attempt or removed)."""


@dataclass
class JobSpec:
    params: dict
    title: str
    unit: object = None  # the Unit whose data the file holds; None: bureau-wide data


@dataclass
class JobOutput:
    """What a job made: an open file (read from 0) with its download name, or a page to open."""
    handle: object = None
    file_name: str = ""
    result_url: str = ""


@dataclass
class JobKind:
    name: str
    prepare: object
    run: object = None
    label: str = ""


def job_kind(name, *, label=""):
    """Register `prepare(user, params) -> JobSpec`; attach the body with `@<prepare>.runner`."""

    def decorator(prepare):
        kind = KINDS[name] = JobKind(name=name, prepare=prepare, label=label)

        def runner(run):
            kind.run = run
            return run

        prepare.runner = runner
        return prepare

    return decorator


def job_key(kind, params):
    text = json.dumps(params, sort_keys=True, ensure_ascii=False, default=str)
    return f"{kind}:{hashlib.sha1(text.encode()).hexdigest()}"


# --- starting, joining, retrying -----------------------------------------------------------

def start_job(*, user, kind, params):
    """Queue `kind` for `user`, or join the same export already queued or running.

    `prepare` checks access (raises Http404 / PermissionDenied / JobRefused) and normalises
    the params, so equal requests get equal keys. Returns (job, joined).
    """
    spec = KINDS[kind].prepare(user, dict(params))
    key = job_key(kind, spec.params)
    recover_stale_jobs(user=user, key=key)
    running = Job.objects.filter(user=user, key=key, status__in=ACTIVE_STATUSES).first()
    if running:
        return running, True
    try:
        with transaction.atomic():
            job = Job.objects.create(user=user, kind=kind, params=spec.params, key=key, title=spec.title[:200],
                                     unit=spec.unit, stage="排队中，等待后台生成…", attempt=1)
            _enqueue(job)
    except IntegrityError:
        # Two clicks at the same moment: the other one queued it first.
        return Job.objects.get(user=user, key=key, status__in=ACTIVE_STATUSES), True
    logger.info("job %s queued: %s (%s) for %s", job.pk, job.title, kind, user)
    return job, False


def _enqueue(job):
    result = run_job.enqueue(job.pk, job.attempt)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)


def retry_job(*, job, user):
    """Start a failed job again (a new job row with the same kind and params)."""
    if job.user_id != user.pk:
        raise PermissionError("只能重试自己发起的任务。")
    new, _joined = start_job(user=user, kind=job.kind, params=job.params)
    return new


def may_download(user, job, visible_units=None):
    """Only the user who started it, and only while visible_to still allows the data.

    `visible_units`: the ids of the units the user may see among those of a list of jobs
    (`visible_unit_ids`), to check a whole list with one query.
    """
    if not user.is_authenticated or job.user_id != user.pk or not job.has_file:
        return False
    if job.expires_at and job.expires_at <= timezone.now():
        return False
    return may_see_data(user, job, visible_units)


def may_see_data(user, job, visible_units=None):
    if job.unit_id is None:
        if not (user.is_active and user.sees_all_units):
            return False
        bureau = (job.params or {}).get("bureau")
        if bureau:  # a bureau-wide document: that bureau must still be one the user sees
            return str(bureau) in _visible_bureau_ids(user)
        return True
    if visible_units is None:
        visible_units = visible_unit_ids(user, [job])
    return job.unit_id in visible_units


def _visible_bureau_ids(user):
    """Ids (as strings) of the bureaus the user sees, looked up once per user object."""
    ids = getattr(user, "_job_visible_bureaus", None)
    if ids is None:
        from ledgers.models import Bureau

        ids = {str(pk) for pk in Bureau.objects.visible_to(user).values_list("pk", flat=True)}
        user._job_visible_bureaus = ids
    return ids


def visible_unit_ids(user, jobs):
    from ledgers.models import Unit

    wanted = {job.unit_id for job in jobs if job.unit_id}
    if not wanted:
        return set()
    return set(Unit.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))


# --- dead workers ----------------------------------------------------------------------------

def recover_stale_jobs(*, user=None, key=None, job_ids=None, now=None):
    """Re-queue (or fail, after JOBS_MAX_ATTEMPTS) RUNNING jobs whose heartbeat stopped.

    Safe to call from many processes: each move is one conditional UPDATE.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff)
    if user is not None:
        stale = stale.filter(user=user)
    if key is not None:
        stale = stale.filter(key=key)
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    moved = []
    for job in stale:
        _mark_task_lost(job.task_id, now)
        if requeue_or_fail(job, job.attempt, now=now):
            moved.append(job)
    return moved


def requeue_or_fail(job, attempt, *, now=None, stopped=False):
    """Hand a RUNNING attempt whose worker is gone (or stopping) to a new task, or fail it.

    One conditional UPDATE on (attempt, RUNNING): whoever moves it first wins. Returns True
    if this call moved it.
    """
    now = now or timezone.now()
    why = "后台进程已停止" if stopped else "后台进程中断"
    if attempt < settings.JOBS_MAX_ATTEMPTS:
        with transaction.atomic():
            taken = Job.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(
                status=JobStatus.QUEUED, attempt=attempt + 1, heartbeat_at=None, percent=0,
                stage=f"{why}，已重新排队（第 {attempt + 1} 次尝试）…")
            if taken:
                job.attempt = attempt + 1
                _enqueue(job)
        if taken:
            logger.warning("job %s: worker lost, re-queued as attempt %s", job.pk, job.attempt)
        return bool(taken)
    taken = Job.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED, finished_at=now, error=WORKER_LOST.format(n=attempt), stage="生成失败")
    if taken:
        logger.warning("job %s: worker lost on attempt %s, marked failed", job.pk, attempt)
    return bool(taken)


def _mark_task_lost(task_id, now):
    """The task row of a dead worker stays RUNNING in django-tasks-db: close it as failed."""
    if not task_id:
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
        status="FAILED", finished_at=now, exception_class_path="reports.jobs.WorkerLost",
        traceback="The worker stopped sending heartbeats (killed or crashed).")


# --- running -------------------------------------------------------------------------------

class Progress:
    """Callable handed to a job body: progress(done, total, stage=None)."""

    def __init__(self, job, min_interval=0.5):
        self.job = job
        self.min_interval = min_interval
        self.last_write = 0.0
        self.last = (None, None)

    def __call__(self, done, total, stage=None):
        percent = max(0, min(99, int(100 * done / total))) if total else 0
        stage = stage or self.job.stage
        if settings.JOBS_STEP_DELAY:
            time.sleep(settings.JOBS_STEP_DELAY)
        now = time.monotonic()
        if (percent, stage) == self.last or (now - self.last_write < self.min_interval and stage == self.last[1]):
            return
        self.last, self.last_write = (percent, stage), now
        self.job.stage, self.job.percent = stage[:200], percent
        owned = Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt, status=JobStatus.RUNNING).update(
            stage=stage[:200], percent=percent, heartbeat_at=timezone.now())
        if not owned:
            raise JobLost(self.job.pk)


class Heartbeat(threading.Thread):
    """Writes heartbeat_at while the job body runs (a long PDF batch makes no progress calls)."""

    def __init__(self, job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job = job
        self.done = threading.Event()

    def run(self):
        try:
            while not self.done.wait(settings.JOBS_HEARTBEAT_SECONDS):
                try:
                    Job.objects.filter(pk=self.job.pk, attempt=self.job.attempt, status=JobStatus.RUNNING).update(
                        heartbeat_at=timezone.now())
                except Exception:  # a busy database: try again next beat
                    logger.exception("job %s: heartbeat failed", self.job.pk)
        finally:
            connection.close()

    def stop(self):
        self.done.set()
        self.join(timeout=30)


@task()
def run_job(job_id, attempt):
    """The one task behind every Job: claim the row, run the body, store the file, finish."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, attempt=attempt, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, stage="正在准备…", percent=0)
    if not claimed:
        logger.info("job %s attempt %s: nothing to do (already handled)", job_id, attempt)
        return None
    job = Job.objects.select_related("user", "unit").get(pk=job_id)
    heartbeat = Heartbeat(job)
    heartbeat.start()
    stored = None
    try:
        kind = KINDS.get(job.kind)
        if kind is None or kind.run is None:
            raise JobRefused("这种任务已不再提供。")
        output = kind.run(job, Progress(job))
        fields = {"status": JobStatus.DONE, "percent": 100, "stage": "已完成", "finished_at": timezone.now()}
        if output.handle is not None:
            Progress(job, min_interval=0)(99, 100, "正在保存文件…")
            stored = default_storage.save(_storage_name(job, output.file_name), _as_file(output.handle))
            fields.update(file=stored, file_name=output.file_name[:200], file_size=default_storage.size(stored),
                          expires_at=timezone.now() + timedelta(days=settings.JOBS_KEEP_DAYS))
            try:
                output.handle.close()
            except FileNotFoundError:  # a named temporary file the storage moved into place
                pass
        if output.result_url:
            fields["result_url"] = output.result_url
        with transaction.atomic():
            owned = Job.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(**fields)
        if not owned:
            raise JobLost(job.pk)
        logger.info("job %s done: %s (%s bytes)", job.pk, job.title, fields.get("file_size", 0))
        return {"file": stored or ""}
    except JobLost:
        logger.warning("job %s attempt %s: handed on elsewhere, result dropped", job.pk, attempt)
        if stored:
            default_storage.delete(stored)
        return None
    except (SystemExit, KeyboardInterrupt):
        # The worker was told to stop now (a second Ctrl-C / SIGTERM): hand the job on.
        if stored:
            default_storage.delete(stored)
        requeue_or_fail(job, attempt, stopped=True)
        raise
    except BaseException as error:
        if stored:
            default_storage.delete(stored)
        if isinstance(error, (Http404, PermissionDenied)):
            # The user's unit or role changed since the click: build nothing for them.
            error = JobRefused(NOT_ALLOWED)
        reason = error.message if isinstance(error, JobRefused) else INTERNAL_ERROR.format(name=type(error).__name__)
        if not isinstance(error, JobRefused):
            logger.exception("job %s failed", job.pk)
        Job.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, finished_at=timezone.now(), error=reason, stage="生成失败")
        if isinstance(error, JobRefused):
            return None
        raise
    finally:
        heartbeat.stop()


class _MovableFile(File):
    """A named temporary file offered to the storage as movable (local storage renames it
    into place instead of copying gigabytes; other storages read it)."""

    def temporary_file_path(self):
        return self.file.name


def _as_file(handle):
    name = getattr(handle, "name", None)
    if isinstance(name, str) and os.path.isabs(name) and os.path.exists(name):
        return _MovableFile(handle)
    return File(handle)


def _storage_name(job, file_name):
    suffix = PurePosixPath(file_name).suffix.lower()[:10]
    return f"jobs/{job.user_id}/{job.pk}-{get_random_string(12).lower()}{suffix}"
