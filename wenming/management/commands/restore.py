"""Restore a `manage.py backup` archive into an empty, migrated install.

Refuses a database that already holds users or units (it would mix two bureaus' data)
unless --force, which first empties the database and the stored files.
"""
import json
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ledgers.models import Unit, User

from .backup import FORMAT, walk_storage


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
            manifest = self.read_manifest(tar)
            if User.objects.exists() or Unit.objects.exists():
                if not force:
                    raise CommandError("目标数据库不是空的（已有用户或单位）。确认要覆盖时请加 --force。")
                call_command("flush", interactive=False, verbosity=0)
                for name in list(walk_storage(default_storage)) if self.has_files() else []:
                    default_storage.delete(name)
            data = Path(tmp) / "data.json"
            data.write_bytes(tar.extractfile("data.json").read())
            with transaction.atomic():
                call_command("loaddata", str(data), verbosity=0)
            restored = 0
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith("media/"):
                    continue
                name = PurePosixPath(member.name).relative_to("media").as_posix()
                if ".." in PurePosixPath(name).parts or name.startswith("/"):
                    raise CommandError(f"备份文件中有不安全的路径：{member.name}")
                saved = default_storage.save(name, tar.extractfile(member))
                if saved != name:
                    raise CommandError(f"文件 {name} 已存在，恢复后名称会改变；请先清空上传文件目录。")
                restored += 1
        rows = sum(manifest.get("models", {}).values())
        self.stdout.write(self.style.SUCCESS(f"已恢复 {rows} 条记录、{restored} 个文件（备份时间 {manifest.get('created', '未知')}）"))

    @staticmethod
    def read_manifest(tar):
        try:
            manifest = json.load(tar.extractfile("manifest.json"))
        except (KeyError, ValueError, TypeError):
            raise CommandError("这不是 wenming 的备份文件（缺少 manifest.json）。")
        if manifest.get("format") != FORMAT:
            raise CommandError(f"不支持的备份格式：{manifest.get('format')}")
        return manifest

    @staticmethod
    def has_files():
        try:
            default_storage.listdir("")
            return True
        except FileNotFoundError:
            return False
