"""The sign-off chain: who may move a report, scope (404 out of it), what lower levels see of the approvers,
the frozen snapshot and corrections as new versions, the departments' approved-only view."""

from datetime import date

import pytest
from django.urls import reverse

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.indicators import INDICATORS
from shanzhi.core.models import TransitionHistory
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user, verified_login
from shanzhi.core.todo import todos_for
from shanzhi.reporting import selectors, services
from shanzhi.reporting.models import Report, ReportKind, ReportState, digest
from shanzhi.reporting.testing import make_kind

pytestmark = pytest.mark.django_db
MONTH = date(2026, 10, 1)


@pytest.fixture
def chain(world):
    services.kinds_seed_defaults()  # a transactional test before this one may have flushed the migration's rows
    return {
        "staff": make_user(Role.COMMUNITY_STAFF, world.community.code),
        "street": make_user(Role.STREET_MANAGER, world.street.code, first_name="街道审核人"),
        "district": make_user(Role.DISTRICT_MANAGER, world.district.code, first_name="区级审定人"),
        "other_street": make_user(Role.STREET_MANAGER, world.other_street.code),
        "department": make_user(Role.DEPARTMENT_VIEWER, world.district.code),
    }


def _approved(world, chain, kind=None):
    kind = kind or ReportKind.objects.get(key="population")
    r = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period=MONTH)
    r = services.report_transition(actor=chain["staff"], report=r, action="submit")
    r = services.report_transition(actor=chain["street"], report=r, action="street_approve")
    return services.report_transition(actor=chain["district"], report=r, action="district_approve")


def test_kinds_are_data_listing_registered_indicators():
    services.kinds_seed_defaults()
    kinds = {k.key: k for k in ReportKind.objects.all()}
    assert {"population", "cases", "volunteering"} <= set(kinds)
    for kind in kinds.values():  # every figure a report holds is a registered indicator
        assert kind.indicators and all(key in INDICATORS for key in kind.indicators)


def test_prepare_computes_the_figures_through_the_indicators(world, chain):
    kind = ReportKind.objects.get(key="population")
    r = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period="2026-10")
    assert set(r.values) == set(kind.indicators)
    assert r.values == r.computed and r.state == ReportState.DRAFT and r.number == 1
    with pytest.raises(ServiceError):  # one v1 per community, kind and month
        services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period=MONTH)


def test_chain_goes_up_two_levels_and_freezes(world, chain):
    r = _approved(world, chain)
    assert r.state == ReportState.APPROVED and r.frozen
    stored = Report.objects.get(pk=r.pk)
    assert stored.sealed and stored.district_approved_by == chain["district"]


def test_who_may_run_each_step(world, chain):
    kind = ReportKind.objects.get(key="cases")
    r = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period=MONTH)
    with pytest.raises(NotAllowed):  # the street can't skip the community's submission
        services.report_transition(actor=chain["street"], report=r, action="submit")
    r = services.report_transition(actor=chain["staff"], report=r, action="submit")
    for actor, action in ((chain["staff"], "street_approve"), (chain["district"], "street_approve"),
                          (chain["other_street"], "street_approve"), (chain["street"], "district_approve")):
        with pytest.raises(NotAllowed):
            services.report_transition(actor=actor, report=Report.objects.get(pk=r.pk), action=action)
    with pytest.raises(ServiceError):  # returning needs a reason
        services.report_transition(actor=chain["street"], report=r, action="street_return")
    r = services.report_transition(actor=chain["street"], report=r, action="street_return", reason="数据有误")
    assert r.state == ReportState.RETURNED and r.return_note == "数据有误"
    with pytest.raises(NotAllowed):  # the street can't prepare the community's report
        services.report_prepare(actor=chain["street"], kind=kind, community_code=world.community.code,
                                period=date(2026, 9, 1))


def test_out_of_scope_is_404_and_departments_see_only_approved(client, world, chain):
    kind = ReportKind.objects.get(key="volunteering")
    draft = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code,
                                    period=MONTH)
    approved = _approved(world, chain)
    verified_login(client, chain["other_street"])
    assert client.get(reverse("reporting:report", args=[draft.pk])).status_code == 404
    assert client.post(reverse("reporting:report_act", args=[draft.pk]), {"action": "street_approve"}).status_code == 404
    client.logout()
    client.force_login(chain["department"])
    assert client.get(reverse("reporting:report", args=[draft.pk])).status_code == 404
    assert client.get(reverse("reporting:report", args=[approved.pk])).status_code == 200
    listed = set(selectors.report_list(actor=chain["department"]).values_list("pk", flat=True))
    assert listed == {approved.pk}


def test_lower_level_sees_that_the_street_approved_not_who(client, world, chain):
    r = _approved(world, chain)
    steps = selectors.chain(actor=chain["staff"], report=r)
    assert all(s.done for s in steps)
    assert steps[1].who == "" and steps[2].who == ""
    client.force_login(chain["staff"])
    page = client.get(reverse("reporting:report", args=[r.pk])).content.decode()
    assert "街道审核人" not in page and "区级审定人" not in page and "已审定" in page
    street_view = selectors.chain(actor=chain["street"], report=r)
    assert street_view[1].who == "街道审核人" and street_view[2].who == ""
    assert selectors.chain(actor=chain["district"], report=r)[2].who == "区级审定人"


def test_snapshot_is_immutable_and_corrections_are_new_versions(world, chain):
    v1 = _approved(world, chain)
    sealed, values = v1.sealed, dict(v1.values)
    with pytest.raises(ServiceError):
        services.report_set_values(actor=chain["staff"], report=v1, values={"registry.persons": 999})
    stored = Report.objects.get(pk=v1.pk)
    stored.values = {"registry.persons": 999}
    with pytest.raises(ServiceError):
        stored.save()
    with pytest.raises(ServiceError):  # a correction needs its reason
        services.report_correct(actor=chain["staff"], report=v1, reason=" ")
    v2 = services.report_correct(actor=chain["staff"], report=v1, reason="补录10月迁入人口")
    assert (v2.number, v2.previous_id, v2.state) == (2, v1.pk, ReportState.DRAFT)
    v2 = services.report_set_values(actor=chain["staff"], report=v2, values={"registry.persons": 1234})
    with pytest.raises(ServiceError):  # one correction per version
        services.report_correct(actor=chain["staff"], report=v1, reason="再次更正")
    v1 = Report.objects.get(pk=v1.pk)
    assert v1.values == values and v1.sealed == sealed and v1.state == ReportState.APPROVED
    rows = {r.label: r for r in selectors.diff(v1, v2)}
    assert rows["实有人口"].changed and rows["实有人口"].after == 1234
    assert not rows["在住户数"].changed


def test_values_must_be_numbers(world, chain):
    kind = make_kind()
    r = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period=MONTH)
    with pytest.raises(ServiceError) as e:
        services.report_set_values(actor=chain["staff"], report=r, values={"registry.persons": "十二"})
    assert "实有人口" in e.value.user_message


def test_todos_at_each_level(world, chain):
    kind = ReportKind.objects.get(key="population")
    r = services.report_prepare(actor=chain["staff"], kind=kind, community_code=world.community.code, period=MONTH)
    assert any(t.key == "reporting.prepare" for t in todos_for(chain["staff"]))
    services.report_transition(actor=chain["staff"], report=r, action="submit")
    street = [t for t in todos_for(chain["street"]) if t.key == "reporting.street"]
    assert street and street[0].count == 1
    assert not [t for t in todos_for(chain["other_street"]) if t.key.startswith("reporting.")]


def test_round_and_approve_all_each_through_the_chain(world, chain):
    kind = ReportKind.objects.get(key="population")
    made = services.reports_prepare_round(actor=chain["district"], kind=kind, region_code=world.district.code,
                                          period=MONTH)
    assert {r.region_code for r in made} == {world.community.code, world.other_community.code}
    for r in made:
        services.report_transition(actor=make_user(Role.COMMUNITY_STAFF, r.region_code), report=r, action="submit")
    results = services.reports_approve_all(actor=chain["street"], kind=kind, period=MONTH, state="submitted",
                                           reports=selectors.report_list(actor=chain["street"]))
    assert [(r.region_code, reason) for r, reason in results] == [(world.community.code, "")]
    assert Report.objects.get(region_code=world.other_community.code).state == ReportState.SUBMITTED


def test_pages_render(client, world, chain):
    v1 = _approved(world, chain)
    v2 = services.report_correct(actor=chain["staff"], report=v1, reason="更正")
    client.force_login(chain["staff"])
    assert client.get(reverse("reporting:index")).status_code == 200
    diff = client.get(reverse("reporting:diff", args=[v2.pk]))
    assert diff.status_code == 200 and "更正" in diff.content.decode()
    assert client.get(reverse("reporting:kinds")).status_code == 200


def test_district_approval_of_a_round_is_one_batch_each_checked_and_sealed(world, chain, django_assert_max_num_queries):
    kind = ReportKind.objects.get(key="population")
    made = services.reports_prepare_round(actor=chain["district"], kind=kind, region_code=world.district.code,
                                          period=MONTH)
    mine, other = sorted(made, key=lambda r: r.region_code != world.community.code)
    services.report_transition(actor=chain["staff"], report=mine, action="submit")
    services.report_transition(actor=make_user(Role.COMMUNITY_STAFF, other.region_code), report=other,
                               action="submit")
    services.report_transition(actor=chain["street"], report=Report.objects.get(pk=mine.pk), action="street_approve")
    # the other community's report is still waiting for its street: not in the district's state
    with django_assert_max_num_queries(8):  # whatever the number of reports: a batch, not one write per report
        results = services.reports_approve_all(actor=chain["district"], kind=kind, period=MONTH,
                                               state="street_approved", reports=selectors.report_list(
                                                   actor=chain["district"]))
    assert [(r.pk, reason) for r, reason in results] == [(mine.pk, "")]
    mine = Report.objects.get(pk=mine.pk)
    assert mine.state == ReportState.APPROVED and mine.frozen and mine.sealed == digest(mine.values)
    assert mine.district_approved_by == chain["district"] and mine.approved_at and mine.version == 4
    assert Report.objects.get(pk=other.pk).state == ReportState.SUBMITTED
    assert TransitionHistory.objects.filter(object_id=str(mine.pk), action="district_approve").count() == 1
    assert AuditEvent.objects.filter(action="reporting.report.district_approve", object_id=str(mine.pk)).count() == 1
    # a street manager can't run the district's step: each report is refused with the reason, nothing written
    r2 = services.report_prepare(actor=chain["staff"], kind=ReportKind.objects.get(key="cases"),
                                 community_code=world.community.code, period=MONTH)
    for actor, action in ((chain["staff"], "submit"), (chain["street"], "street_approve")):
        r2 = services.report_transition(actor=actor, report=r2, action=action)
    refused = services.reports_approve_all(actor=chain["street"], kind=r2.kind, period=MONTH,
                                           state="street_approved", reports=selectors.report_list(
                                               actor=chain["street"]))
    assert [(r.pk, bool(reason)) for r, reason in refused] == [(r2.pk, True)]
    assert Report.objects.get(pk=r2.pk).state == ReportState.STREET_APPROVED
