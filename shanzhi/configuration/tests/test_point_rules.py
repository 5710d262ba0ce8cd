"""志愿积分规则: the district's default and ceiling, a street's override within it, versions and before/after
audit rows, activities without their own points taking the rule, the page's scope and the checklist notice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shanzhi.audit.models import AuditEvent
from shanzhi.configuration import transfer
from shanzhi.configuration.checklist import notices
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.volunteering.models import PointRule
from shanzhi.volunteering.services import activity_create, point_rule_effective, point_rule_set

pytestmark = pytest.mark.django_db


def _activity(actor, code, **extra):
    start = timezone.now() + timedelta(days=2)
    return activity_create(actor=actor, region_code=code, title="清扫楼道", place="3号楼", starts_at=start,
                           ends_at=start + timedelta(hours=2), slots=5, **extra)


def test_district_default_street_override_and_ceiling(world, make_user):
    district = make_user(Role.DISTRICT_MANAGER, world.district.code)
    street = make_user(Role.STREET_MANAGER, world.street.code)
    assert point_rule_effective(region_code=world.community.code) == 10  # nothing set: installation default
    rule = point_rule_set(actor=district, region_code=world.district.code, points_per_hour=12, max_points_per_hour=20)
    assert point_rule_effective(region_code=world.community.code) == 12
    with pytest.raises(ServiceError) as e:  # above what the district allows
        point_rule_set(actor=street, region_code=world.street.code, points_per_hour=25)
    assert e.value.field == "points_per_hour" and "20" in e.value.user_message
    with pytest.raises(ServiceError):  # the ceiling is the district's to set
        point_rule_set(actor=street, region_code=world.street.code, points_per_hour=15, max_points_per_hour=30)
    with pytest.raises(NotAllowed):  # a street manager can't change the district's default
        point_rule_set(actor=street, region_code=world.district.code, points_per_hour=5)
    with pytest.raises(NotAllowed):  # nor another street's
        point_rule_set(actor=street, region_code=world.other_street.code, points_per_hour=5)
    point_rule_set(actor=street, region_code=world.street.code, points_per_hour=15)
    assert point_rule_effective(region_code=world.community.code) == 15
    assert point_rule_effective(region_code=world.other_street.code) == 12
    point_rule_set(actor=district, region_code=world.district.code, points_per_hour=12, max_points_per_hour=14,
                   version=rule.version)
    rule.refresh_from_db()
    assert rule.version == 2
    assert AuditEvent.objects.get(action="volunteering.point_rule_update").before == {"max_points_per_hour": 20}
    assert point_rule_effective(region_code=world.community.code) == 14  # a lowered ceiling caps the street
    with pytest.raises(ConflictError):  # a stale form
        point_rule_set(actor=district, region_code=world.district.code, points_per_hour=11, version=1)


def test_activity_without_points_takes_the_rule_and_keeps_it(world, make_user):
    street = make_user(Role.STREET_MANAGER, world.street.code)
    point_rule_set(actor=street, region_code=world.street.code, points_per_hour=16)
    ruled = _activity(street, world.community.code)
    own = _activity(street, world.community.code, points_per_hour=30)
    assert (ruled.points_per_hour, own.points_per_hour) == (16, 30)
    point_rule_set(actor=street, region_code=world.street.code, points_per_hour=8)
    ruled.refresh_from_db()
    assert ruled.points_per_hour == 16


def test_points_page_scope_forms_and_notice(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code)
    verified_login(client, user)
    page = client.get(f"/config/points/?street={world.street.code}").content.decode()
    assert page.count('<h1 class="page-title">') == 1 and "每小时积分" in page
    assert client.get(f"/config/points/?street={world.other_street.code}").status_code == 404
    assert any(world.street.name in n and "志愿积分" in n for n in notices(streets=[world.street]))
    assert "志愿积分规则" in client.get(f"/config/checklist/?street={world.street.code}").content.decode()
    # the district part is not the street's to edit: no form, the reason instead
    resp = client.post("/config/points/", {"street": world.street.code, "level": "district",
                                           "district-version": 0, "district-points_per_hour": 5})
    assert resp.status_code == 200 and not PointRule.objects.exists()
    resp = client.post("/config/points/", {"street": world.street.code, "level": "street",
                                           "street-version": 0, "street-points_per_hour": 18})
    assert resp.status_code == 302
    assert PointRule.objects.get(region_code=world.street.code).points_per_hour == 18
    assert not any(world.street.name in n for n in notices(streets=[world.street]))
    assert "18" in client.get(f"/config/points/?street={world.street.code}").content.decode()


def test_point_rule_travels_in_the_config_file_within_the_target_districts_ceiling(world, make_user):
    from_street = make_user(Role.STREET_MANAGER, world.street.code)
    point_rule_set(actor=from_street, region_code=world.street.code, points_per_hour=18)
    data = transfer.export_street(world.street)
    assert data["volunteer_points"] == [{"points_per_hour": 18}]
    manager = make_user(Role.STREET_MANAGER, world.other_street.code)
    changes = transfer.plan(data, world.other_street)
    assert [(ch.kind, ch.op, ch.after) for ch in changes if ch.kind == "points"] == [("points", "add", "18")]
    assert not PointRule.objects.filter(region_code=world.other_street.code).exists()  # dry run
    transfer.apply(actor=manager, data=data, street=world.other_street)
    assert point_rule_effective(region_code=world.other_street.code) == 18
    # a target district whose ceiling is lower refuses the file whole
    point_rule_set(actor=None, region_code=world.district.code, points_per_hour=10, max_points_per_hour=12)
    data["volunteer_points"] = [{"points_per_hour": 20}]
    with pytest.raises(ServiceError):
        transfer.apply(actor=manager, data=data, street=world.other_street)
    assert PointRule.objects.get(region_code=world.other_street.code).points_per_hour == 18


def test_a_stale_points_form_gets_the_conflict_page(client, world, make_user):
    user = make_user(Role.STREET_MANAGER, world.street.code)
    verified_login(client, user)
    point_rule_set(actor=user, region_code=world.street.code, points_per_hour=12)  # someone saved meanwhile
    resp = client.post("/config/points/", {"street": world.street.code, "level": "street",
                                           "street-version": 0, "street-points_per_hour": 18})
    assert resp.status_code == 409
    assert PointRule.objects.get(region_code=world.street.code).points_per_hour == 12
