import time

from django.core.management.base import BaseCommand

from shanzhi.core.leader import Leadership
from shanzhi.core.schedule import PERIODIC, run_due


class Command(BaseCommand):
    help = "运行定时任务（督办检查、民情汇总、议题摘要等），直到被停止；多个实例同时运行时每项任务每周期只运行一次"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只检查一遍到期的任务后退出")
        parser.add_argument("--tick", type=float, default=30.0, help="检查间隔（秒）")
        parser.add_argument("--elect", action="store_true",
                            help="多台主机时只由选出的一个实例运行（Redis 锁，带过期时间；领导者退出后另一个接替）")

    def handle(self, *args, once, tick, elect, **opts):
        if once:
            self.stdout.write("ran: " + ", ".join(run_due()))
            return
        self.stdout.write("periodic jobs: " + ", ".join(f"{p.name} ({p.schedule})" for p in PERIODIC.values()))
        self.stdout.flush()
        leadership = Leadership("scheduler", ttl=max(3 * tick, 10)) if elect else None
        while True:
            if leadership is None or leadership.hold():
                run_due()
            time.sleep(tick)
