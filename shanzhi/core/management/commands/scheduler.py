import time

from django.core.management.base import BaseCommand

from shanzhi.core.schedule import PERIODIC, run_due


class Command(BaseCommand):
    help = "运行定时任务（督办检查、民情汇总、议题摘要等），直到被停止"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只运行一遍所有任务后退出")
        parser.add_argument("--tick", type=float, default=30.0, help="检查间隔（秒）")

    def handle(self, *args, once, tick, **opts):
        if once:
            ran = run_due(now=float("inf"))
            self.stdout.write("ran: " + ", ".join(ran))
            return
        self.stdout.write("periodic jobs: " + ", ".join(f"{p.name}/{int(p.every)}s" for p in PERIODIC.values()))
        while True:
            run_due()
            time.sleep(tick)
