"""`shanzhi open311 key create --name NAME` prints a new api_key (only its hash is stored)."""

from django.core.management.base import BaseCommand, CommandError

from shanzhi.cases.models import Open311Key
from shanzhi.cases.services import open311_key_create
from shanzhi.core.errors import ServiceError


class Command(BaseCommand):
    help = "Open311 接口密钥"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        key = sub.add_parser("key")
        key_sub = key.add_subparsers(dest="key_cmd", required=True)
        create = key_sub.add_parser("create")
        create.add_argument("--name", required=True)
        key_sub.add_parser("list")

    def handle(self, *args, sub, key_cmd, **opts):
        if key_cmd == "create":
            try:
                _obj, key = open311_key_create(name=opts["name"])
            except ServiceError as e:
                raise CommandError(e.user_message)
            self.stdout.write(key)
        else:
            for k in Open311Key.objects.order_by("id"):
                self.stdout.write(f"{k.pk}\t{k.name}\t{'active' if k.active else 'revoked'}\t{k.created_at:%Y-%m-%d}")
