"""Bulk submit and publish of 阳光五务 entries: each item through its service; out of scope never acted on."""

import pytest
from django.urls import reverse

from shanzhi.core.errors import ServiceError
from shanzhi.core.roles import Role
from shanzhi.disclosure import services as s
from shanzhi.disclosure.models import DisclosureEntry, EntryState

pytestmark = pytest.mark.django_db


def _entry(actor, code, title):
    return s.entry_create(actor=actor, community_code=code, category="affairs", title=title, body="内容")


def test_bulk_submit_then_publish_by_a_second_person(world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code)
    other = make_user(Role.COMMUNITY_STAFF, world.other_community.code)
    mine = [_entry(staff, world.community.code, f"事项{i}") for i in range(3)]
    foreign = _entry(other, world.other_community.code, "别的社区")
    report = s.entry_bulk_transition(actor=staff, action="submit", ids=[e.pk for e in mine] + [foreign.pk, "x"])
    assert report["ok"] == 3 and report["refused"] == 1
    assert report["results"][0]["reason"] == "不存在或不在您的工作范围内"
    foreign.refresh_from_db()
    assert foreign.state == EntryState.DRAFT
    # the submitter may not publish their own; the secretary may
    report = s.entry_bulk_transition(actor=staff, action="approve", ids=[e.pk for e in mine])
    assert report["ok"] == 0 and report["refused"] == 3
    report = s.entry_bulk_transition(actor=secretary, action="approve", ids=[e.pk for e in mine])
    assert report["ok"] == 3
    assert set(DisclosureEntry.objects.filter(pk__in=[e.pk for e in mine]).values_list("state", flat=True)) == {
        EntryState.PUBLISHED}
    with pytest.raises(ServiceError):
        s.entry_bulk_transition(actor=secretary, action="withdraw", ids=[mine[0].pk])


def test_bulk_view(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    entry = _entry(staff, world.community.code, "公开一")
    client.force_login(staff)
    assert 'data-testid="disclosure-bulk"' in client.get(reverse("disclosure:manage")).content.decode()
    assert client.get(reverse("disclosure:bulk")).status_code == 405
    page = client.post(reverse("disclosure:bulk"), {"bulk_action": "submit", "ids": [entry.pk]}).content.decode()
    assert 'data-ok="1"' in page
    assert client.post(reverse("disclosure:bulk"), {"bulk_action": "submit"}).status_code == 302
