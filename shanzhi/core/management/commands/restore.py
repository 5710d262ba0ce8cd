import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.backup import BackupError, restore, restore_keys


class Command(BaseCommand):
    help = "从备份恢复数据库和上传文件并逐表核对；--keys 恢复加密密钥文件"
    requires_system_checks = []  # a restore is how a missing key file comes back

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", help="shanzhi backup 生成的数据备份文件")
        parser.add_argument("--keys", metavar="FILE", help="恢复加密密钥文件（shanzhi backup --keys 的输出）")
        parser.add_argument("--force", action="store_true", help="覆盖现有的不同密钥文件")

    def handle(self, *args, archive, keys, force, **opts):
        if not archive and not keys:
            raise CommandError("请给出数据备份文件，或用 --keys 给出密钥备份文件")
        try:
            if keys:
                self.stdout.write(f"keys restored to {restore_keys(Path(keys), force=force)}")
            if archive:
                result = restore(Path(archive))
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc))
        if archive:
            self.stdout.write(json.dumps(result))
            if result["mismatched"]:
                raise CommandError(f"restored tables differ from the backup: {', '.join(result['mismatched'])}")
