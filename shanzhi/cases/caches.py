"""Reference rows the case services read on every step, kept per process (see core.memo): the deadline
rules, the level of a region code, and who holds a role on a grid and the regions above it. They pick
recipients and check a chosen assignee; whether someone may see or act on a case is always read fresh."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from shanzhi.accounts.models import RoleGrant
from shanzhi.core.memo import Memo
from shanzhi.regions.models import Region

from .deadlines import RULES
from .models import DeadlineRule

REGION_LEVELS = Memo("cases.region_levels")
GRANTS_AROUND = Memo("cases.grants_around")
USER_FIELDS = ("id", "username", "display_name", "is_active")


def connect_caches() -> None:
    RULES.clear_on_change(DeadlineRule)
    REGION_LEVELS.clear_on_change(Region)
    GRANTS_AROUND.clear_on_change(RoleGrant, get_user_model())


def region_level(code: str) -> str | None:
    return REGION_LEVELS.get(code, lambda: Region.objects.filter(code=code).values_list("level", flat=True).first())


def grants_around(code: str) -> list[tuple]:
    """(user, role, region code) for every grant of an active user on `code` or a region containing it."""
    def load():
        User = get_user_model()
        # from_db takes the values in the model's field order
        order = [f.attname for f in User._meta.concrete_fields if f.attname in USER_FIELDS]
        rows = (RoleGrant.objects.filter(region_code__in=[code[:n] for n in range(1, len(code) + 1)],
                                         user__is_active=True)
                .values_list("user_id", "user__username", "user__display_name", "role", "region_code"))
        users: dict = {}
        out = []
        for pk, username, display_name, role, grant_code in rows:
            if pk not in users:
                known = {"id": pk, "username": username, "display_name": display_name, "is_active": True}
                users[pk] = User.from_db("default", order, [known[name] for name in order])
            out.append((users[pk], role, grant_code))
        return out

    return GRANTS_AROUND.get(code, load)
