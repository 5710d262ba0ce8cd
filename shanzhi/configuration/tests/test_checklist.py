"""Checklist items appear for each gap and disappear once it is configured; the workbench counter and page."""

import pytest

from shanzhi.cases import choices as c
from shanzhi.cases.services import routing_rule_set
from shanzhi.cases.testing import make_body, make_category
from shanzhi.configuration.checklist import checklist, missing_count
from shanzhi.consultation.services import rules_seed_defaults
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.disclosure.services import schedule_adopt_defaults
from shanzhi.volunteering.store import store_item_create

pytestmark = pytest.mark.django_db


def _keys(world):
    return [(i.key, i.region_code) for i in checklist(streets=[world.street])[0].items]


def test_items_appear_and_disappear(world, make_user):
    keys = _keys(world)
    assert ("no_categories", world.street.code) in keys
    assert ("street_manager", world.street.code) in keys
    assert ("community_rules", world.community.code) in keys
    assert ("community_store", world.community.code) in keys
    assert ("grid_worker", world.grid.code) in keys and ("grid_worker", world.grid2.code) in keys

    gas = make_category("safety.gas", "燃气隐患", handler_type=c.HandlerType.UTILITY)
    keys = _keys(world)
    assert ("no_categories", world.street.code) not in keys
    assert ("category_body", world.street.code) in keys
    text = [i.text for i in checklist(streets=[world.street])[0].items]
    assert "类别“燃气隐患”没有承办单位" in text

    body = make_body("港华燃气", c.HandlerType.UTILITY, region_code=world.district.code)
    routing_rule_set(actor=None, category=gas, region_prefix=world.street.code, body=body)
    assert ("category_body", world.street.code) not in _keys(world)

    street_body = make_body("曲江城管科", c.HandlerType.STREET_SECTION, region_code=world.street.code)
    assert ("body_members", world.street.code) in _keys(world)
    make_body("曲江城管科", members=[make_user(Role.HANDLING_BODY_STAFF, world.street.code)])
    assert street_body.members.count() == 1 and ("body_members", world.street.code) not in _keys(world)

    manager = make_user(Role.STREET_MANAGER, world.street.code)
    rules_seed_defaults(actor=manager, region_code=world.street.code)
    assert ("disclosure_schedule", world.street.code) in _keys(world)
    assert schedule_adopt_defaults(actor=manager, region_code=world.street.code) == 5
    store_item_create(actor=make_user(Role.COMMUNITY_STAFF, world.community.code), region_code=world.community.code,
                      name="大米", points_price=50, stock=10)
    make_user(Role.GRID_WORKER, world.grid.code)
    make_user(Role.GRID_WORKER, world.grid2.code)
    assert _keys(world) == []


def test_the_other_street_is_not_listed(world):
    [section] = checklist(streets=[world.other_street])
    assert all(i.region_code.startswith(world.other_street.code) for i in section.items)


def test_counter_and_page_are_scoped(client, world, make_user):
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    assert missing_count(streets=[world.street]) > 0
    verified_login(client, manager)
    home = client.get("/").content.decode()
    assert "待完成的配置项" in home
    page = client.get("/config/checklist/").content.decode()
    assert "网格“玺园第1网格”没有网格员" in page and "琼花" not in page
    assert client.get(f"/config/checklist/?street={world.other_street.code}").status_code == 404
    assert client.get("/config/checklist/").status_code == 200


def test_the_system_admin_menu_leads_to_the_config_home(client, world, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, world.city.code)
    verified_login(client, admin)
    body = client.get("/config/").content.decode()
    assert "系统配置" in body and 'href="/config/"' in body
