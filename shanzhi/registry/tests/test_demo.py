"""The demo step: realistic counts, valid synthetic numbers, idempotent, resident linked."""

import pytest
from stdnum.cn import ric, uscc

from shanzhi.accounts.demo import build as accounts
from shanzhi.core.demo import DemoContext
from shanzhi.core.pii import decrypt
from shanzhi.regions.demo import build as regions
from shanzhi.registry import choices as c
from shanzhi.registry.demo import build as registry
from shanzhi.registry.models import Building, CareTag, Dwelling, Estate, Household, Person, Unit
from shanzhi.registry.validators import parse_id_number

pytestmark = pytest.mark.django_db


def _build(persons):
    ctx = DemoContext(persons=persons, stdout=lambda s: None)
    regions(ctx=ctx)
    accounts(ctx=ctx)
    registry(ctx=ctx)
    return ctx


def _counts():
    return tuple(m.objects.count() for m in (Estate, Building, Dwelling, Household, Person, Unit, CareTag))


def test_demo_builds_a_plausible_registry_once(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ctx = _build(1500)
    persons = Person.objects.count()
    assert 1300 <= persons <= 2500  # at least 3 per grid, otherwise in proportion to the grids' population
    assert set(Person.objects.values_list("region_code", flat=True).distinct()) == set(ctx.data["grids"])
    occupancy = set(Dwelling.objects.values_list("occupancy", flat=True).distinct())
    assert {c.Occupancy.OWNER_OCCUPIED, c.Occupancy.RENTED, c.Occupancy.VACANT} <= occupancy
    assert Person.objects.filter(residence_type=c.ResidenceType.FLOATING).exists()
    assert Person.objects.filter(relation_to_head=c.Relation.CHILD).exists()
    assert not Household.objects.filter(head=None).exists()
    for p in Person.objects.order_by("?")[:200]:
        number = decrypt(p.id_number_enc)
        info = parse_id_number(number)  # valid GB 11643 check digit
        assert number.startswith("321002") and 900 <= int(number[14:17]) <= 999
        assert info.birth_date == p.birth_date and info.sex == p.sex
        assert ric.calc_check_digit(number) == number[-1]
        phone = decrypt(p.phone_enc)
        assert not phone or phone[:3] in ("170", "171")
    assert all(uscc.is_valid(u) for u in Unit.objects.values_list("uscc", flat=True))
    assert Person.objects.get(user=ctx.data["users"]["resident"]).region_code == ctx.data["grids"][0]

    before = _counts()
    _build(1500)
    assert _counts() == before
