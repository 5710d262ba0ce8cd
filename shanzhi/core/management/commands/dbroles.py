"""`shanzhi dbroles --owner shanzhi_owner --runtime shanzhi_app [--apply] [--take-ownership]`

Prints (or, with --apply, runs) the GRANTs that give the runtime role normal DML on every table, INSERT and
SELECT only on the audit log, and the same on tables later migrations create. Run it as the owner role
(shanzhi/__main__ connects with SHANZHI_MIGRATE_DATABASE_URL) or a superuser, after `shanzhi migrate`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shanzhi.core.dbroles import grant_statements, ownership_statements


class Command(BaseCommand):
    help = "生成（或执行）PostgreSQL 所有者角色与运行角色的授权语句"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--owner", required=True, help="拥有表、执行迁移的角色")
        parser.add_argument("--runtime", required=True, help="应用运行时使用的角色（不拥有任何对象）")
        parser.add_argument("--take-ownership", action="store_true",
                            help="同时把现有的表交给所有者角色（需超级用户执行）")
        parser.add_argument("--apply", action="store_true", help="直接执行，而不只是打印")

    def handle(self, *args, owner, runtime, take_ownership, apply, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("dbroles is for PostgreSQL; SQLite has no roles (its audit triggers stay).")
        if owner == runtime:
            raise CommandError("the owner and the runtime role must differ")
        with connection.cursor() as cursor:
            statements = ownership_statements(cursor, owner=owner) if take_ownership else []
            statements += grant_statements(owner=owner, runtime=runtime, database=connection.settings_dict["NAME"])
            raw = cursor.connection
            if apply:
                with transaction.atomic():
                    for statement in statements:
                        cursor.execute(statement)
            for statement in statements:
                self.stdout.write(statement.as_string(raw) + ";")
