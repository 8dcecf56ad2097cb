"""Restore a `manage.py backup` archive into an empty, migrated install.

Refuses a database that already holds users or units (it would mix two bureaus' data)
unless --force, which first empties the database and the stored files. Every file is checked
against the manifest's sha256 as it is written, and every model's row count afterwards.
"""
import hashlib
import tarfile
import tempfile
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ledgers import versions
from ledgers.files import walk_storage
from ledgers.models import Unit, User
from ledgers.backup import BackupError
from ledgers.backup import load_data
from ledgers.backup import model_counts
from ledgers.backup import read_manifest
from ledgers.backup import safe_media_name

SAVES_AHEAD = 16


class Command(BaseCommand):
    help = "从 backup 命令生成的备份文件恢复数据库和上传文件（目标须为空库）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true",
                            help="目标库已有数据时先清空数据库和上传文件再恢复（不可撤销）。")

    def handle(self, *args, archive, force=False, **options):
        try:
            tar = tarfile.open(archive, "r:gz")
        except (OSError, tarfile.TarError) as exc:
            raise CommandError(f"无法读取备份文件 {archive}：{exc}")
        with tar, tempfile.TemporaryDirectory() as tmp:
            try:
                manifest = read_manifest(tar)
            except BackupError as error:
                raise CommandError(str(error))
            if User.objects.exists() or Unit.objects.exists():
                if not force:
                    raise CommandError("目标数据库不是空的（已有用户或单位）。确认要覆盖时请加 --force。")
                call_command("flush", interactive=False, verbosity=0)
                for name in list(walk_storage(default_storage)) if self.has_files() else []:
                    default_storage.delete(name)
            data = Path(tmp) / "data.json"
            data.write_bytes(tar.extractfile("data.json").read())
            with transaction.atomic():
                load_data(data, "default")
            expected = manifest.get("files") if isinstance(manifest.get("files"), dict) else {}
            restored = 0
            # Saved by a few threads (an object store answers each PUT after a round trip); at most
            # SAVES_AHEAD files wait in memory.
            with ThreadPoolExecutor(8, thread_name_prefix="restore") as pool:
                pending = deque()
                for member in tar.getmembers():
                    if not member.isfile() or not member.name.startswith("media/"):
                        continue
                    try:
                        name = safe_media_name(member.name)
                    except BackupError as error:
                        raise CommandError(str(error))
                    content = tar.extractfile(member).read()
                    if name in expected and hashlib.sha256(content).hexdigest() != expected[name]["sha256"]:
                        raise CommandError(f"文件 {name} 与备份清单的指纹不符，备份可能已损坏。")
                    pending.append((name, pool.submit(default_storage.save, name, ContentFile(content))))
                    while len(pending) > SAVES_AHEAD or (pending and pending[0][1].done()):
                        restored += self.saved(*pending.popleft())
                while pending:
                    restored += self.saved(*pending.popleft())
        # Cached page parts of the servers still running were made from other data: a new epoch
        # makes every data-version key new (ledgers.versions).
        versions.renew_epoch()
        if manifest.get("format", 1) >= 2:
            counts = model_counts("default")
            wrong = [f"{label}：备份 {n} 条，恢复后 {counts.get(label)} 条"
                     for label, n in manifest["models"].items() if counts.get(label) != n]
            if wrong:
                raise CommandError("恢复后的行数与备份不符：" + "；".join(wrong[:20]))
        rows = sum(manifest.get("models", {}).values())
        self.stdout.write(self.style.SUCCESS(f"已恢复 {rows} 条记录、{restored} 个文件（备份时间 {manifest.get('created', '未知')}）"))

    @staticmethod
    def saved(name, future):
        if future.result() != name:
            raise CommandError(f"文件 {name} 已存在，恢复后名称会改变；请先清空上传文件目录。")
        return 1

    @staticmethod
    def has_files():
        try:
            default_storage.listdir("")
            return True
        except FileNotFoundError:
            return False
