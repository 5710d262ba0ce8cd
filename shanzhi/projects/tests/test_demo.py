"""The demo builds organisations and projects in every stage through the services, and twice changes nothing."""

import pytest

from shanzhi.core.demo import DemoContext
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.organisations import demo as org_demo
from shanzhi.organisations.models import Organisation
from shanzhi.projects import demo, money
from shanzhi.projects.models import Application, Programme, Project

pytestmark = pytest.mark.django_db


def test_demo_builds_every_stage(world):
    users = {r: make_user(r, code) for r, code in [
        (Role.STREET_MANAGER, world.street.code), (Role.COMMUNITY_STAFF, world.community.code),
        (Role.COMMUNITY_SECRETARY, world.community.code)]}
    ctx = DemoContext(stdout=lambda s: None)
    ctx.data.update(users={"street_manager": users[Role.STREET_MANAGER],
                           "community_staff": users[Role.COMMUNITY_STAFF],
                           "community_secretary": users[Role.COMMUNITY_SECRETARY]},
                    street=world.street.code, district=world.district.code, communities=[world.community.code])
    org_demo.build(ctx=ctx)
    demo.build(ctx=ctx)
    assert {o.grade for o in Organisation.objects.all()} >= {0, 3}
    assert set(Programme.objects.values_list("kind", flat=True)) == {"purchase", "venture", "grant", "award"}
    assert set(Application.objects.values_list("state", flat=True)) >= {"submitted", "reviewing", "rejected",
                                                                          "approved"}
    assert set(Project.objects.values_list("state", flat=True)) == {"contracted", "delivering", "midterm", "final",
                                                                     "closed"}
    assert money.reconcile()["ok"]
    n = Project.objects.count()
    org_demo.build(ctx=ctx)
    demo.build(ctx=ctx)
    assert Project.objects.count() == n
