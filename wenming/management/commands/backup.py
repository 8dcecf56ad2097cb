"""Back up the database and every stored file into one .tar.gz archive.

The archive holds `data.json` (all apps, history and users included, foreign keys by natural
key so it loads into any fresh install on SQLite or PostgreSQL), `media/…` (every file in the
default storage, read through the storage API so S3-compatible stores work the same) and
`manifest.json` (what is inside). Restore with `manage.py restore`.
"""
import io
import json
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

# Rebuilt by `migrate` (content types, permissions) or not worth keeping (sessions, login
# attempt logs): leaving them out keeps the dump loadable into a freshly migrated install.
EXCLUDE = ["contenttypes", "auth.permission", "sessions", "axes"]
FORMAT = 1


def walk_storage(storage, path=""):
    directories, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from walk_storage(storage, f"{path}/{directory}" if path else directory)


class Command(BaseCommand):
    help = "备份数据库和全部上传文件到一个 .tar.gz 文件（用 restore 命令恢复）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="备份文件路径，如 /backup/wenming-2026-05-01.tar.gz")

    def handle(self, *args, output, **options):
        output = Path(output)
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data.json"
            call_command("dumpdata", exclude=EXCLUDE, natural_foreign=True, indent=None,
                         output=str(data), verbosity=0)
            counts = self.model_counts()
            files = list(walk_storage(default_storage)) if self.storage_exists() else []
            manifest = {"format": FORMAT, "created": timezone.now().isoformat(), "models": counts,
                        "files": len(files)}
            with tarfile.open(output, "w:gz") as archive:
                self.add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
                archive.add(data, arcname="data.json")
                for name in files:
                    info = tarfile.TarInfo(f"media/{name}")
                    info.size = default_storage.size(name)
                    info.mtime = int(timezone.now().timestamp())
                    with default_storage.open(name, "rb") as handle:
                        archive.addfile(info, handle)
        rows = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"已备份 {rows} 条记录、{len(files)} 个文件到 {output}"))

    @staticmethod
    def storage_exists():
        try:
            default_storage.listdir("")
            return True
        except FileNotFoundError:
            return False

    @staticmethod
    def model_counts():
        excluded_apps = {"contenttypes", "sessions", "axes"}
        counts = {}
        for model in apps.get_models():
            label = model._meta.label
            if model._meta.app_label in excluded_apps or label == "auth.Permission" or model._meta.proxy:
                continue
            counts[label] = model._default_manager.count()
        return counts

    @staticmethod
    def add_bytes(archive, name, payload):
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        info.mtime = int(timezone.now().timestamp())
        archive.addfile(info, io.BytesIO(payload))
