"""Find (and with --delete remove) pending uploads older than a day and stored files no row references."""
from datetime import timedelta

from django.core.management.base import BaseCommand

from ledgers.services.orphans import clean_orphans


class Command(BaseCommand):
    help = "清理孤立文件：超过一天未保存的待用照片，以及没有任何记录引用的上传文件。默认只统计（试运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="真正删除（默认只统计，不删除）。")
        parser.add_argument("--hours", type=float, default=24,
                            help="只处理早于这么多小时的文件和待用照片（默认 24，避免动到正在上传的文件）。")

    def handle(self, *args, delete=False, hours=24, **options):
        report = clean_orphans(delete=delete, older_than=timedelta(hours=hours))
        self.stdout.write(str(report))
        for name in report.examples:
            self.stdout.write(f"  {name}")
