"""Writes of the sign-off chain: prepare a month's report, adjust its figures while it is a draft, move it up
the chain (one transition each, or all pending ones at once), correct an approved snapshot by a new version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.core import indicators
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.scoping import COMMUNITY_CODE_LEN
from shanzhi.core.writes import create_audited, versioned_update
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .models import EDITABLE_STATES, Report, ReportKind, ReportState
from .permissions import CORRECT, KINDS, PREPARE, ROUND
from .workflow import WORKFLOW


def month_start(value) -> date:
    """The first day of the month `value` (a date or 'YYYY-MM') falls in."""
    if isinstance(value, str):
        try:
            year, month = (int(p) for p in value[:7].split("-"))
            return date(year, month, 1)
        except ValueError:
            raise ServiceError(_("月份格式应为 YYYY-MM"), field="period") from None
    return value.replace(day=1)


def month_end(start: date) -> date:
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def compute_values(kind: ReportKind, codes: list[str], period: date) -> dict[str, dict]:
    """{code: {indicator key: value}} for a month, each indicator computed once over all codes."""
    out: dict[str, dict] = {code: {} for code in codes}
    with indicators.batch():
        for key in kind.indicators:
            values = indicators.compute(key, codes=codes, start=period, end=month_end(period))
            for code in codes:
                out[code][key] = values.get(code)
    return out


def _check_kind(kind: ReportKind) -> None:
    if not kind.active:
        raise ServiceError(_("该报表种类已停用"), field="kind")


@transaction.atomic
def report_prepare(*, actor, kind: ReportKind, community_code: str, period) -> Report:
    """Version 1 of a community's report for a month, its figures computed through the indicators."""
    require(actor, PREPARE.action, community_code)
    _check_kind(kind)
    if len(community_code) != COMMUNITY_CODE_LEN:
        raise ServiceError(_("月报由社区编制，请选择一个社区"), field="community")
    period = month_start(period)
    if period > date.today().replace(day=1):
        raise ServiceError(_("不能编制未来月份的月报"), field="period")
    if Report.objects.filter(region_code=community_code, kind=kind, period=period).exists():
        raise ServiceError(_("该社区本月的这份月报已经存在"), field="period")
    values = compute_values(kind, [community_code], period)[community_code]
    return create_audited(Report, actor=actor, action="reporting.report_prepare",
                          audit_after={"kind": kind.key, "period": period.isoformat()}, region_code=community_code,
                          kind=kind, period=period, values=values, computed=values, prepared_by=actor)


@transaction.atomic
def reports_prepare_round(*, actor, kind: ReportKind, region_code: str, period) -> list[Report]:
    """Drafts for every community under `region_code` that has none for the month (a street's or district's
    monthly round; `actor` None: the scheduler). Each indicator is computed once for all communities."""
    if actor is not None:
        require(actor, ROUND.action, region_code)
    _check_kind(kind)
    period = month_start(period)
    communities = list(Region.objects.filter(level=Level.COMMUNITY, code__startswith=region_code)
                       .values_list("code", flat=True))
    have = set(Report.objects.filter(kind=kind, period=period, region_code__in=communities)
               .values_list("region_code", flat=True))
    todo = [c for c in communities if c not in have]
    values = compute_values(kind, todo, period)
    rows = Report.objects.bulk_create([Report(region_code=c, kind=kind, period=period, values=values[c],
                                              computed=values[c]) for c in todo])
    audit_log(actor=actor, action="reporting.round_prepare", region_code=region_code,
              after={"kind": kind.key, "period": period.isoformat(), "count": len(rows)})
    return rows


def _number(raw, label) -> float | int | None:
    raw = str(raw if raw is not None else "").strip()
    if raw == "":
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ServiceError(_("“%(label)s”应为数字") % {"label": label}) from None
    if not value.is_finite():
        raise ServiceError(_("“%(label)s”应为数字") % {"label": label})
    return int(value) if value == value.to_integral_value() else float(value)


@transaction.atomic
def report_set_values(*, actor, report: Report, values: dict, note: str = "",
                      expected_version: int | None = None) -> Report:
    """Adjust the figures of a draft (or returned) version; an approved snapshot is never changed."""
    require(actor, PREPARE.action, report)
    if report.state not in EDITABLE_STATES or report.frozen:
        raise ServiceError(_("只有编制中或已退回的月报可以修改数据；已审定的请提交更正"))
    new = dict(report.values)
    for key in report.kind.indicators:
        if key in values:
            new[key] = _number(values[key], indicators.get_indicator(key).label)
    return versioned_update(report, expected_version, actor=actor, action="reporting.report_set_values",
                            values=new, note=note.strip()[:500])


@transaction.atomic
def report_transition(*, actor, report: Report, action: str, reason: str = "") -> Report:
    return WORKFLOW.apply(obj=report, actor=actor, action=action, data={"reason": reason})


LEVEL_ACTION = {ReportState.SUBMITTED: "street_approve", ReportState.STREET_APPROVED: "district_approve"}


def reports_approve_all(*, actor, kind: ReportKind, period, state: str, reports) -> list[tuple[Report, str]]:
    """Approve every report of `reports` (the actor's scoped list) waiting in `state`, as one batch of the
    workflow (`Workflow.apply_many`): each report is checked like a single transition (its state, the actor's
    role at its community), those that pass change — and, at the district, are sealed — with one UPDATE, their
    history and audit rows in one INSERT each. Returns (report, "" or the reason it was not approved) per item."""
    action = LEVEL_ACTION.get(state)
    if action is None:
        raise ServiceError(_("未知的审核环节"))
    waiting = reports.filter(kind=kind, period=month_start(period), state=state)
    return WORKFLOW.apply_many(objs=waiting, actor=actor, action=action, data={"reason": ""})


@transaction.atomic
def report_correct(*, actor, report: Report, reason: str) -> Report:
    """A new version of an approved snapshot, with the reason; the approved one stays as it was."""
    require(actor, CORRECT.action, report)
    if report.state != ReportState.APPROVED:
        raise ServiceError(_("只有已审定的月报需要更正；未审定的可直接修改"))
    if not reason.strip():
        raise ServiceError(_("请填写更正原因"), field="reason")
    if Report.objects.filter(previous=report).exists():
        raise ServiceError(_("该版本已有更正版本，请在最新版本上更正"))
    computed = compute_values(report.kind, [report.region_code], report.period)[report.region_code]
    return create_audited(Report, actor=actor, action="reporting.report_correct",
                          audit_after={"from": report.number, "reason": reason.strip()[:300]},
                          region_code=report.region_code, kind=report.kind, period=report.period,
                          number=report.number + 1, previous=report, correction_reason=reason.strip()[:300],
                          values=dict(report.values), computed=computed, prepared_by=actor)


@transaction.atomic
def kind_create(*, actor, region_code: str, key: str, name: str, indicator_keys: list[str],
                requested_by: str = "") -> ReportKind:
    """A report kind a department asks for: its indicators must be registered figures."""
    require(actor, KINDS.action, region_code)
    unknown = [k for k in indicator_keys if k not in indicators.INDICATORS]
    if unknown or not indicator_keys:
        raise ServiceError(_("请选择已登记的指标"), field="indicators")
    return create_audited(ReportKind, actor=actor, action="reporting.kind_create", key=key.strip(),
                          name=name.strip(), indicators=list(dict.fromkeys(indicator_keys)),
                          requested_by=requested_by.strip(), duplicate_message=_("代码已被使用"),
                          duplicate_field="key")


# The monthly reports every community files; departments add their own on the 报表种类 page (the migration
# 0002_seed_kinds seeds the same list into a new database).
DEFAULT_KINDS = [
    ("population", "人口情况月报", "公安、民政",
     ["registry.persons", "registry.households", "registry.floating", "registry.care_elderly_alone"]),
    ("cases", "民情统计月报", "区社会治理中心",
     ["cases.reported", "cases.closed", "cases.open", "cases.overdue", "cases.on_time_rate"]),
    ("volunteering", "志愿服务月报", "区文明办",
     ["volunteering.volunteers", "volunteering.hours", "volunteering.points"]),
]


def kinds_seed_defaults() -> int:
    """The default report kinds where missing (demo, tests); returns how many were added."""
    added = 0
    for key, name, by, keys in DEFAULT_KINDS:
        _kind, made = ReportKind.objects.get_or_create(key=key, defaults={"name": name, "requested_by": by,
                                                                          "indicators": keys})
        added += made
    return added
