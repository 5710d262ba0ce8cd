import json

from django.core.management.base import BaseCommand

from shanzhi.audit import partitioning


class Command(BaseCommand):
    help = ("PostgreSQL 按月分区：建好本月及之后三个月的分区，并把超过保留期的分区分离、导出（pg_dump）后删除；"
            "以表的所有者角色运行（SHANZHI_MIGRATE_DATABASE_URL）")

    def add_arguments(self, parser):
        parser.add_argument("--no-archive", action="store_true", help="只建分区，不归档旧分区")

    def handle(self, *args, no_archive, **opts):
        out = {"created": partitioning.create_future()}
        if not no_archive:
            out["archived"] = partitioning.archive_old()
        self.stdout.write(json.dumps(out, ensure_ascii=False))
