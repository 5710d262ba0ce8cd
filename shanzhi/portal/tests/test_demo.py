"""The demo's resident is made through the real sign-up and binding; every seed role gets a login."""

import json

from django.test import override_settings

from shanzhi.accounts.models import User
from shanzhi.core.demo import DemoContext
from shanzhi.core.roles import Role
from shanzhi.portal import demo
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.testing import person_in


def test_demo_step_signs_up_and_binds_through_the_services(world, tmp_path, clock):
    number = valid_id_number("19600101")
    head = person_in(world.grid.code, name="演示户主", id_number=number)
    lines = []
    with override_settings(VAR_DIR=tmp_path):
        demo.build(ctx=DemoContext(stdout=lines.append))
        first = json.loads((tmp_path / "demo-logins.json").read_text())
        demo.build(ctx=DemoContext(stdout=lines.append))  # idempotent: the same logins
        second = json.loads((tmp_path / "demo-logins.json").read_text())
    assert first == second
    head.refresh_from_db()
    user = User.objects.get(pk=head.user_id)
    assert user.phone_hash and user.grants.filter(role=Role.RESIDENT).exists()
    roles = {i["role"] for i in first}
    assert {Role.PARTY_MEMBER, Role.BUILDING_CAPTAIN, Role.RESIDENT_REPRESENTATIVE, Role.GOVERNANCE_COMMITTEE,
            Role.CASE_COLLECTOR, Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER, Role.OWNERS_COMMITTEE,
            Role.PROPERTY_STAFF, Role.SOCIAL_ORG_STAFF, Role.THIRD_PARTY_ASSESSOR} <= roles
    assert any(i["username"] == demo.DEMO_PHONE for i in first)
