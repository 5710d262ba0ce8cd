"""PostgreSQL: the runtime role (what the application connects as) can append and read audit rows but not
rewrite or erase them, and even the owner role cannot TRUNCATE the log (trigger)."""

import uuid

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from shanzhi.audit.models import AuditEvent
from shanzhi.core.checks import check_runtime_role
from shanzhi.core.dbroles import grant_statements, ownership_statements

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and TRUNCATE are PostgreSQL's")


def refused(cursor, statement) -> str:
    try:
        with transaction.atomic():  # a savepoint: the error does not end the test's transaction
            cursor.execute(statement)
    except DatabaseError as exc:
        return str(exc)
    return ""


@pytest.fixture
def roles(db, make_user):
    """Both roles, created inside the test's transaction (rolled back with it), set up as `dbroles` says."""
    tag = uuid.uuid4().hex[:8]
    owner, runtime = f"sz_owner_{tag}", f"sz_app_{tag}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{owner}" NOLOGIN')
        cursor.execute(f'CREATE ROLE "{runtime}" NOLOGIN')
        for statement in ownership_statements(cursor, owner=owner):
            cursor.execute(statement)
        for statement in grant_statements(owner=owner, runtime=runtime, database=connection.settings_dict["NAME"]):
            cursor.execute(statement)
    AuditEvent.objects.create(action="test.before", actor_name="setup")
    return owner, runtime


def test_the_runtime_role_appends_and_reads_but_cannot_rewrite_or_erase(roles, make_user):
    _owner, runtime = roles
    user = make_user()
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{runtime}"')
        try:
            AuditEvent.objects.create(action="test.insert", actor=user, actor_name=user.username)  # INSERT
            assert AuditEvent.objects.filter(action__startswith="test.").count() == 2  # SELECT
            for statement in ("UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent",
                              "TRUNCATE audit_auditevent", "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL"):
                message = refused(cursor, statement)
                assert "permission denied" in message or "must be owner" in message, statement
            cursor.execute("UPDATE accounts_user SET first_name = 'x' WHERE id = %s", [user.pk])  # other tables: DML
            assert cursor.rowcount == 1
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(action__startswith="test.").count() == 2


def test_the_owner_cannot_truncate_the_audit_log(roles):
    owner, _runtime = roles
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred FK checks pending from the inserts
        cursor.execute(f'SET ROLE "{owner}"')
        try:
            assert "cannot be truncated" in refused(cursor, "TRUNCATE audit_auditevent")
            assert "append-only" in refused(cursor, "DELETE FROM audit_auditevent")
        finally:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.filter(action="test.before").exists()


def test_production_warns_when_the_runtime_role_could_erase_the_log(roles, settings):
    settings.PRODUCTION = True
    assert [w.id for w in check_runtime_role(databases=["default"])] == ["shanzhi.W003"]  # the test superuser
    owner, runtime = roles
    with connection.cursor() as cursor:
        for role, expected in ((owner, ["shanzhi.W003"]), (runtime, [])):
            cursor.execute(f'SET ROLE "{role}"')
            try:
                assert [w.id for w in check_runtime_role(databases=["default"])] == expected, role
            finally:
                cursor.execute("RESET ROLE")


def test_dbroles_prints_the_grants(db, capsys):
    call_command("dbroles", owner="shanzhi_owner", runtime="shanzhi_app")
    out = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "public"."audit_auditevent" FROM "shanzhi_app"' in out
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "shanzhi_owner"' in out
