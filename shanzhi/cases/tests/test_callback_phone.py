"""The resident's callback phone (issue 12 item 8): validated like registry phones, stored encrypted, shown
masked to staff on the case page, and revealed in full only with a reason and an audit row."""

import pytest

from shanzhi.audit.models import AuditEvent
from shanzhi.cases.models import Case
from shanzhi.cases.testing import make_case, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login

pytestmark = pytest.mark.django_db
PHONE = "13851234567"


def _report(client, world, phone):
    return client.post("/cases/report/", {"category": make_category().pk, "region_code": world.grid.code,
                                          "title": "楼道灯坏了", "description": "三楼楼道灯不亮",
                                          "reporter_name": "钱女士", "reporter_phone": phone})


@pytest.mark.parametrize("phone", ["abc123", "12345", "1385123456789"])
def test_a_wrong_callback_phone_is_a_form_error(client, world, make_user, phone):
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    r = _report(client, world, phone)
    assert r.status_code == 200 and "电话号码格式不正确" in r.content.decode()
    assert not Case.objects.exists()


def test_a_callback_phone_is_normalised_and_encrypted(client, world, make_user):
    client.force_login(make_user(Role.RESIDENT, world.grid.code))
    assert _report(client, world, "0514-8765 4321").status_code == 302
    case = Case.objects.get()
    assert "87654321" not in case.reporter_phone_enc and case.reporter_phone_masked == "051*********"


def test_staff_see_it_masked_and_may_reveal_it_with_a_reason(client, world, make_user):
    case = make_case(world.grid.code, reporter_name="钱女士", reporter_phone=PHONE)
    verified_login(client, make_user(Role.GRID_LEADER, world.grid.code))
    html = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="reporter-phone">138********<' in html and PHONE not in html
    assert client.post(f"/cases/{case.pk}/reveal-phone/", {"field": "phone", "reason": ""}).content.decode().count(
        PHONE) == 0
    r = client.post(f"/cases/{case.pk}/reveal-phone/", {"field": "phone", "reason": "回访核实情况"})
    assert PHONE in r.content.decode() and "no-store" in r["Cache-Control"]
    events = AuditEvent.objects.filter(action="case.reveal_phone")
    assert events.count() == 1 and PHONE not in str(events.values().first())


def test_out_of_scope_staff_get_404(client, world, make_user):
    case = make_case(world.grid.code, reporter_name="钱女士", reporter_phone=PHONE)
    verified_login(client, make_user(Role.GRID_LEADER, world.other_grid.code))
    r = client.post(f"/cases/{case.pk}/reveal-phone/", {"field": "phone", "reason": "回访核实情况"})
    assert r.status_code == 404 and not AuditEvent.objects.filter(action="case.reveal_phone").exists()
