"""Scope rules are declared by models as named strategies; the one ScopedQuerySet.restrict applies them."""

import pytest
from django.apps import apps

from shanzhi.accounts.models import User
from shanzhi.cases.models import Case, CasePhoto, ReportedCase
from shanzhi.consultation.models import Topic
from shanzhi.core.roles import Role
from shanzhi.core.scoping import (
    ScopedQuerySet,
    community_widened,
    follower,
    handling_body,
    in_community,
    owner,
    within,
)
from shanzhi.core.testing import make_user
from shanzhi.volunteering.models import Activity


def test_no_model_overrides_restrict():
    overriding = []
    for model in apps.get_models():
        restrict = getattr(type(model._default_manager.all()), "restrict", None)
        if restrict is not None and restrict is not ScopedQuerySet.restrict:
            overriding.append(model._meta.label)
    assert overriding == []


def test_models_name_their_strategies():
    assert [s for s, _roles in Case.scope_strategy] == [within, handling_body]
    assert ReportedCase.scope_strategy == (owner, follower)
    assert len(CasePhoto.scope_strategy) == 2
    assert Topic.scope_strategy is community_widened
    assert Activity.scope_strategies["join"] is in_community
    assert Activity.scope_strategies["own"] is owner


@pytest.mark.django_db
def test_an_action_without_roles_reaches_nothing(world):
    staff = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    make_user(Role.GRID_WORKER, world.grid.code)
    assert User.objects.restrict(staff, "manage").exists()
    assert not User.objects.restrict(staff, "view").exists()  # users are only managed, never merely viewed
    assert not CasePhoto.objects.restrict(staff, "change").exists()
