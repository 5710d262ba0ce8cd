import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shanzhi.core.backup import BackupError, backup, backup_keys


class Command(BaseCommand):
    help = "备份数据库和上传文件；--keys 把加密密钥另存到单独的文件（不能与数据备份放在一起）"

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="数据备份文件（默认 SHANZHI_BACKUP_DIR/shanzhi-<时间>.tar.gz）")
        parser.add_argument("--keys", metavar="FILE", help="只备份加密密钥到此文件（须在另一个目录，最好另一台机器）")

    def handle(self, *args, output, keys, **opts):
        try:
            if keys:
                backup_keys(Path(keys))
                self.stdout.write(f"keys written to {keys}")
                return
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(output) if output else Path(settings.SHANZHI_BACKUP_DIR) / f"shanzhi-{stamp}.tar.gz"
            manifest = backup(path)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc))
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(json.dumps({"archive": str(path), "tables": len(manifest["tables"]), "rows": rows}))
