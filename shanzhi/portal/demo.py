"""Demo step "residents": a resident who signs up and binds through the real flow, and one user per seed role.

Runs after registry (30), consultation (50) and party (65). The resident account is made exactly as a real
resident's: a code sent through the SMS adapter (the development backend's outbox is read back), the account
created with it, then real-name binding with a registry person's name and ID number. Idempotent: a person
already bound, or a role user already present, is left alone.
"""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.test import RequestFactory

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.accounts.signup import code_send, signup_complete, user_by_phone
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.notifications.sms import outbox
from shanzhi.regions.models import Region
from shanzhi.registry import choices as rc
from shanzhi.registry.models import Building, Person, Unit
from shanzhi.registry.services import building_update, person_account_link, unit_update

from .services import binding_submit

DEMO_PHONE = "17099990001"
ROLE_USERS = [
    ("party_member", "党员 钱红", Role.PARTY_MEMBER, "community"),
    ("building_captain", "楼栋长 孙建国", Role.BUILDING_CAPTAIN, "grid"),
    ("representative", "居民代表 李秀英", Role.RESIDENT_REPRESENTATIVE, "community"),
    ("committee_member", "治理委员 周明", Role.GOVERNANCE_COMMITTEE, "community"),
    ("collector", "民情收集员 郑丽", Role.CASE_COLLECTOR, "community"),
    ("grid_assistant", "网格辅助员 王强", Role.GRID_ASSISTANT, "grid"),
    ("dedicated_grid_worker", "专属网格员 陈晨", Role.DEDICATED_GRID_WORKER, "grid"),
    ("owners_committee", "业委会 赵敏", Role.OWNERS_COMMITTEE, "community"),
    ("property_staff", "物业 刘伟", Role.PROPERTY_STAFF, "community"),
    ("social_org", "社会组织 黄婷", Role.SOCIAL_ORG_STAFF, "street"),
    ("assessor", "第三方评估 马超", Role.THIRD_PARTY_ASSESSOR, "district"),
]


def _logins_file():
    return settings.VAR_DIR / "demo-logins.json"


def _own_file():
    """This step's logins, kept apart (the accounts step rewrites demo-logins.json with its own on every run)."""
    return settings.VAR_DIR / "demo-logins-residents.json"


def _read(path) -> dict:
    try:
        return {i["username"]: i for i in json.loads(path.read_text())} if path.exists() else {}
    except (ValueError, KeyError):
        return {}


def _previous() -> dict:
    return _read(_own_file())


def _password(previous: dict, username: str) -> str:
    return previous.get(username, {}).get("password") or "Sz-" + secrets.token_urlsafe(9)


def _demo_person() -> Person | None:
    """A living household head of the demo street with an ID number and no account yet."""
    return (Person.objects.filter(region_code__startswith="321002004", user=None, status=rc.PersonStatus.LIVING,
                                  relation_to_head=rc.Relation.HEAD).exclude(id_number_enc="")
            .order_by("region_code", "pk").first())


def _signed_up(previous: dict) -> dict | None:
    """Sign up and bind the demo resident through the services a real resident's pages call."""
    password = _password(previous, DEMO_PHONE)
    user = user_by_phone(DEMO_PHONE)
    if user is None:
        person = _demo_person()
        if person is None:
            return None
        request = RequestFactory().post("/accounts/register/", REMOTE_ADDR="127.0.0.1")
        code_send(request=request, phone=DEMO_PHONE)
        code = outbox(DEMO_PHONE)[-1].text.split("验证码是 ")[1][:6]
        user = signup_complete(phone=DEMO_PHONE, code=code, password=password, display_name=person.name)
        User.objects.filter(pk=user.pk).update(is_demo=True)
        binding_submit(actor=user, name=person.name, id_number=decrypt(person.id_number_enc),
                       community_code=person.region_code[:12])
    elif not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    person = Person.objects.filter(user=user).first()
    return {"username": DEMO_PHONE, "password": password, "role": "resident",
            "scope_code": person.region_code if person else "", "display_name": "自助注册居民"}


def _role_user(previous: dict, key: str, name: str, role: str, region: Region) -> dict:
    username = f"demo_{key}"
    password = _password(previous, username)
    user, _created = User.objects.get_or_create(username=username, defaults={"display_name": name, "is_demo": True})
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    RoleGrant.objects.get_or_create(user=user, role=role, region_code=region.code, defaults={"region": region})
    return {"username": username, "password": password, "role": str(role), "scope_code": region.code,
            "display_name": name}


def build(*, ctx) -> None:
    grid = Region.objects.filter(level="grid", code__startswith="321002004").order_by("code").first()
    if grid is None:
        return
    regions = {"grid": grid, "community": grid.parent, "street": grid.parent.parent,
               "district": grid.parent.parent.parent}
    previous = _previous()
    logins = [item for item in [_signed_up(previous)] if item]
    for key, name, role, level in ROLE_USERS:
        logins.append(_role_user(previous, key, name, role, regions[level]))
        staff = ctx.data.get("users", {}).get("community_staff")
        user = User.objects.get(username=f"demo_{key}")
        if role == Role.BUILDING_CAPTAIN:
            _make_captain(user, grid, staff)
        elif role == Role.PARTY_MEMBER:
            _link_party_member(user, staff)
        elif role == Role.DEDICATED_GRID_WORKER:
            _assign_unit(user, grid, staff)
    mine = {i["username"] for i in logins}
    others = [i for i in _read(_logins_file()).values() if i["username"] not in mine]
    for path, items in ((_own_file(), logins), (_logins_file(), others + logins)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(items, ensure_ascii=False, indent=1))
        path.chmod(0o600)
    ctx.stdout(f"  residents: {len(logins)} demo logins (a self-registered, bound resident; one per seed role)")


def _make_captain(user, grid, staff) -> None:
    """The building captain lives in the grid's first building (their registry record is their account's); the
    community's staff name them captain through the registry's service."""
    if staff is None or Person.objects.filter(user=user).exists():
        return
    building = Building.objects.filter(region_code=grid.code).order_by("pk").first()
    person = (Person.objects.filter(dwelling__building=building, user=None, status=rc.PersonStatus.LIVING)
              .order_by("pk").first()) if building else None
    if person is None:
        return
    person_account_link(actor=staff, person=person, user=user, via="demo")
    building_update(actor=staff, building=building, captain=person)


def _link_party_member(user, staff) -> None:
    """The demo 党员 is one of the party demo's members (their registry record becomes their account's)."""
    if staff is None or Person.objects.filter(user=user).exists():
        return
    person = (Person.objects.filter(party_member__isnull=False, user=None, region_code__startswith="321002004001")
              .order_by("pk").first())
    if person is not None:
        person_account_link(actor=staff, person=person, user=user, via="demo")


def _assign_unit(user, grid, staff) -> None:
    """The 专属网格员 is assigned to a unit of the grid (through the registry's service)."""
    if staff is None or Unit.objects.filter(dedicated_worker=user).exists():
        return
    unit = Unit.objects.filter(region_code=grid.code, dedicated_worker=None).order_by("pk").first()
    if unit is not None:
        unit_update(actor=staff, unit=unit, dedicated_worker=user)
