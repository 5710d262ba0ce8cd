"""Back-dated writes mark their month stale, so the rollups catch up without anyone asking.

Rollups are a cache of the indicators (house rule 8 allows signals for chores like this one): a saved or deleted
row of an app that owns indicators, carrying a date in a month before the current one and not older than the
oldest rollup, marks (month, app) in `StaleMonth`. `refresh_stale` — run by the hourly refresh — recomputes those
months for those apps only, writing only the cells that changed. Bulk paths that bypass signals (COPY imports)
call `mark_stale` themselves.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from shanzhi.core.indicators import all_indicators
from shanzhi.core.memo import Memo

from .models import Rollup, StaleMonth
from .periods import current_month, month_start


@cache
def _date_fields(model) -> tuple[str, ...]:
    """Every date of the row but its last-modified stamp (always now): a creation date counts, because a late
    change to an old row (a case of last month rated today) can change figures of the month it was created."""
    return tuple(f.attname for f in model._meta.concrete_fields
                 if isinstance(f, models.DateField) and not getattr(f, "auto_now", False))


def module_of(indicator) -> str:
    """The app an indicator belongs to: its declared module, else its key's prefix ("cases.reported" → cases)."""
    return indicator.module or indicator.key.split(".", 1)[0]


def indicator_modules() -> set[str]:
    """The apps whose rows feed indicators."""
    return {module_of(i) for i in all_indicators()}


OLDEST = Memo("analytics.oldest_rollup", ttl=300)


def _oldest_rollup() -> dt.date | None:
    return Rollup.objects.order_by("month").values_list("month", flat=True).first()


def forget_oldest() -> None:
    """A refresh may have added older months: the next back-dated write reads the oldest month again."""
    OLDEST.clear()


def _on_or_after_oldest(months: set[dt.date]) -> set[dt.date]:
    """The months not older than the oldest rollup. The oldest month is remembered once found, so a back-dated
    save costs no query for it; a month older than the remembered one is checked against the table again (another
    process's refresh may have added older months), and "no rollups yet" is never remembered — so no month that
    has rollups goes unmarked."""
    oldest = OLDEST.get("oldest", _oldest_rollup)
    if oldest is None or min(months) < oldest:
        OLDEST.clear()
        oldest = OLDEST.get("oldest", _oldest_rollup)
        if oldest is None:
            OLDEST.clear()
            return set()
    return {m for m in months if m >= oldest}


def mark_stale(months, module: str) -> int:
    """Mark past months of `module` stale (the current month is refreshed every hour anyway)."""
    now = current_month()
    months = {month_start(m) for m in months if m is not None}
    months = {m for m in months if m < now}
    if not months:
        return 0
    months = _on_or_after_oldest(months)
    if not months:
        return 0
    StaleMonth.objects.bulk_create([StaleMonth(month=m, module=module) for m in months], ignore_conflicts=True)
    return len(months)


def _months_of(instance) -> list[dt.date]:
    out = []
    for name in _date_fields(type(instance)):
        value = getattr(instance, name, None)
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            out.append(value)
    return out


def _on_change(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    label = sender._meta.app_label
    if label not in _modules():
        return
    months = _months_of(instance)
    if months:
        transaction.on_commit(lambda: mark_stale(months, label))


@cache
def _modules() -> frozenset[str]:
    return frozenset(indicator_modules())


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="analytics.stale.save")
    post_delete.connect(_on_change, dispatch_uid="analytics.stale.delete")


def refresh_stale(*, refresh, actor=None) -> list:
    """Recompute every stale (month, module) with `refresh(months=[…], modules=[…])`; the marks go first, so a
    write during the refresh marks its month again."""
    runs = []
    by_module: dict[str, list[dt.date]] = {}
    with transaction.atomic():
        stale = list(StaleMonth.objects.select_for_update().values_list("pk", "month", "module"))
        StaleMonth.objects.filter(pk__in=[pk for pk, _m, _mod in stale]).delete()
    for _pk, month, module in stale:
        by_module.setdefault(module, []).append(month)
    for module, months in sorted(by_module.items()):
        runs.append(refresh(months=months, modules=[module], actor=actor))
    return runs
