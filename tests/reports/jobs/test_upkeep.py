"""The daily upkeep: expired files, old rows, orphaned files, hooks, and its own schedule."""
import datetime
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reports.jobs import upkeep
from reports.models import Job, JobStatus


def pending_upkeeps():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="reports.jobs.upkeep.daily_upkeep", status="READY")


def done_job(user, unit, name, **fields):
    stored = default_storage.save(f"jobs/{user.pk}/{name}", ContentFile(b"PK\x05\x06" + b"\0" * 18))
    return Job.objects.create(user=user, unit=unit, kind="binder_zip", key=name, title=name, status=JobStatus.DONE,
                              file=stored, file_name=f"{name}.zip", finished_at=timezone.now(),
                              expires_at=timezone.now() + timedelta(days=7), **fields)


from tests.media import age  # noqa: E402  (storage-agnostic: local mtime or the S3 store's answer)


def test_upkeep_removes_expired_files_old_rows_and_orphans_and_logs_it(liaison, school_a, client_for, caplog):
    fresh = done_job(liaison, school_a, "fresh")
    expired = done_job(liaison, school_a, "expired")
    Job.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    ancient = done_job(liaison, school_a, "ancient")
    Job.objects.filter(pk=ancient.pk).update(created_at=timezone.now() - timedelta(days=31))
    orphan = default_storage.save(f"jobs/{liaison.pk}/half-written.zip", ContentFile(b"PK"))
    age(orphan, 2)
    new_orphan = default_storage.save(f"jobs/{liaison.pk}/being-stored.zip", ContentFile(b"PK"))
    calls = []
    upkeep.CLEANUP_HOOKS.append(lambda now: calls.append(now) or {"orphaned uploads": 3})
    try:
        with caplog.at_level("INFO", logger="reports.jobs.upkeep"):
            removed = upkeep.run_upkeep()
    finally:
        upkeep.CLEANUP_HOOKS.pop()
    assert removed == {"stale jobs recovered": 0, "expired job files": 1, "old job rows": 1,
                       "orphaned job files": 1, "old task rows": 0, "orphaned upload rows": 0,
                       "orphaned upload files": 0, "survey throttle rows": 0,
                       "orphaned uploads": 3}
    assert calls
    assert default_storage.exists(fresh.file.name) and default_storage.exists(new_orphan)
    assert not default_storage.exists(expired.file.name) and not default_storage.exists(orphan)
    assert not default_storage.exists(ancient.file.name) and not Job.objects.filter(pk=ancient.pk).exists()
    expired.refresh_from_db()
    assert not expired.file
    assert "expired job files: 1" in caplog.text and "half-written.zip" in caplog.text
    page = client_for(liaison).get(reverse("reports:downloads")).content.decode()
    assert "已过期" in page and "文件已超过保留期限，已清理" in page
    assert client_for(liaison).get(reverse("reports:job_file", args=[expired.pk])).status_code == 404


def test_a_failing_hook_does_not_stop_the_others(db, caplog):
    def broken(now):
        raise RuntimeError("boom")

    upkeep.CLEANUP_HOOKS[:0] = [broken]
    try:
        removed = upkeep.run_upkeep()
    finally:
        upkeep.CLEANUP_HOOKS.remove(broken)
    assert "expired job files" in removed and "upkeep hook broken failed" in caplog.text


def test_one_upkeep_is_pending_after_migrate_and_it_queues_the_next_when_it_runs(db, run_jobs):
    from django_tasks_db.models import DBTaskResult

    assert pending_upkeeps().count() == 1  # queued by post_migrate when the test database was made
    assert upkeep.ensure_upkeep_scheduled() is False and pending_upkeeps().count() == 1
    upcoming = pending_upkeeps().get().run_after
    local = timezone.localtime(upcoming)
    # The first three o'clock after the test database was made, minutes ago (it may just have passed).
    assert (local.hour, local.minute) == (upkeep.UPKEEP_HOUR, 0) and upcoming > timezone.now() - timedelta(hours=1)
    assert upcoming <= timezone.now() + timedelta(days=1)

    # A duplicate slipped in by a race, and today's run is due.
    upkeep.daily_upkeep.using(run_after=timezone.now() + timedelta(hours=5)).enqueue()
    pending_upkeeps().update(run_after=timezone.now() - timedelta(seconds=1))
    run_jobs()
    assert DBTaskResult.objects.filter(task_path="reports.jobs.upkeep.daily_upkeep", status="SUCCESSFUL").exists()
    assert pending_upkeeps().count() == 1
    # The next one at three (today's if the run was before three local time, as at 02:00–03:00).
    following = pending_upkeeps().get().run_after
    assert following == upkeep.next_run() and following > timezone.now()


def test_next_run_is_tomorrow_at_three_once_three_has_passed():
    tz = timezone.get_current_timezone()
    at = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=tz)
    assert upkeep.next_run(at) == datetime.datetime(2026, 12, 1, 3, 0, tzinfo=tz)
    early = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=tz)
    assert upkeep.next_run(early) == datetime.datetime(2026, 11, 30, 3, 0, tzinfo=tz)


def test_run_upkeep_command_prints_what_it_removed(db, capsys):
    call_command("run_upkeep")
    out = capsys.readouterr().out
    assert "expired job files: 0" in out and "orphaned job files: 0" in out


def test_the_daily_upkeep_run_by_the_worker_removes_orphaned_uploads_older_than_a_day(
        db, liaison, school_a, run_jobs, caplog):
    """The reliability issue's `clean_orphans(delete=True)` is one of the upkeep's hooks."""
    from django_tasks_db.models import DBTaskResult

    from ledgers.models import ActivityPhoto
    from tests.ledgers.checks.factories import jpeg

    stale = ActivityPhoto.build(jpeg("昨天没保存.jpg"), uploaded_by=liaison)
    stale.save()  # staged by a form that was never saved
    ActivityPhoto.objects.filter(pk=stale.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    stale_names = [stale.original.name, stale.display.name, stale.thumbnail.name]
    fresh = ActivityPhoto.build(jpeg("刚选的.jpg"), uploaded_by=liaison)
    fresh.save()  # minutes old: the user may still save the form
    lost = default_storage.save("activities/2026/05/crash.jpg", ContentFile(b"x" * 2048))
    in_flight = default_storage.save("activities/2026/05/uploading.jpg", ContentFile(b"y" * 100))
    for name in [lost, *stale_names, fresh.original.name]:
        age(name, 3)

    pending_upkeeps().update(run_after=timezone.now() - timedelta(seconds=1))  # today's run is due
    with caplog.at_level("INFO", logger="reports.jobs.upkeep"):
        run_jobs()

    done = DBTaskResult.objects.get(task_path="reports.jobs.upkeep.daily_upkeep", status="SUCCESSFUL")
    assert done.return_value["orphaned upload rows"] == 1
    assert done.return_value["orphaned upload files"] == 4  # the stale photo's three files + crash.jpg
    assert not ActivityPhoto.objects.filter(pk=stale.pk).exists()
    assert not any(default_storage.exists(name) for name in [lost, *stale_names])
    assert ActivityPhoto.objects.filter(pk=fresh.pk).exists() and default_storage.exists(fresh.original.name)
    assert default_storage.exists(in_flight)
    assert "orphaned uploads: 已删除" in caplog.text and "orphaned upload files: 4" in caplog.text
