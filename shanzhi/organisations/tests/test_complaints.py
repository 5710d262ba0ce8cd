"""Residents' complaints about an organisation become cases; closing them moves its credit, once, by outcome."""

import pytest

from shanzhi.cases.models import Case, HandlingBodyMember
from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.organisations import services
from shanzhi.organisations.choices import OrgStatus
from shanzhi.organisations.complaints import complaint_credit_sync, complaint_file
from shanzhi.organisations.models import CreditRecord, Organisation
from shanzhi.organisations.testing import make_org
from shanzhi.registry.testing import person_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(world, make_user):
    user = make_user(Role.RESIDENT, world.grid.code)
    person_in(world.grid.code, user=user)
    return user


def _close(case, outcome, on_time=True):
    Case.objects.filter(pk=case.pk).update(state="verified", outcome=outcome, completed_on_time=on_time)


def test_a_complaint_is_a_case_for_the_organisation_and_its_staff(world, resident, make_user):
    org = make_org(world.grid.code)
    case = complaint_file(actor=resident, organisation=org, title="助餐送晚了", description="连续三天送餐超过一小时")
    org.refresh_from_db()
    assert case.category.code == "social_org_service" and case.extra["organisation"] == str(org.pk)
    assert org.body is not None and org.body.kind == "social_org"
    # staff added with an account answer the organisation's cases
    staff = make_user(Role.SOCIAL_ORG_STAFF, world.street.code)
    services.member_add(actor=make_user(Role.STREET_MANAGER, world.street.code), organisation=org, name="李社工",
                        user=staff)
    assert HandlingBodyMember.objects.filter(body=org.body, user=staff).exists()


def test_closing_moves_the_credit_once_by_outcome(world, resident):
    org = make_org(world.grid.code)
    fixed = complaint_file(actor=resident, organisation=org, title="活动取消未通知", description="周六活动临时取消")
    late = complaint_file(actor=resident, organisation=org, title="服务态度差", description="社工态度生硬")
    wrong = complaint_file(actor=resident, organisation=org, title="物业问题", description="其实是物业的事")
    still_open = complaint_file(actor=resident, organisation=org, title="未办结", description="还在办")
    _close(fixed, "fixed", on_time=True)
    _close(late, "fixed", on_time=False)
    _close(wrong, "not_our_responsibility")
    assert complaint_credit_sync() == 2
    assert complaint_credit_sync() == 0  # each case counted once
    org.refresh_from_db()
    assert org.credit_score == 100 - 1 - 3
    refs = set(CreditRecord.objects.filter(organisation=org).values_list("reference", flat=True))
    assert refs == {f"case:{fixed.pk}", f"case:{late.pk}"} and f"case:{still_open.pk}" not in refs


def test_only_residents_it_serves_and_only_while_active(world, resident, make_user):
    elsewhere = make_org(world.other_grid.code)
    with pytest.raises(ServiceError, match="不在您所在的社区"):
        complaint_file(actor=resident, organisation=elsewhere, title="x", description="y")
    org = make_org(world.grid.code)
    Organisation.objects.filter(pk=org.pk).update(status=OrgStatus.DEREGISTERED)
    org.refresh_from_db()
    with pytest.raises(ServiceError, match="不在服务中"):
        complaint_file(actor=resident, organisation=org, title="x", description="y")
    unbound = make_user(Role.RESIDENT, world.grid.code)
    with pytest.raises(ServiceError, match="尚未关联"):
        complaint_file(actor=unbound, organisation=make_org(world.grid.code), title="x", description="y")


def test_the_complaint_page(client, world, resident):
    org = make_org(world.grid.code)
    client.force_login(resident)
    url = f"/organisations/{org.pk}/complain/"
    assert client.get(url).status_code == 200
    resp = client.post(url, {"title": "助餐送晚了", "description": "连续三天"})
    assert resp.status_code == 302 and Case.objects.filter(extra__organisation=str(org.pk)).count() == 1
    Organisation.objects.filter(pk=org.pk).update(status=OrgStatus.DEREGISTERED)
    assert client.get(url).status_code == 404
