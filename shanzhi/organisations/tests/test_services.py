"""The organisation registry: USCC checked by stdnum, members with certificates, incubation, inspection, grading
on the indicator form, the credit record, status as a table, and scope (an organisation's staff see only it)."""

from datetime import date, timedelta

import pytest

from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import PermissionDenied
from shanzhi.core.roles import Role
from shanzhi.organisations import selectors, services
from shanzhi.organisations.models import Organisation
from shanzhi.organisations.testing import make_org, make_org_staff

pytestmark = pytest.mark.django_db

USCC = "91110108551385082Q"


@pytest.fixture
def manager(world, make_user):
    return make_user(Role.STREET_MANAGER, world.street.code)


def test_register_checks_the_uscc(world, manager):
    with pytest.raises(ServiceError, match="统一社会信用代码无效"):
        services.organisation_register(actor=manager, region_code=world.street.code, name="A", kind="service_inst",
                                       legal_rep="x", uscc="91110108551385082X")
    with pytest.raises(ServiceError, match="须填写统一社会信用代码"):
        services.organisation_register(actor=manager, region_code=world.street.code, name="A", kind="foundation",
                                       legal_rep="x")
    org = services.organisation_register(actor=manager, region_code=world.street.code, name="A",
                                         kind="service_inst", legal_rep="x", uscc=USCC.lower())
    assert org.uscc == USCC
    with pytest.raises(ServiceError, match="已登记"):
        services.organisation_register(actor=manager, region_code=world.street.code, name="B", kind="service_inst",
                                       legal_rep="x", uscc=USCC)
    # a filed community organisation needs none
    assert services.organisation_register(actor=manager, region_code=world.street.code, name="C", kind="community",
                                          legal_rep="x").uscc is None


def test_only_managers_of_the_region_register(world, make_user):
    with pytest.raises(PermissionDenied):
        services.organisation_register(actor=make_user(Role.COMMUNITY_STAFF, world.community.code),
                                       region_code=world.street.code, name="A", kind="community", legal_rep="x")
    with pytest.raises(PermissionDenied):
        services.organisation_register(actor=make_user(Role.STREET_MANAGER, world.other_street.code),
                                       region_code=world.street.code, name="A", kind="community", legal_rep="x")


def test_members_incubation_and_inspection(world, manager):
    org = make_org(world.grid.code)
    with pytest.raises(ServiceError, match="证书编号"):
        services.member_add(actor=manager, organisation=org, name="李社工", qualification="social_worker")
    services.member_add(actor=manager, organisation=org, name="李社工", qualification="social_worker",
                        certificate_no="SW1", certificate_expiry=date.today() + timedelta(days=20))
    assert [m.name for m in selectors.expiring_certificates(actor=manager)] == ["李社工"]
    services.incubation_record(actor=manager, organisation=org, stage="entered", mentor="王", started_on=date(2025, 1, 1))
    services.incubation_record(actor=manager, organisation=org, stage="graduated", mentor="王",
                               started_on=date(2026, 1, 1))
    org.refresh_from_db()
    assert org.incubation_stage == "graduated"
    assert org.incubations.get(stage="entered").ended_on == date(2026, 1, 1)
    services.inspection_record(actor=manager, organisation=org, year=2025, result="fail")
    with pytest.raises(ServiceError, match="已登记"):
        services.inspection_record(actor=manager, organisation=org, year=2025, result="pass")
    org.refresh_from_db()
    assert org.credit_score == 90


def test_grading_on_the_indicator_form_and_credit(world, make_user, manager):
    org = make_org(world.grid.code, grade=0)
    assessor = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code)
    with pytest.raises(ServiceError, match="业务工作"):
        services.grade_assess(actor=assessor, organisation=org, scores={"governance": 20, "work": 99, "finance": 10,
                                                                         "reputation": 10})
    row = services.grade_assess(actor=assessor, organisation=org,
                                scores={"governance": 24, "work": 33, "finance": 19, "reputation": 18})
    assert row.total == 94 and row.grade == 5
    # a poor credit record costs a grade
    services.credit_record(actor=manager, organisation=org, source="complaint", delta=-30, reason="投诉核实",
                           reference="case:1")
    assert services.credit_record(actor=manager, organisation=org, source="complaint", delta=-30, reason="重复",
                                  reference="case:1") is None
    row = services.grade_assess(actor=assessor, organisation=org,
                                scores={"governance": 24, "work": 33, "finance": 19, "reputation": 18})
    org.refresh_from_db()
    assert org.credit_score == 70 and row.grade == 4 and org.grade == 4
    with pytest.raises(PermissionDenied):
        services.grade_assess(actor=make_user(Role.COMMUNITY_STAFF, world.community.code), organisation=org,
                              scores={})


def test_status_is_a_table(world, manager):
    org = make_org(world.grid.code)
    with pytest.raises(ServiceError, match="理由"):
        services.organisation_transition(actor=manager, organisation=org, action="suspend")
    org = services.organisation_transition(actor=manager, organisation=org, action="suspend", reason="年检不合格")
    assert org.status == "suspended"
    org = services.organisation_transition(actor=manager, organisation=org, action="deregister", reason="注销退出")
    assert org.status == "deregistered"
    assert org not in selectors.public_directory()
    with pytest.raises(ServiceError):
        services.organisation_transition(actor=manager, organisation=org, action="reinstate", reason="x")


def test_staff_of_an_organisation_see_only_it(world, make_user):
    mine, other = make_org(world.grid.code), make_org(world.grid.code)
    staff = make_org_staff(mine)
    assert list(selectors.organisation_list(actor=staff)) == [mine]
    assert set(selectors.organisation_list(actor=make_user(Role.COMMUNITY_STAFF, world.community.code))) == {
        mine, other}
    assert list(selectors.organisation_list(actor=make_user(Role.COMMUNITY_STAFF,
                                                            world.other_community.code))) == []
    assert Organisation.objects.restrict(staff, "own").get() == mine


def test_a_verified_complaint_costs_credit_once(world, manager):
    org = make_org(world.grid.code)
    services.credit_manual(actor=manager, organisation=org, source="complaint", delta=-5, reason="服务迟到",
                           reference="case:9")
    with pytest.raises(ServiceError, match="已记录过"):
        services.credit_manual(actor=manager, organisation=org, source="complaint", delta=-5, reason="重复",
                               reference="case:9")
    org.refresh_from_db()
    assert org.credit_score == 95
