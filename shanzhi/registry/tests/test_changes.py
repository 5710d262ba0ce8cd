"""Change requests (issue 22.6): proposers' edits wait for the community, approval writes through the registry's
services, a stale request is a conflict, the diff keeps numbers masked, scope is 404, GET to a POST route is 405."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.core.errors import ConflictError, NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.todo import todos_for
from shanzhi.registry import changes
from shanzhi.registry import services as s
from shanzhi.registry.changes_forms import ProposeForm
from shanzhi.registry.models import ChangeRequest, Person
from shanzhi.registry.testing import person_in


@pytest.fixture
def people(world, make_user):
    class P:
        assistant = make_user(Role.GRID_ASSISTANT, world.grid.code)
        captain = make_user(Role.BUILDING_CAPTAIN, world.grid.code)
        worker = make_user(Role.GRID_WORKER, world.grid.code)
        staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
        secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
        other_staff = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
        person = person_in(world.grid.code, name="王小明", phone="13800001111")
        stranger = person_in(world.other_grid.code, name="外网格")
    return P


def test_policy_is_data_and_decides_the_mode(world, people):
    assert changes.edit_mode(people.assistant, world.grid.code) == "propose"
    assert changes.edit_mode(people.captain, world.grid.code) == "propose"
    assert changes.edit_mode(people.worker, world.grid.code) == "direct"
    assert changes.edit_mode(people.staff, world.grid.code) == "direct"
    assert changes.edit_mode(people.assistant, world.other_grid.code) is None


def test_a_proposers_edit_becomes_a_request_and_approval_writes_it(world, people):
    before = people.person.version
    req = changes.change_edit(actor=people.assistant, target=people.person,
                              values={"workplace": "扬州市图书馆", "education": "本科", "name": "王小明"},
                              note="本人口述")
    assert isinstance(req, ChangeRequest) and req.state == "pending" and req.source == "staff"
    assert [e["field"] for e in req.diff] == ["workplace", "education"]  # the unchanged name is not in the diff
    assert req.diff[1] == {"field": "education", "old": "", "new": "bachelor"}  # a label typed becomes its value
    people.person.refresh_from_db()
    assert people.person.workplace == "" and people.person.version == before  # nothing written yet
    # the approvers have a to-do leading to the list that shows it
    todo = next(t for t in todos_for(people.staff) if t.key == "registry.changes")
    assert todo.count == 1 and todo.url == "/registry/changes/?state=pending"
    assert not [t for t in todos_for(people.assistant) if t.key == "registry.changes"]
    with pytest.raises(NotAllowed):  # a proposer can't approve, not even their own
        changes.change_approve(actor=people.assistant, request=req)
    req = changes.change_approve(actor=people.staff, request=req)
    assert req.state == "approved" and req.decided_by == people.staff
    people.person.refresh_from_db()
    assert people.person.workplace == "扬州市图书馆" and people.person.education == "bachelor"
    assert people.person.version == before + 1
    assert people.person.events.filter(kind="update").exists()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"registry.change_request.propose", "registry.person.update", "registry.change_request.approve"} <= set(actions)


def test_direct_roles_write_at_once(people):
    result = changes.change_edit(actor=people.worker, target=people.person, values={"workplace": "某公司"})
    assert isinstance(result, Person) and result.workplace == "某公司"
    assert not ChangeRequest.objects.exists()


def test_reject_needs_a_reason_and_leaves_the_record(people):
    req = changes.change_propose(actor=people.captain, target=people.person, values={"ethnicity": "回族"})
    with pytest.raises(ServiceError) as e:
        changes.change_reject(actor=people.staff, request=req, reason=" ")
    assert e.value.field == "reason"
    req = changes.change_reject(actor=people.staff, request=req, reason="与户籍信息不符")
    assert req.state == "rejected" and req.reason == "与户籍信息不符"
    people.person.refresh_from_db()
    assert people.person.ethnicity == ""
    with pytest.raises(ConflictError):
        changes.change_approve(actor=people.staff, request=ChangeRequest.objects.get())


def test_a_stale_request_is_a_conflict_and_never_overwrites(client, people):
    req = changes.change_propose(actor=people.assistant, target=people.person, values={"workplace": "甲公司"})
    s.person_update(actor=people.worker, person=people.person, workplace="乙公司")  # someone edits meanwhile
    with pytest.raises(ConflictError):
        changes.change_approve(actor=people.staff, request=req)
    people.person.refresh_from_db()
    assert people.person.workplace == "乙公司"
    assert ChangeRequest.objects.get().state == "pending"
    client.force_login(people.staff)
    html = client.get(f"/registry/changes/{req.pk}/").content.decode()
    assert 'data-testid="stale"' in html and "乙公司" in html and "已被他人修改" in html
    assert "disabled" in html.split('data-testid="decide"')[1].split("</form>")[0]
    resp = client.post(f"/registry/changes/{req.pk}/decide/", {"decision": "approve"}, follow=True)
    assert "已被修改" in resp.content.decode()
    people.person.refresh_from_db()
    assert people.person.workplace == "乙公司"


def test_sensitive_fields_are_masked_and_unmasking_is_audited(client, world, people, make_user):
    req = changes.change_propose(actor=people.assistant, target=people.person, values={"phone": "13912345678"})
    entry = req.diff[0]
    assert entry["old"] == "138********" and entry["new"] == "139********" and "13912345678" not in str(req.diff)
    client.force_login(people.staff)  # community staff: no reveal right
    html = client.get(f"/registry/changes/{req.pk}/").content.decode()
    assert "139********" in html and "13912345678" not in html and "/reveal/" not in html
    resp = client.post(f"/registry/changes/{req.pk}/reveal/", {"field": "phone", "reason": "核对号码"})
    assert "13912345678" not in resp.content.decode() and "没有查看完整号码的权限" in resp.content.decode()
    client.force_login(people.secretary)  # the secretary may reveal, with a reason, audited
    resp = client.post(f"/registry/changes/{req.pk}/reveal/", {"field": "phone", "reason": "核对号码"})
    assert "13912345678" in resp.content.decode()
    audit = AuditEvent.objects.get(action="registry.change_request.reveal")
    assert "13912345678" not in str(audit.after) and audit.reason == "核对号码"
    changes.change_approve(actor=people.staff, request=req)
    people.person.refresh_from_db()
    assert people.person.phone_masked == "139********"


def test_out_of_scope_is_404_and_proposers_see_only_their_own(client, people, world):
    req = changes.change_propose(actor=people.assistant, target=people.person, values={"workplace": "甲"})
    with pytest.raises(NotAllowed):
        changes.change_propose(actor=people.assistant, target=people.stranger, values={"workplace": "甲"})
    client.force_login(people.other_staff)
    assert client.get(f"/registry/changes/{req.pk}/").status_code == 404
    assert client.post(f"/registry/changes/{req.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.get(f"/registry/changes/propose/person/{people.person.pk}/").status_code == 404
    assert "王小明" not in client.get("/registry/changes/").content.decode()
    client.force_login(people.captain)  # another proposer in the same grid: not their request
    assert client.get(f"/registry/changes/{req.pk}/").status_code == 404
    client.force_login(people.assistant)
    assert client.get(f"/registry/changes/{req.pk}/").status_code == 200
    assert client.get(f"/registry/changes/propose/person/{people.stranger.pk}/").status_code == 404
    assert ChangeRequest.objects.get().state == "pending"


def test_get_to_post_routes_is_405(client, people):
    req = changes.change_propose(actor=people.assistant, target=people.person, values={"workplace": "甲"})
    client.force_login(people.staff)
    for path in ("decide", "reveal"):
        assert client.get(f"/registry/changes/{req.pk}/{path}/").status_code == 405
    client.force_login(people.assistant)
    assert client.get(f"/registry/changes/{req.pk}/withdraw/").status_code == 405
    assert ChangeRequest.objects.get().state == "pending"


def test_the_propose_page_refuses_forged_fields(client, people):
    client.force_login(people.assistant)
    url = f"/registry/changes/propose/person/{people.person.pk}/"
    html = client.get(url).content.decode()
    assert "您的修改将作为变更申请提交" in html and "data-sz-sensitive" in html
    shown = ProposeForm(obj=people.person)
    form = {k: v for k, v in shown.initial.items() if v not in (None, False)}
    form |= {"workplace": "新单位", "status": "deceased", "region_code": "000", "user": "1", "version": "99"}
    resp = client.post(url, form)
    assert resp.status_code == 302
    req = ChangeRequest.objects.get()
    assert [e["field"] for e in req.diff] == ["workplace"]  # forged fields are not proposable, never in the diff
    people.person.refresh_from_db()
    assert people.person.status == "living" and people.person.region_code != "000"
    with pytest.raises(ServiceError):
        changes.change_propose(actor=people.assistant, target=people.person, values={"status": "deceased"})
    resp = client.post(url, {**form, "workplace": "", "name": ""})
    assert resp.status_code == 200 and ChangeRequest.objects.count() == 1


def test_a_bad_value_is_refused_at_proposal_naming_the_field(people):
    with pytest.raises(ServiceError) as e:
        changes.change_propose(actor=people.assistant, target=people.person, values={"phone": "12"})
    assert e.value.field == "phone"
    with pytest.raises(ServiceError) as e:
        changes.change_propose(actor=people.assistant, target=people.person, values={"education": "博士后在读中"})
    assert e.value.field == "education"
    with pytest.raises(ServiceError):
        changes.change_propose(actor=people.assistant, target=people.person, values={"workplace": ""})
    assert not ChangeRequest.objects.exists()


def test_withdraw_by_the_proposer_only(client, people):
    req = changes.change_propose(actor=people.assistant, target=people.person, values={"workplace": "甲"})
    client.force_login(people.captain)
    assert client.post(f"/registry/changes/{req.pk}/withdraw/").status_code == 404
    client.force_login(people.assistant)
    client.post(f"/registry/changes/{req.pk}/withdraw/")
    assert ChangeRequest.objects.get().state == "withdrawn"
