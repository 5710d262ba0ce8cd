"""The pages: the desk starts a session and acts in it, the resident sees it under /me/assisted/ and disputes;
out of scope is 404."""

import pytest

from shanzhi.assisted.models import AssistedSession
from shanzhi.assisted.services import IDENTITY_REFUSED
from shanzhi.consultation.models import Support, Topic
from shanzhi.consultation.testing import topic_in
from shanzhi.core.roles import Role
from shanzhi.core.scope import forget_grants
from shanzhi.core.testing import make_user
from shanzhi.registry.models import Person

pytestmark = pytest.mark.django_db


def _start(client, desk, **kw):
    data = {"method": "id_number", "name": "李奶奶", "id_number": desk.elder_id, "confirm": "on", **kw}
    return client.post("/assisted/", data)


def test_the_worker_starts_a_session_and_supports_a_topic_for_the_elder(client, desk):
    topic = topic_in(desk.world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(supporters_needed=50)
    client.force_login(desk.worker)
    page = client.get("/assisted/").content.decode()
    assert "核验并开始" in page and "data-sz-sensitive" in page
    resp = _start(client, desk)
    session = AssistedSession.objects.get()
    assert resp["Location"] == f"/assisted/sessions/{session.pk}/"
    page = client.get(resp["Location"]).content.decode()
    assert topic.title in page and "李奶奶" in page
    client.post(f"/assisted/sessions/{session.pk}/act/", {"kind": "support", "target": topic.pk})
    assert Support.objects.get().person_id == desk.elder.pk
    receipt = client.get(f"/assisted/sessions/{session.pk}/receipt/").content.decode()
    assert session.receipt_code in receipt and topic.title in receipt and desk.elder_id not in receipt


def test_a_wrong_id_number_is_refused_in_the_page_without_a_hint(client, desk):
    client.force_login(desk.worker)
    resp = _start(client, desk, id_number=desk.head_id)
    assert resp.status_code == 200 and str(IDENTITY_REFUSED) in resp.content.decode()
    assert not AssistedSession.objects.exists()


def test_a_worker_outside_the_residents_community_gets_404(client, desk):
    client.force_login(desk.worker)
    _start(client, desk)
    session = AssistedSession.objects.get()
    client.force_login(desk.outsider)
    assert client.get(f"/assisted/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/assisted/sessions/{session.pk}/receipt/").status_code == 404
    topic = topic_in(desk.world.grid.code)
    assert client.post(f"/assisted/sessions/{session.pk}/act/", {"kind": "support", "target": topic.pk}
                       ).status_code == 404
    assert not Support.objects.exists()


def test_the_resident_sees_the_session_after_binding_and_disputes(client, desk):
    topic = topic_in(desk.world.grid.code)
    Topic.objects.filter(pk=topic.pk).update(supporters_needed=50)
    client.force_login(desk.worker)
    _start(client, desk)
    session = AssistedSession.objects.get()
    client.post(f"/assisted/sessions/{session.pk}/act/", {"kind": "support", "target": topic.pk}, follow=True)
    action = session.actions.get()
    # someone else's account sees nothing and cannot dispute it
    stranger = make_user(Role.RESIDENT, desk.world.grid.code)
    client.force_login(stranger)
    assert topic.title not in client.get("/me/assisted/").content.decode()
    assert client.post("/me/assisted/dispute/", {"action": action.pk, "reason": "不是我"}).status_code == 404
    # the elder binds an account
    user = make_user(Role.RESIDENT, desk.world.grid.code)
    Person.objects.filter(pk=desk.elder.pk).update(user=user)
    forget_grants(user)
    client.force_login(user)
    assert "代办记录" in client.get("/").content.decode()
    page = client.get("/me/assisted/").content.decode()
    assert topic.title in page and "王网格" in page and session.receipt_code in page
    resp = client.post("/me/assisted/dispute/", {"action": action.pk, "reason": "我没有要附议"}, follow=True)
    assert "附议已撤回" in resp.content.decode() and not Support.objects.exists()
    client.force_login(desk.secretary)
    assert session.receipt_code in client.get("/assisted/review/").content.decode()
