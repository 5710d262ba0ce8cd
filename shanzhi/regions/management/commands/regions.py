import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shanzhi.regions.services import regions_import


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
        report = regions_import(actor=None, data=path.read_bytes(), filename=path.name, dry_run=opts["dry_run"])
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(
                f"共 {report.rows} 行：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，"
                f"拒绝 {report.rejected}"
            )
            for e in report.errors:
                self.stdout.write(f"  第 {e['row']} 行 [{e['field']}] {e['message']}")
        if report.rejected:
            sys.exit(1)
