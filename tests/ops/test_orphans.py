"""Nothing half-written stays behind: files of a rolled-back transaction are removed at once, and
`manage.py clean_orphans` finds what a crash leaves (pending uploads older than a day, files no
row references). The kill -9 test runs a real gunicorn worker and kills it mid-upload."""
import io
import os
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from ledgers.files import walk_storage
from ledgers.models import Activity, ActivityCategory, ActivityPhoto, ProgressAttachment, ProgressEntry, Task, TaskAssignment
from ledgers.services.orphans import clean_orphans
from ledgers.services.tasks import task_save
from tests.ledgers.checks.factories import jpeg
from tests.ops.servers import gunicorn, request


def stored_files():
    return sorted(walk_storage(default_storage))


@pytest.fixture
def assignment(year, admin_user, school_a):
    task = task_save(task=Task(year=year, title="创建文明校园", deadline=timezone.localdate() + timedelta(days=30)),
                     units=[school_a], user=admin_user)
    return TaskAssignment.objects.get(task=task)


@pytest.mark.django_db(transaction=True)
def test_files_of_a_progress_entry_that_rolls_back_are_removed(assignment, liaison, client_for):
    client = client_for(liaison)
    client.raise_request_exception = False
    url = reverse("ledgers:assignment_progress", args=[assignment.pk])
    with mock.patch("ledgers.services.tasks.assignment_move", side_effect=RuntimeError("数据库断开")):
        response = client.post(url, {"date": timezone.localdate().isoformat(), "content": "已开展",
                                     "attachments": [jpeg(f"现场{i}.jpg") for i in range(4)]})
    assert response.status_code == 500
    assert ProgressEntry.objects.count() == 0 and ProgressAttachment.objects.count() == 0
    assert stored_files() == []  # the four files written before the failure are gone
    # The same entry without the failure keeps its rows and files.
    response = client.post(url, {"date": timezone.localdate().isoformat(), "content": "已开展",
                                 "attachments": [jpeg(f"现场{i}.jpg") for i in range(4)]})
    assert response.status_code == 302
    assert ProgressAttachment.objects.count() == 4 and len(stored_files()) == 4


from tests.media import age  # noqa: E402  (storage-agnostic: local mtime or the S3 store's answer)


def test_clean_orphans_counts_in_a_dry_run_and_deletes_only_with_delete(liaison, school_a, year, capsys):
    stale = ActivityPhoto.build(jpeg("昨天没保存.jpg"), uploaded_by=liaison)
    stale.save()
    ActivityPhoto.objects.filter(pk=stale.pk).update(uploaded_at=timezone.now() - timedelta(days=2))
    fresh = ActivityPhoto.build(jpeg("刚选的.jpg"), uploaded_by=liaison)
    fresh.save()  # pending, but minutes old: the user may still save the form
    category = ActivityCategory.objects.ensure_defaults().first()
    activity = Activity.objects.create(unit=school_a, year=year, category=category, created_by=liaison,
                                       title="升旗仪式", date=timezone.localdate())
    kept = ActivityPhoto.build(jpeg("升旗.jpg"), uploaded_by=liaison, activity=activity)
    kept.save()
    lost = default_storage.save("activities/2026/05/crash.jpg", ContentFile(b"x" * 2048))
    age(lost, 3)
    in_flight = default_storage.save("activities/2026/05/uploading.jpg", ContentFile(b"y" * 100))
    for photo in (stale, fresh, kept):
        for f in (photo.original, photo.display, photo.thumbnail):
            age(f.name, 3)
    before = stored_files()
    stale_names = {stale.original.name, stale.display.name, stale.thumbnail.name}
    stale_bytes = sum(default_storage.size(n) for n in stale_names)

    call_command("clean_orphans")
    out = capsys.readouterr().out
    assert "试运行" in out and "待用照片 1 条（3 个文件" in out and "无记录引用的文件 1 个（2.0 KB）" in out
    assert stored_files() == before and ActivityPhoto.objects.filter(pk=stale.pk).exists()

    report = clean_orphans(delete=True)
    assert (report.pending_rows, report.pending_files, report.unreferenced_files) == (1, 3, 1)
    assert report.total_bytes == stale_bytes + 2048
    assert not ActivityPhoto.objects.filter(pk=stale.pk).exists()
    assert set(stored_files()) == set(before) - stale_names - {lost}
    assert in_flight in stored_files() and ActivityPhoto.objects.filter(pk__in=[fresh.pk, kept.pk]).count() == 2
    call_command("clean_orphans", "--delete")
    assert "待用照片 0 条" in capsys.readouterr().out


def big_jpeg(seed):
    """A photo that takes the server a moment to check (about 6 megapixels of noise)."""
    image = Image.effect_noise((3000, 2000), 40 + seed).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def multipart(fields, files):
    boundary = uuid.uuid4().hex
    body = b""
    for name, value in fields:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
    for name, filename, data in files:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f"Content-Type: image/jpeg\r\n\r\n").encode() + data + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def post_and_kill(base, path, session, body, content_type, killed_when, timeout=60):
    """POST in a thread; SIGKILL the gunicorn worker once `killed_when()` is true."""
    status, _headers, _body = request(base, "/", session=session)
    assert status == 200
    token = uuid.uuid4().hex * 2  # our own CSRF cookie + header pair, as the page's JavaScript would send
    outcome = {}

    def send():
        try:
            outcome["status"] = request(base, path, data=body, timeout=timeout, headers={
                "Content-Type": content_type, "X-CSRFToken": token,
                "Cookie": f"sessionid={session}; csrftoken={token}"})[0]
        except OSError as error:  # the connection dies with the worker
            outcome["error"] = error

    return outcome, send


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_upload_leaves_only_what_clean_orphans_removes(tmp_path, assignment, liaison, year,
                                                                           settings):
    if connection.vendor != "postgresql":
        pytest.skip("a real gunicorn worker shares the database with the test only on PostgreSQL "
                    "(SQLite's test database lives in memory); runs in bin/test's PostgreSQL phase")
    ActivityCategory.objects.ensure_defaults()
    browser = Client()
    browser.force_login(liaison)
    session = browser.cookies["sessionid"].value
    media = tmp_path / "media"
    photos = [big_jpeg(i) for i in range(10)]
    figures = {}
    with gunicorn(tmp_path, workers=1, MEDIA_ROOT=str(media)) as (base, server):
        settings.MEDIA_ROOT = media

        def kill_when(condition, thread, outcome):
            deadline = time.monotonic() + 60
            while not condition():
                assert thread.is_alive() and time.monotonic() < deadline, (
                    f"the upload never got going: {outcome}; " + (tmp_path / "gunicorn.log").read_text()[-1500:])
                time.sleep(0.005)
            for pid in worker_pids(server.pid):
                os.kill(pid, 9)

        # 1. A progress entry with 8 photos: killed once its first files are written.
        body, content_type = multipart([("date", timezone.localdate().isoformat()), ("content", "已开展")],
                                       [("attachments", f"p{i}.jpg", photos[i]) for i in range(8)])
        outcome, send = post_and_kill(base, reverse("ledgers:assignment_progress", args=[assignment.pk]), session,
                                      body, content_type, None)
        thread = threading.Thread(target=send)
        thread.start()
        kill_when(lambda: any(walk_storage(default_storage)), thread, outcome)
        thread.join(timeout=60)
        assert "status" not in outcome or outcome["status"] >= 500
        files_after_entry = stored_files()
        assert ProgressEntry.objects.count() == 0 and ProgressAttachment.objects.count() == 0
        assert files_after_entry, "files were written before the kill"
        figures["entry"] = len(files_after_entry)

        # 2. An activity with 10 photos: killed after some are stored as pending uploads.
        form = [("title", "红色之旅研学"), ("category", ActivityCategory.objects.first().pk),
                ("date", timezone.localdate().isoformat()), ("place", "烈士陵园"), ("participants", "全体师生"),
                ("organizer", "德育处"), ("summary", "缅怀先烈。"), ("photos-TOTAL_FORMS", "0"),
                ("photos-INITIAL_FORMS", "0"), ("photos-MIN_NUM_FORMS", "0"), ("photos-MAX_NUM_FORMS", "1000")]
        body, content_type = multipart(form, [("photos", f"a{i}.jpg", photos[i]) for i in range(10)])
        time.sleep(1)  # the new worker is up
        outcome, send = post_and_kill(base, reverse("ledgers:activity_create"), session, body, content_type, None)
        thread = threading.Thread(target=send)
        thread.start()
        kill_when(lambda: ActivityPhoto.objects.filter(activity__isnull=True).count() >= 2, thread, outcome)
        thread.join(timeout=60)
        pending = ActivityPhoto.objects.filter(activity__isnull=True).count()
        assert pending >= 2 and not Activity.objects.exists()
        figures["pending"] = pending

    # Nothing is cleaned within the day (the liaison may still save the form)...
    assert clean_orphans(delete=True).total_files == 0
    # ...and after it, everything the crashes left goes.
    report = clean_orphans(delete=True, older_than=timedelta(0))
    assert report.pending_rows == pending and report.unreferenced_files >= len(files_after_entry)
    assert stored_files() == [] and not ActivityPhoto.objects.exists()
    print(f"\nkill -9 mid-upload: progress entry left {figures['entry']} files and no rows; activity upload left "
          f"{figures['pending']} pending photos; clean_orphans removed {report.total_files} files "
          f"({report.total_bytes} bytes) and {report.pending_rows} rows")


@pytest.mark.django_db(transaction=True)
def test_files_of_a_rolled_back_savepoint_go_and_those_of_the_commit_stay(liaison):
    from django.db import transaction

    from ledgers.files import remove_rolled_back_files

    with transaction.atomic():
        kept = ActivityPhoto.build(jpeg("保留.jpg"), uploaded_by=liaison)
        kept.save()
        try:
            with transaction.atomic():
                dropped = ActivityPhoto.build(jpeg("回滚.jpg"), uploaded_by=liaison)
                dropped.save()
                raise RuntimeError("保存失败")
        except RuntimeError:
            pass
        remove_rolled_back_files()  # the savepoint is gone: its files go now, the outer ones wait
        assert not default_storage.exists(dropped.original.name)
        assert default_storage.exists(kept.original.name)
    remove_rolled_back_files()
    assert len(stored_files()) == 3 and ActivityPhoto.objects.count() == 1
