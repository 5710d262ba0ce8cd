import pytest

from shanzhi.analytics.testing import make_facts, make_typology


@pytest.fixture
def facts(world):
    return make_facts(world)


@pytest.fixture
def typology(db):
    return make_typology()
