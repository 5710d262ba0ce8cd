import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shanzhi.cases import choices as c
from shanzhi.cases.insight import Kpis, kpis_total, rollup_build
from shanzhi.cases.models import Case
from shanzhi.cases.selectors import nearby_open_cases
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import make_body, make_body_staff, make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login
from shanzhi.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_list_filters_overdue_and_export(client, world, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    fresh = make_case(world.grid.code, title="新问题")
    late = make_case(world.grid.code, title="超时问题")
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    make_case(world.other_grid.code, title="别的街道")
    client.force_login(leader)
    body = client.get("/cases/").content.decode()
    assert "新问题" in body and "超时问题" in body and "别的街道" not in body
    body = client.get("/cases/?light=overdue").content.decode()
    assert "超时问题" in body and "新问题" not in body and 'data-light="red"' in body
    r = client.get("/cases/export/?light=overdue")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert fresh.number


def test_detail_shows_actions_and_why_not(client, world, make_user):
    case = make_case(world.grid.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    body = make_body()
    staff = make_body_staff(body)
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    client.force_login(leader)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="accept"' in page
    r = client.post(f"/cases/{case.pk}/act/", {"action": "accept", "version": case.version})
    assert r.status_code == 302
    r = client.post(f"/cases/{case.pk}/act/", {"action": "dispatch", "body": body.pk, "version": 2})
    case.refresh_from_db()
    assert case.state == c.State.DISPATCHED and case.lead_body == body
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-unavailable="start"' in page and "只有承办人" in page
    client.force_login(staff)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    # a department's staff, with no grant on the grid, still read where the case is, by name
    assert f"{world.street.name} · {world.community.name} · {world.grid.name}" in page
    client.post(f"/cases/{case.pk}/act/", {"action": "start", "version": case.version})
    case.refresh_from_db()
    assert case.state == c.State.HANDLING
    other = make_body_staff(make_body(name="别的单位"))
    client.force_login(other)
    assert client.get(f"/cases/{case.pk}/").status_code == 404


def test_resident_reports_sees_and_rates(client, world, make_user):
    cat = make_category()
    resident = make_user(Role.RESIDENT, world.grid.code)
    client.force_login(resident)
    r = client.post("/cases/report/", {"category": cat.pk, "region_code": world.grid.code, "title": "楼道灯坏了",
                                       "description": "三楼楼道灯不亮", "strip_location": "on"})
    case = Case.objects.get(title="楼道灯坏了")
    assert r.status_code == 302 and case.reporter_user == resident and case.channel == c.Channel.RESIDENT
    assert "楼道灯坏了" in client.get("/cases/mine/").content.decode()
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    case = case_transition(actor=leader, case=case, action="accept")
    case = case_transition(actor=leader, case=case, action="assign", data={"assignee": worker.pk})
    case = case_transition(actor=worker, case=case, action="start")
    case = case_transition(actor=worker, case=case, action="complete", data={"outcome": "fixed", "note": "已修"})
    page = client.get(f"/cases/mine/{case.pk}/").content.decode()
    assert 'data-testid="confirm"' in page
    client.post(f"/cases/mine/{case.pk}/act/", {"action": "verify", "version": case.version})
    case.refresh_from_db()
    case = case_transition(actor=leader, case=case, action="feedback", data={"note": "已修好"})
    assert Notification.objects.filter(recipient=resident, kind="case.feedback").exists()
    client.post(f"/cases/mine/{case.pk}/act/", {"action": "rate", "score": "4", "version": case.version})
    case.refresh_from_db()
    assert case.state == c.State.RATED and case.ratings.get().score == 4
    other = make_user(Role.RESIDENT, world.grid.code)
    client.force_login(other)
    assert client.get(f"/cases/mine/{case.pk}/").status_code == 404


def test_anonymous_report_and_track(client, world):
    cat = make_category()
    r = client.post("/cases/report/", {"category": cat.pk, "region_code": world.grid.code, "title": "匿名反映",
                                       "description": "有人占道"})
    case = Case.objects.get(title="匿名反映")
    assert r.status_code == 200 and case.anonymous and case.tracking_code in r.content.decode()
    page = client.get(f"/cases/track/?number={case.number}&code={case.tracking_code}").content.decode()
    assert "匿名反映" in page and "上报" in page
    assert "匿名反映" not in client.get(f"/cases/track/?number={case.number}&code=WRONG").content.decode()


def test_nearby_duplicates_within_50m(client, world):
    cat = make_category()
    near = make_case(world.grid.code, category=cat, lat=32.3650, lng=119.4450, title="近处")
    make_case(world.grid.code, category=cat, lat=32.3660, lng=119.4450, title="百米外")  # ~111 m north
    found = nearby_open_cases(category_id=cat.pk, lat=32.3653, lng=119.4450)  # ~33 m away
    assert [x.pk for x, _ in found] == [near.pk] and 30 < found[0][1] < 40
    html = client.get(f"/cases/report/nearby/?category={cat.pk}&lat=32.3653&lng=119.4450").content.decode()
    assert "近处" in html and "百米外" not in html
    tree = make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "required": True, "values": [{"key": "big", "name": "粗"}]}])
    html = client.get(f"/cases/report/nearby/?category={tree.pk}").content.decode()
    assert 'name="extra_size"' in html and "树干粗细" in html


def _closed_case(world, leader, worker, score):
    case = make_case(world.grid.code, actor=worker, address="东门")
    case = case_transition(actor=leader, case=case, action="accept")
    case = case_transition(actor=leader, case=case, action="assign", data={"assignee": worker.pk})
    case = case_transition(actor=worker, case=case, action="start")
    case = case_transition(actor=worker, case=case, action="complete", data={"outcome": "fixed", "note": "ok"})
    case = case_transition(actor=leader, case=case, action="verify")
    case = case_transition(actor=leader, case=case, action="feedback", data={"note": "ok"})
    return case_transition(actor=worker, case=case, action="rate", data={"score": score})


def test_rollup_kpis_index_and_dashboard_queries_constant(client, world, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    worker = make_user(Role.GRID_WORKER, world.grid.code)
    manager = make_user(Role.STREET_MANAGER, world.street.code)
    today = timezone.localdate()
    _closed_case(world, leader, worker, 5)
    make_case(world.grid.code, actor=worker, address="东门")
    rollup_build(start=today, end=today)
    k = kpis_total(prefix=world.street.code, start=today, end=today, population=1000)
    assert (k.reported, k.responded, k.closed, k.fixed, k.rated, k.satisfied) == (2, 1, 1, 1, 1, 1)
    assert k.response_rate == 0.5 and k.satisfaction_rate == 1.0 and k.case_rate == 2.0
    assert k.repeat == 1  # the same category from the same address twice within 30 days
    # 100 × (0.15×0.5 + 0.2×1 + 0.2×1 + 0.25×1 + 0.1×(1 − 0.5) + 0.1×(1 − 2/20)) = 86.5
    assert k.index == 86.5
    assert Kpis().index is None  # no case in the window: no index, not a perfect score
    verified_login(client, manager)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/dashboard/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # warm-up: the first request of a session touches session and device rows
    before = queries()
    _closed_case(world, leader, worker, 1)
    for _ in range(5):
        make_case(world.grid2.code, actor=make_user(Role.GRID_WORKER, world.grid2.code))
    rollup_build(start=today, end=today)
    assert queries() == before
    # a dissatisfied rating moves the index down
    k2 = kpis_total(prefix=world.street.code, start=today, end=today, population=1000)
    assert k2.index < k.index


def test_recategorise_page(client, world, make_user):
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = make_case(world.grid.code)
    water = make_category(code="water", name="供水问题")
    client.force_login(leader)
    assert "调整类别" in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/category/", {"category": water.pk, "reason": "实为供水"})
    case.refresh_from_db()
    assert case.category == water and case.history.filter(action="recategorise").exists()


def test_report_form_multivaluelist_and_datetime_fields(client, world):
    cat = make_category(code="noise", name="噪声扰民", extra_fields=[
        {"code": "times", "label": "发生时段", "type": "multivaluelist", "required": True,
         "values": [{"key": "day", "name": "白天"}, {"key": "night", "name": "夜间"}]},
        {"code": "since", "label": "开始时间", "type": "datetime"}])
    html = client.get(f"/cases/report/nearby/?category={cat.pk}").content.decode()
    assert 'name="extra_times" class="form-select" multiple required' in html and 'type="datetime-local"' in html
    form = {"category": cat.pk, "region_code": world.grid.code, "title": "夜里施工", "description": "每晚十点后施工"}
    r = client.post("/cases/report/", {**form, "extra_times": ["day", "night"], "extra_since": "昨天"})
    assert r.status_code == 200 and "“开始时间”应为日期时间" in r.content.decode() and not Case.objects.exists()
    r = client.post("/cases/report/", {**form, "extra_times": ["day", "night"], "extra_since": "2026-11-20T22:00"})
    assert r.status_code == 200 and Case.objects.get().extra == {"times": ["day", "night"],
                                                                 "since": "2026-11-20T22:00"}


def test_report_forms_preselect_the_only_grid(client, world, make_user):
    """A grid worker serving one grid, and a resident of one grid, find it chosen already."""
    make_category()
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))
    form = client.get("/cases/new/").context["form"]
    assert form["region_code"].value() == world.grid.code
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    form = client.get("/cases/report/").context["form"]
    assert form["region_code"].value() == world.grid.code
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.community.code))  # several grids: asks
    assert client.get("/cases/new/").context["form"]["region_code"].value() in (None, "")


def test_english_case_list_and_detail(client, world, make_user):
    case = make_case(world.grid.code, title="楼道堆物")
    client.force_login(make_user(Role.GRID_LEADER, world.grid.code))
    client.post("/i18n/setlang/", {"language": "en", "next": "/cases/"})
    page = client.get("/cases/").content.decode()
    assert '<h1 class="page-title">Cases</h1>' in page and ">Overdue <" in page
    assert "<th>Number</th><th>Title</th><th>Category</th>" in page and "Reported" in page
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="accept">Accept</button>' in page
    assert ">Handling history</h3>" in page and ">Reported at</dt>" in page
    assert "办理过程" not in page and "受理</button>" not in page
