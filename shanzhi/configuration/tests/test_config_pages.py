"""The config services (in cases and consultation) and pages: who may edit what, versions and before/after
audit rows, the routing tester, out-of-scope 404 and a street override outside what the district allows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin

from shanzhi.audit.models import AuditEvent
from shanzhi.cases import choices as c
from shanzhi.cases.deadlines import step_days, workday
from shanzhi.cases.models import (
    Category,
    DeadlineRule,
    HandlingBody,
    HandlingBodyMember,
    HolidayOverride,
    RoutingRule,
)
from shanzhi.cases.services import (
    category_create,
    category_update,
    handling_body_create,
    handling_body_update,
    routing_rule_set,
)
from shanzhi.cases.testing import make_body, make_category
from shanzhi.consultation.models import ConsultationRule
from shanzhi.consultation.rules import rule_for
from shanzhi.consultation.services import rules_seed_defaults, street_rule_set
from shanzhi.consultation.testing import topic_in
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.disclosure.models import PublishingSchedule
from shanzhi.registry.testing import person_in
from shanzhi.volunteering.store import store_item_create

pytestmark = pytest.mark.django_db


def test_categories_are_the_districts_defaults(world, make_user):
    admin = make_user(Role.SYSTEM_ADMIN, world.city.code)
    street = make_user(Role.STREET_MANAGER, world.street.code)
    cat = category_create(actor=admin, code="safety.gas", name="燃气隐患", handle_days=Decimal(1))
    with pytest.raises(NotAllowed) as e:
        category_update(actor=street, category=cat, name="燃气")
    assert "区级管理员" in e.value.user_message
    category_update(actor=admin, category=cat, version=1, handle_days=Decimal("0.5"))
    cat.refresh_from_db()
    assert cat.version == 2 and cat.handle_days == Decimal("0.5")
    event = AuditEvent.objects.get(action="cases.category_update")
    assert event.before == {"handle_days": "1"} and event.after == {"handle_days": "0.5"}
    with pytest.raises(ConflictError):
        category_update(actor=admin, category=Category.objects.get(pk=cat.pk), version=1, name="x")
    with pytest.raises(ServiceError):
        category_update(actor=admin, category=cat, parent=cat)
    with pytest.raises(ServiceError) as e:
        category_create(actor=admin, code="safety.gas", name="重复")
    assert "已存在" in e.value.user_message


def test_bodies_and_routes_stay_inside_the_street(world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    gas = make_category("safety.gas", "燃气隐患")
    body = handling_body_create(actor=street, name="曲江安监科", kind=c.HandlerType.STREET_SECTION,
                                region_code=world.street.code)
    with pytest.raises(NotAllowed):
        handling_body_create(actor=street, name="汶河安监科", kind=c.HandlerType.STREET_SECTION,
                             region_code=world.other_street.code)
    with pytest.raises(NotAllowed):  # a street can't widen its body to the district
        handling_body_update(actor=street, body=body, region_code=world.district.code)
    handling_body_update(actor=street, body=body, contact="0514-1234567")
    event = AuditEvent.objects.get(action="cases.body_update")
    assert event.before == {"contact": ""} and event.after == {"contact": "0514-1234567"}

    # a routing rule for the whole district is outside what a street may set
    with pytest.raises(NotAllowed):
        routing_rule_set(actor=street, category=gas, region_prefix=world.district.code, body=body)
    # a body of another street does not cover this street: refused whatever the area
    other = make_body("汶河城管科", region_code=world.other_street.code)
    with pytest.raises(ServiceError) as e:
        routing_rule_set(actor=street, category=gas, region_prefix=world.street.code, body=other)
    assert "不覆盖" in e.value.user_message
    rule = routing_rule_set(actor=street, category=gas, region_prefix=world.community.code, body=body)
    district_body = make_body("港华燃气", c.HandlerType.UTILITY, region_code=world.district.code)
    routing_rule_set(actor=street, category=gas, region_prefix=world.community.code, body=district_body)
    assert RoutingRule.objects.get(pk=rule.pk).body == district_body
    event = AuditEvent.objects.get(action="cases.route_update")
    assert event.before == {"body": body.pk} and event.after == {"body": district_body.pk}


def test_street_rules_versioned_and_only_for_street_managers(world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    rule = street_rule_set(actor=street, street_code=world.street.code, matter_type="facility", name="公共设施",
                           support_value=Decimal(20))
    assert rule.version == 1
    street_rule_set(actor=street, street_code=world.street.code, matter_type="facility", support_value=Decimal(30))
    rule.refresh_from_db()
    assert rule.version == 2 and rule.support_value == 30
    assert AuditEvent.objects.get(action="consultation.street_rule_update").before == {"support_value": "20.00"}
    with pytest.raises(NotAllowed):
        street_rule_set(actor=secretary, street_code=world.street.code, matter_type="facility", support_value=1)


def _login(client, make_user, role, code):
    user = make_user(role, code)
    verified_login(client, user)
    return user


def test_pages_scope_and_tester(client, world, make_user):
    _login(client, make_user, Role.STREET_MANAGER, world.street.code)
    gas = make_category("safety.gas", "燃气隐患")
    for url in ("/config/", "/config/categories/", "/config/bodies/", "/config/routing/", "/config/rules/",
                "/config/file/"):
        assert client.get(url).status_code == 200, url
        assert client.get(f"{url}?street={world.other_street.code}").status_code == 404, url
    other_body = make_body("汶河城管科", region_code=world.other_street.code)
    assert client.get(f"/config/bodies/?body={other_body.pk}").status_code == 404

    resp = client.post("/config/bodies/", {"street": world.street.code, "action": "save", "version": 0,
                                           "name": "曲江安监科", "kind": c.HandlerType.STREET_SECTION,
                                           "region_code": world.community.code, "active": "on"})
    assert resp.status_code == 302
    body = HandlingBody.objects.get(name="曲江安监科")
    resp = client.post("/config/bodies/", {"street": world.street.code, "body": body.pk, "action": "member_add",
                                           "username": "anquan1", "display_name": "王安全",
                                           "password": "Go-live-2026-ok"})
    assert resp.status_code == 302
    member = HandlingBodyMember.objects.get(body=body)
    assert member.user.grants.get().role == Role.HANDLING_BODY_STAFF

    resp = client.post("/config/routing/", {"street": world.street.code, "category": gas.pk,
                                            "region_prefix": world.community.code, "body": body.pk})
    assert resp.status_code == 302
    page = client.get(f"/config/routing/?test=1&category={gas.pk}&region={world.grid.code}").content.decode()
    assert "将派给：曲江安监科" in page
    page = client.get(f"/config/routing/?test=1&category={gas.pk}&region={world.street.code}").content.decode()
    assert "没有承办单位" in page

    # outside what the district allows: a district-wide rule from a street manager is refused on the page
    resp = client.post("/config/routing/", {"street": world.street.code, "category": gas.pk,
                                            "region_prefix": world.district.code, "body": body.pk})
    assert resp.status_code == 200 and RoutingRule.objects.count() == 1

    assert client.post("/config/rules/", {"street": world.street.code}).status_code == 302
    assert ConsultationRule.objects.filter(region_code=world.street.code).count() > 3


def test_category_page_refuses_a_street_manager_and_serves_the_admin(client, world, make_user):
    _login(client, make_user, Role.STREET_MANAGER, world.street.code)
    page = client.get("/config/categories/").content.decode()
    assert "只有系统管理员或区级管理员可以修改" in page
    resp = client.post("/config/categories/", {"version": 0, "code": "x", "name": "x", "handler_type": "grid",
                                               "accept_days": 1, "handle_days": 1, "verify_days": 1})
    assert resp.status_code == 200 and not Category.objects.exists()
    client.logout()
    _login(client, make_user, Role.SYSTEM_ADMIN, world.city.code)
    resp = client.post("/config/categories/", {"version": 0, "code": "safety.gas", "name": "燃气隐患",
                                               "handler_type": "utility", "accept_days": 1, "handle_days": 1,
                                               "verify_days": 1, "is_public": "on", "active": "on",
                                               "extra_fields": '[{"code": "floor", "label": "楼层", "type": "number"}]'})
    assert resp.status_code == 302
    assert Category.objects.get().extra_fields[0]["code"] == "floor"


def test_no_model_is_registered_in_django_admin():
    """No resident data (nor any other row) in Django admin: configuration lives in these pages."""
    assert not [m for m in admin.site._registry if m._meta.app_label.startswith(("registry", "cases", "accounts"))]


def test_a_topic_keeps_the_rule_version_it_started_under(world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    rules_seed_defaults(actor=street, region_code=world.street.code)
    rule = ConsultationRule.objects.get(region_code=world.street.code, matter_type="facility")
    topic = topic_in(world.grid.code)
    topic.rule = rule
    topic.save(update_fields=["rule"])
    before = rule.support_value
    new = street_rule_set(actor=street, street_code=world.street.code, matter_type="facility",
                          support_value=before + 5)
    assert new.pk != rule.pk and new.version == 2 and not new.retired
    topic.refresh_from_db()
    assert topic.rule_id == rule.pk and topic.rule.support_value == before and topic.rule.retired
    assert rule_for(world.community.code, "facility").pk == new.pk
    event = AuditEvent.objects.filter(action="consultation.street_rule_update").get()
    assert event.before == {"support_value": str(before)} and event.after["replaces"] == rule.pk
    # without topics, a change stays in place
    again = street_rule_set(actor=street, street_code=world.street.code, matter_type="facility",
                            support_value=before + 6)
    assert again.pk == new.pk and again.version == 3


def test_deadline_rules_and_holiday_overrides(client, world, make_user):
    gas = make_category("safety.gas", "燃气隐患", handle_days=Decimal(3))
    _login(client, make_user, Role.STREET_MANAGER, world.street.code)
    resp = client.post("/config/deadlines/", {"action": "rule", "category": gas.pk, "step": "handle", "days": "1"})
    assert resp.status_code == 200 and not DeadlineRule.objects.exists()  # a district-wide default: refused
    assert "只有系统管理员或区级管理员可以修改" in resp.content.decode()
    client.logout()
    _login(client, make_user, Role.DISTRICT_MANAGER, world.district.code)
    assert client.post("/config/deadlines/", {"action": "rule", "category": gas.pk, "step": "handle",
                                              "days": "1"}).status_code == 302
    assert step_days(gas, "handle") == Decimal(1)
    day = dt.date(2031, 10, 8)  # a Wednesday, outside the holiday table
    assert workday(day) == (True, False)
    assert client.post("/config/deadlines/", {"action": "holiday", "day": day.isoformat(),
                                              "note": "地方节日"}).status_code == 302
    assert workday(day) == (False, True)
    event = AuditEvent.objects.get(action="cases.holiday_create")
    assert event.after["is_workday"] is False
    client.post("/config/deadlines/", {"action": "holiday_delete", "holiday": HolidayOverride.objects.get().pk})
    assert workday(day) == (True, False)


def test_street_rule_edit_page_and_restock(client, world, make_user):
    manager = _login(client, make_user, Role.STREET_MANAGER, world.street.code)
    client.post("/config/rules/", {"street": world.street.code})
    rule = ConsultationRule.objects.get(region_code=world.street.code, matter_type="facility")
    assert "修改：" in client.get("/config/rules/?rule=facility").content.decode()
    resp = client.post("/config/rules/", {"street": world.street.code, "action": "edit", "matter_type": "facility",
                                          "support_mode": "absolute", "support_value": "12",
                                          "deciding_meeting": rule.deciding_meeting, "quorum_percent": 60,
                                          "majority": "two_thirds", "min_deliberation_days": 7, "notice_days": 3})
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert rule.support_value == 12 and rule.quorum_percent == 60 and rule.majority == "two_thirds"
    assert AuditEvent.objects.filter(action="consultation.street_rule_update").exists()

    item = store_item_create(actor=manager, region_code=world.community.code, name="大米", points_price=50, stock=1)
    other = store_item_create(actor=make_user(Role.STREET_MANAGER, world.other_street.code),
                              region_code=world.other_community.code, name="油", points_price=50, stock=1)
    assert client.post("/config/store/", {"street": world.street.code, "item": item.pk, "quantity": 9}).status_code == 302
    item.refresh_from_db()
    assert item.stock == 10
    client.post("/config/store/", {"street": world.street.code, "item": other.pk, "quantity": 9})
    other.refresh_from_db()
    assert other.stock == 1  # another street's item is not reachable from this street's page
    assert "油" not in client.get("/config/store/").content.decode()


def test_the_system_admin_sees_no_resident_data_on_the_config_pages(client, world, make_user):
    """三员分立: the config pages admit the system admin, and show reference data only."""
    person = person_in(world.grid.code, name="居民甲乙丙")
    resident = make_user(Role.RESIDENT, world.grid.code, display_name="居民甲乙丙")
    make_body("曲江城管科", region_code=world.street.code, members=[make_user(Role.HANDLING_BODY_STAFF,
                                                                             world.street.code)])
    topic_in(world.grid.code, owner=resident)
    store_item_create(actor=make_user(Role.COMMUNITY_STAFF, world.community.code), region_code=world.community.code,
                      name="大米", points_price=50, stock=10)
    _login(client, make_user, Role.SYSTEM_ADMIN, world.city.code)
    for url in ("/config/", "/config/checklist/", "/config/categories/", "/config/bodies/", "/config/routing/",
                "/config/rules/", "/config/deadlines/", "/config/channels/", "/config/store/", "/config/file/",
                "/config/file/export/"):
        resp = client.get(f"{url}?street={world.street.code}")
        assert resp.status_code == 200, url
        body = resp.content.decode()
        assert person.name not in body and "居民甲乙丙" not in body, url


def test_publishing_calendar(client, world, make_user):
    _login(client, make_user, Role.STREET_MANAGER, world.street.code)
    assert client.post("/config/disclosure/", {"street": world.street.code, "action": "defaults"}).status_code == 302
    assert PublishingSchedule.objects.filter(region_code=world.street.code).count() == 5
    resp = client.post("/config/disclosure/", {"street": world.street.code, "action": "set", "category": "finance",
                                               "every_months": 3, "due_day": 15})
    assert resp.status_code == 302
    row = PublishingSchedule.objects.get(region_code=world.street.code, category="finance")
    assert (row.every_months, row.due_day, row.version) == (3, 15, 2)
    event = AuditEvent.objects.get(action="disclosure.schedule_update")
    assert event.before == {"every_months": 1, "due_day": 10} and event.after == {"every_months": 3, "due_day": 15}
    assert client.get(f"/config/disclosure/?street={world.other_street.code}").status_code == 404
    client.logout()
    _login(client, make_user, Role.SYSTEM_ADMIN, world.city.code)
    client.post("/config/disclosure/", {"street": world.other_street.code, "action": "defaults"})
    assert not PublishingSchedule.objects.filter(region_code=world.other_street.code).exists()
