"""The resident's own pages: household (masked), corrections through the registry's service, the building roster."""

import pytest

from shanzhi.core.errors import ServiceError
from shanzhi.core.pii import decrypt
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.portal import services as s
from shanzhi.portal.models import CorrectionRequest
from shanzhi.registry.models import Building, Person
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
    req = CorrectionRequest.objects.get()
    assert req.state == "pending" and decrypt(req.value_enc) == "扬州市广陵区图书馆"
    family.head.refresh_from_db()
    assert family.head.workplace != "扬州市广陵区图书馆"  # not before staff approve
    client.force_login(family.other_staff)
    assert client.post(f"/me/desk/corrections/{req.pk}/", {"decision": "approve"}).status_code == 404
    client.force_login(family.staff)
    assert "扬州市广陵区图书馆" in client.get("/me/desk/corrections/").content.decode()
    client.post(f"/me/desk/corrections/{req.pk}/", {"decision": "approve"})
    family.head.refresh_from_db()
    assert family.head.workplace == "扬州市广陵区图书馆"
    assert CorrectionRequest.objects.get().state == "approved"
    assert family.head.events.filter(kind="update").exists()  # written by the registry's own service


def test_a_bad_correction_is_refused_with_the_registrys_message(family):
    _bound(family)
    req = s.correction_submit(actor=family.user, field="phone", value="12")
    with pytest.raises(ServiceError) as e:
        s.correction_approve(actor=family.staff, request=req)
    assert e.value.field == "phone"
    assert CorrectionRequest.objects.get().state == "pending"


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
