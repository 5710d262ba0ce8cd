"""A new ledger line has no preset direction: 收入 or 支出 must be chosen, and a line without one is refused."""

import re
from datetime import date

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import make_user
from shanzhi.disclosure import services as s
from shanzhi.disclosure.models import LedgerLine

pytestmark = pytest.mark.django_db


def test_direction_has_no_default_and_is_required(client, world):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    entry = s.entry_create(actor=staff, community_code=world.community.code, category="finance",
                           title="物业费收支公示", period="2025年度")
    client.force_login(staff)
    html = client.get(f"/public/manage/{entry.pk}/").content.decode()
    select = re.search(r'<select[^>]*name="direction".*?</select>', html, flags=re.S).group(0)
    assert "required" in select.split(">")[0]
    assert re.findall(r'<option value="([^"]*)"[^>]*selected', select) == [""]
    resp = client.post(f"/public/manage/{entry.pk}/act/", {"op": "line", "date": date(2025, 3, 1).isoformat(),
                                                           "direction": "", "amount": "100", "summary": "物业费"},
                       follow=True)
    assert resp.status_code == 200 and "收支：" in resp.content.decode()
    assert not LedgerLine.objects.exists()
