"""Pages: the applicant sees the reviewers' comments but never their names; out of scope is 404; the public
pages show bodies and money only; the dashboard is computed; indicators agree with the dashboard."""

from datetime import date, timedelta

import pytest

from shanzhi.core.indicators import compute
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.organisations.testing import make_org_staff
from shanzhi.projects import selectors, services
from shanzhi.projects.models import Call, ReviewAssignment
from shanzhi.projects.testing import make_application, make_call, make_project

pytestmark = pytest.mark.django_db


def test_applicant_sees_comments_not_reviewer_names(client, world, make_user):
    app = make_application(world.grid.code, state="reviewing")
    staff = make_org_staff(app.organisation)
    reviewer = make_user(Role.THIRD_PARTY_ASSESSOR, world.district.code, username="zhang-reviewer",
                         display_name="张评审")
    review = ReviewAssignment.objects.create(application=app, reviewer=reviewer, region_code=app.region_code)
    services.review_declare(actor=reviewer, review=review, conflict=False)
    services.review_submit(actor=reviewer, review=review, comment="预算偏高，建议压缩",
                           scores={"need": 20, "design": 20, "capacity": 15, "budget": 10})
    client.force_login(staff)
    body = client.get(f"/projects/applications/{app.pk}/").content.decode()
    assert "预算偏高，建议压缩" in body and "评审人 1" in body
    assert "张评审" not in body and "zhang-reviewer" not in body
    # another organisation's staff: 404
    other = make_user(Role.SOCIAL_ORG_STAFF, world.street.code)
    client.force_login(other)
    assert client.get(f"/projects/applications/{app.pk}/").status_code == 404


def test_review_page_is_the_reviewers_own(client, world, make_user):
    app = make_application(world.grid.code, state="reviewing")
    reviewer = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    review = ReviewAssignment.objects.create(application=app, reviewer=reviewer, region_code=app.region_code)
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community.code))
    assert client.get(f"/projects/reviews/{review.pk}/").status_code == 404
    client.force_login(reviewer)
    resp = client.post(f"/projects/reviews/{review.pk}/", {"op": "declare", "conflict": "yes", "conflict_note": ""})
    assert resp.status_code == 200 and "请说明利益冲突的情况" in resp.content.decode()
    review.refresh_from_db()
    assert review.conflict is None


def test_public_street_page_and_dashboard(client, world, make_user):
    project = make_project(world.grid.code, amount_fen=12_345_00)
    make_project(world.other_grid.code)
    resp = client.get(f"/projects/public/?street={world.street.code}")
    body = resp.content.decode()
    assert resp.status_code == 200 and project.title in body and "12,345.00" in body
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    verified_login(client, manager)
    data = selectors.dashboard(actor=manager)
    assert data["totals"]["projects"] == 1 and data["totals"]["committed_fen"] == 12_345_00
    assert client.get("/projects/dashboard/").status_code == 200
    today = date.today()
    figures = compute("projects.amount_committed", codes=[world.street.code, world.other_street.code],
                      start=today - timedelta(days=1), end=today + timedelta(days=1))
    assert figures[world.street.code] == 12_345_00
    assert compute("projects.count", codes=[world.district.code], start=today - timedelta(days=1),
                   end=today + timedelta(days=1))[world.district.code] == 2


def test_bad_budget_line_names_the_row(client, world, make_user):
    app = make_application(world.grid.code)
    call = app.call
    staff = make_org_staff(app.organisation)
    client.force_login(staff)
    resp = client.post(f"/projects/calls/{call.pk}/apply/", {
        "organisation": app.organisation.pk, "community_code": world.community.code, "title": "t", "objectives": "o",
        "activities": "a", "budget": "物料 100\n人员 abc", "target_beneficiaries": 3, "answer_team": "x"})
    assert resp.status_code == 200 and "金额“abc”不是数字" in resp.content.decode()


def test_a_manager_edits_the_calls_questions_until_someone_applies(client, world, make_user):
    call = make_call(world.grid.code)
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    verified_login(client, manager)
    url = f"/projects/calls/{call.pk}/fields/"
    assert client.get(url).status_code == 405
    resp = client.post(url, {"version": call.version, "form_fields": "项目团队 *\n往年服务情况\n\n合作单位＊"})
    assert resp.status_code == 302
    call.refresh_from_db()
    assert call.form == [{"name": "q1", "label": "项目团队", "required": True},
                         {"name": "q2", "label": "往年服务情况", "required": False},
                         {"name": "q3", "label": "合作单位", "required": True}]
    # a stale form (version moved on) is refused, not applied over the newer questions
    stale = client.post(url, {"version": call.version - 1, "form_fields": "别的问题"})
    assert stale.status_code == 200 and Call.objects.get(pk=call.pk).form == call.form
    # a line with only a star names its line
    bad = client.post(url, {"version": call.version, "form_fields": "项目团队\n *"})
    assert "第 2 行" in bad.content.decode()
    # another street's manager: not found
    verified_login(client, make_user(Role.STREET_MANAGER, world.other_street.code))
    assert client.post(url, {"version": call.version, "form_fields": "x"}).status_code == 404
    # once an organisation has applied, the questions stay as they were answered
    make_application(world.grid.code, call=call)
    verified_login(client, manager)
    page = client.get(f"/projects/calls/{call.pk}/").content.decode()
    assert "保存申报表" not in page and "往年服务情况" in page
    client.post(url, {"version": call.version, "form_fields": "新问题"})
    assert Call.objects.get(pk=call.pk).form == call.form
