"""Reads of 系统配置, always with the actor: the streets they configure and the reference rows they see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from shanzhi.accounts.models import User
from shanzhi.cases.models import (
    Category,
    DeadlineRule,
    HandlingBody,
    HandlingBodyMember,
    HolidayOverride,
    RoutingRule,
)
from shanzhi.consultation.models import ConsultationRule
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import prefix_q
from shanzhi.disclosure.models import PublishingSchedule
from shanzhi.regions.models import Region
from shanzhi.volunteering.models import PointRule, StoreItem

from .checklist import streets_for
from .permissions import CONFIG_ROLES


def config_streets(*, actor) -> list[Region]:
    return streets_for(prefixes_for_roles(actor, CONFIG_ROLES))


def street_get(*, actor, code: str = "") -> Region:
    """The street asked for (404 outside the actor's streets), or their first street."""
    streets = config_streets(actor=actor)
    if not streets:
        raise Http404
    if not code:
        return streets[0]
    found = next((s for s in streets if s.code == code), None)
    if found is None:
        raise Http404
    return found


def _area_q(field: str, street: Region) -> Q:
    """Rows of the street, and the district's and city's rows above it."""
    above = [street.code[:n] for n in (2, 4, 6)]
    return prefix_q(field, [street.code]) | Q(**{f"{field}__in": above})


def bodies_for_street(*, actor, street: Region):
    members = Prefetch("handlingbodymember_set", queryset=HandlingBodyMember.objects.select_related("user"))
    return (HandlingBody.objects.filter(_area_q("region_code", street)).prefetch_related(members)
            .order_by("region_code", "name"))


def body_get(*, actor, street: Region, pk) -> HandlingBody | None:
    if not str(pk or "").isdigit():
        return None
    body = bodies_for_street(actor=actor, street=street).filter(pk=pk).first()
    if body is None:
        raise Http404
    return body


def routes_for_street(*, street: Region):
    return (RoutingRule.objects.filter(_area_q("region_prefix", street)).select_related("category", "body")
            .order_by("category__code", "region_prefix"))


def categories():
    return Category.objects.select_related("parent", "default_body").annotate(n_routes=Count("routes")) \
        .order_by("code")


def category_get(pk) -> Category | None:
    if not str(pk or "").isdigit():
        return None
    cat = Category.objects.filter(pk=pk).first()
    if cat is None:
        raise Http404
    return cat


def street_rules(*, street: Region):
    return ConsultationRule.objects.filter(region_code=street.code, retired=False).order_by("matter_type")


def street_areas(*, street: Region):
    """The street and its communities and grids, for the area pickers."""
    return Region.objects.filter(prefix_q("code", [street.code])).only("code", "name", "level").order_by("code")


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username__iexact=(username or "").strip()).first()


def deadline_rules():
    return DeadlineRule.objects.select_related("category").order_by("category__code", "handler_type", "step")


def holiday_overrides():
    return HolidayOverride.objects.order_by("-day")[:100]


def store_items_for_street(*, street: Region):
    return StoreItem.objects.filter(prefix_q("region_code", [street.code])).order_by("region_code", "name")


def region_names(codes) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=set(codes)).values_list("code", "name"))


def schedule_for_street(*, street: Region):
    return PublishingSchedule.objects.filter(region_code=street.code).order_by("category")


def point_rules_for_street(*, street: Region) -> dict:
    """The 志愿积分规则 of the street's district and of the street itself (reference data, no resident data)."""
    rows = PointRule.objects.filter(region_code__in=[street.code[:6], street.code])
    return {("district" if r.region_code == street.code[:6] else "street"): r for r in rows}
