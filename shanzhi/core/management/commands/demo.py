"""`shanzhi demo`: build (or rebuild, idempotently) the 曲江街道 demo and print the demo logins."""

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection

from shanzhi.core.demo import STEPS, DemoContext


class Command(BaseCommand):
    help = "构建曲江街道演示数据（幂等），并打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=15000, help="演示居民人数（默认 15000）")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--only", default="", help="只运行这些步骤（逗号分隔）")
        parser.add_argument("--logins-only", action="store_true", help="只打印演示账号")

    def handle(self, *args, persons, quiet, only, logins_only, **opts):
        if logins_only:
            return self.print_logins()
        ctx = DemoContext(persons=persons, stdout=(lambda s: None) if quiet else self.stdout.write)
        wanted = {s for s in only.split(",") if s}
        started = time.monotonic()
        for _order, name, fn in STEPS:
            if wanted and name not in wanted:
                continue
            t0 = time.monotonic()
            fn(ctx=ctx)
            ctx.stdout(f"  demo step {name}: {time.monotonic() - t0:.1f}s")
        if connection.vendor == "postgresql":
            # fresh planner statistics: autovacuum never analyses a partitioned table's parent, and until it
            # reaches the new partitions the planner takes them for empty (the cases dashboard's reopen-rate
            # join ran 100 ms instead of 1 ms on the fresh demo)
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        ctx.stdout(f"demo built in {time.monotonic() - started:.1f}s")
        self.print_logins()

    def print_logins(self):
        path = settings.VAR_DIR / "demo-logins.json"
        if path.exists():
            logins = json.loads(path.read_text())
            self.stdout.write(f"\n演示账号（{path}）：")
            for item in logins:
                extra = f"  备用验证码 {item['otp_backup_codes'][0]}" if item.get("otp_backup_codes") else ""
                self.stdout.write(f"  {item['role']:<20} {item['username']:<18} {item['password']}  "
                                  f"{item['scope_code']}{extra}")
