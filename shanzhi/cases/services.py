"""Every write to cases: create, transitions, rating, merge, re-categorise, deadline checks, patrols.

All transitions go through `case_transition`, which runs the workflow table (permission, guard,
conditional update, history, audit) and, in that same transaction, the side effects (assignments,
deadline of the next step, rating rows, inbox messages; channels deliver after commit).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import math
import secrets
from functools import reduce
from operator import or_

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.pii import decrypt, encrypt
from shanzhi.core.privacy import parse_regions
from shanzhi.core.roles import Role
from shanzhi.core.writes import clean_or_refuse, create_audited, plain, versioned_update
from shanzhi.notifications.services import notify, notify_many
from shanzhi.regions.choices import Level as RegionLevel
from shanzhi.registry.permissions import can_act_for
from shanzhi.registry.validators import normalise_phone
from shanzhi.replies.render import render as render_template
from shanzhi.replies.selectors import template_usable

from . import choices as c
from .caches import USER_FIELDS, grants_around, region_level
from .deadlines import HOLIDAYS, RULES, deadline_for, step_days
from .models import (
    Case,
    CaseAssignment,
    CaseFollower,
    CaseHistory,
    CasePhoto,
    CaseRating,
    Category,
    DeadlineRule,
    HandlingBody,
    HandlingBodyMember,
    HolidayOverride,
    Open311Key,
    RoutingRule,
    Supervision,
)
from .permissions import (
    CONFIG_AREA,
    PHOTO_REVIEW,
    RECATEGORISE,
    STAFF_CHANNEL,
    body_responsible,
    can_edit_defaults,
    require_body_covers,
    route_allowed,
)
from .photos import clean_photo, public_copy
from .workflow import ACCEPT_ROLES, WORKFLOW

REPEAT_WINDOW = dt.timedelta(days=30)
STAFF_CHANNELS = {c.Channel.PATROL, c.Channel.HOTLINE, c.Channel.WALK_IN, c.Channel.IMPORT}
# staff record a report someone else made: the staff member is not the case's reporter (no feedback, no rating)
ON_BEHALF_CHANNELS = (c.Channel.HOTLINE, c.Channel.WALK_IN, c.Channel.IMPORT)


# --- a batch of transitions (bulk work, cases.bulk) -------------------------------------------------------
# Within `batch()`, what every item of a bulk action reads the same — the chosen response template at one
# region, the members of the chosen body — is read once, and the inbox messages of the items are collected and
# stored together when the caller flushes them (`batch_messages`, `batch_flush`). Each item still runs its own
# transition: its permission check, guard, conditional update, history and audit row.

_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cases_batch", default=None)


@contextlib.contextmanager
def batch():
    token = _batch.set({"messages": []})
    try:
        yield
    finally:
        _batch.reset(token)


def _shared(key: tuple, load):
    memo = _batch.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def batch_messages() -> list[dict]:
    """The inbox messages collected so far in this batch (a caller drops those of an item that failed)."""
    memo = _batch.get()
    return memo["messages"] if memo is not None else []


def batch_flush() -> int:
    """Store the collected messages (notifications.notify_many) and start a new collection."""
    memo = _batch.get()
    if not memo or not memo["messages"]:
        return 0
    messages, memo["messages"] = memo["messages"], []
    return notify_many(messages)


def _notify(**message) -> None:
    memo = _batch.get()
    if memo is None:
        notify(**message)
    else:
        memo["messages"].append(message)


# --- helpers ------------------------------------------------------------------------------------------

def route_body(category: Category, region_code: str) -> HandlingBody | None:
    """Routing: the rule with the longest region prefix for this category, else the category's default."""
    rules = [r for r in RoutingRule.objects.filter(category=category).select_related("body")
             if region_code.startswith(r.region_prefix) and r.body.active]
    if rules:
        return max(rules, key=lambda r: len(r.region_prefix)).body
    return category.default_body


def staff_at(region_code: str, roles, *, levels=(15, 12)) -> list:
    """Users holding one of `roles` on the case's grid or community (not the whole street/district)."""
    codes = {region_code[:n] for n in levels if n <= len(region_code)}
    found: dict = {}
    for user, role, code in grants_around(region_code):
        if role in roles and code in codes:
            found.setdefault(user.pk, user)
    return list(found.values())


def managers_at(region_code: str, level: int) -> list:
    role, n = (Role.STREET_MANAGER, 9) if level == c.Level.STREET else (Role.DISTRICT_MANAGER, 6)
    return staff_at(region_code, [role], levels=(n,))


def body_members(body_ids) -> list:
    return list(get_user_model().objects.filter(bodies__in=body_ids, is_active=True).only(*USER_FIELDS).distinct())


def reporters(case: Case) -> list:
    users = [case.reporter_user] if case.reporter_user_id else []
    return users + [f.user for f in case.followers.select_related("user")]


def case_url(case: Case) -> str:
    return reverse("cases:detail", args=[case.pk])


def resident_url(case: Case) -> str:
    return reverse("cases:my_detail", args=[case.pk])


def _deadline_updates(case: Case, step: str, start: dt.datetime, handler_type: str = "") -> dict:
    d = deadline_for(start, step_days(case.category, step, handler_type))
    return {"step": step, "step_started_at": start, "yellow_at": d.yellow_at, "due_at": d.due_at,
            "due_estimated": d.estimated, "alert_level": 0}


NO_DEADLINE = {"step": "", "step_started_at": None, "yellow_at": None, "due_at": None, "alert_level": 0}


def _history(actor, *, public=True, at=None, template=None):
    def write(case, t, before, data):
        note = str(data.get("reason") or data.get("note") or "")
        return CaseHistory.objects.create(
            case=case, action=t.action, label=str(t.label), from_state=before, to_state=t.target, actor=actor
            if actor and actor.is_authenticated else None, actor_name=str(data.get("_actor_name") or actor or
                                                                           _("系统")), note=note, public=public,
            at=at or timezone.now(), template=template)

    return write


def _save_photos(case, photos, *, actor, strip_location, history=None) -> None:
    for upload in photos or []:
        f, stripped = clean_photo(upload, strip_location=strip_location)
        CasePhoto.objects.create(case=case, history=history, image=f, location_stripped=stripped,
                                 uploaded_by=actor if actor and actor.is_authenticated else None)


def photo_review(*, actor, photo: CasePhoto, regions, version: int | None = None) -> CasePhoto:
    """A reviewer's blurring of a case photo (`core.privacy.parse_regions` checks the regions): the blurred,
    EXIF-free copy replaces the photo's public copy, the regions are kept so the review can be redone, and the
    audit log says who blurred which regions. The original is never changed. Only staff who may change the
    case; a stale `version` (someone reviewed it meanwhile) is a conflict."""
    require(actor, PHOTO_REVIEW.action, photo.case)
    regions = parse_regions(regions)
    with transaction.atomic():
        current = CasePhoto.objects.select_for_update().select_related("case").get(pk=photo.pk)
        if version is not None and current.version != version:
            raise ConflictError()
        data = public_copy(current, regions)
        old = current.public_image.name
        current.public_image.save("photo.jpg", ContentFile(data), save=False)
        current.regions = [list(r) for r in regions]
        current.reviewed_by, current.reviewed_at = actor, timezone.now()
        current.version += 1
        current.save(update_fields=["public_image", "regions", "reviewed_by", "reviewed_at", "version"])
        if old and old != current.public_image.name:
            storage = current.public_image.storage
            transaction.on_commit(lambda: storage.delete(old))
        audit_log(actor=actor, action="case.photo_review", obj=current, region_code=current.case.region_code,
                  before={"regions": photo.regions}, after={"case": current.case_id, "regions": current.regions})
    return current


def _check_grid(region_code: str) -> None:
    if region_level(region_code) not in (RegionLevel.GRID, RegionLevel.MICRO_GRID):
        raise ServiceError(_("请选择所在网格"), field="region_code")


def extra_problems(category: Category, extra: dict) -> tuple[dict, list[tuple[str, str]]]:
    """The category's extra fields checked against `extra`: (clean values, [(field code, Chinese message)]).
    A multivaluelist field keeps a list of keys; every other field one string."""
    out, problems = {}, []
    for f in category.extra_fields or []:
        raw = extra.get(f["code"])
        values = [str(v).strip() for v in (raw if isinstance(raw, list | tuple) else [raw]) if v is not None]
        values = [v for v in values if v]
        if not values:
            if f.get("required"):
                problems.append((f["code"], _("请填写“%(label)s”") % {"label": f["label"]}))
            continue
        problem = _extra_problem(f, values)
        if problem:
            problems.append((f["code"], problem % {"label": f["label"]}))
        else:
            out[f["code"]] = values if f.get("type") == "multivaluelist" else values[0]
    return out, problems


def _extra_problem(f: dict, values: list[str]) -> str:
    """What is wrong with the values given for one extra field ("" when nothing); %(label)s is left to fill."""
    kind = f.get("type")
    if len(values) > 1 and kind != "multivaluelist":
        return _("“%(label)s”只能填写一个值")
    if kind == "number" and not _is_number(values[0]):
        return _("“%(label)s”应为数字")
    if kind == "datetime" and not _is_datetime(values[0]):
        return _("“%(label)s”应为日期时间，如 2026-11-21T09:30:00+08:00")
    if f.get("values") and any(v not in [str(x["key"]) for x in f["values"]] for v in values):
        return _("“%(label)s”的取值无效")
    return ""


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    try:
        return bool(parse_datetime(value) or parse_date(value))
    except ValueError:
        return False


def _validate_extra(category: Category, extra: dict) -> dict:
    out, problems = extra_problems(category, extra)
    if problems:
        code, message = problems[0]
        raise ServiceError(message, field=code)
    return out


REPEAT_RADIUS_M = 50  # two reports in one grid this close together are about the same place


def _is_repeat(*, category, region_code, channel, dwelling_id=None, address="", lat=None, lng=None,
               reporter_user_id=None, reporter_person_id=None, now) -> bool:
    """A repeat complaint (30日内重复投诉): the same problem — same category — reported within the previous
    30 days from the same place (same dwelling, same address, or within 50 m in the same grid) or by the same
    person (the resident's person record, or their account when they filed it themselves). A building holds
    many homes and a grid worker files for many people, so neither alone makes two reports the same."""

    same = []
    if dwelling_id:
        same.append(Q(dwelling_id=dwelling_id))
    if address.strip():
        same.append(Q(address=address.strip()))
    if lat is not None and lng is not None:
        dlat = REPEAT_RADIUS_M / 111_320
        dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
        same.append(Q(region_code=region_code, lat__range=(lat - dlat, lat + dlat),
                      lng__range=(lng - dlng, lng + dlng)))
    if reporter_person_id:
        same.append(Q(reporter_person_id=reporter_person_id))
    if reporter_user_id and channel not in STAFF_CHANNELS:
        same.append(Q(reporter_user_id=reporter_user_id))
    if not same:
        return False
    return Case.objects.filter(reduce(or_, same), category=category, created_at__gte=now - REPEAT_WINDOW,
                               created_at__lt=now).exists()


# --- create -----------------------------------------------------------------------------------------------

def _check_import_keys(channel: str, external_ref: str, import_fingerprint: str) -> None:
    if external_ref and Case.objects.filter(channel=channel, external_ref=external_ref).exists():
        raise ServiceError(_("外部编号 %(r)s 已登记过") % {"r": external_ref}, field="external_ref")
    if import_fingerprint and Case.objects.filter(import_fingerprint=import_fingerprint).exists():
        raise ServiceError(_("相同内容的民情已导入过"), field="import_fingerprint")


def _place(building, dwelling, region_code: str):
    """The building (a dwelling's, when only that is given) and the grid (the building's, when none given)."""
    if dwelling is not None:
        building = building or dwelling.building
    if building is not None and not region_code:
        region_code = building.region_code
    _check_grid(region_code)
    return building, region_code


def _check_channel(actor, category: Category, channel: str, region_code: str) -> None:
    """Staff channels need a staff role at the grid; residents only use public, active categories."""
    if channel in STAFF_CHANNELS:
        require(actor, STAFF_CHANNEL.action, region_code)
    elif not category.is_public:
        raise ServiceError(_("该类别不接受居民直接上报"), field="category")
    if not category.active:
        raise ServiceError(_("该类别已停用"), field="category")


def _check_point(lat, lng) -> None:
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):
        raise ServiceError(_("位置坐标无效"), field="lat")


def _reporter(user, channel: str, anonymous: bool, reporter_name: str, reporter_person) -> dict:
    """Who reported: the signed-in resident (unless anonymous or staff filing on someone's behalf)."""
    if user is not None and reporter_person is None and channel in (c.Channel.RESIDENT,):
        reporter_person = getattr(user, "person", None)
    own = user is not None and not anonymous and channel not in ON_BEHALF_CHANNELS
    return {"reporter_user": user if own else None, "reporter_person": reporter_person,
            "reporter_name": reporter_name.strip() or (str(user) if own else "")}


def _report_history(case: Case, user, anonymous: bool, source_name: str) -> CaseHistory:
    return CaseHistory.objects.create(
        case=case, action="report", label=_("上报"), to_state=case.state, actor=user,
        actor_name=source_name or (str(user) if user and not anonymous else _("匿名居民")),
        note=c.Channel(case.channel).label + (f"（{case.external_ref}）" if case.external_ref else ""),
        at=case.created_at)


@transaction.atomic
def case_create(*, actor, category: Category, channel: str, title: str, description: str, region_code: str = "",
                urgency: str = c.Urgency.NORMAL, building=None, dwelling=None, lat: float | None = None,
                lng: float | None = None, address: str = "", reporter_name: str = "", reporter_phone: str = "",
                reporter_person=None, anonymous: bool = False, publish_consent: bool = False,
                extra: dict | None = None, photos=(),
                strip_location: bool = False, now: dt.datetime | None = None, source_name: str = "",
                reported_at: dt.datetime | None = None, external_ref: str = "", import_fingerprint: str = "",
                notify_staff: bool = True) -> Case:
    """File a case from any channel. Staff channels need a staff role at the grid; residents and
    anonymous reporters may only use public categories.

    `reported_at` (imports, hotline records typed in later) is when the resident reported it: the case's
    上报时间, from which repeat complaints are counted; the accept deadline still runs from `now`, when the
    case reaches the workbench. `external_ref` is the source's own number (unique per channel) and
    `import_fingerprint` the import's content key for a row without one (unique): a second create with
    either one is refused, so nothing is filed twice. A bulk import passes `notify_staff=False` and sends
    the grid's staff one message for the batch instead of one per case."""
    now = now or timezone.now()
    reported = reported_at or now
    reporter_phone = normalise_phone(reporter_phone, field_name="reporter_phone")
    if reported > now + dt.timedelta(minutes=5):
        raise ServiceError(_("反映时间不能晚于当前时间"), field="reported_at")
    external_ref = external_ref.strip()
    _check_import_keys(channel, external_ref, import_fingerprint)
    building, region_code = _place(building, dwelling, region_code)
    _check_channel(actor, category, channel, region_code)
    _check_point(lat, lng)
    user = actor if actor is not None and actor.is_authenticated else None
    case = Case(
        number=f"{timezone.localtime(now):%Y%m%d}{secrets.token_hex(3).upper()}",
        region_code=region_code, category=category, channel=channel, title=title.strip()[:100],
        description=description.strip(), urgency=urgency, extra=_validate_extra(category, extra or {}),
        building=building, dwelling=dwelling, lat=lat, lng=lng, address=address.strip(),
        **_reporter(user, channel, anonymous, reporter_name, reporter_person),
        reporter_phone_enc=encrypt(reporter_phone) if reporter_phone else "", anonymous=anonymous,
        publish_consent=publish_consent and channel not in STAFF_CHANNELS,
        tracking_code=secrets.token_hex(4).upper(), created_at=reported, external_ref=external_ref,
        import_fingerprint=import_fingerprint,
        is_repeat=_is_repeat(category=category, region_code=region_code, channel=channel,
                             dwelling_id=dwelling.pk if dwelling else None, address=address, lat=lat, lng=lng,
                             reporter_user_id=None if anonymous else getattr(user, "pk", None),
                             reporter_person_id=getattr(reporter_person, "pk", None), now=reported),
        **_deadline_updates(Case(category=category), c.Step.ACCEPT, now),
    )
    # related objects are passed as instances already; the number's uniqueness is the database's job, and the
    # import keys were checked above (their unique constraints catch two imports racing)
    clean_or_refuse(case, exclude=["category", "building", "dwelling", "reporter_user", "reporter_person", "number"])
    case.save()
    history = _report_history(case, user, anonymous, source_name)
    _save_photos(case, photos, actor=user, strip_location=strip_location, history=history)
    audit_log(actor=user, action="case.create", obj=case, after={"channel": channel, "category": category.code,
                                                                 **({"external_ref": external_ref} if external_ref
                                                                    else {})}, actor_name=source_name)
    if notify_staff:
        notify(recipients=staff_at(region_code, ACCEPT_ROLES), kind="case.new",
               title=_("新民情待受理：%(t)s") % {"t": case.title}, url=case_url(case), obj=case, actor=user)
    return case


# --- transitions -----------------------------------------------------------------------------------------

def _grid_staff(value, region_code: str):
    """The active user `value` (a pk or a user) if they hold a grid worker or leader role on a region
    containing `region_code`; else None."""
    pk = getattr(value, "pk", value)
    if not str(pk or "").isdigit():
        return None
    return next((user for user, role, _code in grants_around(region_code)
                 if user.pk == int(pk) and role in (Role.GRID_WORKER, Role.GRID_LEADER)), None)


def _body(data, key="body"):
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, HandlingBody):
        return value
    return HandlingBody.objects.filter(pk=value, active=True).first()


# --- transitions: what each action writes besides the state (PREPARE) and what follows it (AFTER) ----------
# Each PREPARE entry gets (case, actor, data, ctx) — ctx holds `now` and passes the chosen body on to AFTER —
# validates its fields, may add history notes to `data`, and returns the column updates.

def _on_time(case: Case, now) -> bool:
    return case.due_at is None or now <= case.due_at


def _prep_accept(case, actor, data, ctx):
    now = ctx["now"]
    return {"accepted_at": now, "accepted_on_time": _on_time(case, now), **_deadline_updates(case, c.Step.HANDLE, now)}


def _prep_reject(case, actor, data, ctx):
    return {"accepted_at": ctx["now"], "accepted_on_time": _on_time(case, ctx["now"]),
            "outcome": c.Outcome.NOT_OUR_RESPONSIBILITY, "outcome_note": data.get("reason", ""), "decided_by": actor,
            **NO_DEADLINE}


def _prep_assign(case, actor, data, ctx):
    assignee = _grid_staff(data.get("assignee"), case.region_code)
    if assignee is None:
        raise ServiceError(_("请选择本网格的网格员"), field="assignee")
    data["assignee"] = assignee.pk
    data["note"] = _("分派给 %(u)s") % {"u": assignee}
    return {"assignee": assignee, "lead_body": None}


def _chosen_body(case, data, ctx, note):
    body = _body(data)
    if body is None:
        raise ServiceError(_("请选择承办单位"), field="body")
    require_body_covers(body, case)
    data["body"] = body.pk
    extra = str(data.get("note") or "").strip()  # the dispatcher's own words (e.g. from a template) follow
    data["note"] = note % {"b": body} + (f"：{extra}" if extra else "")
    ctx["body"] = body
    return body


def _prep_dispatch(case, actor, data, ctx):
    body = _chosen_body(case, data, ctx, _("联动派遣至 %(b)s"))
    start = case.step_started_at or ctx["now"]
    return {"lead_body": body, **_deadline_updates(case, c.Step.HANDLE, start, body.kind)}


def _prep_assist(case, actor, data, ctx):
    _chosen_body(case, data, ctx, _("增加协办单位 %(b)s"))
    return {}


def _prep_escalate(case, actor, data, ctx):
    return {"level": case.level + 1, "assignee": None, "lead_body": None,
            **_deadline_updates(case, c.Step.HANDLE, ctx["now"])}


def _prep_unassign(case, actor, data, ctx):
    return {"assignee": None, "lead_body": None}


def _prep_complete(case, actor, data, ctx):
    if data.get("outcome") not in c.Outcome.values or data.get("outcome") == c.Outcome.DUPLICATE:
        raise ServiceError(_("请选择办结结果"), field="outcome")
    now = ctx["now"]
    return {"outcome": data["outcome"], "outcome_note": data.get("note", ""), "decided_by": actor,
            "completed_at": now, "completed_on_time": _on_time(case, now), **_deadline_updates(case, c.Step.VERIFY, now)}


def _prep_verify_fail(case, actor, data, ctx):
    return {"outcome": "", "decided_by": None, "completed_at": None, "completed_on_time": None,
            **_deadline_updates(case, c.Step.HANDLE, ctx["now"])}


def _prep_no_deadline(case, actor, data, ctx):
    return dict(NO_DEADLINE)


def _prep_rate(case, actor, data, ctx):
    try:
        score = int(data.get("score"))
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ServiceError(_("评分应为 1 到 5 分"), field="score")
    data["note"] = f"{score}分 {data.get('comment', '')}".strip()
    return {}


def _prep_merge(case, actor, data, ctx):
    original = Case.objects.restrict(actor, "merge").filter(number=str(data.get("original", "")).strip()).first()
    if original is None or original.pk == case.pk or original.duplicate_of_id:
        raise ServiceError(_("找不到可合并的原件，请检查编号"), field="original")
    data["note"] = _("与 %(n)s 重复，已合并") % {"n": original.number}
    return {"duplicate_of": original, "outcome": c.Outcome.DUPLICATE, "decided_by": actor, **NO_DEADLINE}


def _prep_reopen(case, actor, data, ctx):
    return {"reopen_count": case.reopen_count + 1, "outcome": "", "completed_at": None, "completed_on_time": None,
            **_deadline_updates(case, c.Step.HANDLE, ctx["now"])}


def _prep_forward(case, actor, data, ctx):
    """非本单位职责: the responsible body must be named, must list the case's category among its
    responsibilities and serve the case's area; the case goes there as the new lead, with a fresh deadline."""
    if _body(data) is None:
        raise ServiceError(_("“非本单位职责”须写明负责单位"), field="body")
    body = _body(data)
    if body.pk == case.lead_body_id:
        raise ServiceError(_("负责单位不能是当前承办单位"), field="body")
    allowed, reason = body_responsible(body, case)
    if not allowed:
        raise ServiceError(reason, field="body")
    reason_text = str(data.get("reason") or "").strip()
    if not reason_text:
        raise ServiceError(_("请填写不属于本单位职责的原因"), field="reason")
    data["note"] = reason_text  # _chosen_body writes "转交 X：reason" as the history note
    _chosen_body(case, data, ctx, _("非本单位职责，转交 %(b)s"))
    data["reason"] = data["note"]
    return {"lead_body": body, "assignee": None, **_deadline_updates(case, c.Step.HANDLE, ctx["now"], body.kind)}


def _prep_escalate_dissatisfied(case, actor, data, ctx):
    return {**_prep_reopen(case, actor, data, ctx), "level": min(case.level + 1, c.Level.DISTRICT),
            "assignee": None, "lead_body": None}


PREPARE = {
    "accept": _prep_accept, "reject": _prep_reject, "assign": _prep_assign, "dispatch": _prep_dispatch,
    "assist": _prep_assist, "escalate": _prep_escalate, "return": _prep_unassign, "reroute": _prep_unassign,
    "complete": _prep_complete, "verify_fail": _prep_verify_fail, "verify": _prep_no_deadline, "rate": _prep_rate,
    "merge": _prep_merge, "reopen": _prep_reopen, "escalate_dissatisfied": _prep_escalate_dissatisfied,
    "archive": _prep_no_deadline, "forward": _prep_forward, "recur": _prep_reopen,
}


def template_values(case: Case) -> dict[str, str]:
    """The values of the response templates' placeholders (replies.render.PLACEHOLDERS) for one case."""
    return {"编号": case.number, "标题": case.title, "类别": case.category.name if case.category_id else "",
            "期限": timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") if case.due_at else "",
            "承办单位": case.lead_body.name if case.lead_body_id else "", "社区": case.region_code,
            "日期": timezone.localdate().isoformat()}


def _template(case: Case, actor, data: dict):
    """The response template named in `data` (checked: usable by the actor at this case), its placeholders in the
    texts filled with the case's values. A forged or foreign id is refused."""
    pk = data.pop("template", None)
    if pk in (None, ""):
        return None
    template = _shared(("template", getattr(actor, "pk", None), str(pk), case.region_code),
                       lambda: template_usable(actor=actor, pk=pk, region_code=case.region_code))
    if template is None:
        raise ServiceError(_("所选答复模板不可用"), field="template")
    for key in ("note", "reason"):
        if data.get(key):
            data[key] = render_template(str(data[key]), template_values(case))
    return template


def _normalise(action: str, data: dict) -> str:
    """A 'not our responsibility' closure is a forward to the responsible body (it may not simply close)."""
    if action == "complete" and data.get("outcome") == c.Outcome.NOT_OUR_RESPONSIBILITY:
        data["reason"] = data.get("reason") or data.get("note") or ""
        return "forward"
    return action


def case_transition(*, actor, case: Case, action: str, data: dict | None = None, photos=(),
                    now: dt.datetime | None = None) -> Case:
    """Run one workflow action on a case, with its side effects. Raises ServiceError/NotAllowed/ConflictError."""
    ctx = {"now": now or timezone.now(), "body": None}
    data = dict(data or {})
    action = _normalise(action, data)
    template = _template(case, actor, data)
    prepare = PREPARE.get(action)
    updates = prepare(case, actor, data, ctx) if prepare else {}
    write_history = _history(actor, public=action not in ("assist",), at=ctx["now"], template=template)

    def history_and_effects(current, t, before, data):
        """Runs inside the workflow's transaction, right after the conditional update."""
        entry = write_history(current, t, before, data)
        if photos:
            _save_photos(current, photos, actor=actor, strip_location=False, history=entry)
        _after(current, action, actor=actor, data=data, ctx=ctx)
        return entry

    case = WORKFLOW.apply(obj=case, actor=actor, action=action, data=data, extra_updates=updates,
                          history=history_and_effects)
    if action == "rate":
        case.refresh_from_db()  # a dissatisfied rating has moved it on
    return case


# Each AFTER entry gets (case, actor, user, data, ctx), writes its rows and returns (recipients, title) to notify.

def _after_dispatch(case, actor, user, data, ctx):
    CaseAssignment.objects.filter(case=case, active=True).update(active=False)
    return _after_assist(case, actor, user, data, ctx, role=c.AssignmentRole.LEAD)


def _after_assist(case, actor, user, data, ctx, role=c.AssignmentRole.ASSIST):
    body = ctx["body"]
    CaseAssignment.objects.create(case=case, body=body, assigned_by=user, role=role)
    return _shared(("members", body.pk), lambda: body_members([body.pk])), _("新派遣民情：%(t)s") % {"t": case.title}


UNASSIGNED_TITLES = {"escalate": _l("越级上报：%(t)s"), "return": _l("民情被退回：%(t)s"),
                     "reroute": _l("民情调整类别，待重新派遣：%(t)s"),
                     "escalate_dissatisfied": _l("居民再次不满意，越级办理：%(t)s")}


def _after_unassigned(action):
    def run(case, actor, user, data, ctx):
        CaseAssignment.objects.filter(case=case, active=True).update(active=False)
        if case.level >= c.Level.STREET:
            recipients = managers_at(case.region_code, case.level)
        else:
            recipients = staff_at(case.region_code, ACCEPT_ROLES)
        return recipients, str(UNASSIGNED_TITLES[action]) % {"t": case.title}
    return run


def _after_assign(case, actor, user, data, ctx):
    return [case.assignee], _("分派给您的民情：%(t)s") % {"t": case.title}


def _after_complete(case, actor, user, data, ctx):
    return staff_at(case.region_code, [Role.GRID_LEADER]), _("民情已办结，请核查：%(t)s") % {"t": case.title}


def _after_feedback(case, actor, user, data, ctx):
    notify(recipients=reporters(case), kind="case.feedback", title=_("您反映的问题有了答复，请评价：%(t)s") % {
        "t": case.title}, body=data.get("note", ""), url=resident_url(case), obj=case, actor=user)
    return [], ""


def _after_rate(case, actor, user, data, ctx):
    score = int(data["score"])
    CaseRating.objects.create(case=case, score=score, comment=str(data.get("comment", ""))[:500], rated_by=user,
                              rated_at=ctx["now"])
    if score <= 2:
        follow = "reopen" if case.reopen_count == 0 else "escalate_dissatisfied"
        case_transition(actor=actor, case=case, action=follow, data={"_system": True, "reason": _(
            "居民不满意（%(s)s分）") % {"s": score}}, now=ctx["now"])
    return [], ""


def _handlers(case):
    return [case.assignee] if case.assignee_id else body_members(
        CaseAssignment.objects.filter(case=case, active=True).values("body_id"))


def _after_verify_fail(case, actor, user, data, ctx):
    return _handlers(case), _("核查未通过，请继续处置：%(t)s") % {"t": case.title}


def _after_merge(case, actor, user, data, ctx):
    for u in reporters(case):
        CaseFollower.objects.get_or_create(case=case.duplicate_of, user=u)
    return [], ""


def _after_reopen(case, actor, user, data, ctx):
    return _handlers(case), _("居民不满意，请重新处置：%(t)s") % {"t": case.title}


def _after_recur(case, actor, user, data, ctx):
    return _handlers(case), _("居民反映问题复发，请重新处置：%(t)s") % {"t": case.title}


def _after_forward(case, actor, user, data, ctx):
    recipients, _title = _after_dispatch(case, actor, user, data, ctx)
    return recipients, _("转交给您单位的民情（非原承办单位职责）：%(t)s") % {"t": case.title}


AFTER = {
    "dispatch": _after_dispatch, "assist": _after_assist, "assign": _after_assign, "complete": _after_complete,
    "feedback": _after_feedback, "rate": _after_rate, "verify_fail": _after_verify_fail, "merge": _after_merge,
    "reopen": _after_reopen, "recur": _after_recur, "forward": _after_forward,
    **{a: _after_unassigned(a) for a in UNASSIGNED_TITLES},
}


def _after(case: Case, action: str, *, actor, data: dict, ctx: dict) -> None:
    """Rows and inbox messages that follow a transition, in the same transaction."""
    run = AFTER.get(action)
    if run is None:
        return
    user = actor if actor is not None and actor.is_authenticated else None
    recipients, title = run(case, actor, user, data, ctx)
    if recipients and title:
        _notify(recipients=recipients, kind=f"case.{action}", title=title, url=case_url(case), obj=case, actor=user)


def case_rate(*, actor, case: Case, score: int, comment: str = "") -> Case:
    return case_transition(actor=actor, case=case, action="rate", data={"score": score, "comment": comment})


@transaction.atomic
def case_rate_on_behalf(*, actor, case: Case, person, score: int, comment: str = "") -> Case:
    """代办: a household head rates the case a member without an account reported (registry.can_act_for). The
    rating is the member's case's; `rated_by`, the history and the audit row name the head."""
    ok, reason = can_act_for(actor, person, "rate")
    if not ok:
        raise NotAllowed(reason)
    if case.reporter_person_id != person.pk:
        raise NotAllowed(_("只能评价%(name)s本人反映的事项") % {"name": person.name})
    case = case_transition(actor=actor, case=case, action="rate",
                           data={"score": score, "comment": comment, "_on_behalf_of": person,
                                 "_actor_name": _("%(head)s（代%(name)s）") % {"head": actor, "name": person.name}})
    audit_log(actor=actor, action="case.rate_on_behalf", obj=case, after={"person": person.pk, "score": score})
    return case


@transaction.atomic
def case_reporter_phone_reveal(*, actor, case: Case, reason: str) -> str:
    """The reporter's full callback phone, for staff who may handle the case and state a reason. One audit
    row, never containing the number."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError(_("请填写查看原因"), field="reason")
    case = Case.objects.restrict(actor, "change").filter(pk=case.pk).first()
    if case is None or case.anonymous:
        raise NotAllowed(_("您没有查看该联系电话的权限"))
    audit_log(actor=actor, action="case.reveal_phone", obj=case, after={"field": "reporter_phone"}, reason=reason)
    return decrypt(case.reporter_phone_enc)


@transaction.atomic
def case_recategorise(*, actor, case: Case, category: Category, reason: str) -> Case:
    """Change the category; an open case not yet being handled is re-routed to the new category's body."""
    if not reason.strip():
        raise ServiceError(_("请填写调整类别的原因"), field="reason")
    require(actor, RECATEGORISE.action, case)
    before = case.category.name
    versioned_update(case, case.version, actor=actor, action="case.recategorise", validate=False,
                     before={"category": before}, after={"category": category.name}, reason=reason,
                     category=category)
    CaseHistory.objects.create(case=case, action="recategorise", label=_("调整类别"), from_state=case.state,
                               to_state=case.state, actor=actor, actor_name=str(actor),
                               note=f"{before} → {category.name}：{reason}", at=timezone.now())
    body = route_body(category, case.region_code)
    if case.state in (c.State.DISPATCHED, c.State.HANDLING) and case.lead_body_id and body \
            and body.pk != case.lead_body_id:
        case = case_transition(actor=actor, case=case, action="reroute", data={"reason": _("调整类别后重新派遣")})
        case = case_transition(actor=actor, case=case, action="dispatch", data={"body": body.pk})
    return case


@transaction.atomic
def case_record_topic(*, actor, case: Case, topic_id: int, topic_title: str, matter_type: str) -> None:
    """The case's timeline and the audit log record that it became a consultation topic (consultation's
    case_to_topic calls this inside its own transaction, with the case row locked)."""
    CaseHistory.objects.create(case=case, action="to_topic", label=_("转为协商议题"), from_state=case.state,
                               to_state=case.state, actor=actor, actor_name=str(actor), note=topic_title,
                               at=timezone.now())
    audit_log(actor=actor, action="case.to_topic", obj=case, after={"topic": topic_id, "matter_type": matter_type})


def case_lock(*, case: Case) -> Case:
    """The case row, locked for the rest of the caller's transaction."""
    return Case.objects.select_for_update().get(pk=case.pk)


# --- deadlines ---------------------------------------------------------------------------------------------

def check_deadlines(*, now: dt.datetime | None = None) -> dict:
    """The scheduled check: a yellow card (督办 notice) at 80 % of a step's time, a red card at 100 %,
    and a red-carded case still waiting for dispatch or handling is escalated one level (越级)."""
    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "escalated": 0}
    open_cases = Case.objects.filter(state__in=c.OPEN_STATES, yellow_at__lte=now, alert_level__lt=2)
    for case in open_cases.select_related("category").iterator():
        light = case.light(now)
        level = 2 if light == c.Light.RED else 1
        if level <= case.alert_level:
            continue
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, alert_level=case.alert_level).update(alert_level=level) != 1:
                continue
            note = (_("【红牌督办】“%(s)s”环节已超时") if level == 2 else _("【黄牌预警】“%(s)s”环节时限已过 80%%")) % {
                "s": c.Step(case.step).label if case.step else ""}
            Supervision.objects.create(case=case, step=case.step, light=light, note=note)
            CaseHistory.objects.create(case=case, action="supervise", label=_("督办"), from_state=case.state,
                                       to_state=case.state, actor_name=_("系统"), note=note, public=False, at=now)
            audit_log(action="case.supervise", obj=case, after={"light": light}, actor_name="system")
            # one card of each colour per case and step (a reopened case is a new round), also after the case moved
            # up a level for being overdue (same step, new deadline)
            notify(recipients=_supervision_recipients(case, level), kind="case.supervise",
                   title=f"{note}：{case.title}", url=case_url(case), obj=case,
                   dedupe_key=f"case.supervise:{case.pk}:{case.reopen_count}:{case.step}:{level}")
            counts["red" if level == 2 else "yellow"] += 1
            if level == 2 and case.state in (c.State.ACCEPTED, c.State.DISPATCHED, c.State.HANDLING) \
                    and case.level < c.Level.DISTRICT:
                case.refresh_from_db()
                _escalate_overdue(case, now)
                counts["escalated"] += 1
    return counts


def _supervision_recipients(case: Case, level: int) -> list:
    """Who hears of a yellow or red card: the handlers (or, before dispatch, the accepting staff), and on
    red also the street's managers."""
    recipients = ([case.assignee] if case.assignee_id else []) + body_members(
        CaseAssignment.objects.filter(case=case, active=True).values("body_id"))
    if case.step == c.Step.ACCEPT or not recipients:
        recipients += staff_at(case.region_code, ACCEPT_ROLES)
    if level == 2:
        recipients += managers_at(case.region_code, c.Level.STREET)
    return recipients


def _escalate_overdue(case: Case, now) -> None:
    updates = {"level": case.level + 1, **_deadline_updates(case, c.Step.HANDLE, now), "alert_level": 0}
    note = _("超时未办结，自动越级至%(l)s") % {"l": c.Level(case.level + 1).label}
    try:
        versioned_update(case, case.version, actor=None, action="case.escalate", validate=False, before={},
                         after={"level": updates["level"]}, reason=note, actor_name="system", **updates)
    except ConflictError:
        return  # someone acted on the case meanwhile; the next check sees it afresh
    CaseHistory.objects.create(case=case, action="escalate", label=_("越级"), from_state=case.state,
                               to_state=case.state, actor_name=_("系统"), note=note, public=False, at=now)
    notify(recipients=managers_at(case.region_code, case.level), kind="case.escalate",
           title=f"{note}：{case.title}", url=case_url(case), obj=case)


# --- Open311 keys --------------------------------------------------------------------------------------------

def open311_key_create(*, name: str) -> tuple[Open311Key, str]:
    if not name.strip():
        raise ServiceError(_("请填写名称"), field="name")
    key = secrets.token_urlsafe(24)
    obj = Open311Key.objects.create(name=name.strip(), key_hash=hashlib.sha256(key.encode()).hexdigest())
    audit_log(action="open311.key_create", obj=obj, actor_name="cli")
    return obj, key


def open311_key_check(key: str) -> Open311Key | None:
    if not key:
        return None
    return Open311Key.objects.filter(key_hash=hashlib.sha256(key.encode()).hexdigest(), active=True).first()



# --- configuration (系统配置): categories, handling bodies, members, routing rules -------------------------
CATEGORY_FIELDS = ["name", "parent", "description", "handler_type", "default_body", "accept_days", "handle_days",
                   "verify_days", "is_public", "extra_fields", "keywords", "active"]
BODY_FIELDS = ["name", "kind", "region_code", "contact", "active"]


def _require_defaults(actor) -> None:
    if actor is None:  # the setup command and the demo act as the installation itself
        return
    allowed, reason = can_edit_defaults(actor)
    if not allowed:
        raise NotAllowed(reason)


def _require_area(actor, code: str) -> None:
    if actor is not None:
        require(actor, CONFIG_AREA.action, code)


def _check_extra_fields(extra_fields) -> None:
    if not isinstance(extra_fields, list) or not all(isinstance(f, dict) and f.get("code") for f in extra_fields):
        raise ServiceError(_("附加字段应为列表，每项至少有 code"), field="extra_fields")


@transaction.atomic
def category_create(*, actor, code: str, name: str, **fields) -> Category:
    """A category of the district's tree (its deadlines per step, extra fields, public or not)."""
    _require_defaults(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    _check_extra_fields(fields.get("extra_fields", []))
    return create_audited(Category, actor=actor, action="cases.category_create", code=code.strip(),
                          name=name.strip(), duplicate_message=_("类别编码“%(c)s”已存在") % {"c": code},
                          duplicate_field="code", **fields)


@transaction.atomic
def category_update(*, actor, category: Category, version: int | None = None, **fields) -> Category:
    _require_defaults(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    if "extra_fields" in fields:
        _check_extra_fields(fields["extra_fields"])
    parent = fields.get("parent")
    while parent is not None:  # the tree stays a tree
        if parent.pk == category.pk:
            raise ServiceError(_("上级类别不能是它自己或它的下级"), field="parent")
        parent = parent.parent
    return versioned_update(category, version, actor=actor, action="cases.category_update", **fields)


@transaction.atomic
def handling_body_create(*, actor, name: str, kind: str, region_code: str, contact: str = "",
                         active: bool = True) -> HandlingBody:
    """A handling body serving `region_code` (a street section, a district department, a utility …)."""
    _require_area(actor, region_code)
    return create_audited(HandlingBody, actor=actor, action="cases.body_create", name=name.strip(), kind=kind,
                          region_code=region_code, contact=contact, active=active,
                          duplicate_message=_("承办单位“%(n)s”已存在") % {"n": name}, duplicate_field="name")


@transaction.atomic
def handling_body_update(*, actor, body: HandlingBody, version: int | None = None, **fields) -> HandlingBody:
    unknown = set(fields) - set(BODY_FIELDS)
    if unknown:
        raise ServiceError(_("未知字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    _require_area(actor, body.region_code)
    if "region_code" in fields:
        _require_area(actor, fields["region_code"])
    return versioned_update(body, version, actor=actor, action="cases.body_update",
                            duplicate_message=_("承办单位名称已存在"), duplicate_field="name", **fields)


@transaction.atomic
def handling_body_set_categories(*, actor, body: HandlingBody, categories) -> HandlingBody:
    """The body's responsibility list (职责清单): the categories it answers for. A 'not our responsibility'
    closure can forward a case only to a body whose list names its category (or a parent)."""
    _require_area(actor, body.region_code)
    before = sorted(body.categories.values_list("code", flat=True))
    body.categories.set(categories)
    after = sorted(body.categories.values_list("code", flat=True))
    if before != after:
        audit_log(actor=actor, action="cases.body_categories", obj=body, before={"categories": before},
                  after={"categories": after})
    return body


@transaction.atomic
def body_member_add(*, actor, body: HandlingBody, user) -> HandlingBodyMember:
    """A user answers for the body (they hold the handling_body_staff role on its area; accounts grants it)."""
    _require_area(actor, body.region_code)
    member, created = HandlingBodyMember.objects.get_or_create(body=body, user=user)
    if created:
        audit_log(actor=actor, action="cases.body_member_add", obj=body, before={"members": None},
                  after={"member": user.pk})
    return member


@transaction.atomic
def body_member_remove(*, actor, body: HandlingBody, user) -> None:
    _require_area(actor, body.region_code)
    n, _x = HandlingBodyMember.objects.filter(body=body, user=user).delete()
    if n:
        audit_log(actor=actor, action="cases.body_member_remove", obj=body, before={"member": user.pk},
                  after={"member": None})


@transaction.atomic
def routing_rule_set(*, actor, category: Category, region_prefix: str, body: HandlingBody) -> RoutingRule:
    """Category × area → body; an existing rule for the same category and area is replaced (before/after
    audited). A street may route only inside its own area, and only to a body that covers it."""
    region_prefix = (region_prefix or "").strip()
    if not region_prefix:
        raise ServiceError(_("请选择区域"), field="region_prefix")
    _require_area(actor, region_prefix)
    allowed, reason = route_allowed(body, region_prefix)
    if not allowed:
        raise ServiceError(reason, field="body")
    rule = RoutingRule.objects.select_for_update().filter(category=category, region_prefix=region_prefix).first()
    if rule is None:
        return create_audited(RoutingRule, actor=actor, action="cases.route_create", category=category,
                              region_prefix=region_prefix, body=body)
    before = plain({"body": rule.body_id})
    rule.body = body
    rule.save(update_fields=["body"])
    audit_log(actor=actor, action="cases.route_update", obj=rule, region_code=region_prefix, before=before,
              after={"body": body.pk})
    return rule


@transaction.atomic
def routing_rule_delete(*, actor, rule: RoutingRule) -> None:
    _require_area(actor, rule.region_prefix)
    audit_log(actor=actor, action="cases.route_delete", obj=rule, region_code=rule.region_prefix,
              before={"category": rule.category_id, "region_prefix": rule.region_prefix, "body": rule.body_id},
              after={})
    rule.delete()


@transaction.atomic
def deadline_rule_set(*, actor, step: str, days, category: Category | None = None,
                      handler_type: str = "") -> DeadlineRule:
    """A step's working days by category and/or handler type (district-wide; the most specific rule wins)."""
    _require_defaults(actor)
    rule = DeadlineRule.objects.select_for_update().filter(category=category, handler_type=handler_type,
                                                           step=step).first()
    if rule is None:
        rule = create_audited(DeadlineRule, actor=actor, action="cases.deadline_rule_create", category=category,
                              handler_type=handler_type, step=step, days=days)
    else:
        before = plain({"days": rule.days})
        rule.days = days
        clean_or_refuse(rule)
        rule.save(update_fields=["days"])
        audit_log(actor=actor, action="cases.deadline_rule_update", obj=rule, before=before,
                  after=plain({"days": days}))
    RULES.clear()
    transaction.on_commit(RULES.clear)
    return rule


@transaction.atomic
def deadline_rule_delete(*, actor, rule: DeadlineRule) -> None:
    _require_defaults(actor)
    audit_log(actor=actor, action="cases.deadline_rule_delete", obj=rule,
              before=plain({"category": rule.category_id, "handler_type": rule.handler_type, "step": rule.step,
                            "days": rule.days}), after={})
    rule.delete()
    RULES.clear()
    transaction.on_commit(RULES.clear)


@transaction.atomic
def holiday_override_set(*, actor, day, is_workday: bool, note: str = "") -> HolidayOverride:
    """A local holiday or make-up working day; deadlines computed from now on count it."""
    _require_defaults(actor)
    cur = HolidayOverride.objects.select_for_update().filter(day=day).first()
    if cur is None:
        cur = create_audited(HolidayOverride, actor=actor, action="cases.holiday_create", day=day,
                             is_workday=is_workday, note=note.strip())
    else:
        before = plain({"is_workday": cur.is_workday, "note": cur.note})
        cur.is_workday, cur.note = is_workday, note.strip()
        clean_or_refuse(cur)
        cur.save(update_fields=["is_workday", "note"])
        audit_log(actor=actor, action="cases.holiday_update", obj=cur, before=before,
                  after={"is_workday": is_workday, "note": cur.note})
    HOLIDAYS.clear()
    transaction.on_commit(HOLIDAYS.clear)
    return cur


@transaction.atomic
def holiday_override_delete(*, actor, override: HolidayOverride) -> None:
    _require_defaults(actor)
    audit_log(actor=actor, action="cases.holiday_delete", obj=override,
              before=plain({"day": override.day, "is_workday": override.is_workday}), after={})
    override.delete()
    HOLIDAYS.clear()
    transaction.on_commit(HOLIDAYS.clear)
