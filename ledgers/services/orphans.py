"""Stored files and rows nobody will ever use, left by crashes or abandoned forms.

- Pending uploads: activity photos staged by a form that was never saved (`activity` is
  empty), older than `older_than` (a day): the rows and their three files.
- Unreferenced files: files in storage that no row references (a worker killed between writing
  a file and committing its row), older than `older_than` so an upload in flight is never
  touched. Rolled-back transactions clean their own files (`ledgers.files.remove_on_rollback`);
  these are what a crash leaves.

`clean_orphans(delete=False)` only counts (dry run); `delete=True` removes. `manage.py
clean_orphans [--delete]` prints the report; the daily background job calls the function.
"""
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .. import files
from ..models import ActivityPhoto


@dataclass
class OrphanReport:
    deleted: bool
    pending_rows: int = 0
    pending_files: int = 0
    pending_bytes: int = 0
    unreferenced_files: int = 0
    unreferenced_bytes: int = 0
    examples: list = field(default_factory=list)  # a few file names, for the log

    @property
    def total_files(self):
        return self.pending_files + self.unreferenced_files

    @property
    def total_bytes(self):
        return self.pending_bytes + self.unreferenced_bytes

    def __str__(self):
        verb = "已删除" if self.deleted else "可删除（试运行，未删除；加 --delete 执行）"
        return (f"{verb}：超过期限未保存的待用照片 {self.pending_rows} 条（{self.pending_files} 个文件，"
                f"{_size(self.pending_bytes)}）；无记录引用的文件 {self.unreferenced_files} 个"
                f"（{_size(self.unreferenced_bytes)}）；合计 {self.total_files} 个文件、{_size(self.total_bytes)}。")


def _size(n):
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} 字节"


def _file_size(storage, name):
    try:
        return storage.size(name)
    except (OSError, NotImplementedError):
        return 0


def clean_orphans(*, delete: bool, older_than=timedelta(days=1), storage=None) -> OrphanReport:
    storage = storage or default_storage
    cutoff = timezone.now() - older_than
    report = OrphanReport(deleted=delete)

    handled = set()
    stale = ActivityPhoto.objects.filter(activity__isnull=True, uploaded_at__lt=cutoff)
    for photo in stale.iterator():
        names = [f.name for f in (photo.original, photo.display, photo.thumbnail) if f]
        report.pending_rows += 1
        report.pending_files += len(names)
        report.pending_bytes += sum(_file_size(storage, n) for n in names)
        handled.update(names)
        if delete:
            with transaction.atomic():
                # Only if it is still pending (not attached by a save meanwhile).
                gone = ActivityPhoto.objects.filter(pk=photo.pk, activity__isnull=True).delete()[0]
            if gone:
                for name in names:
                    storage.delete(name)

    referenced = files.referenced_file_names()
    for name in files.walk_storage(storage):
        if name in referenced or name in handled:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (OSError, NotImplementedError):
            continue
        if modified >= cutoff:
            continue  # perhaps an upload whose row is about to be committed
        report.unreferenced_files += 1
        report.unreferenced_bytes += _file_size(storage, name)
        if len(report.examples) < 10:
            report.examples.append(name)
        if delete:
            storage.delete(name)
    return report
