from datetime import timedelta

import pytest
from django.utils import timezone

from shanzhi.core.roles import Role
from shanzhi.volunteering.models import SignUp
from shanzhi.volunteering.testing import make_activity, make_volunteer

pytestmark = pytest.mark.django_db


def test_me_activities_and_rankings_are_scoped(client, world, make_user):
    resident = make_user(Role.RESIDENT, world.grid.code)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    volunteer = make_volunteer(world.grid.code, resident, verified_by=staff)
    activity = make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(hours=3))
    SignUp.objects.create(activity=activity, volunteer=volunteer, region_code=activity.region_code, state="approved",
                          checked_in_at=activity.starts_at, checked_out_at=activity.ends_at, hours=2, points=20)
    make_activity(world.other_grid.code, None)
    client.force_login(resident)
    me = client.get("/api/volunteering/me").json()
    assert me["volunteer"] and me["verified"] and me["hours"] == 2.0 and me["activities"] == 1
    assert client.get("/api/volunteering/activities").json() == []  # residents see no staff list
    client.force_login(staff)
    assert [a["title"] for a in client.get("/api/volunteering/activities").json()] == [activity.title]
    now = timezone.localtime(activity.ends_at)
    rows = client.get(f"/api/volunteering/rankings?year={now.year}&month={now.month}").json()
    assert rows == [{"name": volunteer.person.name, "hours": 2.0, "points": 20, "activities": 1}]
    client.logout()
    assert client.get("/api/volunteering/me").status_code == 401
