"""`shanzhi apitoken create --user U --regions CODE,... --fields a,b --days N` prints a new token once;
`shanzhi apitoken revoke PREFIX` revokes it; `shanzhi apitoken list` shows tokens (never their values)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shanzhi.api.models import ApiToken
from shanzhi.api.tokens import token_create, token_revoke
from shanzhi.core.errors import ServiceError


class Command(BaseCommand):
    help = "管理部门接口令牌（一次采集、多次使用）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("prefix", nargs="?", help="revoke：令牌前缀")
        parser.add_argument("--user", help="令牌所属用户名")
        parser.add_argument("--regions", default="", help="允许的区划代码，逗号分隔")
        parser.add_argument("--fields", default="", help="允许的字段，逗号分隔（空为全部脱敏字段）")
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--name", default="")

    def handle(self, *args, action, prefix, user, regions, fields, days, name, **opts):
        User = get_user_model()

        if action == "list":
            for t in ApiToken.objects.select_related("user").order_by("-created_at"):
                state = "已撤销" if t.revoked_at else f"到期 {t.expires_at:%Y-%m-%d}"
                self.stdout.write(f"{t.prefix}…  {t.user}  {','.join(t.region_codes) or '-'}  "
                                  f"{','.join(t.fields) or '全部'}  {state}")
            return
        if action == "revoke":
            tokens = list(ApiToken.objects.filter(prefix=prefix or "-"))
            if len(tokens) != 1:
                raise CommandError("找不到该前缀的令牌")
            token_revoke(actor=None, token=tokens[0])
            self.stdout.write("已撤销")
            return
        try:
            owner = User.objects.get(username=user or "")
        except User.DoesNotExist:
            raise CommandError("请用 --user 指定已存在的用户") from None
        try:
            _token, plain = token_create(actor=None, user=owner, regions=regions.split(","),
                                         fields=fields.split(","), days=days, name=name)
        except ServiceError as e:
            raise CommandError(e.user_message) from None
        self.stdout.write(plain)
