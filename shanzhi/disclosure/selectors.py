"""Reads of 阳光五务: staff lists through restrict(); the public side sees published entries only."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .models import Direction, DisclosureEntry, EntryState


def entry_list(*, actor, state: str = ""):
    qs = DisclosureEntry.objects.restrict(actor, "view")
    return qs.filter(state=state) if state else qs


def public_entries(*, community_code: str, category: str = ""):
    qs = DisclosureEntry.objects.filter(region_code=community_code, state=EntryState.PUBLISHED)
    return qs.filter(category=category) if category else qs


def ledger_totals(entry: DisclosureEntry) -> dict:
    sums = dict(entry.lines.values_list("direction").annotate(s=Sum("amount")).order_by())
    income, expense = sums.get(Direction.INCOME) or Decimal(0), sums.get(Direction.EXPENSE) or Decimal(0)
    return {"income": income, "expense": expense, "balance": income - expense}


def public_communities():
    return Region.objects.filter(level=Level.COMMUNITY).order_by("code")
