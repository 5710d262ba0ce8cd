"""Demo step "residents": a resident who signs up and binds through the real flow, and one user per seed role.

Runs after registry (30), consultation (50) and party (65). The resident account is made exactly as a real
resident's: a code sent through the SMS adapter (the development backend's outbox is read back), the account
created with it, then real-name binding with a registry person's name and ID number. Idempotent: a person
already bound, or a role user already present, is left alone.
"""

from __future__ import annotations

import secrets

from django.test import RequestFactory
from django.utils.translation import gettext as _

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.accounts.signup import code_send, signup_complete, user_by_phone
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.notifications.sms import outbox
from shanzhi.regions.models import Region
from shanzhi.registry import choices as rc
from shanzhi.registry.models import Building, Person

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


def _password() -> str:
    return "Sz-" + secrets.token_urlsafe(9)


def _signed_up(ctx, grid: Region) -> tuple[User, str] | None:
    """Sign up and bind the demo resident through the services a real resident's pages call."""
    if user_by_phone(DEMO_PHONE) is not None:
        return None
    person = (Person.objects.filter(region_code=grid.code, user=None, status=rc.PersonStatus.LIVING,
                                    relation_to_head=rc.Relation.HEAD).exclude(id_number_enc="").order_by("pk").first())
    if person is None:
        return None
    request = RequestFactory().post("/accounts/register/", REMOTE_ADDR="127.0.0.1")
    code_send(request=request, phone=DEMO_PHONE)
    code = outbox(DEMO_PHONE)[-1].text.split("验证码是 ")[1][:6]
    password = _password()
    user = signup_complete(phone=DEMO_PHONE, code=code, password=password, display_name=person.name)
    User.objects.filter(pk=user.pk).update(is_demo=True)
    binding_submit(actor=user, name=person.name, id_number=decrypt(person.id_number_enc),
                   community_code=grid.code[:12])
    return user, password


def _role_user(key: str, name: str, role: str, region: Region) -> tuple[User, str] | None:
    username = f"demo_{key}"
    if User.objects.filter(username=username).exists():
        return None
    password = _password()
    user = User.objects.create_user(username=username, password=password, display_name=name, is_demo=True)
    RoleGrant.objects.create(user=user, role=role, region=region, region_code=region.code)
    return user, password


def build(*, ctx) -> None:
    grid = Region.objects.filter(level="grid", code__startswith="321002004").order_by("code").first()
    if grid is None:
        return
    regions = {"grid": grid, "community": grid.parent, "street": grid.parent.parent,
               "district": grid.parent.parent.parent}
    logins = []
    made = _signed_up(ctx, grid)
    if made:
        logins.append((_("手机号 %(p)s") % {"p": DEMO_PHONE}, made[1], "居民（自助注册并实名认证）"))
    for key, name, role, level in ROLE_USERS:
        made = _role_user(key, name, role, regions[level])
        if made:
            logins.append((made[0].username, made[1], name))
        if made and role == Role.BUILDING_CAPTAIN:
            _make_captain(made[0], grid)
    for username, password, label in logins:
        ctx.stdout(f"  {label}: {username} / {password}")


def _make_captain(user, grid) -> None:
    """The building captain is a resident of the grid's first building, bound to their account."""
    building = Building.objects.filter(region_code=grid.code).order_by("pk").first()
    person = (Person.objects.filter(dwelling__building=building, user=None, status=rc.PersonStatus.LIVING)
              .order_by("pk").first()) if building else None
    if person is None:
        return
    Person.objects.filter(pk=person.pk).update(user=user)
    Building.objects.filter(pk=building.pk).update(captain=person)
