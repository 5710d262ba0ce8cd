"""The 准入 compliance figures this app owns, for dashboards and assessment (core.indicators)."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _

from shanzhi.core.indicators import Indicator, count_by_prefix, register_indicator

from .choices import DeliveryState, WorkKind
from .models import Delivery


def _counter(**filters):
    def compute(codes: list[str], start: date, end: date) -> dict[str, int]:
        qs = Delivery.objects.filter(sent_on__gte=start, sent_on__lt=end, **filters)
        return count_by_prefix(qs, "region_code", codes)
    return compute


INDICATORS = [
    Indicator("admission.work_items", _("下派社区工作事项数"), _("项"), _("期间内下派到社区的工作事项（按社区计）"),
              _counter(), higher_is_better=False, public=True, module="admission"),
    Indicator("admission.unlisted_items", _("清单外工作事项数"), _("项"),
              _("期间内经准入审核后下派到社区的清单外事项（按社区计）"), _counter(listed=False),
              higher_is_better=False, public=True, module="admission"),
    Indicator("admission.refusals", _("社区拒收事项数"), _("项"), _("期间内社区拒收的清单外事项"),
              _counter(state=DeliveryState.REFUSED), higher_is_better=False, public=True, module="admission"),
    Indicator("admission.inspections", _("检查评比次数"), _("次"), _("期间内下派到社区的检查评比（按社区计）"),
              _counter(kind=WorkKind.INSPECTION), higher_is_better=False, public=True, module="admission"),
]


def register() -> None:
    for indicator in INDICATORS:
        register_indicator(indicator)
