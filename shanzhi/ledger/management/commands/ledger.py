import json
import sys

from django.core.management.base import BaseCommand

from shanzhi.ledger.selectors import reconcile


class Command(BaseCommand):
    help = "积分账本：shanzhi ledger reconcile [--json]（账不平时以非零状态退出）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        rec = sub.add_parser("reconcile", help="核对账本：分录合计为零、缓存余额等于分录合计、每笔流水两条分录")
        rec.add_argument("--json", action="store_true")

    def handle(self, *args, sub, **opts):
        report = reconcile()
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            for ledger, row in report.ledgers.items():
                self.stdout.write(f"账本 {ledger}：{row['entries']} 条分录，合计 {row['sum']}")
            self.stdout.write(f"账户 {report.accounts} 个，流水 {report.transfers} 笔")
            for p in report.problems:
                self.stdout.write(f"  ✗ {p}")
            self.stdout.write("账平" if report.ok else f"账不平：{len(report.problems)} 处问题")
        if not report.ok:
            sys.exit(1)
