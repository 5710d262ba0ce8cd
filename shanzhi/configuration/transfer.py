"""A street's configuration as one JSON file: its handling bodies (with the district's bodies it routes to),
its routing rules, its 议事规则, its 阳光五务 publishing calendar and its 志愿积分规则. Exported from one street, it applies to another: `plan()` lists every
difference first (the dry run), `apply()` writes them through the owning apps' services in one transaction.

Region codes in the file are relative to the street ("" = the street itself, "001" = its community 001); codes
shorter than the street (the district's) stay as they are. Categories are the district's shared tree: the file
names them by code and a file naming a category this installation lacks is refused whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.cases.models import Category, HandlingBody, RoutingRule
from shanzhi.cases.services import handling_body_create, handling_body_update, routing_rule_set
from shanzhi.consultation.models import ConsultationRule
from shanzhi.consultation.services import RULE_FIELDS, street_rule_set
from shanzhi.core.errors import ServiceError
from shanzhi.core.scoping import prefix_q
from shanzhi.disclosure.models import Category as DisclosureCategory
from shanzhi.disclosure.models import PublishingSchedule
from shanzhi.disclosure.services import schedule_set
from shanzhi.regions.models import Region
from shanzhi.volunteering.models import PointRule
from shanzhi.volunteering.services import point_rule_set

FORMAT = "shanzhi.street-config"
VERSION = 1
MAX_BYTES = 2 * 1024 * 1024


def _rel(code: str, street: str) -> str:
    return "=" + code[len(street):] if code.startswith(street) else code


def _abs(code: str, street: str) -> str:
    return street + code[1:] if code.startswith("=") else code


def _body_name(name: str, source_name: str, target_name: str) -> str:
    return name.replace(source_name, target_name) if source_name and source_name in name else name


def export_street(street: Region) -> dict:
    """The street's configuration as plain data (a dict ready for json.dumps)."""
    routes = list(RoutingRule.objects.filter(prefix_q("region_prefix", [street.code]))
                  .select_related("category", "body").order_by("category__code", "region_prefix"))
    bodies = {b.pk: b for b in HandlingBody.objects.filter(prefix_q("region_code", [street.code]))}
    bodies.update({r.body.pk: r.body for r in routes})
    rules = ConsultationRule.objects.filter(region_code=street.code, retired=False).order_by("matter_type")
    return {
        "format": FORMAT, "version": VERSION, "street": {"code": street.code, "name": street.name},
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "bodies": [{"name": b.name, "kind": b.kind, "region": _rel(b.region_code, street.code), "contact": b.contact,
                    "active": b.active} for b in sorted(bodies.values(), key=lambda b: b.name)],
        "routes": [{"category": r.category.code, "region": _rel(r.region_prefix, street.code), "body": r.body.name}
                   for r in routes],
        "consultation_rules": [{"matter_type": r.matter_type, **{f: _jsonable(getattr(r, f)) for f in RULE_FIELDS}}
                               for r in rules],
        "publishing_schedule": [{"category": p.category, "every_months": p.every_months, "due_day": p.due_day}
                                for p in PublishingSchedule.objects.filter(region_code=street.code)],
        "volunteer_points": [{"points_per_hour": p.points_per_hour}
                             for p in PointRule.objects.filter(region_code=street.code)],
    }


def _jsonable(v):
    return str(v) if v is not None and not isinstance(v, bool | int | float | str | list | dict) else v


def dumps(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def parse(raw: bytes) -> dict:
    """The file as data, or a ServiceError saying in Chinese what is wrong with it."""
    if len(raw) > MAX_BYTES:
        raise ServiceError(_("配置文件过大（上限 2 MB）"), field="file")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ServiceError(_("无法读取配置文件：不是 UTF-8 编码的 JSON 文件"), field="file") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ServiceError(_("这不是善治的街道配置文件"), field="file")
    if data.get("version") != VERSION:
        raise ServiceError(_("配置文件版本 %(v)s 与本系统（版本 %(mine)s）不符，请用本系统重新导出") % {
            "v": data.get("version"), "mine": VERSION}, field="file")
    for key in ("bodies", "routes", "consultation_rules", "publishing_schedule", "volunteer_points"):
        if not isinstance(data.get(key, []), list) or not all(isinstance(x, dict) for x in data.get(key, [])):
            raise ServiceError(_("配置文件的“%(k)s”部分格式不对") % {"k": key}, field="file")
    return data


@dataclass(frozen=True)
class Change:
    kind: str  # body | route | rule
    op: str  # add | change | same
    label: str
    before: str = ""
    after: str = ""


def _target_bodies(data, street: Region) -> list[dict]:
    source = data.get("street", {}).get("name", "")
    out = []
    for b in data.get("bodies", []):
        region = _abs(str(b.get("region", "")), street.code)
        name = _body_name(str(b.get("name", "")), source, street.name) if region.startswith(street.code) else b["name"]
        out.append({**b, "name": name, "region_code": region, "source_name": b.get("name", "")})
    return out


def _check_refs(data, street: Region, bodies: list[dict]) -> dict[str, Category]:
    codes = {str(r.get("category", "")) for r in data.get("routes", [])}
    cats = {c.code: c for c in Category.objects.filter(code__in=codes)}
    unknown = sorted(codes - set(cats))
    if unknown:
        raise ServiceError(_("配置文件含本系统没有的民情类别：%(c)s。请先在“民情类别”中建立，或从文件中删去") % {
            "c": "、".join(unknown)}, field="file")
    regions = {b["region_code"] for b in bodies} | {_abs(str(r.get("region", "")), street.code)
                                                     for r in data.get("routes", [])}
    known = set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    if regions - known:
        raise ServiceError(_("配置文件中的区域在本街道不存在：%(c)s") % {"c": "、".join(sorted(regions - known))},
                           field="file")
    return cats


def _plan_bodies(bodies: list[dict]) -> list[Change]:
    existing = {b.name: b for b in HandlingBody.objects.filter(name__in=[b["name"] for b in bodies])}
    changes = []
    for b in bodies:
        cur = existing.get(b["name"])
        desc = f"{b['kind']} · {b['region_code']}"
        if cur is None:
            changes.append(Change("body", "add", b["name"], after=desc))
        else:
            was = f"{cur.kind} · {cur.region_code}"
            changes.append(Change("body", "same" if was == desc else "change", b["name"], was, desc))
    return changes


def _plan_routes(data: dict, street: Region, bodies: list[dict]) -> list[Change]:
    names = {b["source_name"]: b["name"] for b in bodies}
    current = {(r.category.code, r.region_prefix): r.body.name for r in RoutingRule.objects.filter(
        prefix_q("region_prefix", [street.code])).select_related("category", "body")}
    changes = []
    for r in data.get("routes", []):
        key = (r.get("category"), _abs(str(r.get("region", "")), street.code))
        body = names.get(r.get("body"), r.get("body"))
        was = current.get(key, "")
        changes.append(Change("route", "add" if not was else "same" if was == body else "change",
                              f"{key[0]} @ {key[1]}", was, body))
    return changes


def _plan_rules(data: dict, street: Region) -> list[Change]:
    rules = {r.matter_type: r for r in ConsultationRule.objects.filter(region_code=street.code, retired=False)}
    changes = []
    for spec in data.get("consultation_rules", []):
        cur = rules.get(spec.get("matter_type"))
        if cur is None:
            after = "；".join(f"{k}={spec.get(k)}" for k in RULE_FIELDS if k in spec)
            changes.append(Change("rule", "add", str(spec.get("name") or spec.get("matter_type")), after=after))
            continue
        diff = [k for k in RULE_FIELDS if k in spec and str(_jsonable(getattr(cur, k))) != str(spec[k])]
        changes.append(Change("rule", "change" if diff else "same", cur.name,
                              "；".join(f"{k}={_jsonable(getattr(cur, k))}" for k in diff),
                              "；".join(f"{k}={spec[k]}" for k in diff)))
    return changes


def _plan_schedule(data: dict, street: Region) -> list[Change]:
    current = {p.category: (p.every_months, p.due_day)
               for p in PublishingSchedule.objects.filter(region_code=street.code)}
    changes = []
    for spec in data.get("publishing_schedule", []):
        if spec.get("category") not in DisclosureCategory.values:
            raise ServiceError(_("配置文件含未知的公开类别：%(c)s") % {"c": spec.get("category")}, field="file")
        after = f"{spec.get('every_months')} / {spec.get('due_day', 10)}"
        was = current.get(spec["category"])
        label = str(DisclosureCategory(spec["category"]).label)
        if was is None:
            changes.append(Change("schedule", "add", label, after=after))
        else:
            before = f"{was[0]} / {was[1]}"
            changes.append(Change("schedule", "same" if before == after else "change", label, before, after))
    return changes


def _plan_points(data: dict, street: Region) -> list[Change]:
    cur = PointRule.objects.filter(region_code=street.code).first()
    changes = []
    for spec in data.get("volunteer_points", [])[:1]:
        after, before = str(spec.get("points_per_hour")), str(cur.points_per_hour) if cur else ""
        changes.append(Change("points", "add" if cur is None else "same" if before == after else "change",
                              _("志愿积分规则（每小时积分）"), before, after))
    return changes


def plan(data: dict, street: Region) -> list[Change]:
    """Every difference between the file and the street as it is (the dry run); ServiceError if it can't apply."""
    bodies = _target_bodies(data, street)
    _check_refs(data, street, bodies)
    return (_plan_bodies(bodies) + _plan_routes(data, street, bodies) + _plan_rules(data, street)
            + _plan_schedule(data, street) + _plan_points(data, street))


def _apply_bodies(actor, bodies: list[dict]) -> dict[str, HandlingBody]:
    out = {}
    for b in bodies:
        cur = HandlingBody.objects.filter(name=b["name"]).first()
        fields = {"kind": b.get("kind", ""), "region_code": b["region_code"], "contact": b.get("contact", ""),
                  "active": bool(b.get("active", True))}
        if cur is None:
            out[b["source_name"]] = handling_body_create(actor=actor, name=b["name"], **fields)
        elif any(getattr(cur, k) != v for k, v in fields.items()):
            out[b["source_name"]] = handling_body_update(actor=actor, body=cur, **fields)
        else:
            out[b["source_name"]] = cur
    return out


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("配置文件的公开日历含无效的数字：%(v)s") % {"v": value}, field="file") from None


def _rule_fields(spec: dict) -> dict:
    return {k: spec[k] for k in RULE_FIELDS if k in spec}


def apply(*, actor, data: dict, street: Region) -> list[Change]:
    """Write the file's configuration to `street`, all or nothing; returns the plan it carried out."""
    try:
        with transaction.atomic():
            changes = plan(data, street)
            bodies = _target_bodies(data, street)
            cats = _check_refs(data, street, bodies)
            by_name = _apply_bodies(actor, bodies)
            for r in data.get("routes", []):
                body = by_name.get(r.get("body")) or HandlingBody.objects.filter(name=r.get("body")).first()
                if body is None:
                    raise ServiceError(_("派遣规则引用的承办单位“%(b)s”不在文件中") % {"b": r.get("body")}, field="file")
                routing_rule_set(actor=actor, category=cats[r["category"]],
                                 region_prefix=_abs(str(r.get("region", "")), street.code), body=body)
            for spec in data.get("consultation_rules", []):
                street_rule_set(actor=actor, street_code=street.code, matter_type=str(spec.get("matter_type", "")),
                                **_rule_fields(spec))
            for spec in data.get("publishing_schedule", []):
                schedule_set(actor=actor, region_code=street.code, category=spec["category"],
                             every_months=_int(spec.get("every_months")), due_day=_int(spec.get("due_day", 10)))
            for spec in data.get("volunteer_points", [])[:1]:
                point_rule_set(actor=actor, region_code=street.code, points_per_hour=_int(spec.get("points_per_hour")))
            audit_log(actor=actor, action="configuration.apply", object_repr=street.code, region_code=street.code,
                      after={"from": data.get("street", {}).get("code", ""),
                             "changes": sum(1 for c in changes if c.op != "same")})
    except ServiceError as e:
        audit_log(actor=actor, action="configuration.apply_refused", object_repr=street.code,
                  region_code=street.code, reason=e.user_message[:200])
        raise
    return changes
