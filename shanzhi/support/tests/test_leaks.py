"""Records never leave through exports, the API (/api/ and Open311), search results or counts visible to other
roles (issue 17 §4). Each path is exercised with a record present."""

import io
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from shanzhi.api.tokens import token_create
from shanzhi.core.dashboard import counters_for
from shanzhi.core.roles import Role
from shanzhi.support.models import Record, Visit

from .conftest import REASON_MARK, SOURCE_MARK

pytestmark = pytest.mark.django_db

MARKS = (REASON_MARK, SOURCE_MARK, "刑满释放", "BJ000", "帮教记录")
APP = Path(__file__).resolve().parents[1]


def _clean(text: str):
    for mark in MARKS:
        assert mark not in text, mark


def _xlsx_text(resp) -> str:
    data = b"".join(resp.streaming_content) if resp.streaming else resp.content
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    return " ".join(str(c) for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
                    for c in row if c)


def test_registry_exports_carry_no_record(client, record, secretary, staff):
    # even the purpose-bound 社区书记 exports persons without any 帮教 trace
    for user in (staff, secretary):
        client.force_login(user)
        r = client.get("/registry/persons/", {"export": "xlsx"})
        assert r.status_code == 200
        text = _xlsx_text(r)
        assert "帮教甲某" in text  # the resident is there, as any resident
        _clean(text)
        for kind in ("households", "dwellings"):
            _clean(_xlsx_text(client.get("/registry/export/", {"kind": kind})))
        client.logout()


def test_the_api_offers_no_record(client, record, staff, secretary):
    client.force_login(secretary)
    schema = client.get("/api/openapi.json").json()
    assert not [p for p in schema["paths"] if "support" in p or "special" in p]
    for path, ops in schema["paths"].items():
        if "get" in ops and "{" not in path:
            r = client.get("/api" + path if not path.startswith("/api") else path)
            assert r.status_code < 500, path
            _clean(r.content.decode(errors="replace"))


def test_open311_offers_no_record(client, record):
    for url in ("/open311/v2/services.json", "/open311/v2/requests.json"):
        r = client.get(url)
        _clean(r.content.decode(errors="replace"))


def test_search_finds_the_resident_never_the_record(client, record, staff, secretary):
    for user in (staff, secretary):
        client.force_login(user)
        for q in ("帮教甲某", "刑满释放", SOURCE_MARK):
            r = client.post("/registry/search/", {"q": q})
            assert r.status_code == 200
            _clean(r.content.decode().replace(q, ""))  # the box shows the query back
        client.logout()


def _counter_values(user) -> dict:
    return {c["key"]: c["value"] for c in counters_for(user)}


def test_dashboard_counts_nothing_for_other_roles(client, record, staff, world, make_user):
    Visit.objects.update(due_on="2020-01-01")  # overdue: the responsible worker's counter shows it
    others = [staff, make_user(Role.STREET_MANAGER, world.street.code), make_user(Role.GRID_WORKER, world.grid.code),
              make_user(Role.DISTRICT_MANAGER, world.district.code), make_user(Role.GRID_LEADER, world.grid2.code)]
    for user in others:
        values = _counter_values(user)
        assert values.get("support.overdue", 0) == 0
        assert all(not str(k).startswith("registry.special") for k in values)
    client.force_login(staff)
    assert client.get("/").status_code == 200


def test_the_responsible_worker_and_grid_leader_see_the_overdue_count(record, worker, leader):
    Visit.objects.update(due_on="2020-01-01")
    assert _counter_values(worker)["support.overdue"] == 1
    assert _counter_values(leader)["support.overdue"] == 1


def test_no_module_outside_the_app_reads_its_records():
    """Static check: the export, API, search, indicator and import hooks are never wired to the app."""
    root = APP.parent
    for path in root.rglob("*.py"):
        if APP in path.parents or "tests" in path.parts or "migrations" in path.parts or path.name in {
                "settings.py", "urls.py", "testing.py"}:
            continue
        text = path.read_text(encoding="utf-8")
        assert "shanzhi.support" not in text and "support.models" not in text, path
    for name in ("api.py", "exporting.py", "importing.py", "search.py"):
        assert not (APP / name).exists(), name
    for path in APP.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for hook in ("register_indicator", "register_importer", "register_region_figures", "xlsx_response",
                     "register_panel"):
            assert hook not in text, (path.name, hook)


def test_records_are_not_in_the_restricted_sets_of_other_roles(record, world, make_user):
    for role, code in ((Role.DEPARTMENT_VIEWER, world.district.code), (Role.COMMUNITY_STAFF, world.community.code)):
        user = make_user(role, code)
        for action in ("view", "change", "manage", "close", "export", "api"):
            assert not Record.objects.restrict(user, action).exists()


def test_a_department_token_reads_no_record(client, record, world, make_user):
    dept = make_user(Role.DEPARTMENT_VIEWER, world.district.code)
    _, plain = token_create(actor=None, user=dept, regions=[world.district.code], fields=["name", "sex"], days=30)
    schema = client.get("/api/openapi.json").json()
    for path, ops in schema["paths"].items():
        if "get" in ops and "{" not in path:
            r = client.get(path if path.startswith("/api") else "/api" + path,
                           HTTP_AUTHORIZATION=f"Bearer {plain}")
            assert r.status_code < 500, path
            _clean(r.content.decode(errors="replace"))
