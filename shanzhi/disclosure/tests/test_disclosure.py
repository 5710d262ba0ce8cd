from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.disclosure import services as s
from shanzhi.disclosure.selectors import ledger_totals

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    code = world.community.code
    return (make_user(Role.COMMUNITY_STAFF, code), make_user(Role.COMMUNITY_SECRETARY, code),
            make_user(Role.COMMUNITY_SECRETARY, code))


def test_finance_ledger_reviewed_by_second_person_then_public(client, world, people):
    staff, secretary, other_secretary = people
    e = s.entry_create(actor=staff, community_code=world.community.code, category="finance",
                       title="施井小区自管物业费收支公示", period="2025年度")
    s.ledger_line_add(actor=staff, entry=e, date=date(2025, 3, 1), direction="income", amount=Decimal("86400"),
                      summary="物业费收入", document_ref="收据001-240")
    s.ledger_line_add(actor=staff, entry=e, date=date(2025, 12, 20), direction="expense", amount=Decimal("71200"),
                      summary="保洁、保安、维修")
    assert ledger_totals(e)["balance"] == Decimal("15200")
    url = f"/public/?c={world.community.code}&entry={e.pk}"
    assert client.get(url).status_code == 404  # not yet published
    e.refresh_from_db()
    e = s.entry_transition(actor=secretary, entry=e, action="submit")
    with pytest.raises(NotAllowed, match="另一人"):
        s.entry_transition(actor=secretary, entry=e, action="approve")
    with pytest.raises(ServiceError):
        s.ledger_line_add(actor=staff, entry=e, date=date(2025, 12, 31), direction="expense", amount=Decimal(1),
                          summary="x")
    e = s.entry_transition(actor=other_secretary, entry=e, action="approve")
    assert e.state == "published" and e.reviewed_by == other_secretary
    page = client.get(url).content.decode()  # anonymous
    assert "施井小区自管物业费收支公示" in page and "15200" in page
    listing = client.get(f"/public/?c={world.community.code}&cat=finance").content.decode()
    assert "施井小区自管物业费收支公示" in listing


def test_personal_data_is_refused(world, people):
    staff = people[0]
    with pytest.raises(ServiceError, match="身份证号或手机号"):
        s.entry_create(actor=staff, community_code=world.community.code, category="residents", title="低保名单",
                       body="张三 321002197001011234")
    with pytest.raises(ServiceError, match="身份证号或手机号"):
        s.entry_create(actor=staff, community_code=world.community.code, category="services", title="联系",
                       body="电话13812345678")


def test_residents_cannot_write(world):
    resident = make_user(Role.RESIDENT, world.grid.code)
    with pytest.raises(NotAllowed):
        s.entry_create(actor=resident, community_code=world.community.code, category="affairs", title="x")


def test_public_index_lists_communities(client, world):
    resp = client.get("/public/")
    assert resp.status_code == 200 and world.community.name in resp.content.decode()


def test_entry_page_shows_why_a_viewer_cannot_record_lines(client, world, people):
    staff = people[0]
    e = s.entry_create(actor=staff, community_code=world.community.code, category="finance",
                       title="物业费收支公示", period="2025年度")
    client.force_login(make_user(Role.GRID_WORKER, world.grid.code))  # may view, may not write
    page = client.get(reverse("disclosure:entry", args=[e.pk])).content.decode()
    assert "只有社区工作人员可以登记收支" in page and 'name="op" value="line"' not in page
    client.force_login(staff)
    page = client.get(reverse("disclosure:entry", args=[e.pk])).content.decode()
    assert "只有社区工作人员可以登记收支" not in page and 'name="op" value="line"' in page
