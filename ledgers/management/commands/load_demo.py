"""Load the demo bureau (units, users, and each area's demo records). Idempotent."""
from django.core.management.base import BaseCommand

from ledgers import demo
from ledgers.models import User


class Command(BaseCommand):
    help = "载入演示数据（可重复运行，不会重复创建）。"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="数据库中已有演示账号时什么也不做（bin/serve 首次启动时使用）。")

    def handle(self, *args, if_empty=False, **options):
        if if_empty and User.objects.filter(username="admin").exists():
            self.stdout.write("已有演示数据，跳过。")
            return
        demo.load(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"演示数据已就绪；演示账号密码均为 {demo.PASSWORD}"))
