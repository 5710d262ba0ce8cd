"""`shanzhi import persons|households|dwellings|buildings|units FILE --region CODE [--dry-run] [--json]`
and `shanzhi import template persons -o FILE`."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ServiceError
from shanzhi.registry.importing import COLUMNS, import_run, import_template

from ._console import command_actor

SUMMARY_KEYS = ("rows", "created", "updated", "unchanged", "rejected", "errors")


class Command(BaseCommand):
    help = "导入基础信息表格（人员/户/房屋/楼栋/驻区单位），或生成导入模板"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="persons | households | dwellings | buildings | units | template")
        parser.add_argument("path", help="要导入的文件；template 时为类型")
        parser.add_argument("--region", help="导入区域（社区或网格代码）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出 JSON 摘要")
        parser.add_argument("--user", help="以该用户身份导入（默认：命令行账号）")
        parser.add_argument("-o", "--output", help="模板输出文件")

    def handle(self, *args, kind, path, region, dry_run, json: bool, user, output, **opts):
        if kind == "template":
            if path not in COLUMNS:
                raise CommandError(f"未知类型 {path}，可选：{', '.join(COLUMNS)}")
            out = Path(output or f"{path}-template.xlsx")
            out.write_bytes(import_template(path))
            self.stdout.write(str(out))
            return
        if kind not in COLUMNS:
            raise CommandError(f"未知类型 {kind}，可选：{', '.join(COLUMNS)}, template")
        if not region:
            raise CommandError("请用 --region 指定导入区域代码")
        file = Path(path)
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = command_actor(user, region)
        try:
            report = import_run(actor=actor, kind=kind, data=file.read_bytes(), filename=file.name,
                                region_code=region, dry_run=dry_run)
        except ServiceError as e:
            raise CommandError(e.user_message) from None
        self._print(report, as_json=json)
        if report["rejected"]:
            sys.exit(1)

    def _print(self, report, *, as_json):
        if as_json:
            self.stdout.write(json.dumps({k: report[k] for k in SUMMARY_KEYS}, ensure_ascii=False))
            return
        mode = "检查（未写入）" if report["dry_run"] else "导入"
        self.stdout.write(f"{mode}：共 {report['rows']} 行，新增 {report['created']}，更新 {report['updated']}，"
                          f"未变 {report['unchanged']}，拒绝 {report['rejected']}")
        for e in report["errors"][:200]:
            self.stdout.write(f"  第 {e['row']} 行 {e['field']}：{e['message']}")
