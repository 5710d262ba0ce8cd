"""Dashboard aggregates of one region (a grid or anything above it), scoped to the actor.

`region_dashboard` answers in a constant number of queries however many persons the region holds: every
figure is a GROUP BY or a set of conditional counts computed by the database.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.scoping import prefix_q
from shanzhi.regions.figures import Figure

from . import choices as c
from .models import CareTag, Dwelling, Household, LivingTally, Person

BAND_YEARS = 5
BANDS = 19  # 0-4 … 85-89, then 90+


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _band_labels() -> list[str]:
    return [f"{i * BAND_YEARS}-{i * BAND_YEARS + BAND_YEARS - 1}" for i in range(BANDS)] + [f"{BANDS * BAND_YEARS}+"]


def age_pyramid(persons, today: datetime.date | None = None) -> dict:
    """{"bands": ["0-4", …, "90+"], "male": [...], "female": [...]} in one query."""
    today = today or datetime.date.today()
    aggregates = {}
    for i in range(BANDS + 1):
        # age in [i*5, i*5+5) ⇔ birth_date in (today - (i*5+5) years, today - i*5 years]
        upper = _years_before(today, i * BAND_YEARS)
        band = Q(birth_date__lte=upper)
        if i < BANDS:
            band &= Q(birth_date__gt=_years_before(today, (i + 1) * BAND_YEARS))
        for sex in (c.Sex.MALE, c.Sex.FEMALE):
            aggregates[f"{sex}_{i}"] = Count("id", filter=band & Q(sex=sex))
    row = persons.aggregate(**aggregates)
    return {"bands": _band_labels(),
            "male": [row[f"{c.Sex.MALE}_{i}"] for i in range(BANDS + 1)],
            "female": [row[f"{c.Sex.FEMALE}_{i}"] for i in range(BANDS + 1)]}


def _grouped(qs, field: str, choices) -> list[dict]:
    counts = dict(qs.values_list(field).annotate(n=Count("id")).order_by())
    return [{"key": value, "name": str(label), "value": counts.get(value, 0)} for value, label in choices]


def living_persons(*, actor, region_code: str | None = None):
    """实有人口: the living persons the actor may see (under `region_code` if given). The one definition every
    page, counter and print uses."""
    qs = Person.objects.restrict(actor, "view").filter(status=c.PersonStatus.LIVING)
    return qs.filter(prefix_q("region_code", [region_code])) if region_code else qs


def _tallies(actor, region_code: str | None):
    qs = LivingTally.objects.restrict(actor, "view")
    return qs.filter(prefix_q("region_code", [region_code])) if region_code else qs


def living_count(*, actor, region_code: str | None = None) -> int:
    """实有人口 as a number: `living_persons(...).count()`, read from the tallies the database keeps per grid
    (scoped like persons), so a city's figure is a sum over its grids instead of a scan of millions of rows."""
    return _tallies(actor, region_code).aggregate(n=Sum("living"))["n"] or 0


def living_count_by_child(*, actor, prefix: str, child_len: int) -> dict[str, int]:
    """实有人口 under `prefix` per child region (the first `child_len` digits of the code): {child: count}."""
    rows = (_tallies(actor, prefix).annotate(child=Substr("region_code", 1, child_len)).values("child")
            .annotate(n=Sum("living")).order_by())
    return {r["child"]: r["n"] for r in rows if r["n"]}


def active_households(*, actor, region_code: str | None = None):
    """户数: households not dissolved that the actor may see (under `region_code` if given)."""
    qs = Household.objects.restrict(actor, "view").filter(dissolved=False)
    return qs.filter(prefix_q("region_code", [region_code])) if region_code else qs


def region_headline(*, actor, region) -> list:
    """The registry's figures on a region's own page (regions.figures hook): 实有人口 and 户数."""
    return [
        Figure("persons", _("实有人口"), living_count(actor=actor, region_code=region.code),
               reverse("registry:region", args=[region.code])),
        Figure("households", _("户数"), active_households(actor=actor, region_code=region.code).count()),
    ]


def region_dashboard(*, actor, region_code: str, today: datetime.date | None = None) -> dict:
    """Population by residence type, age pyramid, care tags, dwellings by occupancy, households, rentals and
    vacancies of the region `region_code` as far as the actor may see it (5 queries)."""
    scope = prefix_q("region_code", [region_code])
    persons = living_persons(actor=actor, region_code=region_code)
    residence = _grouped(persons, "residence_type", c.ResidenceType.choices)
    tags = _grouped(CareTag.objects.restrict(actor, "view").filter(scope, person__status=c.PersonStatus.LIVING),
                    "tag", c.CareTagKind.choices)
    occupancy = _grouped(Dwelling.objects.restrict(actor, "view").filter(scope), "occupancy", c.Occupancy.choices)
    households = active_households(actor=actor, region_code=region_code).count()
    by_occupancy = {o["key"]: o["value"] for o in occupancy}
    return {
        "persons": sum(r["value"] for r in residence),
        "households": households,
        "dwellings": sum(by_occupancy.values()),
        "rented": by_occupancy.get(c.Occupancy.RENTED, 0),
        "vacant": by_occupancy.get(c.Occupancy.VACANT, 0),
        "floating": next(r["value"] for r in residence if r["key"] == c.ResidenceType.FLOATING),
        "residence": residence,
        "care_tags": tags,
        "occupancy": occupancy,
        "pyramid": age_pyramid(persons, today),
    }
