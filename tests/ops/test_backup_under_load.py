"""A backup taken while people work restores exactly what its snapshot held.

A thread keeps adding activities with photos and task progress entries with attachments (each
in one transaction) while `manage.py backup` runs; the archive is then restored into an empty
database and media folder, and every table's row count and every file's sha256 must equal the
snapshot's manifest. The figures (rows and files written during the backup, restored, mismatches)
are printed and written to test-output/backup-under-load.txt.

SQLite: the in-memory test database is copied into a file first (threads and the online backup
API need a real file); PostgreSQL: pytest-django's test database as it is.
"""
import hashlib
import json
import sqlite3
import tarfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from ledgers.models import Activity, ActivityCategory, ActivityPhoto, ProgressEntry, Task, TaskAssignment
from ledgers.services.tasks import progress_add, task_save
from tests.ledgers.checks.factories import jpeg
from tests.media import current_storage, stored_names, switch_to_empty_media

BACKUP_DATABASES = ["default", "backup_snapshot", "backup_verify"]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "backup-under-load.txt"


@pytest.fixture
def file_database(tmp_path):
    """On SQLite, run the test on a file copy of the in-memory test database."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory_name = connection.settings_dict["NAME"]
    keeper = sqlite3.connect(memory_name, uri=True)  # keeps the shared in-memory database alive
    path = tmp_path / "live.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    connection.settings_dict["NAME"] = str(path)
    connection.close()
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = memory_name
        connection.ensure_connection()  # back on the in-memory database before its keeper lets go
        keeper.close()


def table_counts():
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()
            if m._meta.app_label in ("ledgers", "reports", "wenming", "auth") and not m._meta.proxy}


class Writer(threading.Thread):
    """A liaison at work: an activity with two photos, then a progress entry with a photo, again and again."""

    def __init__(self, liaison, school, year, category, assignment):
        super().__init__(daemon=True)
        self.args = liaison, school, year, category, assignment
        self.stop = threading.Event()
        self.commits = []  # monotonic time of each committed transaction
        self.error = None

    def run(self):
        liaison, school, year, category, assignment = self.args
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                with transaction.atomic():
                    activity = Activity.objects.create(unit=school, year=year, category=category, created_by=liaison,
                                                       title=f"进行中的活动 {n}", date=timezone.localdate())
                    for k in range(2):
                        ActivityPhoto.build(jpeg(f"照片{k}.jpg", color=(n % 250, k * 90, 40)), uploaded_by=liaison,
                                            activity=activity, caption=f"说明 {n}-{k}").save()
                self.commits.append(time.monotonic())
                progress_add(assignment=assignment, user=liaison, date=timezone.localdate(), content=f"落实情况 {n}",
                             uploads=[jpeg("佐证.jpg", color=(40, n % 250, 90))])
                self.commits.append(time.monotonic())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            self.error = exc
        finally:
            close_old_connections()
            connection.close()


def count_files(storage):
    return len(stored_names(storage))


def sha256_file(name):
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


@pytest.mark.django_db(transaction=True, databases=BACKUP_DATABASES)
def test_a_backup_taken_while_people_work_restores_exactly_its_snapshot(file_database, tmp_path, settings, liaison,
                                                                        admin_user, school_a, year, capsys):
    category = ActivityCategory.objects.ensure_defaults().first()
    task = task_save(task=Task(year=year, title="创建文明校园", deadline=timezone.localdate() + timedelta(days=30)),
                     units=[school_a], user=admin_user)
    assignment = TaskAssignment.objects.get(task=task)
    # Enough rows that dumping takes a while: 300 activities with two photos each (shared files).
    first = Activity.objects.create(unit=school_a, year=year, category=category, created_by=liaison, title="已有活动",
                                    date=timezone.localdate())
    sample = ActivityPhoto.build(jpeg(), uploaded_by=liaison, activity=first, caption="已有照片")
    sample.save()
    activities = Activity.objects.bulk_create([
        Activity(unit=school_a, year=year, category=category, created_by=liaison, title=f"已有活动 {i}",
                 date=timezone.localdate()) for i in range(300)])
    ActivityPhoto.objects.bulk_create([
        ActivityPhoto(activity=a, original=sample.original.name, display=sample.display.name,
                      thumbnail=sample.thumbnail.name, original_name="x.jpg", sha256=sample.sha256,
                      uploaded_by=liaison, caption="已有照片") for a in activities for _ in range(2)])
    media_before = current_storage()

    writer = Writer(liaison, school_a, year, category, assignment)
    writer.start()
    while len(writer.commits) < 2 and writer.is_alive():  # people are at work
        time.sleep(0.05)
    archive = tmp_path / "wenming.tar.gz"
    rows_before, files_before = sum(table_counts().values()), count_files(media_before)
    started = time.monotonic()
    call_command("backup", output=str(archive), stdout=open("/dev/null", "w"))
    finished = time.monotonic()
    rows_during = sum(table_counts().values()) - rows_before
    files_during = count_files(media_before) - files_before
    while writer.is_alive() and not any(t > finished for t in writer.commits):
        time.sleep(0.05)  # and still at work after it
    writer.stop.set()
    writer.join(timeout=60)
    assert writer.error is None, writer.error
    during = [t for t in writer.commits if started <= t <= finished]
    assert during and rows_during > 0 and files_during > 0, "nothing was written while the backup ran"

    # An empty install: an empty database (migrated) and an empty media folder.
    call_command("flush", interactive=False, verbosity=0)
    switch_to_empty_media(settings, tmp_path, "restored-media")
    call_command("restore", str(archive), stdout=open("/dev/null", "w"))

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["missing_files"] == []
    originals = {name: hashlib.sha256(media_before.open(name, "rb").read()).hexdigest()
                 for name in manifest["files"]}

    restored = table_counts()
    row_mismatches = {label: (n, restored.get(label)) for label, n in manifest["models"].items()
                      if label in restored and restored[label] != n}
    file_mismatches = [name for name, info in manifest["files"].items()
                       if sha256_file(name) != info["sha256"] or info["sha256"] != originals[name]]
    restored_files = count_files(current_storage())
    # Every restored photo and progress entry has its parent (the snapshot was consistent).
    assert not ActivityPhoto.objects.filter(activity__isnull=False).exclude(activity__in=Activity.objects.all()).exists()
    assert ProgressEntry.objects.count() == manifest["models"]["ledgers.ProgressEntry"]

    figures = (f"backup under load ({connection.vendor}): written during the backup: {len(during)} transactions, "
               f"{rows_during} rows, {files_during} files; snapshot: {manifest['rows']} rows, {len(manifest['files'])} "
               f"files; restored: {sum(restored[label] for label in manifest['models'] if label in restored)} rows, "
               f"{restored_files} files; mismatches: {len(row_mismatches)} tables, {len(file_mismatches)} files; "
               f"backup took {finished - started:.1f} s (verification included)")
    with capsys.disabled():
        print("\n" + figures)
    OUTPUT.parent.mkdir(exist_ok=True)
    with open(OUTPUT, "a", encoding="utf-8") as out:
        out.write(figures + "\n")
    assert not row_mismatches, row_mismatches
    assert not file_mismatches, file_mismatches
    assert restored_files == len(manifest["files"])
    assert stored_names(media_before) != [] and media_before.location != current_storage().location
