"""Demo step "cases" (order 40): categories, handling bodies, routing rules, a few hundred cases in
various states over the last 60 days (through the services, back-dated), and the rollup."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from shanzhi.regions.geo import random_point_in
from shanzhi.regions.models import Region

from . import choices as c
from .insight import rollup_build, window
from .models import Case, Category, HandlingBody
from .services import (
    body_member_add,
    case_create,
    case_transition,
    category_create,
    category_update,
    handling_body_create,
    handling_body_update,
    route_body,
    routing_rule_set,
)
from .workflow import is_handler

CATEGORIES = [
    # code, name, parent, handler type, handle days, public
    ("env", "市容环境", None, c.HandlerType.STREET_SECTION, 5, True),
    ("env.garbage", "垃圾堆放", "env", c.HandlerType.STREET_SECTION, 2, True),
    ("env.stall", "占道经营", "env", c.HandlerType.STREET_SECTION, 3, True),
    ("facility", "设施维修", None, c.HandlerType.PROPERTY_COMPANY, 5, True),
    ("facility.light", "路灯损坏", "facility", c.HandlerType.UTILITY, 3, True),
    ("facility.road", "道路破损", "facility", c.HandlerType.DISTRICT_DEPARTMENT, 10, True),
    ("facility.lift", "电梯故障", "facility", c.HandlerType.PROPERTY_COMPANY, 2, True),
    ("safety", "安全隐患", None, c.HandlerType.STREET_SECTION, 3, True),
    ("safety.fire_access", "消防通道堵塞", "safety", c.HandlerType.STREET_SECTION, 1, True),
    ("safety.ebike", "电动车违规充电", "safety", c.HandlerType.STREET_SECTION, 1, True),
    ("safety.gas", "燃气隐患", "safety", c.HandlerType.UTILITY, 1, True),
    ("safety.facade", "外墙脱落", "safety", c.HandlerType.DISTRICT_DEPARTMENT, 5, True),
    ("dispute", "矛盾纠纷", None, c.HandlerType.GRID, 10, False),
    ("dispute.neighbour", "邻里纠纷", "dispute", c.HandlerType.GRID, 10, False),
]
BODIES = [
    ("街道城管科", c.HandlerType.STREET_SECTION, "street"),
    ("街道安监科", c.HandlerType.STREET_SECTION, "street"),
    ("区住建局", c.HandlerType.DISTRICT_DEPARTMENT, "district"),
    ("供电公司", c.HandlerType.UTILITY, "district"),
    ("港华燃气", c.HandlerType.UTILITY, "district"),
    ("玺园物业公司", c.HandlerType.PROPERTY_COMPANY, "community"),
]
ROUTES = {"env.garbage": "街道城管科", "env.stall": "街道城管科", "facility.light": "供电公司",
          "facility.road": "区住建局", "facility.lift": "玺园物业公司", "safety.fire_access": "街道安监科",
          "safety.ebike": "街道安监科", "safety.gas": "港华燃气", "safety.facade": "区住建局"}
TITLES = {"env.garbage": "楼道口垃圾堆放", "env.stall": "小区门口占道摆摊", "facility.light": "路灯不亮",
          "facility.road": "人行道砖松动", "facility.lift": "电梯经常停运", "safety.fire_access": "消防通道被车辆占用",
          "safety.ebike": "楼道内给电动车充电", "safety.gas": "闻到燃气味", "safety.facade": "外墙瓷砖脱落",
          "dispute.neighbour": "楼上漏水引发纠纷"}


def _upsert_category(code, fields) -> Category:
    cur = Category.objects.filter(code=code).first()
    if cur is None:
        return category_create(actor=None, code=code, **fields)
    changed = {k: v for k, v in fields.items() if getattr(cur, k) != v}
    return category_update(actor=None, category=cur, **changed) if changed else cur


def _upsert_body(name, kind, region_code) -> HandlingBody:
    cur = HandlingBody.objects.filter(name=name).first()
    if cur is None:
        return handling_body_create(actor=None, name=name, kind=kind, region_code=region_code)
    if (cur.kind, cur.region_code) != (kind, region_code):
        return handling_body_update(actor=None, body=cur, kind=kind, region_code=region_code)
    return cur


def _district_wide(body, d):
    """A category's default body must serve every grid (a community's property company does not)."""
    return body if body is not None and body.region_code == d["district"] else None


def _config(ctx) -> dict[str, Category]:
    """The demo's configuration through the same services the 系统配置 pages call (actor=None: the installation)."""
    d = ctx.data
    codes = {"street": d["street"], "district": d["district"], "community": d["communities"][0]}
    bodies = {name: _upsert_body(name, kind, codes[level]) for name, kind, level in BODIES}
    cats = {}
    for code, name, parent, handler, days, public in CATEGORIES:
        cats[code] = _upsert_category(code, {"name": name, "parent": cats.get(parent), "handler_type": handler,
                                             "handle_days": Decimal(days), "is_public": public,
                                             "default_body": _district_wide(bodies.get(ROUTES.get(code, "")), d)})
    for code, body in ROUTES.items():  # each rule covers the body's own service area
        routing_rule_set(actor=None, category=cats[code], region_prefix=bodies[body].region_code, body=bodies[body])
    users = d.get("users", {})
    if "handling_body" in users:  # the one demo account answers for every body, so the demo can be clicked through
        for body in bodies.values():
            body_member_add(actor=None, body=body, user=users["handling_body"])
    return cats


def build(*, ctx) -> None:
    cats = _config(ctx)
    users = ctx.data.get("users", {})
    worker, leader, resident = users.get("grid_worker"), users.get("grid_leader"), users.get("resident")
    grid = ctx.data["grids"][0]
    if Case.objects.exists() or not (worker and leader):
        ctx.stdout("  cases: configuration refreshed; cases already built")
        return

    grids = list(Region.objects.filter(code__in=ctx.data["grids"]).order_by("code"))
    leaves = [k for k in TITLES]
    rng = ctx.rng
    now = timezone.now()
    n = 0
    for i in range(300):
        code = rng.choice(leaves)
        g = grids[0] if i % 3 == 0 else rng.choice(grids)
        step = rng.random()
        created = now - dt.timedelta(days=_age(step, rng))
        # a point inside the grid's boundary, so the dashboard map shows each case in its own grid
        lat, lng = random_point_in(g.boundary, rng) or ((g.centroid_lat or 32.39) + rng.uniform(-0.0005, 0.0005),
                                                        (g.centroid_lng or 119.43) + rng.uniform(-0.0005, 0.0005))
        by_resident = g.code == grid and resident and cats[code].is_public and rng.random() < 0.4
        actor = resident if by_resident else worker if g.code == grid else None
        channel = c.Channel.RESIDENT if by_resident else c.Channel.PATROL if actor else c.Channel.HOTLINE
        staff = leader if g.code == grid else users.get("street_manager")
        case = case_create(actor=actor or staff, category=cats[code], channel=channel, title=TITLES[code],
                           description=f"{TITLES[code]}，请尽快处理。", region_code=g.code, lat=lat, lng=lng,
                           now=created, reporter_name="" if actor else "热线来电")
        n += 1
        t = created

        def later(hours):
            nonlocal t
            t = min(now, t + dt.timedelta(hours=rng.uniform(1, hours)))
            return t

        try:
            if step < 0.1:
                continue
            if step < 0.15:
                case_transition(actor=staff, case=case, action="reject", data={"reason": "不属于受理范围"},
                                now=later(30))
                continue
            case = case_transition(actor=staff, case=case, action="accept", now=later(30))
            if step < 0.2:
                continue
            body = route_body(cats[code], g.code)
            if body is None:
                case = case_transition(actor=staff, case=case, action="assign", data={"assignee": worker.pk},
                                       now=later(8)) if g.code == grid else case
                handler = worker
            else:
                case = case_transition(actor=staff, case=case, action="dispatch", data={"body": body.pk},
                                       now=later(8))
                handler = users.get("handling_body") if body.members.exists() else None
            if step < 0.3 or handler is None:
                continue
            if handler is not None and not body_member_or_assignee(case, handler):
                continue
            case = case_transition(actor=handler, case=case, action="start", now=later(24))
            if step < 0.4:
                continue
            outcome = c.Outcome.FIXED if rng.random() < 0.85 else c.Outcome.UNABLE_TO_FIX
            case = case_transition(actor=handler, case=case, action="complete",
                                   data={"outcome": outcome, "note": "已处理完毕"}, now=later(rng.choice([30, 150])))
            if step < 0.5:
                continue
            case = case_transition(actor=staff, case=case, action="verify", now=later(20))
            if step < 0.55:
                continue
            case = case_transition(actor=staff, case=case, action="feedback", data={"note": "问题已处理，请评价"},
                                   now=later(10))
            if step < 0.6:
                continue
            rater = case.reporter_user or staff
            score = rng.choices([5, 4, 3, 2, 1], weights=[50, 25, 10, 10, 5])[0]
            case = case_transition(actor=rater, case=case, action="rate", data={"score": score}, now=later(30))
            if case.state == c.State.RATED and step > 0.8:
                case_transition(actor=staff, case=case, action="archive", now=later(30))
        except Exception as e:  # a demo case stuck on a deadline or role is fine; say so
            ctx.stdout(f"  cases: case {case.number} stopped at {case.state}: {e}")
    start, end = window(61)
    rows = rollup_build(start=start, end=end)
    ctx.stdout(f"  cases: {len(cats)} categories, {len(BODIES)} bodies, {n} cases, {rows} rollup rows")


def _age(step: float, rng) -> float:
    """Days since a demo case was reported. A case that stops in an open step (step < 0.5, except the rejected
    ones) is recent, so most are within their deadline; about one in seven has been waiting too long."""
    if step < 0.5 and not 0.1 <= step < 0.15:
        return rng.uniform(0, 0.6) if rng.random() < 0.85 else rng.uniform(3, 20)
    return rng.uniform(1, 60)


def body_member_or_assignee(case, user) -> bool:
    return is_handler(case, user)


def build_responsibilities(*, ctx) -> None:
    """Demo step "cases.responsibilities" (order 41): each body's responsibility list (职责清单) — the categories
    routed to it by default or by a routing rule, with their sub-categories. Idempotent."""
    for body in HandlingBody.objects.filter(active=True):
        cats = set(Category.objects.filter(default_body=body)) | {r.category for r in body.routes.select_related(
            "category")}
        cats |= set(Category.objects.filter(parent__in=cats))
        if cats and not body.categories.exists():
            body.categories.set(cats)
