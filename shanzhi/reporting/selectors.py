"""Reads of the sign-off chain; every list goes through `Report.objects.restrict` (departments: approved
snapshots only). What the chain shows of its approvers depends on the reader's level."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from shanzhi.core import indicators
from shanzhi.core.scope import prefixes_for_roles, roles_at
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region

from .models import (
    DISTRICT_ROLES,
    EDITABLE_STATES,
    PREPARER_ROLES,
    STREET_ROLES,
    Report,
    ReportKind,
    ReportState,
)

# which state waits for which level, and the roles of that level
WAITING = {"prepare": (EDITABLE_STATES, PREPARER_ROLES), "street": ((ReportState.SUBMITTED,), STREET_ROLES),
           "district": ((ReportState.STREET_APPROVED,), DISTRICT_ROLES)}


def report_list(*, actor, state: str = "", kind: str = "", period=None):
    qs = Report.objects.restrict(actor, "view").select_related("kind")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind__key=kind)
    if period:
        qs = qs.filter(period=period)
    return qs


def waiting_for(*, actor, level: str):
    """The reports waiting for the actor at one level: drafts and returned ones for the community, submitted
    ones for the street, street-approved ones for the district — where the actor holds that level's role."""
    states, roles = WAITING[level]
    prefixes = prefixes_for_roles(actor, roles)
    if not prefixes:
        return Report.objects.none()
    return report_list(actor=actor).filter(prefix_q("region_code", prefixes), state__in=states)


def kinds(*, active_only: bool = True):
    qs = ReportKind.objects.all()
    return qs.filter(active=True) if active_only else qs


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def versions_of(*, actor, report: Report):
    return report_list(actor=actor).filter(region_code=report.region_code, kind=report.kind,
                                           period=report.period).order_by("number")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    unit: str
    formula: str
    value: object
    computed: object

    @property
    def adjusted(self) -> bool:
        return self.value != self.computed


def figures(report: Report) -> list[Figure]:
    out = []
    for key in report.kind.indicators:
        ind = indicators.INDICATORS.get(key)
        out.append(Figure(key, str(ind.label) if ind else key, str(ind.unit) if ind else "",
                          str(ind.formula) if ind else "", report.values.get(key), report.computed.get(key)))
    return out


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    at: object = None
    who: str = ""  # empty where the reader's level may not see it


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def chain(*, actor, report: Report) -> list[Step]:
    """The chain's state: each level done or not and when; the approver's name only for readers at that level
    or above (a community sees that the street approved, not who)."""
    held = roles_at(actor, report.region_code)
    sees_street = bool(held & (STREET_ROLES | DISTRICT_ROLES))
    sees_district = bool(held & DISTRICT_ROLES)
    submitted = report.submitted_at is not None and report.state not in EDITABLE_STATES
    return [
        Step(_("社区编制并提交"), submitted, report.submitted_at if submitted else None,
             _name(report.prepared_by) if held & (PREPARER_ROLES | STREET_ROLES | DISTRICT_ROLES) else ""),
        Step(_("街道审核"), report.street_approved_at is not None, report.street_approved_at,
             _name(report.street_approved_by) if sees_street else ""),
        Step(_("区级审定"), report.state == ReportState.APPROVED, report.approved_at,
             _name(report.district_approved_by) if sees_district else ""),
    ]


@dataclass(frozen=True)
class DiffRow:
    label: str
    unit: str
    before: object
    after: object

    @property
    def changed(self) -> bool:
        return self.before != self.after


def diff(old: Report, new: Report) -> list[DiffRow]:
    keys = list(dict.fromkeys([*old.kind.indicators, *old.values, *new.values]))
    rows = []
    for key in keys:
        ind = indicators.INDICATORS.get(key)
        rows.append(DiffRow(str(ind.label) if ind else key, str(ind.unit) if ind else "", old.values.get(key),
                            new.values.get(key)))
    return rows


def indicator_labels() -> dict[str, str]:
    return {i.key: str(i.label) for i in indicators.all_indicators()}
