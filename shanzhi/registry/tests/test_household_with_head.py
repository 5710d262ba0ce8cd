"""登记住户 in one step: the household and its head together, the 户号 suggested as the registry numbers them."""

import pytest

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.registry import choices as c
from shanzhi.registry.models import Household, Person
from shanzhi.registry.services import household_create_with_head, household_number_suggest
from shanzhi.registry.testing import dwelling_in

pytestmark = pytest.mark.django_db


def test_the_next_free_number_of_the_grid(world):
    code = world.grid.code
    assert household_number_suggest(code) == f"{code}0001"
    for n in (f"{code}0003", f"{code}0009", f"T{code}00042", f"{code}12345"):  # other shapes do not count
        Household.objects.create(region_code=code, household_number=n)
    assert household_number_suggest(code) == f"{code}0010"
    assert household_number_suggest(code, taken={f"{code}0010", f"{code}0011"}) == f"{code}0012"


def test_household_and_head_in_one_transaction(world):
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    dwelling = dwelling_in(world.grid.code)
    household, head = household_create_with_head(actor=worker, dwelling=dwelling, number_suggested=True,
                                                 head={"name": "李四", "phone": "13912345678"})
    assert household.household_number == f"{world.grid.code}0001" and household.head == head
    assert head.relation_to_head == c.Relation.HEAD and head.dwelling == dwelling and head.household == household
    # a bad ID number for the head: neither the household nor the person is written
    with pytest.raises(ServiceError):
        household_create_with_head(actor=worker, dwelling=dwelling, number_suggested=True,
                                   head={"name": "王五", "id_number": "110105194912310029"})
    assert Household.objects.count() == 1 and Person.objects.count() == 1
