"""Browser story (issue 22, item 7): a grid leader opens a case photo's review page, draws a region over it
with the mouse, saves, and the public copy (the Open311 media_url) is blurred there and sharp elsewhere.
Screenshots at 375 px and 1440 px go to test-artifacts/."""

import io
import os
import re

import pytest
from PIL import Image, ImageStat

from shanzhi.cases import choices as c
from shanzhi.cases.services import case_create, case_transition
from shanzhi.cases.testing import checkerboard, image_file, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import PASSWORD, make_user

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


def spread(image, box) -> float:
    return max(ImageStat.Stat(image.crop(box).convert("L")).stddev)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_blurs_a_region_of_a_case_photo_before_it_goes_public(browser_page, world):
    os.makedirs(ARTIFACTS, exist_ok=True)
    resident = make_user(Role.RESIDENT, world.grid.code)
    leader = make_user(Role.GRID_LEADER, world.grid.code, username="li", display_name="李网格长")
    case = case_create(actor=resident, category=make_category(code="light", name="路灯损坏"),
                       channel=c.Channel.RESIDENT, title="3栋门口路灯不亮", description="晚上一片漆黑",
                       region_code=world.grid.code, publish_consent=True,
                       photos=[image_file(checkerboard((800, 600), square=6), fmt="JPEG")])
    case = case_transition(actor=leader, case=case, action="accept")
    photo = case.photos.get()

    page = browser_page("phone")
    page.login("li", PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    assert page.request.get(f"/open311/v2/media/{photo.pk}.jpg").status == 404  # not reviewed: not public
    page.click("[data-testid=photo-review-link]")
    page.wait_for_url(re.compile(rf"/cases/photos/{photo.pk}/review/"))
    image = page.locator("[data-testid=review-image]")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    # draw the middle half of the picture with the mouse
    box = page.locator("[data-testid=region-canvas]").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5, steps=4)
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.75, steps=4)
    page.mouse.up()
    assert page.locator("[data-testid=region-box]").count() == 1
    assert page.locator("[data-testid=region-list] li").count() == 1
    page.screenshot(path=os.path.join(ARTIFACTS, "photo-review-375.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=os.path.join(ARTIFACTS, "photo-review-1440.png"), full_page=True)

    page.click("[data-testid=save-regions]")
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=public-copy]").scroll_into_view_if_needed()
    page.screenshot(path=os.path.join(ARTIFACTS, "photo-reviewed-1440.png"), full_page=True)
    photo.refresh_from_db()
    (x, y, w, h), = photo.regions
    assert abs(x - 0.25) < 0.02 and abs(y - 0.25) < 0.02 and abs(w - 0.5) < 0.02 and abs(h - 0.5) < 0.02

    public = page.request.get(f"/open311/v2/media/{photo.pk}.jpg")
    assert public.status == 200 and public.headers["content-type"] == "image/jpeg"
    blurred = Image.open(io.BytesIO(public.body()))
    assert blurred.size == (800, 600) and not blurred.getexif()
    inside, outside = (260, 190, 540, 410), (10, 10, 150, 110)
    assert spread(blurred, inside) < 15 and spread(blurred, outside) > 90
    feed = page.request.get(f"/open311/v2/requests/{case.pk}.json").json()
    assert feed[0]["media_url"].endswith(f"/open311/v2/media/{photo.pk}.jpg")
