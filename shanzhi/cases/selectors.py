"""Every read of cases, always with the actor."""

from __future__ import annotations

import math

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shanzhi.core.scoping import prefix_q
from shanzhi.registry.permissions import can_act_for

from . import choices as c
from .models import Case, CasePhoto, Category, HandlingBody, HomeVisit, ReportedCase, deadline_light

EARTH_RADIUS_M = 6_371_000
# The filters of the case list, shared by the list page, its export and the API.
FILTER_KEYS = ("q", "state", "category", "channel", "level", "light", "open")


def case_list(*, actor, filters: dict | None = None, action: str = "view") -> QuerySet[Case]:
    """Cases in the actor's scope, filtered. Filters: q, state, category, channel, level, light
    (yellow|red|overdue), open (1), body."""
    f = filters or {}
    qs = Case.objects.restrict(actor, action).select_related("category", "lead_body", "assignee", "building__estate")
    now = timezone.now()
    if q := (f.get("q") or "").strip():
        qs = qs.filter(Q(number__icontains=q) | Q(title__icontains=q) | Q(address__icontains=q)
                       | Q(external_ref=q))
    if f.get("state") in c.State.values:
        qs = qs.filter(state=f["state"])
    if f.get("category"):
        qs = qs.filter(Q(category__code=f["category"]) | Q(category__parent__code=f["category"]))
    if f.get("channel") in c.Channel.values:
        qs = qs.filter(channel=f["channel"])
    if str(f.get("level", "")).isdigit():
        qs = qs.filter(level=int(f["level"]))
    if f.get("open") == "1":
        qs = qs.filter(state__in=c.OPEN_STATES)
    light = f.get("light")
    if light in ("red", "overdue"):
        qs = qs.overdue(now)
    elif light == "yellow":
        qs = qs.filter(state__in=c.OPEN_STATES, yellow_at__lte=now, due_at__gt=now)
    if str(f.get("body", "")).isdigit():
        qs = qs.filter(assignments__body_id=int(f["body"]), assignments__active=True)
    if not q:  # merged duplicates point to the surviving case; the list shows only that one (a search finds both)
        qs = qs.filter(duplicate_of__isnull=True)
    return qs.order_by("-created_at", "-id")


def overdue_count(*, actor) -> int:
    return Case.objects.restrict(actor).overdue(timezone.now()).count()


def open_count(*, actor) -> int:
    return Case.objects.restrict(actor).filter(state__in=c.OPEN_STATES).count()


def case_map_points(*, actor, prefix: str, limit: int = 500, now=None) -> list[dict]:
    """The newest `limit` open cases with a location under the region `prefix` that the actor may see, for the
    dashboard map: one query, and only what a marker and its popup show (no reporter, no address)."""
    now = now or timezone.now()
    rows = (Case.objects.restrict(actor, "view")
            .filter(prefix_q("region_code", [prefix]), state__in=c.OPEN_STATES, lat__isnull=False, lng__isnull=False)
            .order_by("-created_at", "-id")
            .values("id", "number", "title", "state", "lat", "lng", "due_at", "yellow_at", "category__name")[:limit])
    detail = reverse("cases:detail", args=[0]).removesuffix("0/")
    labels = dict(c.State.choices)
    return [{"id": r["id"], "number": r["number"], "title": r["title"], "category": r["category__name"],
             "state": str(labels[r["state"]]), "lat": r["lat"], "lng": r["lng"], "url": f"{detail}{r['id']}/",
             "light": str(deadline_light(state=r["state"], due_at=r["due_at"], yellow_at=r["yellow_at"], now=now))}
            for r in rows]


def household_visits(*, actor, household, limit: int = 10) -> QuerySet[HomeVisit]:
    """The household's most recent home visits the actor may see (for the registry's household page)."""
    return (HomeVisit.objects.restrict(actor, "view").filter(household=household)
            .select_related("visitor", "case").order_by("-visited_at", "-id")[:limit])


def cases_to_rate_for(*, actor, person) -> QuerySet[Case]:
    """代办: the cases a household member without an account reported that await their rating — only for a
    head who may act for them (registry.can_act_for; the head holds no scope role over the case)."""
    if not can_act_for(actor, person, "rate")[0]:
        return Case.objects.none()
    return Case.objects.filter(reporter_person=person, state=c.State.FEEDBACK).order_by("-pk")


def my_cases(*, actor) -> QuerySet[ReportedCase]:
    return ReportedCase.objects.restrict(actor).select_related("category").order_by("-created_at")


def source_case(*, actor, topic) -> Case | None:
    """The case a consultation topic came from, if the actor may see it."""
    if topic.source_kind != "case" or not topic.source_id.isdigit():
        return None
    return Case.objects.restrict(actor, "view").filter(pk=int(topic.source_id)).first()


def case_timeline(*, actor, case: Case, public_only: bool = False):
    qs = case.history.select_related("actor").prefetch_related("photos")
    return qs.filter(public=True) if public_only else qs


def public_photos() -> QuerySet[CasePhoto]:
    """The photos anyone may see (Open311 `media_url`, `open311:media`): their blurred copies only, of a
    reviewed photo, of a case the public feed shows (public category, accepted by staff) whose reporter
    consented to publishing and which was not rejected; never a photo of an internal timeline entry."""
    return (CasePhoto.objects.filter(reviewed_at__isnull=False, case__category__in=public_categories(),
                                     case__accepted_at__isnull=False, case__publish_consent=True)
            .exclude(public_image="").exclude(case__state=c.State.REJECTED)
            .filter(Q(history__isnull=True) | Q(history__public=True)))


def public_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, is_public=True, children__isnull=True).order_by("code")


def bodies_for(*, case: Case) -> QuerySet[HandlingBody]:
    """Handling bodies serving the case's region (its ancestors' codes), for the dispatch form."""
    codes = [case.region_code[:n] for n in range(2, len(case.region_code) + 1)]
    return HandlingBody.objects.filter(active=True, region_code__in=codes)


def bulk_bodies(*, actor, prefixes) -> QuerySet[HandlingBody]:
    """Bodies a bulk dispatch may name: serving one of the actor's areas, a part of one, or a region above one
    (each case still checks that the body covers it)."""
    above = {p[:n] for p in prefixes for n in range(2, len(p) + 1)}
    return HandlingBody.objects.filter(Q(region_code__in=above) | prefix_q("region_code", prefixes), active=True)


def responsible_bodies(*, case: Case) -> QuerySet[HandlingBody]:
    """Bodies serving the case's region whose responsibility list (职责清单) names its category or a parent:
    where a 'not our responsibility' case may be forwarded."""
    cats = [case.category_id] + ([case.category.parent_id] if case.category.parent_id else [])
    return bodies_for(case=case).filter(categories__in=cats).exclude(pk=case.lead_body_id or 0).distinct()


def haversine_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open_cases(*, category_id, lat=None, lng=None, building_id=None, radius_m: float = 50, limit: int = 10):
    """Open cases of the same category within `radius_m` (bounding box in SQL, haversine in Python)
    or in the same building: shown while reporting, to avoid duplicates. Only public categories."""
    base = Case.objects.filter(category_id=category_id, category__is_public=True, state__in=c.OPEN_STATES,
                               duplicate_of__isnull=True)
    found = {}
    if building_id:
        for case in base.filter(building_id=building_id)[:limit]:
            found[case.pk] = (case, None)
    if lat is not None and lng is not None:
        dlat = radius_m / 111_320
        dlng = radius_m / (111_320 * max(math.cos(math.radians(lat)), 0.01))
        box = base.filter(lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))
        for case in box[: limit * 5]:
            d = haversine_m(lat, lng, case.lat, case.lng)
            if d <= radius_m:
                found[case.pk] = (case, round(d))
    return sorted(found.values(), key=lambda x: (x[1] is None, x[1] or 0))[:limit]
