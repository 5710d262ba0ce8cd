"""Resource figures (设施、社工、经费) that analytics itself owns, registered like every app's (core.indicators)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, count_by_prefix, from_parts, register_indicator
from shanzhi.registry.indicators import person_counts

from .models import CommunityResource, Facility

MODULE = "analytics"


def _facilities(codes, start, end):
    return count_by_prefix(Facility.objects.all(), "region_code", codes)


def _area(codes, start, end):
    return {k: float(v) for k, v in count_by_prefix(Facility.objects.all(), "region_code", codes,
                                                    Sum("area_m2")).items()}


def _resource(field: str):
    def compute(codes, start, end):
        return {k: float(v) for k, v in count_by_prefix(CommunityResource.objects.all(), "region_code", codes,
                                                        Sum(field)).items()}
    return compute


def _per_thousand(field: str):
    def parts(codes, start, end):
        num = _resource(field)(codes, start, end)
        den = person_counts(codes, start, end)
        return {code: (num.get(code, 0), den[code]["n"]) for code in codes}
    return parts


def register() -> None:
    common = {"module": MODULE, "stock": True}
    # facilities are public places, not people: open data shows their small counts too
    places = frozenset({"nonpersonal"})
    register_indicator(Indicator(
        "analytics.facilities", _("服务设施"), _("处"), _("登记的社区服务设施数(邻里中心、日间照料中心、卫生服务站 …)"),
        _facilities, public=True, tags=places, **common))
    register_indicator(Indicator(
        "analytics.facility_area", _("服务用房面积"), _("平方米"), _("登记的社区服务设施面积之和"), _area,
        public=True, tags=places, **common))
    register_indicator(Indicator(
        "analytics.social_workers", _("持证社工"), _("人"), _("社区人力与经费登记的持证社工人数之和"),
        _resource("social_workers"), **common))
    register_indicator(Indicator(
        "analytics.staff", _("社区工作者"), _("人"), _("社区人力与经费登记的社区工作者人数之和"),
        _resource("staff"), **common))
    register_indicator(Indicator(
        "analytics.funding", _("本年到位经费"), _("元"), _("社区人力与经费登记的本年到位经费之和"),
        _resource("funding_yuan"), **common))
    for field, key, label, formula in (
            ("social_workers", "analytics.social_workers_per_1000", _("每千人持证社工"), _("持证社工 × 1000 ÷ 实有人口")),
            ("staff", "analytics.staff_per_1000", _("每千人社区工作者"), _("社区工作者 × 1000 ÷ 实有人口"))):
        parts = _per_thousand(field)
        register_indicator(Indicator(
            key, label, _("人"), formula, from_parts(parts, scale=1000, digits=2), kind="rate",
            parts=parts, **common))
