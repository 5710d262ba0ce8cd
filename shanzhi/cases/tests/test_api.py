"""Cases REST API (/api/cases/): scope, keyset pages, detail with the public timeline, create, transitions
with their refusals (400/403/404/409), department tokens read-only, and the OpenAPI schema."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from shanzhi.api.tokens import token_create
from shanzhi.audit.models import AuditEvent
from shanzhi.cases import api as cases_api
from shanzhi.cases import choices as c
from shanzhi.cases.models import Case, CaseHistory
from shanzhi.cases.services import case_transition
from shanzhi.cases.testing import make_body, make_body_staff, make_case, make_category
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(world, make_user):
    return make_user(Role.GRID_LEADER, world.grid.code)


@pytest.fixture
def cases(world):
    """Three cases in the leader's grid (oldest first) and one in the other street."""
    cat = make_category()
    mine = [make_case(world.grid.code, category=cat, title=f"井盖{i}", reporter_name="张三",
                      reporter_phone="13812345678") for i in range(3)]
    theirs = make_case(world.other_grid.code, category=cat, title="别处的井盖")
    return mine, theirs


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_list_is_scoped_newest_first_and_keyset_paginated(client, leader, cases):
    mine, theirs = cases
    client.force_login(leader)
    body = client.get("/api/cases/", {"limit": 2}).json()
    assert [x["id"] for x in body["items"]] == [mine[2].pk, mine[1].pk] and body["next"] == mine[1].pk
    first = body["items"][0]
    assert first["state"] == "reported" and first["state_label"] == "已上报" and first["status"] == "open"
    assert first["category"] == "road" and first["light"] == "green" and first["version"] == 1
    assert "reporter" not in first and "张三" not in str(body)  # no reporter data in lists
    rest = client.get("/api/cases/", {"limit": 2, "after": body["next"]}).json()
    assert [x["id"] for x in rest["items"]] == [mine[0].pk] and rest["next"] is None
    everything = client.get("/api/cases/", {"limit": 100}).json()["items"]
    assert theirs.pk not in [x["id"] for x in everything] and len(everything) == 3
    assert client.get("/api/cases/", {"after": theirs.pk}).json() == {"items": [], "next": None}


def test_list_filters_are_the_list_pages(client, leader, cases):
    mine, _ = cases
    case_transition(actor=leader, case=mine[0], action="reject", data={"reason": "重复"})
    client.force_login(leader)
    ids = lambda **q: [x["id"] for x in client.get("/api/cases/", q).json()["items"]]  # noqa: E731
    assert ids(state="rejected") == [mine[0].pk]
    assert ids(open="1") == [mine[2].pk, mine[1].pk]
    assert ids(q="井盖1") == [mine[1].pk]
    assert ids(q=mine[2].number) == [mine[2].pk]
    assert ids(channel="hotline") == [] and len(ids(channel="patrol")) == 3
    assert ids(category="road", light="overdue") == []


def test_page_size_is_capped(client, leader, cases, monkeypatch):
    monkeypatch.setattr(cases_api, "MAX_LIMIT", 2)
    client.force_login(leader)
    body = client.get("/api/cases/", {"limit": 5000}).json()
    assert len(body["items"]) == 2 and body["next"] is not None
    assert len(client.get("/api/cases/", {"limit": 0}).json()["items"]) == 1


def test_detail_public_timeline_reporter_and_scope(client, leader, cases, world):
    mine, theirs = cases
    case = case_transition(actor=leader, case=mine[0], action="accept")
    case = case_transition(actor=leader, case=case, action="dispatch", data={"body": make_body().pk})
    case_transition(actor=leader, case=case, action="assist", data={"body": make_body(name="区住建局").pk})
    assert CaseHistory.objects.filter(case=case, public=False).exists()
    client.force_login(leader)
    d = client.get(f"/api/cases/{case.pk}").json()
    assert d["state"] == "handling" and d["lead_body"] == "街道城管科" and d["description"] == "小区东门井盖破损"
    assert [h["action"] for h in d["timeline"]] == ["report", "accept", "dispatch"]  # the assist row is internal
    assert d["reporter"] == {"name": "张三", "phone": "138********", "anonymous": False}
    allowed = {a["action"]: a for a in d["actions"]}
    assert allowed["reroute"]["allowed"] and not allowed["complete"]["allowed"]
    assert allowed["complete"]["reason"] == "只有承办人或承办单位人员可以执行此操作"
    r = client.get(f"/api/cases/{theirs.pk}")
    assert r.status_code == 404 and "别处" not in r.content.decode()
    assert client.get("/api/cases/999999").status_code == 404


def test_anonymous_and_no_grant(client, make_user, cases):
    mine, _ = cases
    assert client.get("/api/cases/").status_code == 401
    assert client.get(f"/api/cases/{mine[0].pk}").status_code == 401
    client.force_login(make_user())
    assert client.get("/api/cases/").json()["items"] == []
    assert client.get(f"/api/cases/{mine[0].pk}").status_code == 404
    assert client.post("/api/cases/", {}, content_type="application/json").status_code in (400, 403, 422)


def test_handling_body_sees_only_its_cases(client, world, leader, cases):
    mine, _ = cases
    body = make_body()
    staff = make_body_staff(body)
    case = case_transition(actor=leader, case=mine[1], action="accept")
    case_transition(actor=leader, case=case, action="dispatch", data={"body": body.pk})
    client.force_login(staff)
    assert [x["id"] for x in client.get("/api/cases/").json()["items"]] == [mine[1].pk]
    assert client.get(f"/api/cases/{mine[0].pk}").status_code == 404


def test_create_through_the_service(client, leader, world):
    make_category(code="tree", name="树木倒伏", extra_fields=[
        {"code": "size", "label": "树干粗细", "required": True, "values": [{"key": "big", "name": "粗"}]}])
    client.force_login(leader)
    payload = {"category": "tree", "channel": "hotline", "title": "树倒了", "description": "东门口的树倒了",
               "region_code": world.grid.code, "reporter_name": "李四", "reporter_phone": "13900001111",
               "extra": {"size": "big"}}
    r = client.post("/api/cases/", payload, content_type="application/json")
    assert r.status_code == 201, r.content
    created = r.json()
    case = Case.objects.get(pk=created["id"])
    assert case.channel == c.Channel.HOTLINE and case.extra == {"size": "big"} and case.reporter_name == "李四"
    assert created["reporter"] == {"name": "李四", "phone": "139********", "anonymous": False}
    assert [h["action"] for h in created["timeline"]] == ["report"]
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()

    r = client.post("/api/cases/", {**payload, "extra": {}}, content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "请填写“树干粗细”", "field": "size"}
    r = client.post("/api/cases/", {**payload, "category": "nope"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "category"
    r = client.post("/api/cases/", {**payload, "channel": "resident"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "channel"
    r = client.post("/api/cases/", {**payload, "region_code": world.other_grid.code}, content_type="application/json")
    assert r.status_code == 403 and r.json()["detail"] == "只有该网格的工作人员可以登记此类来源的民情"
    assert Case.objects.count() == 1


def test_transitions_conflict_refusals_and_scope(client, world, leader, make_user, cases):
    mine, theirs = cases
    case = mine[0]
    client.force_login(leader)
    url = f"/api/cases/{case.pk}/transitions"
    r = client.post(url, {"action": "accept", "version": 1}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "accepted" and r.json()["version"] == 2
    # a second client still showing version 1 does not silently overwrite
    r = client.post(url, {"action": "reject", "version": 1, "reason": "重复"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["detail"] == "记录已被他人修改，请刷新后重试。"
    assert Case.objects.get(pk=case.pk).state == c.State.ACCEPTED

    r = client.post(url, {"action": "complete", "version": 2, "outcome": "fixed", "note": "好了"},
                    content_type="application/json")
    assert r.status_code == 403 and r.json()["detail"] == "当前状态“已受理”不能执行“办结”"
    r = client.post(url, {"action": "dispatch", "version": 2}, content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "请选择承办单位", "field": "body"}
    r = client.post(url, {"action": "fly", "version": 2}, content_type="application/json")
    assert r.status_code == 400 and "未知的操作" in r.json()["detail"]
    r = client.post(url, {"action": "reopen", "version": 2}, content_type="application/json")
    assert r.status_code == 400 and r.json()["detail"] == "该操作由系统触发"

    worker = make_user(Role.GRID_WORKER, world.grid.code)
    client.force_login(worker)
    r = client.post(url, {"action": "dispatch", "version": 2, "body": make_body().pk}, content_type="application/json")
    assert r.status_code == 403 and r.json()["detail"] == "您没有在此区域执行“联动派遣”的角色"
    r = client.post(url, {"action": "assign", "version": 2, "assignee": worker.pk}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "dispatched"

    r = client.post(f"/api/cases/{theirs.pk}/transitions", {"action": "accept", "version": 1},
                    content_type="application/json")
    assert r.status_code == 404 and Case.objects.get(pk=theirs.pk).state == c.State.REPORTED


def test_department_token_reads_its_regions_and_cannot_write(client, world, make_user, cases):
    mine, theirs = cases
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code)
    _, plain = token_create(actor=None, user=dept, regions=[world.grid.code], fields=[], days=30)
    items = client.get("/api/cases/", **bearer(plain)).json()["items"]
    assert sorted(x["id"] for x in items) == sorted(x.pk for x in mine)
    d = client.get(f"/api/cases/{mine[0].pk}", **bearer(plain)).json()
    assert d["reporter"] is None and d["actions"] == [] and d["timeline"][0]["action"] == "report"
    assert "13812345678" not in str(d) and "张三" not in str(d)
    assert client.get(f"/api/cases/{theirs.pk}", **bearer(plain)).status_code == 404
    r = client.post(f"/api/cases/{mine[0].pk}/transitions", {"action": "accept", "version": 1},
                    content_type="application/json", **bearer(plain))
    assert r.status_code == 403 and r.json()["detail"] == "接口令牌只能读取，不能登记或办理民情"
    r = client.post("/api/cases/", {"category": "road", "title": "x", "description": "x",
                                    "region_code": world.grid.code}, content_type="application/json", **bearer(plain))
    assert r.status_code == 403 and Case.objects.count() == 4
    assert client.get("/api/cases/", **bearer("sz_wrong")).status_code == 401


def test_session_writes_need_the_csrf_token(leader, cases):
    mine, _ = cases
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(leader)
    assert strict.get("/api/cases/").status_code == 200
    r = strict.post(f"/api/cases/{mine[0].pk}/transitions", {"action": "accept", "version": 1},
                    content_type="application/json")
    assert r.status_code in (401, 403) and Case.objects.get(pk=mine[0].pk).state == c.State.REPORTED


def test_openapi_schema_lists_the_routes(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/cases/"])
    assert "get" in paths["/api/cases/{case_id}"] and "post" in paths["/api/cases/{case_id}/transitions"]
    responses = paths["/api/cases/{case_id}/transitions"]["post"]["responses"]
    assert {"200", "400", "403", "404", "409"} <= set(responses)


def test_list_queries_do_not_grow_with_the_page(client, world, leader, cases):
    client.force_login(leader)
    client.get("/api/cases/")  # session and grants warmed up
    with CaptureQueriesContext(connection) as few:
        assert len(client.get("/api/cases/").json()["items"]) == 3
    for i in range(4):
        make_case(world.grid.code, title=f"新井盖{i}")
    with CaptureQueriesContext(connection) as more:
        assert len(client.get("/api/cases/").json()["items"]) == 7
    assert len(more) == len(few)
