"""Background tasks that run once a day at a local time and queue their own next run, so that
no cron is needed: the daily upkeep (reports/jobs/upkeep.py) and the daily reminders (日结日清,
reports/jobs/notifications.py). Each is queued after `manage.py migrate`; when it runs it drops any
duplicate a race queued and queues tomorrow's."""
import datetime

from django.utils import timezone


def next_daily_run(at, now=None):
    """The next local `at` (a datetime.time) after `now`: today if it is still to come, else tomorrow."""
    local = timezone.localtime(now or timezone.now())
    run = local.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if run <= local:
        run += datetime.timedelta(days=1)
    return run


def pending_runs(task):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task.module_path, status="READY")


def ensure_daily(task, at, now=None):
    """Queue the next run of `task` at `at` unless one is already pending. True if it queued one."""
    if pending_runs(task).exists():
        return False
    task.using(run_after=next_daily_run(at, now)).enqueue()
    return True


def queue_tomorrow(task, at):
    """Called at the end of a run: a duplicate queued by a race is dropped, the next day's queued."""
    pending_runs(task).delete()
    ensure_daily(task, at)
