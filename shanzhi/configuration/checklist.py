"""The setup checklist: per street, community and grid, what is still missing before the office can run,
each with the page that fixes it. The checklist page, the workbench counter and `shanzhi setup` all read
`checklist()`; one query per kind of row, whatever the number of streets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant
from shanzhi.cases.choices import HandlerType
from shanzhi.cases.deadlines import workday
from shanzhi.cases.models import Category, HandlingBody, RoutingRule
from shanzhi.consultation.models import ConsultationRule
from shanzhi.core.roles import GRID_ROLES, Role
from shanzhi.core.scoping import prefix_q
from shanzhi.disclosure.models import PublishingSchedule
from shanzhi.notifications.channels import stored
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region
from shanzhi.volunteering.models import PointRule, StoreItem

SMS_CHANNEL = "shanzhi.notifications.channels.SmsChannel"


@dataclass(frozen=True)
class Item:
    key: str  # what kind of gap (category_body, body_members, community_rules, …)
    region_code: str
    text: str
    url: str


@dataclass
class Section:
    street: Region
    items: list[Item] = field(default_factory=list)


def _url(name: str, street: str = "", **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"street": street, **params}.items() if v)
    return reverse(name) + (f"?{query}" if query else "")


def _category_items(street: Region, leaves, routes, bodies_ok) -> list[Item]:
    items = []
    for cat in leaves:
        rules = [r for r in routes.get(cat.pk, ()) if street.code.startswith(r.region_prefix)
                 or r.region_prefix.startswith(street.code)]
        covered = any(street.code.startswith(r.region_prefix) and r.body_id in bodies_ok for r in rules)
        default = bodies_ok.get(cat.default_body_id)
        if not covered and not (default is not None and street.code.startswith(default)):
            items.append(Item("category_body", street.code, _("类别“%(c)s”没有承办单位") % {"c": cat.name},
                              _url("configuration:routing", street.code, category=cat.pk)))
    return items


def _body_items(street: Region, bodies) -> list[Item]:
    return [Item("body_members", street.code, _("承办单位“%(b)s”没有人员") % {"b": b.name},
                 _url("configuration:bodies", street.code, body=b.pk))
            for b in bodies if b.region_code.startswith(street.code) and b.active and not b.n_members]


def _community_items(community: Region, rule_codes: set[str], store_codes: set[str]) -> list[Item]:
    items = []
    if community.code not in rule_codes and community.code[:9] not in rule_codes:
        items.append(Item("community_rules", community.code, _("社区“%(c)s”没有议事规则") % {"c": community.name},
                          _url("configuration:rules", community.code[:9])))
    if community.code not in store_codes:
        items.append(Item("community_store", community.code,
                          _("社区“%(c)s”的爱心超市没有可兑换的物品") % {"c": community.name},
                          _url("configuration:store", community.code[:9])))
    return items


def _grid_items(grid: Region, worker_codes: set[str]) -> list[Item]:
    if grid.code in worker_codes:
        return []
    return [Item("grid_worker", grid.code, _("网格“%(g)s”没有网格员") % {"g": grid.name}, reverse("accounts:user_create"))]


def streets_for(prefixes: list[str]) -> list[Region]:
    """Streets inside the given grants, and the street above a narrower grant."""
    if not prefixes:
        return []
    codes = {p[:9] for p in prefixes if len(p) >= 9}
    wide = [p for p in prefixes if len(p) < 9]
    qs = Region.objects.filter(level=Level.STREET)
    q = prefix_q("code", wide) if wide else None
    if codes:
        q = (q | prefix_q("code", codes)) if q is not None else prefix_q("code", codes)
    return list(qs.filter(q).order_by("code"))


@dataclass
class _Rows:
    below: list
    leaves: list
    routes: dict
    bodies: list
    bodies_ok: dict  # active body pk → its service area
    rule_codes: set
    store_codes: set
    worker_codes: set
    managers: set
    schedules: set
    any_category: bool


def _rows(codes: list[str]) -> _Rows:
    routes = defaultdict(list)
    for r in RoutingRule.objects.all():
        routes[r.category_id].append(r)
    bodies = list(HandlingBody.objects.annotate(n_members=Count("handlingbodymember")))
    return _Rows(
        below=list(Region.objects.filter(prefix_q("code", codes), level__in=[Level.COMMUNITY, Level.GRID])
                   .only("code", "name", "level").order_by("code")),
        leaves=[c for c in Category.objects.filter(active=True).annotate(n_children=Count("children"))
                if not c.n_children and c.handler_type != HandlerType.GRID],
        routes=routes, bodies=bodies, bodies_ok={b.pk: b.region_code for b in bodies if b.active},
        rule_codes=set(ConsultationRule.objects.filter(prefix_q("region_code", codes), retired=False)
                       .values_list("region_code", flat=True)),
        store_codes={c[:12] for c in StoreItem.objects.filter(prefix_q("region_code", codes), active=True,
                                                              stock__gt=0).values_list("region_code", flat=True)},
        worker_codes=set(RoleGrant.objects.filter(prefix_q("region_code", codes), role__in=GRID_ROLES)
                         .values_list("region_code", flat=True)),
        managers=set(RoleGrant.objects.filter(region_code__in=codes, role=Role.STREET_MANAGER)
                     .values_list("region_code", flat=True)),
        schedules=set(PublishingSchedule.objects.filter(region_code__in=codes).values_list("region_code", flat=True)),
        any_category=Category.objects.filter(active=True).exists())


def _street_items(street: Region, rows: _Rows) -> list[Item]:
    items = []
    mine = [r for r in rows.below if r.code.startswith(street.code)]
    if not rows.any_category:
        items.append(Item("no_categories", street.code, _("还没有民情类别"),
                          _url("configuration:categories", street.code)))
    if street.code not in rows.managers:
        items.append(Item("street_manager", street.code,
                          _("街道“%(s)s”没有街道管理员（由安全管理员在“用户与授权”中创建）") % {"s": street.name},
                          reverse("accounts:user_create")))
    if not mine:
        items.append(Item("no_communities", street.code,
                          _("街道“%(s)s”还没有社区和网格") % {"s": street.name}, reverse("imports:regions")))
    if street.code not in rows.schedules:
        items.append(Item("disclosure_schedule", street.code,
                          _("街道“%(s)s”没有阳光五务公开日历") % {"s": street.name},
                          _url("configuration:disclosure", street.code)))
    items += _category_items(street, rows.leaves, rows.routes, rows.bodies_ok) + _body_items(street, rows.bodies)
    for r in mine:
        items += (_community_items(r, rows.rule_codes, rows.store_codes) if r.level == Level.COMMUNITY
                  else _grid_items(r, rows.worker_codes))
    return items


def checklist(*, streets: list[Region]) -> list[Section]:
    """One section per street, with every gap found in it (empty when the street is ready)."""
    if not streets:
        return []
    rows = _rows([s.code for s in streets])
    return [Section(street, _street_items(street, rows)) for street in streets]


def _point_notices(streets) -> list[str]:
    """A street with no 志愿积分规则 (its own or its district's) gets the installation default: advice only."""
    codes = {s.code for s in streets} | {s.code[:6] for s in streets}
    ruled = set(PointRule.objects.filter(region_code__in=codes).values_list("region_code", flat=True))
    return [_("街道“%(s)s”没有志愿积分规则，新活动按每小时 10 积分计（在“志愿积分规则”中设置）") % {"s": s.name}
            for s in streets if s.code not in ruled and s.code[:6] not in ruled]


def notices(today: dt.date | None = None, streets=()) -> list[str]:
    """Advice that does not block a street: holiday data, delivery channels, streets without point rules."""
    today = today or timezone.localdate()
    out = _point_notices(streets) if streets else []
    if not workday(dt.date(today.year + (today.month == 12), 12, 31))[1]:
        out.append(_("节假日数据未覆盖 %(y)s 年，时限只按周末计算（升级 chinesecalendar 后即可）")
                   % {"y": today.year + (today.month == 12)})
    if SMS_CHANNEL not in getattr(settings, "SHANZHI_NOTIFY_CHANNELS", []) and not stored("sms", "gateway_url"):
        out.append(_("没有配置短信通知渠道：居民收不到短信（在“通知渠道”中设置短信网关）"))
    return out


def missing_count(*, streets: list[Region]) -> int:
    return sum(len(s.items) for s in checklist(streets=streets))
