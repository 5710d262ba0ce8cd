"""Browser story at phone width: a resident reports, a grid worker files a patrol case and accepts, a
grid leader dispatches to a handling body, whose staff handle it at a desk (the photo sent with the
completion shows on the staff page and on the resident's), the resident confirms, the grid leader sends the
feedback, the resident rates, and the street's 民情指数 moves."""

import re

import pytest
from django.utils import timezone

from shanzhi.cases.insight import rollup_build
from shanzhi.cases.models import Case, HandlingBodyMember, RoutingRule
from shanzhi.cases.testing import image_upload, make_body, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user


def photo_file():
    upload = image_upload(size=(1200, 900), colour="orange", name="路灯.jpg")
    return {"name": upload.name, "mimeType": "image/jpeg", "buffer": upload.read()}


def assert_photo_shown(page, photo):
    """The photo's thumbnail is on the page, loaded (not a broken image), and its link opens the full photo."""
    img = page.locator(f'img[src="/cases/photos/{photo.pk}/?size=thumb"]')
    img.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img.element_handle())
    assert img.evaluate("img => img.naturalWidth") == 320
    link = img.locator("xpath=..")
    assert link.get_attribute("href") == f"/cases/photos/{photo.pk}/"
    full = page.request.get(link.get_attribute("href"))
    assert full.status == 200 and full.headers["content-type"] == "image/jpeg" and len(full.body()) > 10000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_case_story_on_a_phone(browser_page, world):
    cat = make_category(code="light", name="路灯损坏")
    body = make_body(name="供电公司", kind="utility", region_code=world.district.code)

    RoutingRule.objects.create(category=cat, region_prefix=world.district.code, body=body)
    make_user(Role.GRID_WORKER, world.grid.code, username="wang", display_name="王网格")
    make_user(Role.GRID_LEADER, world.grid.code, username="li", display_name="李网格长")
    make_user(Role.RESIDENT, world.grid.code, username="wu", display_name="吴居民")
    staff = make_user(Role.HANDLING_BODY_STAFF, world.street.code, username="sun", display_name="孙办事员")
    HandlingBodyMember.objects.create(body=body, user=staff)
    make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang", display_name="张社工")
    today = timezone.localdate()

    def index_on(page):
        rollup_build(start=today, end=today)
        page.goto("/cases/dashboard/")
        text = page.locator("[data-testid=index]").inner_text()
        return None if text == "—" else float(text)  # no case yet: no index, not a perfect score

    # the community's index before anything happened
    boss = browser_page("phone")
    boss.login("zhang", PASSWORD)
    first = index_on(boss)
    boss.shot("cases-dashboard-before")

    # 1. a resident reports on the phone
    res = browser_page("phone")
    res.login("wu", PASSWORD)
    res.goto("/cases/report/")
    res.select_option("#id_category", label="路灯损坏")
    res.select_option("#id_region_code", value=world.grid.code)
    res.fill("#id_title", "3栋门口路灯不亮")
    res.fill("#id_description", "晚上一片漆黑，老人出门不方便")
    res.shot("cases-report")
    res.click("[data-testid=submit]")
    res.wait_for_url(re.compile(r"/cases/mine/\d+/"))
    case = Case.objects.get(title="3栋门口路灯不亮")

    # 2. the grid worker files a patrol finding and accepts the resident's case
    w = browser_page("phone")
    w.login("wang", PASSWORD)
    w.goto("/cases/new/")
    w.select_option("#id_channel", value="patrol")
    w.select_option("#id_category", label="路灯损坏")
    w.select_option("#id_region_code", value=world.grid.code)
    w.fill("#id_title", "5栋路灯灯罩脱落")
    w.fill("#id_description", "巡查发现灯罩松动，有坠落风险")
    w.shot("cases-create")
    w.click("[data-testid=submit]")
    w.wait_for_url(re.compile(r"/cases/\d+/$"))
    w.goto(f"/cases/{case.pk}/")
    w.click("button[data-action=accept]")
    w.wait_for_selector("text=已受理")
    w.shot("cases-accepted")

    # the grid leader dispatches it to the utility (联动); the routing rule has preselected the body
    lead = browser_page("phone")
    lead.login("li", PASSWORD)
    lead.goto(f"/cases/{case.pk}/")
    assert lead.locator("form:has(button[data-action=dispatch]) select[name=body] option:checked").inner_text() \
        .startswith("供电公司")
    lead.click("button[data-action=dispatch]")
    lead.wait_for_selector("text=已分派")
    lead.shot("cases-dispatched")

    # 3. the handling body's staff handle it at a desk
    h = browser_page("desktop")
    h.login("sun", PASSWORD)
    h.goto("/cases/")
    h.click(f"text={case.number}")
    h.click("button[data-action=start]")
    h.wait_for_selector("button[data-action=complete]")
    h.fill("form:has(button[data-action=complete]) textarea[name=note]", "已更换灯具，恢复照明")
    h.set_input_files("form:has(button[data-action=complete]) input[name=photos]", files=[photo_file()])
    h.click("button[data-action=complete]")
    h.wait_for_selector("text=已办结")
    case.refresh_from_db()
    assert case.state == "completed" and case.decided_by == staff
    photo = case.photos.get(history__action="complete")
    assert_photo_shown(h, photo)
    h.shot("cases-handled")
    # the resident sees it in the progress timeline, through the same scoped view
    res.goto(f"/cases/mine/{case.pk}/")
    assert_photo_shown(res, photo)
    res.shot("cases-photo-resident")

    # 4. the resident confirms; the grid leader sends the feedback; the resident rates
    res.goto(f"/cases/mine/{case.pk}/")
    res.click("[data-testid=confirm]")
    res.wait_for_selector("text=已核查")
    case.refresh_from_db()
    assert case.state == "verified"
    lead.goto(f"/cases/{case.pk}/")
    lead.fill("form:has(button[data-action=feedback]) textarea[name=note]", "路灯已修好，感谢反映")
    lead.click("button[data-action=feedback]")
    lead.wait_for_selector("text=已反馈")
    res.goto(f"/cases/mine/{case.pk}/")
    res.click("[data-score='5']")
    res.fill("textarea[name=comment]", "修得很快")
    res.shot("cases-rate")
    res.click("[data-testid=rate]")
    res.wait_for_selector("text=已评价")
    res.shot("cases-rated")
    case.refresh_from_db()
    assert case.state == "rated" and case.ratings.get().score == 5
    assert [h.action for h in case.history.all()] == [
        "report", "accept", "dispatch", "start", "complete", "verify", "feedback", "rate"]

    # 5. the index has moved
    second = index_on(boss)
    boss.shot("cases-dashboard-after")
    assert first is None and second is not None  # the first cases give the community its index
