"""`shanzhi setup`: the first start of an installation without the demo.

Interactive (asks for each value), or `--non-interactive` with flags or a TOML/JSON file:

    shanzhi setup --non-interactive --district 321002 --regions streets.csv \\
        --system-admin sysadmin --security-admin secadmin --audit-admin auditor --password-env SHANZHI_SETUP_PASSWORD

creates the province → city → district rows from the national codes, imports the office's streets, communities
and grids (the regions import's columns), creates the three admins (三员分立) each with an authenticator to scan
(otpauth URI and a QR code in the terminal), and prints what is left to configure. Safe to run again.
"""

from __future__ import annotations

import getpass
import io
import json
import os
import tomllib
from pathlib import Path

import segno
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from ... import divisions
from ...checklist import checklist, notices
from ...services import ADMIN_NAMES, ADMIN_ROLES, setup_run


def _read_config(path: str) -> dict:
    p = Path(path)
    if not p.exists():
        raise CommandError(f"配置文件不存在：{p}")
    try:
        return tomllib.loads(p.read_text("utf-8")) if p.suffix == ".toml" else json.loads(p.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise CommandError(f"无法读取配置文件 {p}：{e}") from None


class Command(BaseCommand):
    help = "首次启动（不含演示数据）：建立行政区划和区域、创建三员管理员并绑定动态验证码，列出待完成的配置"

    def add_arguments(self, parser):
        parser.add_argument("--non-interactive", action="store_true", help="不提问，只用参数或配置文件")
        parser.add_argument("--config", help="TOML 或 JSON 配置文件（键同下列参数，管理员放在 [admins] 下）")
        parser.add_argument("--province", default="", help="省（代码或名称）")
        parser.add_argument("--city", default="", help="市（代码或名称）")
        parser.add_argument("--district", default="", help="区/县：6 位代码，或先给省、市再给名称")
        parser.add_argument("--regions", default="", help="本单位的街道、社区、网格表（CSV/XLSX，区域导入的列）")
        for key in ADMIN_ROLES:
            parser.add_argument(f"--{key}-admin", default="", help=f"{ADMIN_NAMES[key]}的用户名")
        parser.add_argument("--password-env", default="SHANZHI_SETUP_PASSWORD",
                            help="存放三位管理员初始密码的环境变量名（首次登录后须修改）")
        parser.add_argument("--no-qr", action="store_true", help="不在终端打印二维码")

    def _admins(self, opts, conf: dict, interactive: bool) -> dict:
        admins_conf = conf.get("admins", {})
        password = os.environ.get(opts["password_env"], "") or str(conf.get("password", ""))
        admins = {}
        for key in ADMIN_ROLES:
            name = opts[f"{key}_admin"] or str(admins_conf.get(key, ""))
            if interactive and not name:
                name = input(f"{ADMIN_NAMES[key]}的用户名：").strip()
            pw = password
            if interactive and not pw:
                pw = getpass.getpass(f"{ADMIN_NAMES[key]}（{name}）的初始密码：")
            admins[key] = (name, pw)
        return admins

    def handle(self, *args, **opts):
        conf = _read_config(opts["config"]) if opts["config"] else {}
        interactive = not opts["non_interactive"]
        values = {k: opts[k] or str(conf.get(k, "")) for k in ("province", "city", "district", "regions")}
        if interactive:
            values = self._ask_region(values)
        if not values["district"]:
            raise CommandError("请用 --district 指定区（县）的 6 位统计用区划代码（或省、市、区的名称）")
        admins = self._admins(opts, conf, interactive)
        data = None
        if values["regions"]:
            path = Path(values["regions"])
            if not path.exists():
                raise CommandError(f"区域文件不存在：{path}")
            data = path.read_bytes()
        try:
            result = setup_run(admins=admins, district=values["district"], city=values["city"],
                               province=values["province"], regions_data=data,
                               regions_filename=Path(values["regions"]).name if data else "")
        except ServiceError as e:
            raise CommandError(f"未做任何更改：{e.user_message}") from None
        self._report(result, qr=not opts["no_qr"])

    def _ask_region(self, values: dict) -> dict:
        if values["district"]:
            return values
        parent = ""
        for label, key in (("省", "province"), ("市", "city"), ("区（县）", "district")):
            options = divisions.children(parent)
            if len(options) <= 40:
                self.stdout.write("  ".join(f"{d.code} {d.name}" for d in options))
            while True:
                choice = divisions.find(input(f"{label}（代码或名称）：").strip(), parent)
                if choice is not None:
                    break
                self.stdout.write("没有找到，请输入上面列出的代码或完整名称")
            values[key] = choice.code
            parent = choice.code
        if not values["regions"]:
            values["regions"] = input("街道、社区、网格表的文件路径（可留空，稍后在“数据导入”中导入）：").strip()
        return values

    def _report(self, result, *, qr: bool) -> None:
        district = result.regions[-1]
        self.stdout.write(f"行政区划：{' → '.join(r.name for r in result.regions)}（{district.code}）")
        if result.imported:
            r = result.imported
            self.stdout.write(f"区域表：新增 {r['created']}，更新 {r['updated']}，未变 {r['unchanged']}")
        for a in result.admins:
            state = "已创建" if a.created else "已存在"
            self.stdout.write(f"{Role(a.role).label}：{a.username}（{state}）")
            if a.otpauth_uri:
                self.stdout.write(f"  请用验证器应用扫描（首次登录时输入动态码完成绑定）：{a.otpauth_uri}")
                if qr:
                    buf = io.StringIO()
                    segno.make(a.otpauth_uri, error="m").terminal(out=buf, compact=True)
                    self.stdout.write(buf.getvalue())
        streets = list(Region.objects.filter(Q(code__startswith=district.code), level=Level.STREET).order_by("code"))
        self.stdout.write("\n待完成的配置：")
        sections = checklist(streets=streets)
        total = 0
        for sec in sections:
            self.stdout.write(f"【{sec.street.name}】" + ("已就绪" if not sec.items else f"{len(sec.items)} 项"))
            for item in sec.items:
                self.stdout.write(f"  - {item.text}  → {item.url}")
            total += len(sec.items)
        if not streets:
            self.stdout.write("  - 还没有街道：在“数据导入 → 区域”中导入街道、社区和网格，或用 --regions 指定文件")
            total += 1
        for n in notices():
            self.stdout.write(f"  提示：{n}")
        self.stdout.write(f"共 {total} 项待完成。管理员登录后在“系统配置 → 配置清单”中逐项完成。")
