"""Factories for organisation tests and the route×role matrix."""

from __future__ import annotations

import itertools

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

from .models import Organisation, OrgMember

_n = itertools.count(1)


def make_org(code: str, *, grade: int = 3, kind: str = "service_inst", name: str = "") -> Organisation:
    """An organisation registered with the street of `code`."""
    i = next(_n)
    return Organisation.objects.create(region_code=code[:9], name=name or f"测试社工机构{i}", kind=kind, legal_rep="王某",
                                       grade=grade, uscc=None)


def make_org_staff(org: Organisation, user=None):
    """A social_org_staff user (granted on the organisation's street) and their membership."""
    user = user or make_user(Role.SOCIAL_ORG_STAFF, org.region_code)
    OrgMember.objects.create(organisation=org, user=user, name=user.username, region_code=org.region_code)
    return user


def _org(code, owner):
    org = make_org(code)
    if owner is not None and owner.grants.filter(role=Role.SOCIAL_ORG_STAFF).exists():
        make_org_staff(org, owner)
    return org


MATRIX_FACTORIES = {Organisation: _org}
