"""Every home leads with the person's to-do list; each count is the linked list page's count."""

import re

import pytest

from shanzhi.cases import choices as cc
from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_case
from shanzhi.consultation.choices import Stage
from shanzhi.consultation.models import Topic
from shanzhi.consultation.testing import topic_in
from shanzhi.core.roles import ROLE_LEVEL, Role
from shanzhi.core.todo import TodoItem, register_todo, todos_for
from shanzhi.portal import services as s
from shanzhi.portal.testing import valid_id_number
from shanzhi.registry.testing import move_request_in, person_in
from shanzhi.volunteering.testing import make_signup


def _todo(html: str, key: str) -> tuple[str, int] | None:
    m = re.search(r'href="([^"]+)" data-todo="' + re.escape(key) + r'" data-count="(\d+)"', html)
    return (m.group(1).replace("&amp;", "&"), int(m.group(2))) if m else None


def test_staff_home_leads_with_cases_to_accept_and_the_count_is_the_lists(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    for _ in range(3):
        make_case(world.grid.code)
    make_case(world.other_grid.code)  # out of scope: not counted
    client.force_login(staff)
    html = client.get("/").content.decode()
    assert html.index('data-testid="todos"') < html.index("data-counter")  # the to-dos come first
    url, count = _todo(html, "cases.reported")
    assert count == 3 and "3 件民情待受理" in html
    page = client.get(url)
    assert page.context["page"].paginator.count == count


def test_every_counter_tile_is_a_link(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    client.force_login(staff)
    html = client.get("/").content.decode()
    tiles = re.findall(r'<a class="card card-sm card-link[^"]*" href="([^"]+)" data-counter-link="([^"]+)"', html)
    assert tiles and {k for _u, k in tiles} >= {"cases_open", "cases_overdue"}
    overdue = dict((k, u) for u, k in tiles)["cases_overdue"]
    assert "light=overdue" in overdue


def test_move_requests_to_approve(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    move_request_in(world.grid.code)
    client.force_login(staff)
    url, count = _todo(client.get("/").content.decode(), "registry.moves")
    assert count == 1
    page = client.get(url)
    assert len(page.context["incoming"]) == count


def test_resident_home_says_what_they_can_do_now(client, world, make_user, clock):
    number = valid_id_number("19700101")
    person = person_in(world.grid.code, name="吴居民", id_number=number)
    user = make_user()
    s.binding_submit(actor=user, name="吴居民", id_number=number, community_code=world.community.code)
    case = make_case(world.grid.code, actor=user, channel=cc.Channel.RESIDENT, title="路灯不亮")
    Case.objects.filter(pk=case.pk).update(state=cc.State.FEEDBACK, reporter_user=user)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "您的反映“路灯不亮”已办结，请评价" in html
    url, _n = _todo(html, f"cases.mine.{case.pk}")
    assert client.get(url).status_code == 200
    assert 'data-testid="resident-panel"' in html and person.name in html


def test_the_rosters_see_their_consultation_step(world, make_user):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    Topic.objects.filter(pk=topic_in(world.grid.code).pk).update(state=Stage.REVIEW)
    member = make_user(Role.GOVERNANCE_COMMITTEE, world.community.code)
    rep = make_user(Role.RESIDENT_REPRESENTATIVE, world.community.code)
    keys = {i.key: i.count for i in todos_for(member)}
    assert keys.get("consultation.review") == 1
    assert "consultation.review" not in {i.key for i in todos_for(rep)}
    assert "consultation.review" not in {i.key for i in todos_for(secretary)}


def test_register_todo_hook_keeps_order_and_drops_zero(world, make_user):
    user = make_user(Role.GRID_WORKER, world.grid.code)
    register_todo("test.zero", lambda *, actor: [TodoItem("test.zero", "none", "/", 0)], roles={Role.GRID_WORKER})
    register_todo("test.urgent", lambda *, actor: [TodoItem("test.urgent", "today", "/", 1, urgent=True)],
                  roles={Role.GRID_WORKER}, order=999)
    items = todos_for(user)
    assert items[0].key == "test.urgent" and "test.zero" not in {i.key for i in items}


@pytest.mark.parametrize("role", [Role.OWNERS_COMMITTEE, Role.PROPERTY_STAFF, Role.SOCIAL_ORG_STAFF,
                                  Role.THIRD_PARTY_ASSESSOR, Role.BUILDING_CAPTAIN, Role.PARTY_MEMBER,
                                  Role.RESIDENT_REPRESENTATIVE, Role.GOVERNANCE_COMMITTEE, Role.CASE_COLLECTOR,
                                  Role.GRID_ASSISTANT, Role.DEDICATED_GRID_WORKER])
def test_every_seed_role_signs_in_to_a_home_with_its_to_dos(client, world, make_user, role):
    level = {"grid": world.grid, "community": world.community, "street": world.street, "district": world.district}
    user = make_user(role, level[ROLE_LEVEL[role]].code)
    client.force_login(user)
    resp = client.get("/")
    html = resp.content.decode()
    assert resp.status_code == 200 and 'data-testid="todos"' in html and 'data-testid="no-grant"' not in html


def test_signups_to_review_link_to_the_activity_that_lists_them(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    first = make_signup(world.grid.code, state="pending")
    make_signup(world.grid.code, state="approved")
    client.force_login(staff)
    html = client.get("/").content.decode()
    url, count = _todo(html, f"volunteering.signups.{first.activity_id}")
    assert count == 1 and url == f"/volunteering/activities/{first.activity_id}/"
    page = client.get(url).content.decode()
    assert page.count("待审核") >= 1
