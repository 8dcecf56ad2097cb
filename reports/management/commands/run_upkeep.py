"""Run the daily upkeep now (what the daily background task does), e.g. from a systemd timer."""
from django.core.management.base import BaseCommand

from reports.jobs.upkeep import ensure_upkeep_scheduled
from reports.jobs.upkeep import run_upkeep


class Command(BaseCommand):
    help = "删除过期的下载文件、旧的后台任务记录和孤立文件（每日维护），并确保明天的维护已排队。"

    def handle(self, *args, **options):
        removed = run_upkeep()
        for what, count in removed.items():
            self.stdout.write(f"{what}: {count}")
        if ensure_upkeep_scheduled():
            self.stdout.write("next daily upkeep queued")
