"""Back up the database and the stored files its rows reference into one .tar.gz archive,
from one consistent snapshot, verified before success is reported (see ledgers/backup.py).
Restore with `manage.py restore`; check an archive any time with `manage.py verify_backup`."""
from django.core.management.base import BaseCommand, CommandError

from ledgers.backup import BackupError
from ledgers.backup import make_backup


class Command(BaseCommand):
    help = "备份数据库和被引用的上传文件到一个 .tar.gz 文件（一致快照，完成前自动校验；用 restore 命令恢复）。"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="备份文件路径，如 /backup/wenming-2026-05-01.tar.gz")
        parser.add_argument("--no-verify", action="store_true",
                            help="跳过写完后的校验（不建议；校验会把数据载入临时空库并核对每个文件的指纹）。")

    def handle(self, *args, output, no_verify=False, **options):
        try:
            result = make_backup(output, verify=not no_verify)
        except BackupError as error:
            raise CommandError(f"备份失败，未生成备份文件：{error}")
        if result.missing:
            self.stderr.write(self.style.WARNING(
                f"注意：{len(result.missing)} 个被引用的文件在存储中找不到，未能备份：{'、'.join(result.missing[:10])}"))
        checked = "，已校验（临时空库载入、行数与文件指纹一致）" if not no_verify else "（未校验）"
        self.stdout.write(self.style.SUCCESS(
            f"已备份 {result.rows} 条记录、{result.files} 个文件到 {result.path}{checked}"))
