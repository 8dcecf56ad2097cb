"""Daily upkeep: one background task a day that tidies what the app leaves behind.

- jobs whose worker died are re-queued or failed (`jobs.recover_stale_jobs`);
- finished job files older than JOBS_KEEP_DAYS are deleted (the row stays, shown as 已过期);
- job rows older than JOBS_KEEP_ROWS_DAYS and finished task rows of django-tasks-db are deleted;
- files under jobs/ that no job row names (a worker killed while storing) are deleted;
- every function in CLEANUP_HOOKS runs (see below): the orphaned uploads of
  `ledgers.services.orphans.clean_orphans`; and everything removed is logged.

Scheduling needs no cron: `daily_upkeep` re-enqueues itself for the next day at UPKEEP_HOUR
with `run_after`, and `ensure_upkeep_scheduled()` (run after every `manage.py migrate`, so by
bin/serve and by every deploy) queues the first one. The guard "only one pending" is a look-up
of READY rows of this task before enqueueing; should two ever be queued at the same moment, the
next run deletes the other pending ones before it queues tomorrow's. Production needs only the
worker running (docs/operations.md); `manage.py run_upkeep` runs it at once by hand or
from a systemd timer.
"""
import datetime
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task

from reports.jobs import daily

from . import recover_stale_jobs
from ..models import ACTIVE_STATUSES, Job, JobStatus

logger = logging.getLogger("reports.jobs.upkeep")

UPKEEP_HOUR = 3  # local time of the daily run
ORPHAN_GRACE = datetime.timedelta(days=1)

# ---------------------------------------------------------------------------------------------
# CLEANUP_HOOKS — other areas add their own daily clean-up here.
# Each hook is `hook(now) -> dict[str, int]` ({what was removed: how many}); it must be
# idempotent and catch nothing it cannot handle (a failure is logged, the others still run).
# ---------------------------------------------------------------------------------------------

def clean_orphaned_uploads(now):
    """The reliability issue's sweep (`ledgers.services.orphans`): photos staged by forms never
    saved and stored files no row references, older than a day."""
    from ledgers.services.orphans import clean_orphans

    report = clean_orphans(delete=True)
    logger.info("orphaned uploads: %s%s", report,
                f" (e.g. {', '.join(report.examples)})" if report.examples else "")
    return {"orphaned upload rows": report.pending_rows, "orphaned upload files": report.total_files}


CLEANUP_HOOKS = [clean_orphaned_uploads]


def run_upkeep(now=None):
    """Do the day's clean-up now; returns {what: count} (also logged)."""
    now = now or timezone.now()
    removed = {"stale jobs recovered": len(recover_stale_jobs(now=now))}
    removed["expired job files"] = _expire_files(now)
    removed["old job rows"] = _delete_old_rows(now)
    removed["orphaned job files"] = _delete_orphans(now)
    removed["old task rows"] = _delete_task_rows(now)
    for hook in CLEANUP_HOOKS:
        try:
            removed.update(hook(now) or {})
        except Exception:
            logger.exception("upkeep hook %s failed", getattr(hook, "__name__", hook))
    logger.info("daily upkeep: %s", ", ".join(f"{what}: {count}" for what, count in removed.items()))
    return removed


def _expire_files(now):
    count = 0
    for job in Job.objects.filter(status=JobStatus.DONE, expires_at__lt=now).exclude(file=""):
        default_storage.delete(job.file.name)
        logger.info("removed expired file of job %s: %s", job.pk, job.file.name)
        Job.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def _delete_old_rows(now):
    old = Job.objects.filter(created_at__lt=now - datetime.timedelta(days=settings.JOBS_KEEP_ROWS_DAYS)).exclude(
        status__in=ACTIVE_STATUSES)
    count = 0
    for job in old:
        if job.file:
            default_storage.delete(job.file.name)
        job.delete()
        count += 1
    if count:
        logger.info("removed %s job rows older than %s days", count, settings.JOBS_KEEP_ROWS_DAYS)
    return count


def _walk(folder):
    try:
        dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for name in dirs:
        yield from _walk(f"{folder}/{name}")


def _delete_orphans(now):
    named = set(Job.objects.exclude(file="").values_list("file", flat=True))
    count = 0
    for name in _walk("jobs"):
        if name in named:
            continue
        try:
            if default_storage.get_modified_time(name) > now - ORPHAN_GRACE:
                continue  # maybe being stored right now
        except (OSError, NotImplementedError):
            continue
        default_storage.delete(name)
        logger.info("removed orphaned job file %s", name)
        count += 1
    return count


def _delete_task_rows(now):
    from django_tasks_db.models import DBTaskResult

    cutoff = now - datetime.timedelta(days=settings.JOBS_KEEP_ROWS_DAYS)
    count, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return count


# --- scheduling ------------------------------------------------------------------------------

def next_run(now=None):
    return daily.next_daily_run(datetime.time(UPKEEP_HOUR), now)


def ensure_upkeep_scheduled(now=None):
    """Queue the next daily upkeep unless one is already pending. Returns True if it queued one."""
    return daily.ensure_daily(daily_upkeep, datetime.time(UPKEEP_HOUR), now)


@task()
def daily_upkeep():
    removed = run_upkeep()
    daily.queue_tomorrow(daily_upkeep, datetime.time(UPKEEP_HOUR))
    return removed


def schedule_after_migrate(sender, using="default", **kwargs):
    """post_migrate: make sure a daily upkeep is pending (bin/serve and deploys run migrate)."""
    try:
        ensure_upkeep_scheduled()
    except DatabaseError:  # tables not there yet (a partial migrate)
        logger.warning("daily upkeep not scheduled: job tables missing")
