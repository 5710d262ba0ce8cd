"""The actor of import commands run on the server: a named user, or the `console` account, which
can't log in and acts with a community-secretary grant on the region given on the command line."""

from django.core.management.base import CommandError

from shanzhi.accounts.models import User
from shanzhi.core.roles import Role
from shanzhi.regions.models import Region

CONSOLE_USERNAME = "console"


def command_actor(username: str | None, region_code: str):
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"用户 {username} 不存在或已停用") from None
    if not Region.objects.filter(code=region_code).exists():
        raise CommandError(f"区划代码 {region_code} 不存在")
    user, created = User.objects.get_or_create(username=CONSOLE_USERNAME, defaults={"display_name": "命令行"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    user._grants_cache = [(Role.COMMUNITY_SECRETARY, region_code), (Role.GRID_LEADER, region_code)]
    return user
