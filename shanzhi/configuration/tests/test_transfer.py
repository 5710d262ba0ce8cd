"""The street configuration file: round trip to another street, the dry run's differences, bad files."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shanzhi.audit.models import AuditEvent
from shanzhi.cases import choices as c
from shanzhi.cases.models import HandlingBody, RoutingRule
from shanzhi.cases.services import route_body, routing_rule_set
from shanzhi.cases.testing import make_body, make_category
from shanzhi.configuration import transfer
from shanzhi.consultation.models import ConsultationRule
from shanzhi.consultation.services import rules_seed_defaults
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.disclosure.models import PublishingSchedule
from shanzhi.disclosure.services import schedule_adopt_defaults

pytestmark = pytest.mark.django_db


def _configured(world):
    gas = make_category("safety.gas", "燃气隐患")
    road = make_category("facility.road", "道路破损")
    section = make_body("曲江街道城管科", region_code=world.street.code)
    utility = make_body("港华燃气", c.HandlerType.UTILITY, region_code=world.district.code)
    routing_rule_set(actor=None, category=gas, region_prefix=world.street.code, body=utility)
    routing_rule_set(actor=None, category=road, region_prefix=world.street.code, body=section)
    rules_seed_defaults(actor=None, region_code=world.street.code)
    schedule_adopt_defaults(actor=None, region_code=world.street.code)
    return gas, road


def test_round_trip_to_another_street(world, make_user):
    gas, road = _configured(world)
    data = json.loads(transfer.dumps(transfer.export_street(world.street)))
    assert data["format"] == transfer.FORMAT and data["version"] == transfer.VERSION
    changes = transfer.plan(data, world.other_street)
    assert {(ch.kind, ch.op) for ch in changes} >= {("body", "add"), ("body", "same"), ("route", "add"),
                                                     ("rule", "add")}
    assert not HandlingBody.objects.filter(name="汶河街道城管科").exists()  # the dry run wrote nothing
    manager = make_user(Role.STREET_MANAGER, world.other_street.code)
    transfer.apply(actor=manager, data=data, street=world.other_street)
    assert route_body(road, world.other_grid.code).name == "汶河街道城管科"
    assert route_body(gas, world.other_grid.code).name == "港华燃气"
    assert ConsultationRule.objects.filter(region_code=world.other_street.code).count() == \
        ConsultationRule.objects.filter(region_code=world.street.code).count()
    assert PublishingSchedule.objects.filter(region_code=world.other_street.code).count() == 5
    assert AuditEvent.objects.filter(action="configuration.apply").count() == 1
    # applying again: nothing left to change
    assert all(ch.op == "same" for ch in transfer.plan(data, world.other_street))


def test_a_changed_rule_shows_before_and_after(world):
    _configured(world)
    data = transfer.export_street(world.street)
    data["consultation_rules"][0]["support_value"] = "99.00"
    changed = [ch for ch in transfer.plan(data, world.street) if ch.op == "change"]
    assert len(changed) == 1 and "support_value=99.00" in changed[0].after


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d.update(version=99), "版本 99"),
    (lambda d: d.update(format="other"), "不是善治的街道配置文件"),
    (lambda d: d["routes"].append({"category": "unknown.cat", "region": "=", "body": "港华燃气"}), "unknown.cat"),
    (lambda d: d.update(routes="x"), "格式不对"),
    (lambda d: d["publishing_schedule"].append({"category": "gossip", "every_months": 1}), "未知的公开类别"),
])
def test_bad_files_are_refused_whole(world, make_user, mutate, message):
    _configured(world)
    data = transfer.export_street(world.street)
    mutate(data)
    manager = make_user(Role.STREET_MANAGER, world.other_street.code)
    bodies = HandlingBody.objects.count()
    with pytest.raises(ServiceError) as e:
        transfer.apply(actor=manager, data=transfer.parse(transfer.dumps(data)), street=world.other_street)
    assert message in e.value.user_message
    assert HandlingBody.objects.count() == bodies
    assert not RoutingRule.objects.filter(region_prefix__startswith=world.other_street.code).exists()
    assert not ConsultationRule.objects.filter(region_code=world.other_street.code).exists()


def test_unknown_category_gets_an_audit_row(world, make_user):
    _configured(world)
    data = transfer.export_street(world.street)
    data["routes"].append({"category": "unknown.cat", "region": "=", "body": "港华燃气"})
    with pytest.raises(ServiceError):
        transfer.apply(actor=make_user(Role.STREET_MANAGER, world.other_street.code), data=data,
                       street=world.other_street)
    assert AuditEvent.objects.filter(action="configuration.apply_refused").count() == 1
    with pytest.raises(ServiceError):
        transfer.parse(b"\xff\xfe not json")


def test_file_page_dry_run_then_apply(client, world, make_user):
    _configured(world)
    raw = transfer.dumps(transfer.export_street(world.street))
    verified_login(client, make_user(Role.STREET_MANAGER, world.other_street.code))
    resp = client.post("/config/file/", {"street": world.other_street.code,
                                         "file": SimpleUploadedFile("c.json", raw, "application/json")})
    page = resp.content.decode()
    assert resp.status_code == 200 and "汶河街道城管科" in page and "新增" in page
    assert not HandlingBody.objects.filter(name="汶河街道城管科").exists()
    resp = client.post("/config/file/", {"street": world.other_street.code, "confirm": "1",
                                         "payload": raw.decode()})
    assert resp.status_code == 302
    assert HandlingBody.objects.filter(name="汶河街道城管科", region_code=world.other_street.code).exists()
    assert client.get(f"/config/file/export/?street={world.street.code}").status_code == 404
