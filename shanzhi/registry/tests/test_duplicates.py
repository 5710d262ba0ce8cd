"""Persons in the duplicate engine: likely double registrations for the merge page, staff only."""

import datetime

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.similarity import Query, suggest
from shanzhi.registry.duplicates import KIND, likely_duplicates, person_keys
from shanzhi.registry.models import Person
from shanzhi.registry.services import person_merge
from shanzhi.registry.testing import person_in

pytestmark = pytest.mark.django_db
BORN = datetime.date(1950, 3, 8)


@pytest.fixture
def person(world):
    return person_in(world.grid.code, name="张三丰", birth_date=BORN)


def test_likely_duplicates_by_name_pinyin_and_birth_date(world, make_user, person):
    twin = person_in(world.grid2.code, name="张三丰", birth_date=BORN)  # same community, another grid
    homophone = person_in(world.grid.code, name="张叁丰", birth_date=BORN)  # 同音字, pinyin zhangsanfeng
    stranger = person_in(world.grid.code, name="李四", name_pinyin="lisi", name_initials="ls",
                         birth_date=datetime.date(1990, 1, 1))
    elsewhere = person_in(world.other_grid.code, name="张三丰", birth_date=BORN)
    worker = make_user(Role.COMMUNITY_STAFF, world.community.code)
    found = likely_duplicates(actor=worker, person=person)
    assert found[0] == twin and homophone in found
    assert stranger not in found and elsewhere not in found and person not in found


def test_persons_are_never_suggested_to_residents_or_viewers(world, make_user, person):
    person_in(world.grid.code, name="张三丰", birth_date=BORN)
    resident = make_user(Role.RESIDENT, world.grid.code)
    query = Query(text="", keys=person_keys(person), region_code=person.region_code, extra={"person": person})
    assert suggest(KIND, actor=resident, query=query) == []
    assert likely_duplicates(actor=resident, person=person) == []


def test_merge_page_offers_the_engine_candidates_and_merges(client, world, make_user, person):
    dup = person_in(world.grid.code, name="张叁丰", birth_date=BORN, ethnicity="汉族")
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(worker)
    html = client.get(f"/registry/persons/{person.pk}/merge/").content.decode()
    assert f'name="duplicate" value="{dup.pk}"' in html
    kept = person_merge(actor=worker, keep=person, duplicate=dup, reason="同一人")
    assert kept.ethnicity == "汉族" and not Person.objects.filter(pk=dup.pk).exists()
    assert likely_duplicates(actor=worker, person=kept) == []
