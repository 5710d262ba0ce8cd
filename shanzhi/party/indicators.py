"""Party-building figures for dashboards and rollups (core.indicators)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, count_by_prefix, register_indicator
from shanzhi.ledger.choices import Ledger
from shanzhi.volunteering.indicators import ledger_awards

from .choices import RecordState
from .models import DualCheckIn, PartyMember, ServiceRecord

MODULE = "party"


def _members(codes, start, end):
    qs = PartyMember.objects.filter(Q(joined_on__isnull=True) | Q(joined_on__lt=end))
    return count_by_prefix(qs, "region_code", codes)


def _check_ins(codes, start, end):
    qs = DualCheckIn.objects.filter(checked_in_on__lt=end)
    return count_by_prefix(qs, "community_code", codes)


def _services(codes, start, end):
    qs = ServiceRecord.objects.filter(state=RecordState.APPROVED, happened_on__gte=start, happened_on__lt=end,
                                      points__gt=0)
    return count_by_prefix(qs, "region_code", codes)


def register() -> None:
    register_indicator(Indicator(
        "party.members", _("党员"), _("人"), _("期末前入党(或未填入党日期)的在册党员数"), _members,
        module=MODULE, stock=True))
    register_indicator(Indicator(
        "party.dual_check_ins", _("双报到党员"), _("人次"), _("期末前到本社区报到的在职党员人次"), _check_ins,
        module=MODULE, stock=True))
    register_indicator(Indicator(
        "party.services", _("党员服务记录"), _("条"), _("期内发生并已审核通过的加分服务记录数"), _services,
        module=MODULE))
    register_indicator(Indicator(
        "party.points", _("发放党员积分"), _("分"), _("期内党员积分账本“获得积分”流水记入个人账户的积分之和"),
        ledger_awards(Ledger.PARTY), module=MODULE))
