"""The analytics demo step builds types, standards, facilities and staffing through the services, rolls up twelve
months and renders last month's street report; run twice, it changes nothing."""

import pytest

from shanzhi.analytics.demo import build
from shanzhi.analytics.models import CommunityType, Facility, MonthlyReport, Rollup
from shanzhi.core.demo import DemoContext
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user

pytestmark = pytest.mark.django_db


def test_demo_step_is_idempotent(world, facts):
    make_user(Role.STREET_MANAGER, world.street.code, username="street_manager")
    ctx = DemoContext(stdout=lambda s: None)
    ctx.data.update(communities=[world.community.code, world.other_community.code], street=world.street.code)
    build(ctx=ctx)
    counts = (CommunityType.objects.count(), Facility.objects.count(), Rollup.objects.count(),
              MonthlyReport.objects.count())
    assert all(counts) and MonthlyReport.objects.get().region_code == world.street.code
    build(ctx=ctx)
    assert (CommunityType.objects.count(), Facility.objects.count(), Rollup.objects.count(),
            MonthlyReport.objects.count()) == counts
