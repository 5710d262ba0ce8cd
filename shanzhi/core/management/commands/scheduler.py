import time

from django.core.management.base import BaseCommand

from shanzhi.core.schedule import PERIODIC, run_due


class Command(BaseCommand):
    help = "运行定时任务（督办检查、民情汇总、议题摘要等），直到被停止；多个实例同时运行时每项任务每周期只运行一次"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一遍到期的任务后退出")
        parser.add_argument("--tick", type=float, default=30.0, help="检查间隔（秒）")

    def handle(self, *args, once, tick, **opts):
        if once:
            self.stdout.write("ran: " + ", ".join(run_due()))
            return
        self.stdout.write("periodic jobs: " + ", ".join(f"{p.name} ({p.schedule})" for p in PERIODIC.values()))
        self.stdout.flush()
        while True:
            run_due()
            time.sleep(tick)
