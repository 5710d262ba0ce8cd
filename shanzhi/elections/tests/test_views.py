"""The election pages: from a new election to the published result, through the forms."""

import pytest

from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.elections.models import Election, Result, Station, Voter
from shanzhi.elections.testing import election_in

pytestmark = pytest.mark.django_db


def _post(client, url, data=None):
    r = client.post(url, data or {})
    assert r.status_code == 302, r.status_code
    return r


def test_an_election_through_its_pages(client, world, committee, clerks, people, make_user):
    client.force_login(committee)
    r = client.post("/elections/new/", {"community": world.community.code, "title": "玺园换届", "term": "第十二届",
                                        "vote_on": "2026-12-20", "objection_days": 0, "write_ins": "on",
                                        "director": 1, "deputy": 1, "member": 1})
    e = Election.objects.get(title="玺园换届")
    assert r.status_code == 302
    base = f"/elections/{e.pk}/"
    _post(client, base + "roll/build/")
    assert Voter.objects.filter(election=e).count() == 10
    assert "选民1" in client.get(base + "roll/").content.decode()
    cards = client.get(base + "cards/").content.decode()
    assert "<svg" in cards and Voter.objects.filter(election=e).first().serial in cards
    _post(client, base + "transition/", {"action": "publish_roll"})
    serial = {v.person.name: v.serial for v in Voter.objects.filter(election=e).select_related("person")}
    _post(client, base + "nominate/", {"serial": serial["选民1"], "office": "director"})
    _post(client, base + "transition/", {"action": "publish_candidates"})
    _post(client, base + "stations/", {"name": "第一投票站", "kind": "fixed", "staff": "王五,计票员\n赵六,监票员"})
    st = Station.objects.get(election=e)
    assert st.staff.count() == 2
    _post(client, f"/elections/stations/{st.pk}/ballots/print/", {"count": 12})
    assert "B" in client.get(f"/elections/stations/{st.pk}/ballots/").content.decode()
    _post(client, base + "transition/", {"action": "open_voting"})
    for i in range(1, 8):
        _post(client, f"/elections/stations/{st.pk}/vote/", {"serial": serial[f"选民{i}"]})
    client.post(f"/elections/stations/{st.pk}/vote/", {"serial": serial["选民1"]})
    found = client.post(f"/elections/stations/{st.pk}/find/", {"name": "选民"}).content.decode()
    assert f'value="{serial["选民8"]}"' in found and f'value="{serial["选民1"]}"' not in found  # not yet voted
    page = client.get(base).content.decode()
    assert 'data-testid="turnout">7<' in page
    _post(client, base + "transition/", {"action": "close_voting"})
    tally = {"ballots_cast": 7, "invalid": 0, f"v:director:{serial['选民1']}": 6,
             "w:deputy:0": serial["选民5"], "wn:deputy:0": 5, "w:member:0": serial["选民6"], "wn:member:0": 4}
    for clerk in clerks:
        client.force_login(clerk)
        _post(client, f"/elections/stations/{st.pk}/tally/", tally)
    client.force_login(committee)
    _post(client, base + "count/")
    e.refresh_from_db()
    assert e.stage == "decided"
    assert Result.objects.get(election=e, office="deputy").write_in
    secretary = make_user("community_secretary", world.community.code)
    client.force_login(secretary)
    _post(client, base + "transition/", {"action": "publish"})
    e.refresh_from_db()
    assert e.stage == "published" and DisclosureEntry.objects.get(pk=e.disclosure_entry_id).state == "submitted"


def test_outsiders_get_404_and_residents_403(client, world, make_user):
    e = election_in(world.grid.code)
    client.force_login(make_user("election_committee", world.other_community.code))
    assert client.get(f"/elections/{e.pk}/").status_code == 404
    client.force_login(make_user("resident", world.grid.code))
    assert client.get(f"/elections/{e.pk}/").status_code == 403
