"""Every read of 社区准入, always with the actor (public ones say so in their name)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.regions.models import Region

from .choices import DeliveryState, ListState, WorkKind, WorkState
from .models import SENDER_ROLES, AdmissionList, Delivery, Department, ListItem, WorkItem


def public_lists(district_code: str) -> list[AdmissionList]:
    """The lists in force in a district, with their items (public)."""
    return list(AdmissionList.objects.filter(region_code=district_code, state=ListState.PUBLISHED)
                .prefetch_related(Prefetch("items", queryset=ListItem.objects.order_by("seq", "pk")))
                .order_by("kind"))


def public_list_versions(district_code: str):
    return (AdmissionList.objects.filter(region_code=district_code).exclude(state=ListState.DRAFT)
            .annotate(n_items=Count("items")).order_by("kind", "-number"))


def list_drafts(*, actor):
    return (AdmissionList.objects.restrict(actor, "change").filter(state=ListState.DRAFT)
            .prefetch_related(Prefetch("items", queryset=ListItem.objects.order_by("seq", "pk"))))


def citable_items(*, district_codes):
    """Items of the lists in force that a work item may cite (negative list excluded)."""
    return (ListItem.objects.filter(list__region_code__in=list(district_codes), list__state=ListState.PUBLISHED)
            .exclude(list__kind="negative").select_related("list").order_by("list__kind", "seq"))


def sender_departments(*, actor):
    """Departments the actor may send as: those of the regions they manage, or those they belong to."""
    managed = prefixes_for_roles(actor, {"street_manager", "district_manager"})
    q = Q(members=actor)
    if managed:
        q |= prefix_q("region_code", managed)
    if not prefixes_for_roles(actor, SENDER_ROLES):
        return Department.objects.none()
    return Department.objects.filter(q, active=True).distinct().order_by("region_code", "name")


def departments(*, actor):
    return Department.objects.restrict(actor, "view").order_by("region_code", "name")


def sent_items(*, actor):
    return WorkItem.objects.restrict(actor, "view").select_related("sender", "list_item__list")


def review_queue(*, actor):
    return (WorkItem.objects.restrict(actor, "review").filter(state=WorkState.REVIEW)
            .select_related("sender", "created_by"))


def my_deliveries(*, actor, state: str = ""):
    qs = Delivery.objects.restrict(actor, "view").select_related("work_item", "sender")
    return qs.filter(state=state) if state else qs


def refusals_by_sender(*, actor) -> list[dict]:
    """Refused work items per sender department, over the deliveries the actor may see."""
    return list(Delivery.objects.restrict(actor, "view").filter(state=DeliveryState.REFUSED)
                .values("sender__name").annotate(n=Count("pk")).order_by("-n", "sender__name"))


def dashboard_communities(*, actor):
    prefixes = prefixes_for_roles(actor, Delivery.scope_roles["view"])
    if not prefixes:
        return Region.objects.none()
    return Region.objects.filter(prefix_q("code", prefixes), level="community").order_by("code")


def _months(end: datetime.date, n: int) -> list[datetime.date]:
    first = end.replace(day=1)
    out = []
    for _i in range(n):
        out.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(out))


def _series(rows, months, key) -> dict[str, list[int]]:
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(months))
    index = {m: i for i, m in enumerate(months)}
    for row in rows:
        if row["month"] in index:
            series[row[key]][index[row["month"]]] += row["n"]
    return dict(sorted(series.items()))


def _rising(series: dict[str, list[int]]) -> list[str]:
    return [name for name, values in series.items() if len(values) >= 2 and values[-1] > values[-2]]


def burden(qs, *, end: datetime.date, months: int = 6) -> dict:
    """减负 figures over a delivery queryset: per month by sender and by kind, with the rising ones flagged."""
    ms = _months(end, months)
    qs = qs.filter(month__gte=ms[0], month__lte=ms[-1])
    by_sender = _series(qs.values("month", "sender__name").annotate(n=Count("pk")), ms, "sender__name")
    kind_rows = list(qs.values("month", "kind").annotate(n=Count("pk")))
    by_kind_raw = _series(kind_rows, ms, "kind")
    labels = dict(WorkKind.choices)
    by_kind = {str(labels.get(k, k)): v for k, v in by_kind_raw.items()}
    totals = [sum(v[i] for v in by_sender.values()) for i in range(len(ms))]
    refused = [0] * len(ms)
    for row in qs.filter(state=DeliveryState.REFUSED).values("month").annotate(n=Count("pk")):
        refused[ms.index(row["month"])] += row["n"]
    rising = [str(labels[k]) for k in _rising(by_kind_raw)] + _rising(by_sender)
    def row(label, values, group, up):
        return {"label": label, "group": group, "rising": up, "cells": list(zip(ms, values, strict=True))}

    rows = [row(_("合计"), totals, "total", len(totals) >= 2 and totals[-1] > totals[-2])]
    rows += [row(k, v, "kind", k in rising) for k, v in by_kind.items()]
    rows += [row(k, v, "sender", k in rising) for k, v in by_sender.items()]
    rows.append(row(_("社区拒收"), refused, "refused", False))
    return {"months": ms, "by_sender": by_sender, "by_kind": by_kind, "totals": totals, "rising": rising, "rows": rows,
            "total_rising": len(totals) >= 2 and totals[-1] > totals[-2],
            "refused": refused}


def community_burden(*, actor, community_code: str, end: datetime.date, months: int = 6) -> dict:
    qs = Delivery.objects.restrict(actor, "view").filter(region_code__startswith=community_code)
    return burden(qs, end=end, months=months)


def public_summary(*, district_code: str, end: datetime.date, months: int = 6) -> dict:
    """The district's summary for anyone: counts only, by month and kind; refusals and unlisted items."""
    qs = Delivery.objects.filter(region_code__startswith=district_code)
    figures = burden(qs, end=end, months=months)
    ms = figures["months"]
    window = qs.filter(month__gte=ms[0], month__lte=ms[-1])
    figures["unlisted"] = window.filter(listed=False).count()
    figures["refusals"] = list(window.filter(state=DeliveryState.REFUSED).values("sender__name")
                               .annotate(n=Count("pk")).order_by("-n", "sender__name"))
    figures["rejected_items"] = WorkItem.objects.filter(region_code__startswith=district_code,
                                                        state=WorkState.REJECTED).count()
    return figures
