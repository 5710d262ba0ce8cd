"""Demo users: one per role, each with a scope in the 曲江 demo. Passwords are generated on first build
and kept in var/demo-logins.json, so no password is written in the code; a login works only where this
command built the demo."""

from __future__ import annotations

import json
import secrets
import string

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shanzhi.core.roles import TWO_FACTOR_ROLES, Role
from shanzhi.regions.models import Region

from .models import RoleGrant, User


def _password(rng: secrets.SystemRandom) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(rng.choice(alphabet) for _ in range(10))
        pwd = f"Sz-{body}"
        if any(c.isdigit() for c in body) and any(c.islower() for c in body) and any(c.isupper() for c in body):
            return pwd


def demo_accounts(ctx) -> list[tuple[str, str, str, str]]:
    """(username, display name, role, scope code)."""
    d = ctx.data
    grid, community, other_community = d["grids"][0], d["communities"][0], d["communities"][1]
    return [
        ("grid_worker", "王网格", Role.GRID_WORKER, grid),
        ("grid_leader", "李网格长", Role.GRID_LEADER, grid),
        ("community_staff", "张社工", Role.COMMUNITY_STAFF, community),
        ("community_secretary", "陈书记", Role.COMMUNITY_SECRETARY, community),
        ("other_staff", "刘社工", Role.COMMUNITY_STAFF, other_community),
        ("street_manager", "赵主任", Role.STREET_MANAGER, d["street"]),
        ("district_manager", "周科长", Role.DISTRICT_MANAGER, d["district"]),
        ("handling_body", "孙办事员", Role.HANDLING_BODY_STAFF, d["street"]),
        ("department_viewer", "民政局数据", Role.DEPARTMENT_VIEWER, d["district"]),
        ("resident", "吴居民", Role.RESIDENT, grid),
        ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN, d["city"]),
        ("secadmin", "安全管理员", Role.SECURITY_ADMIN, d["city"]),
        ("auditadmin", "审计管理员", Role.AUDIT_ADMIN, d["city"]),
        ("safety_officer", "钱综治", Role.SAFETY_OFFICER, community),
        ("election_committee", "孙选委", Role.ELECTION_COMMITTEE, community),
        ("election_clerk", "郑计票", Role.ELECTION_COMMITTEE, community),
    ]


@transaction.atomic
def build(*, ctx) -> None:
    path = settings.VAR_DIR / "demo-logins.json"
    previous = {}
    if path.exists():
        try:
            previous = {i["username"]: i for i in json.loads(path.read_text())}
        except (ValueError, KeyError):
            previous = {}
    rng = secrets.SystemRandom()
    logins = []
    for username, display_name, role, code in demo_accounts(ctx):
        region = Region.objects.get(code=code)
        old = previous.get(username, {})
        password = old.get("password") or _password(rng)
        user, _created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        user.display_name = display_name
        user.is_demo = True
        user.is_staff = role == Role.SYSTEM_ADMIN
        user.is_active = True
        if not user.check_password(password):
            user.set_password(password)
        user.save()
        RoleGrant.objects.filter(user=user).exclude(role=role, region_code=code).delete()
        RoleGrant.objects.get_or_create(user=user, role=role, region_code=code, defaults={"region": region})
        item = {"username": username, "password": password, "role": role.value, "scope_code": code,
                "display_name": display_name}
        if role in TWO_FACTOR_ROLES:
            TOTPDevice.objects.get_or_create(user=user, name="demo", defaults={"confirmed": True})
            static, _ = StaticDevice.objects.get_or_create(user=user, name="demo-backup", defaults={"confirmed": True})
            codes = old.get("otp_backup_codes") or [StaticToken.random_token() for _ in range(10)]
            static.token_set.all().delete()
            for c in codes:
                static.token_set.create(token=c)
            item["otp_backup_codes"] = codes
        logins.append(item)
    path.parent.mkdir(parents=True, exist_ok=True)  # settings create no folders
    path.write_text(json.dumps(logins, ensure_ascii=False, indent=1))
    path.chmod(0o600)
    ctx.data["users"] = {u: User.objects.get(username=u) for u, *_ in demo_accounts(ctx)}
    ctx.stdout(f"  accounts: {len(logins)} demo users → {path}")


def _read_logins(path) -> dict:
    try:
        return {i["username"]: i for i in json.loads(path.read_text())} if path.exists() else {}
    except (ValueError, KeyError, TypeError):
        return {}


def _write_logins(path, items: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1))
    path.chmod(0o600)


@transaction.atomic
def step_logins(key: str, usernames: list[str]) -> list[dict]:
    """Passwords for a later demo step's users, added to var/demo-logins.json as `build` does for its own.

    Each user keeps the password of the previous build (var/demo-logins-<key>.json: this step rewrites
    demo-logins.json on every run); the row shows the user's first role grant. Users not found are skipped."""
    own = settings.VAR_DIR / f"demo-logins-{key}.json"
    previous = _read_logins(own)
    rng = secrets.SystemRandom()
    items = []
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        grant = RoleGrant.objects.filter(user=user).order_by("pk").first()
        password = previous.get(user.username, {}).get("password") or _password(rng)
        if not user.check_password(password):
            user.set_password(password)
        user.is_demo = user.is_active = True
        user.save(update_fields=["password", "is_demo", "is_active"])
        items.append({"username": user.username, "password": password, "role": grant.role if grant else "",
                      "scope_code": grant.region_code if grant else "", "display_name": user.display_name})
    main = settings.VAR_DIR / "demo-logins.json"
    mine = {i["username"] for i in items}
    _write_logins(own, items)
    _write_logins(main, [i for i in _read_logins(main).values() if i["username"] not in mine] + items)
    return items
