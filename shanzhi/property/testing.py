"""Test objects for property, and the route×role matrix factories."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from stdnum.cn import uscc

from shanzhi.registry.models import Building, Dwelling, Estate, Person

from . import choices as c
from .models import OwnersVote, PropertyCompany, RenovationProject, SelfManagedEstate

_n = itertools.count(1)


def valid_uscc(seed: int) -> str:
    body = f"91321002MA{seed:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def make_estate(code: str, *, dwellings: int = 4, areas=None, owners=None, name: str = "") -> Estate:
    """An estate with one building and `dwellings` dwellings (areas cycle through `areas`); owners get persons."""
    estate = Estate.objects.create(region_code=code, name=name or f"施井小区{next(_n)}")
    building = Building.objects.create(region_code=code, estate=estate, name="1栋", floors=6, lat=32.365, lng=119.445)
    areas = areas or [Decimal("60"), Decimal("80")]
    owners = list(owners or [])
    for i in range(dwellings):
        owner = None
        if i < len(owners):
            owner = Person.objects.create(name=f"业主{next(_n)}", region_code=code, user=owners[i])
        Dwelling.objects.create(region_code=code, building=building, floor=i // 4 + 1, room=f"{i // 4 + 1}0{i % 4 + 1}",
                                area=areas[i % len(areas)], owner=owner)
    return estate


def make_company(code: str, **kw) -> PropertyCompany:
    seed = next(_n)
    fields = {"name": f"扬城物业{seed}", "uscc": valid_uscc(seed), "qualification": c.Qualification.SECOND}
    fields.update(kw)
    return PropertyCompany.objects.create(region_code=code, **fields)


def make_sme(code: str, **kw) -> SelfManagedEstate:
    estate = kw.pop("estate", None) or make_estate(code)
    return SelfManagedEstate.objects.create(region_code=code, estate=estate, group_name="施井自管小组",
                                            started_on=dt.date(2025, 1, 1), **kw)


def make_vote(code: str, owner=None) -> OwnersVote:
    estate = make_estate(code)
    return OwnersVote.objects.create(region_code=code, estate=estate, title="物业费标准", motion="每户每月30元",
                                     closes_on=dt.date.today() + dt.timedelta(days=7), eligible_count=4,
                                     eligible_area=Decimal("280"))


def _company(code, owner):
    return make_company(code[:9])


def _vote(code, owner):
    return make_vote(code, owner)


def _sme(code, owner):
    return make_sme(code)


def _renovation(code, owner):
    estate = make_estate(code, dwellings=1)
    return RenovationProject.objects.create(region_code=code, estate=estate, title="老旧院落改造")


MATRIX_FACTORIES = {PropertyCompany: _company, OwnersVote: _vote, SelfManagedEstate: _sme,
                    RenovationProject: _renovation}
