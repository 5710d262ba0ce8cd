"""An open activity's status follows the clock: 招募中 before it starts, 进行中 while on, 已结束 after."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.volunteering.testing import make_activity

pytestmark = pytest.mark.django_db


def test_status_label_accounts_for_time(world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    now = timezone.now()
    future = make_activity(world.grid.code, staff, starts_at=now + timedelta(days=2))
    running = make_activity(world.grid.code, staff, starts_at=now - timedelta(minutes=30))
    past = make_activity(world.grid.code, staff, starts_at=now - timedelta(days=3))
    assert [a.status_label for a in (future, running, past)] == ["招募中", "进行中", "已结束"]
    past.state = "cancelled"
    assert past.status_label == "已取消"


def test_list_page_shows_past_activities_as_ended(client, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(days=3))
    client.force_login(staff)
    html = client.get("/volunteering/").content.decode()
    assert "已结束" in html and "招募中" not in html
