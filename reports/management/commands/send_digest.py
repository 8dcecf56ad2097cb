"""Run the day's reminders now: the deadline scan and the 日结日清 digest, sending the mails and
robot posts at once (the worker does the same every day at NOTIFY_DIGEST_TIME).

Idempotent: a person gets one digest a day however often this runs.
"""
import datetime

from django.core.management.base import BaseCommand, CommandError

from reports.jobs.notifications import run_daily


class Command(BaseCommand):
    help = "发送今天的日结日清提醒（每人每天一条，可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD，如 2026-03-02。")
        result = run_daily(today, send_now=True)
        self.stdout.write("；".join(f"{what}: {count}" for what, count in result.items()))
