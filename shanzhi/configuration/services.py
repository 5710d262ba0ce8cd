"""Writes of the go-live setup: the three admins with their authenticators, the division chain and the office's
own region table (through the regions import pipeline), and a street's configuration applied from a file.

Every write goes through the owning app's services (accounts, regions, cases, consultation); this module only
orders them, in one transaction, so a refusal leaves nothing half-applied.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.accounts.services import device_start, grant_add, user_create
from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.regions.importing import regions_import
from shanzhi.regions.models import Region

from . import divisions

ADMIN_ROLES = {"system": Role.SYSTEM_ADMIN, "security": Role.SECURITY_ADMIN, "audit": Role.AUDIT_ADMIN}
ADMIN_NAMES = {"system": "系统管理员", "security": "安全管理员", "audit": "审计管理员"}


@dataclass
class AdminResult:
    role: str
    username: str
    created: bool
    otpauth_uri: str


def _import_rows(rows: list[tuple[str, str]], *, label: str) -> dict:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["代码", "名称"])
    w.writerows(rows)
    report = regions_import(actor=None, data=buf.getvalue().encode("utf-8"), filename=f"{label}.csv")
    if report["rejected"]:
        first = report["errors"][0]
        raise ServiceError(_("%(label)s第 %(row)s 行 %(field)s：%(msg)s") % {
            "label": label, "row": first["row"], "field": first["field"], "msg": first["message"]})
    return report


def division_adopt(*, district: str, city: str = "", province: str = "") -> list[Region]:
    """Province → city → district of the national codes (by code or name), as Region rows (idempotent)."""
    prov = divisions.find(province) if province else None
    cty = divisions.find(city, prov.code if prov else "") if city else None
    dist = divisions.find(district, cty.code if cty else (prov.code if prov else ""))
    if dist is None or dist.level != "district":
        raise ServiceError(_("找不到区（县）“%(d)s”：请填写 6 位统计用区划代码，或先选省、市再按名称选区") % {"d": district},
                           field="district")
    chain = divisions.chain(dist.code)
    _import_rows([(d.code, d.name) for d in chain], label=_("行政区划"))
    return list(Region.objects.filter(code__in=[d.code for d in chain]).order_by("code"))


def regions_file_import(*, data: bytes, filename: str) -> dict:
    """The office's streets, communities and grids (the regions import's columns); all rows or none."""
    return _import_rows_file(data, filename)


def _import_rows_file(data: bytes, filename: str) -> dict:
    report = regions_import(actor=None, data=data, filename=filename)
    if report["rejected"]:
        first = report["errors"][0]
        raise ServiceError(_("区域文件第 %(row)s 行 %(field)s：%(msg)s") % {
            "row": first["row"], "field": first["field"], "msg": first["message"]})
    return report


def admin_ensure(*, key: str, username: str, password: str, region: Region) -> AdminResult:
    """One of the three admins: created with its role on `region` and a pending authenticator whose otpauth URI
    the command prints; run again, an existing admin is left as it is (三员分立 checked by accounts)."""
    role = ADMIN_ROLES[key]
    username = (username or "").strip()
    if not username:
        raise ServiceError(_("请填写%(r)s的用户名") % {"r": ADMIN_NAMES[key]}, field=key)
    user = User.objects.filter(username__iexact=username).first()
    created = user is None
    if created:
        if not password:
            raise ServiceError(_("请为%(r)s设置初始密码") % {"r": ADMIN_NAMES[key]}, field=key)
        user = user_create(actor=None, username=username, password=password, display_name=ADMIN_NAMES[key])
    held = set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))
    if role not in held:
        grant_add(actor=None, user=user, role=role, region=region, check_actor=False)
    device = device_start(actor=user) if not user.totpdevice_set.filter(confirmed=True).exists() else None
    return AdminResult(role, user.username, created, device.config_url if device else "")


@dataclass
class SetupResult:
    admins: list[AdminResult]
    regions: list[Region]
    imported: dict | None


@transaction.atomic
def setup_run(*, admins: dict[str, tuple[str, str]], district: str, city: str = "", province: str = "",
              regions_data: bytes | None = None, regions_filename: str = "") -> SetupResult:
    """The whole first start: division chain, the office's region file, the three admins on the city — one
    transaction, so bad input anywhere leaves the database as it was."""
    missing = [ADMIN_NAMES[k] for k in ADMIN_ROLES if not admins.get(k, ("", ""))[0]]
    if missing:
        raise ServiceError(_("缺少管理员：%(m)s（三员分立要求三个不同的账号）") % {"m": "、".join(missing)})
    names = [admins[k][0].strip().lower() for k in ADMIN_ROLES]
    if len(set(names)) != 3:
        raise ServiceError(_("三员分立：系统管理员、安全管理员、审计管理员必须是三个不同的账号"))
    regions = division_adopt(district=district, city=city, province=province)
    imported = regions_file_import(data=regions_data, filename=regions_filename) if regions_data else None
    city_region = next(r for r in regions if len(r.code) == 4)
    results = [admin_ensure(key=k, username=admins[k][0], password=admins[k][1], region=city_region)
               for k in ADMIN_ROLES]
    audit_log(actor=None, action="configuration.setup", object_repr=regions[-1].code, region_code=regions[-1].code,
              after={"admins": [a.username for a in results], "district": regions[-1].code,
                     "imported": (imported or {}).get("created", 0)})
    return SetupResult(results, regions, imported)
