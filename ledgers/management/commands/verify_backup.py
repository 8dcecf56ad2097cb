"""Check a `manage.py backup` archive without touching this install's data: every file's sha256
against the manifest, and data.json loaded into an empty scratch database with matching counts."""
from django.core.management.base import BaseCommand, CommandError

from ledgers.backup import BackupError
from ledgers.backup import verify_archive


class Command(BaseCommand):
    help = "校验备份文件：每个文件的指纹与清单一致，数据可载入临时空库且每张表的行数一致（不改动本系统数据）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（.tar.gz）")

    def handle(self, *args, archive, **options):
        try:
            result = verify_archive(archive)
        except BackupError as error:
            raise CommandError(str(error))
        self.stdout.write(self.style.SUCCESS(f"备份完好：{result.rows} 条记录、{result.files} 个文件，与清单一致。"))
