"""The heart of 帮教: who sees a record. Each rule of issue 17 §4 has a test here."""

import datetime as dt

import pytest
from django.utils import timezone

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.notifications.models import Notification
from shanzhi.support import selectors as sel
from shanzhi.support import services as s
from shanzhi.support.models import GlassGrant, Record, Visit

from .conftest import REASON_MARK

pytestmark = pytest.mark.django_db


def visible(user):
    return set(Record.objects.restrict(user, "view").values_list("pk", flat=True))


def test_purpose_roles_in_region_see_the_record(record, officer, leader, secretary):
    for user in (officer, leader, secretary):
        assert record.pk in visible(user)


def test_the_team_sees_and_nobody_else(record, worker, staff, world, make_user):
    assert record.pk in visible(worker)  # the responsible worker is on the team
    others = [staff, make_user(Role.GRID_WORKER, world.grid.code), make_user(Role.STREET_MANAGER, world.street.code),
              make_user(Role.DISTRICT_MANAGER, world.district.code), make_user(Role.DEPARTMENT_VIEWER, world.district.code),
              make_user(Role.RESIDENT, world.grid.code), make_user(Role.SYSTEM_ADMIN, world.city.code),
              make_user(Role.SECURITY_ADMIN, world.city.code), make_user(Role.AUDIT_ADMIN, world.city.code),
              make_user(Role.ELECTION_COMMITTEE, world.community.code)]
    for user in others:
        assert record.pk not in visible(user), user.grants.values_list("role", flat=True)


def test_purpose_roles_of_another_region_do_not_see_it(record, world, make_user):
    for role, code in ((Role.SAFETY_OFFICER, world.other_community.code), (Role.GRID_LEADER, world.grid2.code),
                       (Role.COMMUNITY_SECRETARY, world.other_community.code)):
        assert record.pk not in visible(make_user(role, code))


def test_a_team_member_added_sees_it_and_loses_it_when_removed(record, officer, staff):
    member = s.team_add(actor=officer, record=record, side="community", user=staff)
    assert record.pk in visible(staff)
    s.team_remove(actor=officer, member=member)
    assert record.pk not in visible(staff)


def test_members_outside_the_platform_by_name_and_unit(record, officer):
    m = s.team_add(actor=officer, record=record, side="family", name="王母亲", unit="")
    s.team_add(actor=officer, record=record, side="school", name="李老师", unit="扬州中学")
    assert m.user is None and record.team.filter(active=True).count() == 4 - 1  # responsible + two


def test_staff_outside_the_team_is_refused_with_the_glass_door(client, record, staff):
    client.force_login(staff)
    r = client.get(f"/support/records/{record.pk}/")
    assert r.status_code == 403
    body = r.content.decode()
    assert "帮教甲某" not in body and REASON_MARK not in body and record.reference in body
    assert "紧急查阅" in body


def test_out_of_region_staff_get_404(client, record, world, make_user):
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.other_community.code))
    assert client.get(f"/support/records/{record.pk}/").status_code == 404


def test_break_the_glass_with_reason_and_time_limit_alerts_the_security_admin(client, record, staff, security):
    client.force_login(staff)
    r = client.post(f"/support/records/{record.pk}/glass/", {"reason": "走失紧急寻找", "hours": 1})
    assert r.status_code == 302
    grant = GlassGrant.objects.get(record=record, user=staff)
    assert grant.reason == "走失紧急寻找" and grant.expires_at <= timezone.now() + dt.timedelta(hours=1, seconds=5)
    assert record.pk in visible(staff)
    page = client.get(f"/support/records/{record.pk}/")
    assert page.status_code == 200 and "帮教甲某" in page.content.decode() and "glass-banner" in page.content.decode()
    assert AuditEvent.objects.filter(action="support.glass.break", actor=staff).exists()
    assert AuditEvent.objects.filter(action="support.record.read_glass", actor=staff).exists()
    note = Notification.objects.get(recipient=security, kind="support.glass")
    assert record.reference in note.title and "帮教甲某" not in note.title + note.body
    # the security admin's page lists it
    client.logout()
    verified_login(client, security)
    log = client.get("/support/glass/")
    assert log.status_code == 200 and "走失紧急寻找" in log.content.decode()
    client.post(f"/support/glass/{grant.pk}/review/", {"end": "1"})
    assert record.pk not in visible(staff)


def test_a_glass_grant_expires(record, staff):
    grant = s.glass_break(actor=staff, record=record, reason="紧急处置", hours=2)
    assert record.pk in visible(staff)
    GlassGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert record.pk not in visible(staff)


def test_glass_needs_a_reason_and_a_bounded_time(record, staff):
    with pytest.raises(ServiceError):
        s.glass_break(actor=staff, record=record, reason="看", hours=2)
    with pytest.raises(ServiceError):
        s.glass_break(actor=staff, record=record, reason="紧急处置事项", hours=72)
    assert not GlassGrant.objects.exists()


def test_glass_gives_reading_not_writing(record, staff):
    s.glass_break(actor=staff, record=record, reason="紧急处置", hours=2)
    assert not Record.objects.restrict(staff, "change").filter(pk=record.pk).exists()
    visit = Visit.objects.get(record=record)
    with pytest.raises(ServiceError):
        s.visit_log(actor=staff, visit=visit, kind="home", notes="不应成功")


def test_residents_and_admins_cannot_break_the_glass(record, world, make_user):
    for user in (make_user(Role.RESIDENT, world.grid.code), make_user(Role.SYSTEM_ADMIN, world.city.code)):
        with pytest.raises(ServiceError):
            s.glass_break(actor=user, record=record, reason="好奇看看", hours=1)


def test_every_read_is_audited(client, record, officer, worker):
    for user in (officer, worker):
        before = AuditEvent.objects.filter(action="support.record.read", actor=user, object_id=str(record.pk)).count()
        if user is officer:
            verified_login(client, user)
        else:
            client.force_login(user)
        assert client.get(f"/support/records/{record.pk}/").status_code == 200
        assert AuditEvent.objects.filter(action="support.record.read", actor=user,
                                         object_id=str(record.pk)).count() == before + 1
        client.get("/support/")
        assert AuditEvent.objects.filter(action="support.record.list", actor=user).exists()
        n = AuditEvent.objects.filter(action="support.record.list", actor=user).count()
        client.get("/support/visits/")
        assert AuditEvent.objects.filter(action="support.record.list", actor=user).count() == n + 1
        client.logout()


def test_audit_rows_carry_no_personal_data(client, record, officer):
    verified_login(client, officer)
    client.get(f"/support/records/{record.pk}/")
    for e in AuditEvent.objects.filter(action__startswith="support."):
        text = f"{e.object_repr} {e.before} {e.after} {e.reason}"
        assert "帮教甲某" not in text and REASON_MARK not in text


def test_statistics_are_counts_only_and_small_cells_suppressed(record, officer, world, make_user, staff):
    stats = sel.statistics(actor=officer)
    assert stats["rows"][0]["counts"] == ["<3", "0", "0"] and stats["total"] == "<3"
    street = make_user(Role.STREET_MANAGER, world.street.code)
    assert sel.statistics(actor=street)["total"] == "<3"
    assert sel.statistics(actor=staff) == {"rows": [], "total": 0}
