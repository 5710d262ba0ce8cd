"""The resident's whole path at phone width: register, sign up, check in and out by the activity's QR
code, earn points, redeem an item at the 爱心超市, download a certificate that the public page verifies.
Staff act in a second browser (verify the volunteer, approve the sign-up, redeem the code)."""

import os
import shutil
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import SCREENSHOT_DIR
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user, make_world
from shanzhi.ledger.selectors import reconcile
from shanzhi.registry.models import Person
from shanzhi.volunteering.models import SignUp, StoreItem
from shanzhi.volunteering.testing import make_activity


def go(page, selector):
    """Click something that submits a form and wait for the next page."""
    with page.expect_navigation():
        page.click(selector)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_earns_points_redeems_and_gets_a_verifiable_certificate(browser_page):
    world = make_world()
    staff = make_user(Role.COMMUNITY_STAFF, world.community.code, username="zhang_staff", display_name="张社工")
    resident = make_user(Role.RESIDENT, world.grid.code, username="wu_resident", display_name="吴居民")
    Person.objects.create(name="吴居民", region_code=world.grid.code, user=resident)
    activity = make_activity(world.grid.code, staff, starts_at=timezone.now() - timedelta(hours=2.5), hours=3.5,
                             points_per_hour=10)
    StoreItem.objects.create(region_code=world.community.code, name="食用油1升", points_price=20, stock=3)

    me = browser_page("phone")
    me.login("wu_resident", PASSWORD)
    me.goto("/volunteering/my/")
    go(me, "button:has-text('注册')")
    assert "等待社区工作人员实名核验" in me.content()
    me.shot("volunteering-register")

    desk = browser_page("phone")
    desk.login("zhang_staff", PASSWORD)
    desk.goto("/volunteering/volunteers/")
    go(desk, "button:has-text('核验通过')")
    assert "已核验" in desk.content()

    me.goto("/volunteering/open/")
    me.shot("volunteering-open")
    go(me, "[data-testid=open-activity] button:has-text('报名')")
    assert "请等待审核" in me.content()

    desk.goto(f"/volunteering/activities/{activity.pk}/")
    go(desk, "[data-testid=signup-row] button:has-text('通过')")
    desk.shot("volunteering-activity-staff")
    scan_url = desk.get_attribute("[data-testid=scan-url]", "href")

    me.goto(scan_url)
    go(me, "[data-testid=scan-submit]")
    assert "签到成功" in me.content()
    # the volunteer serves: move the recorded check-in two hours back, as if the time had passed
    SignUp.objects.filter(activity=activity).update(checked_in_at=timezone.now() - timedelta(hours=2))
    me.goto(scan_url)
    go(me, "[data-testid=scan-submit]")
    assert "签退成功：服务 2.0 小时，获得 20 积分" in me.content()
    assert me.inner_text("[data-testid=my-points]") == "20"
    me.shot("volunteering-my")

    me.goto("/volunteering/store/")
    go(me, "[data-testid=store-item] button:has-text('兑换')")
    code = me.inner_text("[data-testid=order-code]")
    assert me.inner_text("[data-testid=store-points]") == "0"
    me.shot("volunteering-store")

    desk.goto("/volunteering/store/redeem/")
    desk.fill("#code", code)
    go(desk, "button:has-text('核销')")
    assert "吴居民 · 食用油1升" in desk.inner_text("[data-testid=redeemed]")
    desk.shot("volunteering-redeem-desk")

    me.goto("/volunteering/my/")
    go(me, "button:has-text('开具志愿服务证明')")
    cert_code = me.inner_text("[data-testid=cert-code]")
    me.shot("volunteering-certificate")
    with me.expect_download() as dl:
        me.click("[data-testid=cert-pdf]")
    pdf_path = dl.value.path()
    with open(pdf_path, "rb") as fh:
        assert fh.read(4) == b"%PDF"
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    shutil.copy(pdf_path, os.path.join(SCREENSHOT_DIR, "volunteering-certificate.pdf"))

    public = browser_page("phone")
    public.goto(f"/volunteering/verify/?code={cert_code}")
    assert "证明真实有效" in public.inner_text("[data-testid=verify-ok]")
    assert "吴居民" in public.content() and activity.title in public.content()
    public.shot("volunteering-verify")
    assert reconcile().ok
