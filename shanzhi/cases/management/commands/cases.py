"""`shanzhi cases check-deadlines` (督办 and escalation) and `shanzhi cases rollup [--days N]`.

Run them periodically (cron/systemd timer), or enqueue `shanzhi.cases.tasks.check_deadlines_task`
and `rollup_task` for scripts/run's worker: see shanzhi/cases/tasks.py.
"""

import json

from django.core.management.base import BaseCommand

from shanzhi.cases.insight import rollup_build, window
from shanzhi.cases.services import check_deadlines


class Command(BaseCommand):
    help = "民情：时限检查（督办、越级）与日汇总"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        sub.add_parser("check-deadlines", help="黄牌/红牌督办，超时越级")
        rollup = sub.add_parser("rollup", help="重建日汇总表")
        rollup.add_argument("--days", type=int, default=2)

    def handle(self, *args, sub, **opts):
        if sub == "check-deadlines":
            self.stdout.write(json.dumps(check_deadlines()))
        else:
            start, end = window(opts["days"])
            self.stdout.write(f"{rollup_build(start=start, end=end)} rows {start}..{end}")
