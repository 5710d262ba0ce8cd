import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ServiceError
from shanzhi.regions.importing import regions_import


class Command(BaseCommand):
    help = "区域树：shanzhi regions import FILE [--dry-run] [--json]"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        imp = sub.add_parser("import", help="从 CSV/XLSX 导入区域（代码、名称、层级、上级代码）")
        imp.add_argument("file")
        imp.add_argument("--dry-run", action="store_true")
        imp.add_argument("--json", action="store_true")

    def handle(self, *args, sub, **opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        try:
            report = regions_import(actor=None, data=path.read_bytes(), filename=path.name, dry_run=opts["dry_run"])
        except ServiceError as e:
            raise CommandError(e.user_message) from None
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(
                f"共 {report['rows']} 行：新增 {report['created']}，更新 {report['updated']}，"
                f"未变 {report['unchanged']}，拒绝 {report['rejected']}"
            )
            for e in report["errors"]:
                self.stdout.write(f"  第 {e['row']} 行 [{e['field']}] {e['message']}")
        if report["rejected"]:
            sys.exit(1)
