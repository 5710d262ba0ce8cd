"""The resident's own pages: household (masked), corrections through the registry's service, the building roster."""

import pytest

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.portal import services as s
from shanzhi.registry.models import Building, ChangeRequest, Person
from shanzhi.registry.testing import person_in


def _bound(family):
    s.binding_submit(actor=family.user, name="李明", id_number=family.head_id, community_code=family.world.community.code)
    forget_grants(family.user)
    return family.user


def test_household_page_is_masked_and_read_only(client, family):
    client.force_login(_bound(family))
    html = client.get("/me/household/").content.decode()
    assert "李明" in html and "李奶奶" in html
    assert family.head_id not in html and family.head_id[:6] + "********" in html.replace("*", "*")
    assert "/registry/" not in html  # no edit links into the registry


def test_a_correction_goes_through_staff_into_the_registry(client, family):
    client.force_login(_bound(family))
    resp = client.post("/me/household/correction/", {"field": "workplace", "value": "扬州市广陵区图书馆", "note": "换工作"})
    assert resp.status_code == 302
    req = ChangeRequest.objects.get()  # the registry's change request, source "resident"
    assert req.source == "resident" and req.state == "pending" and req.requested_by == family.user
    assert req.diff == [{"field": "workplace", "old": "", "new": "扬州市广陵区图书馆"}]
    family.head.refresh_from_db()
    assert family.head.workplace != "扬州市广陵区图书馆"  # not before staff approve
    assert "扬州市广陵区图书馆" in client.get("/me/household/").content.decode()  # the resident sees it pending
    client.force_login(family.other_staff)
    assert client.post(f"/registry/changes/{req.pk}/decide/", {"decision": "approve"}).status_code == 404
    client.force_login(family.staff)
    assert client.get("/me/desk/corrections/")["Location"] == "/registry/changes/?source=resident"
    assert "李明" in client.get("/registry/changes/?source=resident").content.decode()
    client.post(f"/registry/changes/{req.pk}/decide/", {"decision": "approve"})
    family.head.refresh_from_db()
    assert family.head.workplace == "扬州市广陵区图书馆"
    assert ChangeRequest.objects.get().state == "approved"
    assert family.head.events.filter(kind="update").exists()  # written by the registry's own service


def test_a_phone_correction_is_masked_for_staff_and_a_bad_one_refused(client, family):
    _bound(family)
    req = s.correction_submit(actor=family.user, field="phone", value="13912345678")
    assert "13912345678" not in str(req.diff), req.diff
    assert req.diff[0]["new"] == "139********"
    client.force_login(family.staff)
    html = client.get(f"/registry/changes/{req.pk}/").content.decode()
    assert "139********" in html and "13912345678" not in html
    with pytest.raises(ServiceError) as e:
        s.correction_submit(actor=family.user, field="phone", value="12")
    assert e.value.field == "value"
    assert ChangeRequest.objects.count() == 1


def test_building_captain_sees_only_their_buildings_residents_masked(client, family, make_user, world):
    captain_user = make_user(Role.BUILDING_CAPTAIN, world.grid.code)
    Person.objects.filter(pk=family.head.pk).update(user=captain_user)
    building = family.head.dwelling.building
    Building.objects.filter(pk=building.pk).update(captain=family.head)
    stranger = person_in(world.grid.code, name="别楼人")
    client.force_login(captain_user)
    html = client.get("/me/building/").content.decode()
    assert "李明" in html and "李奶奶" in html and "别楼人" not in html
    assert family.head_id not in html
    assert stranger.name not in html
    # no captain role: 403
    client.force_login(family.staff)
    assert client.get("/me/building/").status_code == 403


def test_unbound_account_is_sent_to_binding(client, family):
    type(family.user).objects.filter(pk=family.user.pk).update(phone_hash="a" * 64)  # a self-registered account
    client.force_login(family.user)
    html = client.get("/").content.decode()
    assert 'data-todo="portal.bind"' in html and 'href="/me/bind/"' in html
    assert client.get("/me/household/").status_code == 403  # the 居民 role comes with the binding
