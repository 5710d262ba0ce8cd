"""三员分立, the system admin's blindness to resident data, and user management inside one's own scope."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from shanzhi.accounts.models import RoleGrant, User
from shanzhi.accounts.permissions import GRANT
from shanzhi.accounts.services import can_grant, grant_add, user_set_active
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.permissions import PermissionDenied
from shanzhi.core.progress import OwnTask
from shanzhi.core.roles import ADMIN_TRIO, GRANTABLE_BY, Role
from shanzhi.core.scoping import ScopedModel
from shanzhi.core.testing import PASSWORD, verified_login
from tests.test_route_matrix import ROUTES

pytestmark = pytest.mark.django_db


# --- 三员分立 ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("first", sorted(ADMIN_TRIO))
@pytest.mark.parametrize("second", sorted(ADMIN_TRIO))
def test_admin_roles_are_never_combined(world, make_user, first, second):
    secadmin = make_user(Role.SECURITY_ADMIN, world.city.code)
    user = make_user(first, world.city.code)
    if first == second:
        return
    with pytest.raises(ServiceError, match="三员分立"):
        grant_add(actor=secadmin, user=user, role=second, region=world.city, check_actor=False)
    assert set(RoleGrant.objects.filter(user=user).values_list("role", flat=True)) == {first}


@pytest.mark.parametrize("admin_role", sorted(ADMIN_TRIO))
def test_admins_hold_no_business_role_and_business_users_get_no_admin_role(world, make_user, admin_role):
    secadmin = make_user(Role.SECURITY_ADMIN, world.city.code)
    admin = make_user(admin_role, world.city.code)
    with pytest.raises(ServiceError, match="三员分立"):
        grant_add(actor=secadmin, user=admin, role=Role.COMMUNITY_STAFF, region=world.community)
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    with pytest.raises(ServiceError, match="三员分立"):
        grant_add(actor=secadmin, user=staff, role=admin_role, region=world.city, check_actor=False)


def test_system_admin_reads_no_resident_data(client, world, make_user):
    """No scoped model, no resident-data route and no selector admits the system admin."""
    sysadmin = make_user(Role.SYSTEM_ADMIN, world.city.code)
    for model in apps.get_models():
        roles = getattr(model, "scope_roles", None)
        if roles is None:
            continue
        for action, allowed in roles.items():
            assert Role.SYSTEM_ADMIN not in allowed, f"{model.__name__}.scope_roles[{action}] admits system_admin"
        if issubclass(model, ScopedModel) or hasattr(model.objects, "restrict"):
            assert not model.objects.restrict(sysadmin, "view").exists()

    for name, _pattern, view in ROUTES:
        access = view.access
        # own background jobs are fine; so are the 系统配置 pages, which hold reference data only (categories,
        # bodies, rules, gateways) — shanzhi/configuration/tests/test_config_pages.py proves no resident data shows
        if access.kind in {"roles", "object"} and access.model is not OwnTask and not name.startswith("configuration:"):
            assert Role.SYSTEM_ADMIN not in access.roles, f"{name} admits system_admin"
    verified_login(client, sysadmin)
    assert client.get(reverse("regions:tree")).status_code == 403
    assert client.get(reverse("regions:detail", args=[world.grid.code])).status_code == 403
    # Django admin is configuration only: no resident-data model is registered there

    registered = {m._meta.app_label for m in admin.site._registry}
    assert not registered & {"registry", "cases", "consultation", "volunteering", "party", "ledger", "audit"}


# --- user management inside one's own scope ---------------------------------------------------------------
@pytest.fixture
def secretary(world, make_user):
    return make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="secretary")


def test_secretary_sees_only_users_of_the_community(client, world, make_user, secretary):
    inside = make_user(Role.GRID_WORKER, world.grid.code, username="inside")
    outside = make_user(Role.GRID_WORKER, world.other_grid.code, username="outside")
    above = make_user(Role.STREET_MANAGER, world.street.code, username="above")
    client.force_login(secretary)
    page = client.get(reverse("accounts:user_list")).content.decode()
    assert "inside" in page and "outside" not in page and ">above<" not in page
    assert client.get(reverse("accounts:user_detail", args=[inside.pk])).status_code == 200
    assert client.get(reverse("accounts:user_detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[above.pk])).status_code == 404


def test_secretary_cannot_grant_outside_or_above(client, world, make_user, secretary):
    target = make_user(Role.GRID_WORKER, world.grid.code)
    assert can_grant(secretary, Role.GRID_LEADER, world.grid2.code) == (True, "")
    assert not can_grant(secretary, Role.GRID_LEADER, world.other_grid.code)[0]
    assert not can_grant(secretary, Role.STREET_MANAGER, world.community.code)[0]
    assert not can_grant(secretary, Role.COMMUNITY_SECRETARY, world.community.code)[0]
    with pytest.raises(NotAllowed):
        grant_add(actor=secretary, user=target, role=Role.GRID_LEADER, region=world.other_grid)

    client.force_login(secretary)
    url = reverse("accounts:user_detail", args=[target.pk])
    page = client.get(url).content.decode()
    assert 'value="street_manager"' not in page and 'value="grid_leader"' in page
    resp = client.post(url, {"role": Role.GRID_LEADER, "region_code": world.other_grid.code})
    assert resp.status_code == 200 and "不能在该区域授予此角色" in resp.content.decode()
    resp = client.post(url, {"role": Role.STREET_MANAGER, "region_code": world.community.code})
    assert resp.status_code == 200
    assert set(RoleGrant.objects.filter(user=target).values_list("role", "region_code")) == {
        (Role.GRID_WORKER, world.grid.code)}
    assert client.post(url, {"role": Role.GRID_LEADER, "region_code": world.grid2.code}).status_code == 302
    assert RoleGrant.objects.filter(user=target, role=Role.GRID_LEADER, region_code=world.grid2.code).exists()


def test_secretary_creates_users_only_in_scope(client, world, secretary):
    client.force_login(secretary)
    form = {"username": "new1", "display_name": "新人", "password": "Qq-7zYx-pass", "role": Role.GRID_WORKER}
    resp = client.post(reverse("accounts:user_create"), {**form, "region_code": world.other_grid.code})
    assert resp.status_code == 200 and not User.objects.filter(username="new1").exists()
    resp = client.post(reverse("accounts:user_create"), {**form, "region_code": world.grid.code})
    assert resp.status_code == 302
    user = User.objects.get(username="new1")
    assert user.check_password("Qq-7zYx-pass") and user.grants.get().region_code == world.grid.code
    # weak password: the user is not created, the rule is named
    resp = client.post(reverse("accounts:user_create"), {**form, "username": "new2", "password": "12345678",
                                                         "region_code": world.grid.code})
    assert not User.objects.filter(username="new2").exists() and "密码" in resp.content.decode()


def test_a_user_with_a_role_above_the_actor_cannot_be_deactivated(world, make_user, secretary):
    mixed = make_user(Role.GRID_WORKER, world.grid.code)
    RoleGrant.objects.create(user=mixed, role=Role.STREET_MANAGER, region=world.street,
                             region_code=world.street.code)
    with pytest.raises(NotAllowed):
        user_set_active(actor=secretary, user=mixed, active=False)
    mixed.refresh_from_db()
    assert mixed.is_active
    plain = make_user(Role.GRID_WORKER, world.grid.code)
    user_set_active(actor=secretary, user=plain, active=False)
    plain.refresh_from_db()
    assert not plain.is_active


def test_deactivated_users_cannot_log_in(client, world, make_user):
    user = make_user(Role.GRID_WORKER, world.grid.code, username="gone", is_active=False)
    resp = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200 and "用户名或密码错误" in resp.content.decode()


def test_grant_rules_follow_grantable_by(world, make_user, secretary):
    """One rule per role (accounts.grant.<role>): those who may grant it, on a region containing the grant."""
    for role, r in GRANT.items():
        assert r.roles == {by for by, grantable in GRANTABLE_BY.items() if role in grantable}
    target = make_user(Role.GRID_WORKER, world.grid.code)
    with pytest.raises(PermissionDenied, match="您不能在该区域授予此角色"):
        grant_add(actor=secretary, user=target, role=Role.STREET_MANAGER, region=world.community)
    assert can_grant(secretary, "no_such_role", world.grid.code)[0] is False
