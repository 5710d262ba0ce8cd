import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from shanzhi.cases.models import Case
from shanzhi.core.roles import Role
from shanzhi.property import services
from shanzhi.property.models import OwnerBallot, OwnersVote
from shanzhi.property.testing import make_estate, valid_uscc
from shanzhi.registry.models import Dwelling, Person

pytestmark = pytest.mark.django_db


def test_owners_vote_online_and_the_page_shows_both_tallies(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    owners = [make_user(Role.RESIDENT, world.grid.code) for _ in range(3)]
    estate = make_estate(world.grid.code, dwellings=3, owners=owners, areas=[Decimal("60"), Decimal("90")])
    client.force_login(staff)
    resp = client.post("/property/votes/new/", {"estate": estate.pk, "title": "物业费标准", "motion": "每户每月30元",
                                                "subject": "fee_standard", "fee_basis": "per_dwelling",
                                                "fee_yuan": "30", "threshold": "ordinary",
                                                "closes_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    vote = OwnersVote.objects.get()
    assert resp.status_code == 302 and vote.payload == {"basis": "per_dwelling", "amount": 3000}
    for user in owners[:2]:
        client.force_login(user)
        d = Dwelling.objects.get(owner__user=user)
        client.post(f"/property/votes/{vote.pk}/ballot/", {"dwelling": d.pk, "choice": "for"})
    client.force_login(owners[0])
    other = Dwelling.objects.get(owner__user=owners[2])
    resp = client.post(f"/property/votes/{vote.pk}/ballot/", {"dwelling": other.pk, "choice": "against"}, follow=True)
    assert "产权人" in resp.content.decode() and OwnerBallot.objects.count() == 2
    client.force_login(staff)
    client.post(f"/property/votes/{vote.pk}/manage/", {"op": "close"})
    page = client.get(f"/property/votes/{vote.pk}/").content.decode()
    assert "通过" in page and 'data-testid="for-count">2<' in page
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.other_community.code))
    assert client.get(f"/property/votes/{vote.pk}/").status_code == 404


def test_a_resident_complains_about_their_property_company(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    resident = make_user(Role.RESIDENT, world.grid.code)
    estate = make_estate(world.grid.code, dwellings=1, owners=[resident])
    Person.objects.filter(user=resident).update(dwelling=Dwelling.objects.get(building__estate=estate))
    company = services.company_register(actor=staff, region_code=world.community.code, name="扬城物业",
                                        uscc=valid_uscc(77))
    services.contract_register(actor=staff, company=company, estate=estate, starts_on=dt.date(2025, 1, 1),
                               ends_on=dt.date(2030, 1, 1))
    client.force_login(resident)
    assert "扬城物业" in client.get("/property/complain/").content.decode()
    resp = client.post("/property/complain/", {"title": "电梯停运", "description": "3栋电梯停了两天"})
    case = Case.objects.get()
    assert resp.status_code == 302 and case.category.code == "property_service"
    client.force_login(staff)
    page = client.get(f"/property/companies/{company.pk}/").content.decode()
    assert 'data-testid="credit-score">100<' in page  # not yet routed to the company


def test_the_self_managed_estate_page_is_scoped(client, world, make_user):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    estate = make_estate(world.grid.code, dwellings=2)
    sme = services.sme_create(actor=staff, estate=estate, group_name="施井自管小组", started_on=dt.date(2025, 1, 1))
    client.force_login(staff)
    page = client.get(f"/property/estates/{sme.pk}/").content.decode()
    assert "施井自管小组" in page and 'data-testid="books-ok"' in page
    resp = client.post(f"/property/estates/{sme.pk}/act/", {"op": "bills"}, follow=True)
    assert "表决" in resp.content.decode()
    client.force_login(make_user(Role.COMMUNITY_STAFF, world.other_community.code))
    assert client.get(f"/property/estates/{sme.pk}/").status_code == 404
    committee_user = make_user(Role.OWNERS_COMMITTEE, world.community.code)
    client.force_login(committee_user)
    assert client.get(f"/property/estates/{sme.pk}/").status_code == 404  # not a member of this estate's group
    services.group_member_add(actor=staff, sme=sme, name="刘会计", duty="treasurer", user=committee_user)
    assert client.get(f"/property/estates/{sme.pk}/").status_code == 200
