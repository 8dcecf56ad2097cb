"""Delete import uploads older than a day (file and row); uploads also do this as they happen."""
from django.core.management.base import BaseCommand

from ledgers.models import ImportUpload


class Command(BaseCommand):
    help = "删除超过一天的导入上传文件"

    def handle(self, *args, **options):
        count = ImportUpload.objects.stale().delete_with_files()
        self.stdout.write(f"deleted {count} stale import uploads")
