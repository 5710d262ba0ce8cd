"""The person page's care-tag and needs card on a phone (375 px): add a tag, change a need's status."""

import datetime

import pytest

from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.registry import choices as c
from shanzhi.registry.models import CareTag, Need
from shanzhi.registry.testing import care_tag_in, need_in, person_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_care_card_on_a_phone(browser_page):
    world = make_world()
    code = world.grid.code
    person = person_in(code, name="王建国", birth_date=datetime.date(1948, 4, 2), phone="17012345678")
    care_tag_in(code, person=person, tag=c.CareTagKind.EMPTY_NEST)
    need = need_in(code, person=person)
    make_user(Role.GRID_WORKER, code, username="care_worker")

    page = browser_page("phone")
    page.login("care_worker", PASSWORD)
    page.goto(f"/registry/persons/{person.pk}/")
    card = page.locator("[data-testid=care-card]")
    card.wait_for()
    assert "空巢老人" in card.inner_text()
    page.select_option("#id_tag", c.CareTagKind.DISABLED)
    page.fill("#id_note", "肢体二级")
    page.click("[data-testid=care-tag-add] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "残疾人" in page.locator("[data-testid=care-tags]").inner_text()
    page.select_option(f"#need-{need.pk}-status", c.NeedStatus.IN_PROGRESS)
    page.click("[data-testid=need-status-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "办理中" in page.locator("[data-testid=need-status]").first.inner_text()
    # nothing spills sideways at 375 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.locator("[data-testid=care-card]").scroll_into_view_if_needed()
    page.shot("registry-care-card")
    assert CareTag.objects.filter(person=person).count() == 2
    assert Need.objects.get(pk=need.pk).status == c.NeedStatus.IN_PROGRESS
