"""Two stories in a browser (375 px and 1280 px): a community's monthly report goes up two levels (community
prepares on a phone, the street approves, the district approves) and is frozen, and a later correction makes v2
with a reason while v1 stays as approved; a 阳光五务 draft with a phone number is caught before publishing,
masked in one tap, then published. Screenshots in var/screenshots/signoff/."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, verified_login
from shanzhi.disclosure import services as ds
from shanzhi.disclosure.models import DisclosureEntry
from shanzhi.registry.testing import person_in
from shanzhi.reporting import services
from shanzhi.reporting.models import Report, ReportKind
from tests import a11y

SCREENSHOT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "screenshots")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _go(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


def _click(page, selector):
    page.click(selector)
    page.wait_for_load_state("networkidle")


def _shot(page, name):
    os.makedirs(os.path.join(SCREENSHOT_DIR, "signoff"), exist_ok=True)
    return page.shot(f"signoff/{name}")


def _login(browser_page, user, viewport):
    page = browser_page(viewport)
    page.login(user.username, PASSWORD)
    return page


def _verified(browser_page, live_server, user, viewport="desktop"):
    """A two-factor role (street, district) signed in with a verified session."""
    page = browser_page(viewport)
    client = Client()
    verified_login(client, user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def test_monthly_report_goes_up_two_levels_and_is_frozen(browser_page, world, live_server):
    services.kinds_seed_defaults()
    person_in(world.grid.code, name="周一")
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="xy-staff")
    street = make_user(Role.STREET_MANAGER, world.street.code, first_name="曲江审核员")
    district = make_user(Role.DISTRICT_MANAGER, world.district.code, first_name="广陵审定员")

    # the community prepares October's population report on a phone and submits it
    phone = _login(browser_page, staff, "phone")
    _go(phone, "/reporting/")
    phone.select_option("#id_p-kind", "population")
    phone.select_option("#id_p-community", world.community.code)
    phone.fill("#id_p-period", "2026-10")
    _click(phone, "[data-testid=prepare]")
    first = phone.locator("[data-testid=value-registry\\.persons]").input_value()
    assert first.isdigit()
    _shot(phone, "01-report-draft")
    _click(phone, "[data-action=submit]")
    assert "待街道审核" in phone.locator("[data-testid=state]").inner_text()
    v1 = Report.objects.get()

    # the street sees it in its to-dos and approves it
    manager = _verified(browser_page, live_server, street)
    _go(manager, "/")
    assert "1 份月报待街道审核" in manager.content()
    _go(manager, "/reporting/?waiting=street")
    _shot(manager, "02-street-todo")
    _click(manager, f"a[href='/reporting/{v1.pk}/']")
    _click(manager, "[data-action=street_approve]")
    assert "待区级审核" in manager.locator("[data-testid=state]").inner_text()

    # the district approves: the figures are frozen
    top = _verified(browser_page, live_server, district)
    _go(top, "/reporting/?waiting=district")
    _click(top, f"a[href='/reporting/{v1.pk}/']")
    _click(top, "[data-action=district_approve]")
    assert top.locator("[data-testid=frozen]").is_visible()
    assert "广陵审定员" in top.locator("[data-testid=chain]").inner_text()
    _shot(top, "03-district-frozen")
    sealed = Report.objects.get(pk=v1.pk).sealed
    assert sealed

    # the community sees both levels approved, not who approved
    _go(phone, f"/reporting/{v1.pk}/")
    chain = phone.locator("[data-testid=chain]").inner_text()
    assert "已审定" in phone.locator("[data-testid=state]").inner_text()
    assert "曲江审核员" not in chain and "广陵审定员" not in chain
    assert phone.locator("[data-testid=value-registry\\.persons]").inner_text() == first
    _shot(phone, "04-community-approved")

    # a correction: v2 with its reason; v1 is unchanged
    phone.fill("#correct-reason", "补录10月迁入人口")
    _click(phone, "[data-testid=correct]")
    assert "补录10月迁入人口" in phone.locator("[data-testid=correction-reason]").inner_text()
    phone.fill("[data-testid=value-registry\\.persons]", str(int(first) + 12))
    _click(phone, "[data-testid=save-values]")
    v2 = Report.objects.get(number=2)
    assert v2.values["registry.persons"] == int(first) + 12 and v2.previous_id == v1.pk
    _shot(phone, "05-correction-v2")
    stored = Report.objects.get(pk=v1.pk)
    assert stored.values["registry.persons"] == int(first) and stored.state == "approved" and stored.sealed == sealed
    _go(top, f"/reporting/{v2.pk}/diff/")
    assert "已更改" in top.locator("[data-testid=diff]").inner_text()
    _shot(top, "06-diff")


def test_disclosure_draft_with_a_phone_is_caught_masked_and_published(browser_page, world, live_server):
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="xy-writer")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community.code, username="xy-secretary")

    writer = _login(browser_page, staff, "desktop")
    _go(writer, "/public/manage/")
    writer.select_option("#id_community", world.community.code)
    writer.select_option("#id_category", "services")
    writer.fill("#id_title", "老年助餐点开放通知")
    writer.fill("#id_body", "助餐点每日11点开放，报名请联系13812345678。")
    _click(writer, "button.btn-primary")
    entry = DisclosureEntry.objects.get()
    _click(writer, "[data-action=submit]")

    reviewer = _login(browser_page, secretary, "phone")
    _go(reviewer, f"/public/manage/{entry.pk}/")
    panel = reviewer.locator("[data-testid=privacy-findings]")
    assert panel.is_visible() and reviewer.locator("mark[data-testid=finding]").inner_text() == "13812345678"
    assert reviewer.locator("[data-action=approve]").is_disabled()
    _shot(reviewer, "07-disclosure-caught")
    _click(reviewer, "[data-testid=mask]")
    assert reviewer.locator("[data-testid=privacy-findings]").count() == 0
    assert "138********" in reviewer.content()
    _shot(reviewer, "08-disclosure-masked")
    _click(reviewer, "[data-action=approve]")
    entry.refresh_from_db()
    assert entry.state == "published" and "13812345678" not in entry.body

    public = browser_page("phone")
    _go(public, f"/public/?c={world.community.code}&entry={entry.pk}")
    assert "138********" in public.content() and "13812345678" not in public.content()
    _shot(public, "09-disclosure-public")


def test_signoff_and_privacy_pages_pass_axe(browser_page, world, live_server):
    """axe-core and the scripted checks (tests/a11y.py) over this work's pages, at 375 and 1280 px, as the
    community, the street (with the bulk approval) and the reviewer with findings on the page."""
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code)
    street = make_user(Role.STREET_MANAGER, world.street.code)
    services.kinds_seed_defaults()
    kind = ReportKind.objects.get(key="population")
    v1 = services.report_prepare(actor=staff, kind=kind, community_code=world.community.code, period="2026-10")
    services.report_transition(actor=staff, report=v1, action="submit")
    entry = ds.entry_create(actor=staff, community_code=world.community.code, category="services", title="通知",
                            body="联系13812345678")
    urls = {"staff": ["/reporting/", f"/reporting/{v1.pk}/", f"/reporting/{v1.pk}/diff/", "/reporting/kinds/",
                      f"/public/manage/{entry.pk}/"],
            "street": ["/reporting/?waiting=street", f"/reporting/{v1.pk}/"]}
    problems = []
    for who, user in (("staff", staff), ("street", street)):
        for viewport in ("phone", "desktop"):
            page = _verified(browser_page, live_server, user, viewport)
            for url in urls[who]:
                _go(page, url)
                found = a11y.axe_violations(page)
                problems += [f"{who} {viewport} {url}: axe {v['id']} {v['nodes'][:2]}" for v in found]
                problems += [f"{who} {viewport} {url}: {p}" for p in a11y.structure_problems(page)]
            if viewport == "phone":
                _shot(page, f"10-a11y-{who}")
    assert not problems, "\n".join(problems)
