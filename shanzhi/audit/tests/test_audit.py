"""The audit log is append-only (model, queryset and database trigger) and records the security events."""

from io import BytesIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shanzhi.accounts.auditlog.selectors import audit_event_list
from shanzhi.accounts.services import grant_add, grant_revoke
from shanzhi.audit.models import AuditEvent, AuditImmutable
from shanzhi.audit.services import REDACTED, audit_log
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    return audit_log(action="test.event", object_repr="x", after={"name": "张三"})


def test_model_save_and_delete_raise(event):
    event.reason = "changed"
    with pytest.raises(AuditImmutable):
        event.save()
    with pytest.raises(AuditImmutable):
        event.delete()


def test_queryset_update_and_delete_raise(event):
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditImmutable):
        AuditEvent.objects.all().delete()


def test_database_trigger_refuses_raw_update(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE audit_auditevent SET reason = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test runner's flush")
def test_database_trigger_refuses_raw_delete_on_postgresql(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_sensitive_fields_are_redacted():
    e = audit_log(action="x", before={"password": "Secret-1", "nested": {"id_number": "3210"}, "name": "李"},
                  after={"phone_enc": b"..", "otp_token": "123456"})
    assert e.before == {"password": REDACTED, "nested": {"id_number": REDACTED}, "name": "李"}
    assert e.after == {"phone_enc": REDACTED, "otp_token": REDACTED}


def test_denial_is_audited(client, world, make_user):
    user = make_user(Role.GRID_WORKER, world.grid.code, username="curious")
    client.force_login(user)
    assert client.get(reverse("accounts:user_list")).status_code == 403
    e = AuditEvent.objects.get(action="access.denied")
    assert e.actor == user and e.object_repr == reverse("accounts:user_list") and e.reason


def test_role_changes_are_audited(world, make_user):
    boss = make_user(Role.STREET_MANAGER, world.street.code)
    user = make_user()
    grant = grant_add(actor=boss, user=user, role=Role.GRID_LEADER, region=world.grid)
    grant_revoke(actor=boss, grant=grant)
    add, revoke = AuditEvent.objects.filter(action__startswith="grant.").order_by("id")
    assert (add.action, add.actor, add.object_id, add.after) == (
        "grant.add", boss, str(user.pk), {"role": "grid_leader", "region": world.grid.code})
    assert (revoke.action, revoke.before["role"], revoke.region_code) == ("grant.revoke", "grid_leader",
                                                                         world.grid.code)


def test_audit_admin_browses_filters_and_exports(client, world, make_user):
    admin = make_user(Role.AUDIT_ADMIN, world.city.code, username="auditor")
    audit_log(action="region.update", object_repr="玺园社区", region_code=world.community.code)
    audit_log(action="login.failed", actor_name="mallory")
    verified_login(client, admin)
    page = client.get(reverse("audit:list"), {"action": "login"}).content.decode()
    assert "mallory" in page and "玺园社区" not in page
    resp = client.get(reverse("audit:export"), {"region": world.community.code})
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    rows = CalamineWorkbook.from_filelike(BytesIO(b"".join(resp.streaming_content))).get_sheet_by_index(0).to_python()
    assert rows[0][:2] == ["时间", "操作人"] and len(rows) == 2 and rows[1][7] == "玺园社区"
    export = AuditEvent.objects.get(action="audit.export")
    assert export.actor == admin and world.community.code in export.reason


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.STREET_MANAGER])
def test_only_the_audit_admin_reads_the_log(client, world, make_user, role):
    user = make_user(role, world.city.code if role != Role.STREET_MANAGER else world.street.code)
    verified_login(client, user)
    assert client.get(reverse("audit:list")).status_code == 403
    assert not audit_event_list(actor=user).exists()


def test_commands_are_audited_without_a_request(world, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("代码,名称,层级,上级代码\n321002004001003,玺园第3网格,网格,321002004001\n", encoding="utf-8")
    call_command("regions", "import", str(f))
    e = AuditEvent.objects.get(action="region.create")
    assert e.actor is None and e.object_repr == "玺园第3网格" and e.region_code == "321002004001003"
