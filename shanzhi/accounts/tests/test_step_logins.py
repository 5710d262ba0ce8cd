"""Demo users made by later steps (the assessor, the property and 施井 users) get passwords and appear in
var/demo-logins.json the way the accounts step's own do, and keep them across rebuilds."""

import json

import pytest
from django.test import override_settings

from shanzhi.accounts.demo import step_logins
from shanzhi.accounts.models import RoleGrant, User
from shanzhi.property import demo as property_demo

pytestmark = pytest.mark.django_db


def _unusable(username, role, code, region):
    """As property.demo._user and assessment.demo._assessor make them: no usable password."""
    user = User.objects.create(username=username, display_name=username)
    user.set_unusable_password()
    user.save()
    RoleGrant.objects.create(user=user, role=role, region_code=code, region=region)
    return user


def test_step_users_get_passwords_and_rows_in_demo_logins(world, tmp_path):
    for name, role in (("demo_property", "property_staff"), ("demo_owners_committee", "owners_committee"),
                       ("demo_shijing_staff", "community_staff"), ("demo_shijing_treasurer", "owners_committee")):
        _unusable(name, role, world.community.code, world.community)
    _unusable("assessor", "third_party_assessor", world.district.code, world.district)
    with override_settings(VAR_DIR=tmp_path):
        (tmp_path / "demo-logins.json").write_text(json.dumps([{"username": "grid_worker", "password": "x"}]))
        items = step_logins("property", property_demo.LOGINS)
        step_logins("assessment", ["assessor"])
        logins = {i["username"]: i for i in json.loads((tmp_path / "demo-logins.json").read_text())}
        assert set(property_demo.LOGINS) | {"assessor", "grid_worker"} == set(logins)  # the others are kept
        assert logins["assessor"]["role"] == "third_party_assessor"
        assert logins["demo_property"]["scope_code"] == world.community.code
        for name in [*property_demo.LOGINS, "assessor"]:
            assert User.objects.get(username=name).check_password(logins[name]["password"]), name
            assert User.objects.get(username=name).is_demo
        # the accounts step rewrites demo-logins.json; the next build gives the same passwords back
        (tmp_path / "demo-logins.json").write_text("[]")
        again = step_logins("property", property_demo.LOGINS)
    assert [i["password"] for i in again] == [i["password"] for i in items]
