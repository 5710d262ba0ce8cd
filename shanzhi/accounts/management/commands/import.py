"""`shanzhi import KIND FILE [--region CODE] [--actor USERNAME] [--dry-run] [--json]`,
`shanzhi import template KIND -o FILE` and `shanzhi import cleanup [--days N] [--json]` (delete kept
uploads older than SHANZHI_IMPORT_KEEP_DAYS now; the scheduler does it daily).

The kinds are the importers apps register (core.importing.register_importer): persons, households,
dwellings, buildings, units (registry) and cases (民情). Exit status 1 when any row was rejected.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shanzhi.core.errors import ServiceError
from shanzhi.core.importing import IMPORTERS, uploads_cleanup

from ._console import command_actor


class Command(BaseCommand):
    help = "导入表格（人员/户/房屋/楼栋/驻区单位/民情），或生成导入模板"

    def add_arguments(self, parser):
        parser.add_argument("kind", help=" | ".join([*IMPORTERS, "template", "cleanup"]))
        parser.add_argument("path", nargs="?", help="要导入的文件；template 时为类型；cleanup 时不填")
        parser.add_argument("--region", help="导入区域（社区或网格代码）；民情按每行的网格导入，可不填")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出 JSON 摘要")
        parser.add_argument("--actor", "--user", dest="user", help="以该用户身份导入（默认：命令行账号）")
        parser.add_argument("-o", "--output", help="模板输出文件")
        parser.add_argument("--days", type=int, help="cleanup：删除多少天前的导入文件（默认 SHANZHI_IMPORT_KEEP_DAYS）")

    def handle(self, *args, kind, path, region, dry_run, json: bool, user, output, days, **opts):
        if kind == "cleanup":
            return self._cleanup(days, as_json=json)
        if not path:
            raise CommandError("请给出要导入的文件（template 时为类型）")
        if kind == "template":
            return self._template(path, output)
        importer = self._importer(kind, region, user)
        file = Path(path)
        if not file.exists():
            raise CommandError(f"文件不存在：{file}")
        actor = command_actor(user, region or "")
        try:
            report = importer.run(actor=actor, data=file.read_bytes(), filename=file.name, region_code=region or "",
                                  dry_run=dry_run)
        except ServiceError as e:
            raise CommandError(e.user_message) from None
        self._print(importer, report, as_json=json)
        if report["rejected"]:
            sys.exit(1)

    def _template(self, kind, output):
        if kind not in IMPORTERS:
            raise CommandError(f"未知类型 {kind}，可选：{', '.join(IMPORTERS)}")
        out = Path(output or f"{kind}-template.xlsx")
        out.write_bytes(IMPORTERS[kind].template())
        self.stdout.write(str(out))

    @staticmethod
    def _importer(kind, region, user):
        """The importer of kind, once the options it needs are given."""
        if kind not in IMPORTERS:
            raise CommandError(f"未知类型 {kind}，可选：{', '.join(IMPORTERS)}, template")
        importer = IMPORTERS[kind]
        if importer.needs_region and not region:
            raise CommandError("请用 --region 指定导入区域代码")
        if not region and not user:
            raise CommandError("请用 --actor 指定以哪个用户的身份导入")
        return importer

    def _cleanup(self, days, *, as_json):
        try:
            counts = uploads_cleanup(keep_days=days, actor_name="console")
        except ServiceError as e:
            raise CommandError(e.user_message) from None
        if as_json:
            self.stdout.write(json.dumps(counts, ensure_ascii=False))
        else:
            self.stdout.write(f"已删除 {counts['files_deleted']} 个 {counts['keep_days']} 天前的导入文件、"
                              f"{counts['task_rows_deleted']} 条导入任务记录；"
                              f"{counts['files_kept_busy']} 个文件所属导入仍在进行，暂留")

    def _print(self, importer, report, *, as_json):
        keys = ["rows", *(k for k, _label in importer.summary), "errors"]
        if as_json:
            self.stdout.write(json.dumps({k: report[k] for k in keys}, ensure_ascii=False))
            return
        mode = "检查（未写入）" if report["dry_run"] else "导入"
        counts = "，".join(f"{label} {report[k]}" for k, label in importer.summary)
        self.stdout.write(f"{mode}：共 {report['rows']} 行，{counts}")
        for e in report["errors"][:200]:
            self.stdout.write(f"  第 {e['row']} 行 {e['field']}：{e['message']}")
