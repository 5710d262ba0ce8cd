"""照片打码 (issue 22, item 7): a case photo goes public only as the blurred, EXIF-free copy a reviewer made;
the original stays on the scoped view; hostile files and regions get a Chinese message, never a 500."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image, ImageStat

from shanzhi.audit.models import AuditEvent
from shanzhi.cases import choices as c
from shanzhi.cases.models import CasePhoto
from shanzhi.cases.services import case_create, case_transition, photo_review
from shanzhi.cases.testing import GPS_IFD, checkerboard, image_file, make_body, make_body_staff, make_category
from shanzhi.cases.tests.test_photo_bombs import png_header_claiming
from shanzhi.core.errors import ServiceError
from shanzhi.core.privacy import blur_regions, parse_regions, suggest_regions
from shanzhi.core.roles import Role

pytestmark = pytest.mark.django_db
REGION = [0.25, 0.25, 0.5, 0.5]


def spread(image: Image.Image, box) -> float:
    return max(ImageStat.Stat(image.crop(box).convert("L")).stddev)


@pytest.fixture
def env(world, make_user):
    resident = make_user(Role.RESIDENT, world.grid.code)
    case = case_create(actor=resident, category=make_category(code="light", name="路灯损坏"),
                       channel=c.Channel.RESIDENT, title="路灯不亮", description="3栋门口路灯坏了",
                       region_code=world.grid.code, publish_consent=True, strip_location=False,
                       photos=[image_file(checkerboard(), gps=True, fmt="JPEG")])
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = case_transition(actor=leader, case=case, action="accept")
    body = make_body()
    case = case_transition(actor=leader, case=case, action="dispatch", data={"body": body.pk})
    return {"case": case, "photo": case.photos.get(), "leader": leader, "resident": resident,
            "body_staff": make_body_staff(body), "out_staff": make_user(Role.GRID_LEADER, world.other_grid.code)}


def review_url(photo, save=False):
    return reverse("cases:photo_review_save" if save else "cases:photo_review", args=[photo.pk])


def public_url(photo):
    return reverse("open311:media", args=[photo.pk])


def opened(photo, field="public_image") -> Image.Image:
    f = getattr(photo, field)
    with f.storage.open(f.name, "rb") as fh:
        return Image.open(io.BytesIO(fh.read()))


# --- the blur itself -------------------------------------------------------------------------------------

def test_blur_changes_the_pixels_inside_a_region_and_not_outside():
    source = checkerboard()
    buf = io.BytesIO()
    source.save(buf, format="PNG")
    out = Image.open(io.BytesIO(blur_regions(buf.getvalue(), [REGION])))
    assert out.size == source.size
    inside, outside = (120, 95, 280, 205), (5, 5, 85, 65)  # inside the region (less its edge), far from it
    assert spread(source, inside) > 100 and spread(out, inside) < 15  # the detail is gone
    assert spread(out, outside) > 90  # the rest stays sharp
    diff = sum(abs(a - b) for a, b in zip(source.crop(outside).convert("L").tobytes(),
                                         out.crop(outside).convert("L").tobytes(), strict=True))
    assert diff / (80 * 60) < 25  # only JPEG noise outside


@pytest.mark.parametrize("raw,message", [
    ("not json", "格式不正确"),
    ('{"x": 1}', "格式不正确"),
    ("[[0.1, 0.1, 0.2]]", "第 1 个区域的格式不正确"),
    ('[[0.1, 0.1, "宽", 0.2]]', "第 1 个区域的“宽度”不是数字"),
    ("[[0.1, 0.1, 0, 0.2]]", "太小"),
    ("[[0.1, 0.1, 0.2, 0.2], [0.9, 0.9, 0.5, 0.5]]", "第 2 个区域超出了照片范围"),
    ("[[-0.2, 0.1, 0.2, 0.2]]", "超出了照片范围"),
    ("[[0.1, 0.1, true, 0.2]]", "不是数字"),
    (json.dumps([[0.1, 0.1, 0.1, 0.1]] * 51), "最多 50 个"),
])
def test_bad_regions_are_refused_in_chinese(raw, message):
    with pytest.raises(ServiceError) as e:
        parse_regions(raw)
    assert message in e.value.user_message


def test_suggestions_never_fail_on_a_bad_file():
    assert suggest_regions(b"not an image") == []
    assert suggest_regions(png_header_claiming(100_000, 100_000)) == []


# --- the review page and the public copy -----------------------------------------------------------------

def test_an_unreviewed_photo_is_not_public(client, env):
    assert client.get(public_url(env["photo"])).status_code == 404
    row = client.get(f"/open311/v2/requests/{env['case'].pk}.json").json()[0]
    assert row["media_url"] == ""


def test_a_reviewed_photo_goes_public_blurred_and_without_exif(client, env):
    photo = env["photo"]
    assert GPS_IFD in opened(photo, "image").getexif()  # the reporter kept the location on the original
    client.force_login(env["leader"])
    page = client.get(review_url(photo))
    assert page.status_code == 200 and "data-sz-regions" in page.content.decode()
    resp = client.post(review_url(photo, save=True), {"regions": json.dumps([REGION]), "version": "0"})
    assert resp.status_code == 302
    photo.refresh_from_db()
    assert photo.reviewed_by == env["leader"] and photo.regions == [REGION] and photo.version == 1
    client.logout()

    public = client.get(public_url(photo))
    assert public.status_code == 200 and public["Content-Type"] == "image/jpeg"
    data = b"".join(public.streaming_content)
    image = Image.open(io.BytesIO(data))
    assert not image.getexif() and b"Exif" not in data[:4096]  # no EXIF at all, so no location
    assert spread(image, (120, 95, 280, 205)) < 15 and spread(image, (5, 5, 85, 65)) > 90
    assert spread(opened(photo, "image"), (120, 95, 280, 205)) > 100  # the original is untouched
    row = client.get(f"/open311/v2/requests/{env['case'].pk}.json").json()[0]
    assert row["media_url"].endswith(public_url(photo))
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["media_url"] for r in listed if r["service_request_id"] == str(env["case"].pk)] == [row["media_url"]]
    event = AuditEvent.objects.get(action="case.photo_review")
    assert event.actor_id == env["leader"].pk and "[0.25, 0.25, 0.5, 0.5]" in str(event.after["regions"])


def test_without_the_reporters_consent_a_reviewed_photo_stays_private(client, env):
    photo_review(actor=env["leader"], photo=env["photo"], regions=[REGION])
    type(env["case"]).objects.filter(pk=env["case"].pk).update(publish_consent=False)
    assert client.get(public_url(env["photo"])).status_code == 404


def test_a_review_can_be_redone_and_replaces_the_public_copy(env, django_capture_on_commit_callbacks):
    first = photo_review(actor=env["leader"], photo=env["photo"], regions=[REGION])
    old = first.public_image.name
    with django_capture_on_commit_callbacks(execute=True):
        second = photo_review(actor=env["leader"], photo=first, regions=[], version=1)
    assert second.regions == [] and second.version == 2 and second.public_image.name != old
    assert spread(opened(second), (120, 95, 280, 205)) > 90  # nothing blurred any more
    assert not second.public_image.storage.exists(old)  # the old copy is gone


def test_a_stale_review_is_a_conflict(client, env):
    photo_review(actor=env["leader"], photo=env["photo"], regions=[REGION])
    client.force_login(env["leader"])
    resp = client.post(review_url(env["photo"], save=True), {"regions": "[]", "version": "0"}, follow=True)
    assert resp.status_code == 200 and "已被他人修改" in resp.content.decode()
    assert CasePhoto.objects.get(pk=env["photo"].pk).regions == [REGION]


@pytest.mark.parametrize("who", ["out_staff", "body_staff", "resident"])
def test_others_get_404_or_403_never_the_page(client, env, who):
    client.force_login(env[who])
    for url in (review_url(env["photo"]),):
        assert client.get(url).status_code in (403, 404)
    resp = client.post(review_url(env["photo"], save=True), {"regions": "[]", "version": "0"})
    assert resp.status_code in (403, 404)
    assert not CasePhoto.objects.get(pk=env["photo"].pk).reviewed_at


def test_out_of_scope_staff_and_a_forged_id_get_404(client, env):
    client.force_login(env["out_staff"])
    assert client.get(review_url(env["photo"])).status_code == 404
    client.force_login(env["body_staff"])  # may see the photo, may not publish it (no staff role: 403)
    assert client.get(reverse("cases:photo", args=[env["photo"].pk])).status_code == 200
    assert client.get(review_url(env["photo"])).status_code == 403
    client.force_login(env["leader"])
    assert client.get(reverse("cases:photo_review", args=[env["photo"].pk + 1000])).status_code == 404


def test_get_on_the_save_route_is_405(client, env):
    client.force_login(env["leader"])
    assert client.get(review_url(env["photo"], save=True)).status_code == 405


@pytest.mark.parametrize("regions,message", [
    ("[[0.5, 0.5, 0.9, 0.2]]", "超出了照片范围"),
    ("[[0.5, 0.5, 0, 0]]", "太小"),
    ("{{", "格式不正确"),
])
def test_bad_regions_on_the_page_get_a_message(client, env, regions, message):
    client.force_login(env["leader"])
    resp = client.post(review_url(env["photo"], save=True), {"regions": regions, "version": "0"}, follow=True)
    assert resp.status_code == 200 and message in resp.content.decode()
    assert not CasePhoto.objects.get(pk=env["photo"].pk).public_image


@pytest.mark.parametrize("content,message", [
    (b"this is not a picture", "不是有效的图片文件"),
    (png_header_claiming(30_000, 30_000), "尺寸过大"),
])
def test_a_hostile_stored_file_gets_a_message(client, env, content, message):
    photo = env["photo"]
    storage = photo.image.storage
    storage.delete(photo.image.name)
    storage.save(photo.image.name, ContentFile(content))
    client.force_login(env["leader"])
    assert client.get(review_url(photo)).status_code == 200  # no suggestions, no crash
    resp = client.post(review_url(photo, save=True), {"regions": json.dumps([REGION]), "version": "0"}, follow=True)
    assert resp.status_code == 200 and message in resp.content.decode()
    assert not CasePhoto.objects.get(pk=photo.pk).public_image


def test_the_case_page_lists_the_photos_to_review(client, env):
    client.force_login(env["leader"])
    html = client.get(reverse("cases:detail", args=[env["case"].pk])).content.decode()
    assert review_url(env["photo"]) in html and "未审核，不公开" in html
    client.force_login(env["body_staff"])
    assert review_url(env["photo"]) not in client.get(reverse("cases:detail", args=[env["case"].pk])).content.decode()


def test_a_huge_uploaded_image_is_still_refused(env, world):
    with pytest.raises(ServiceError, match="尺寸过大"):
        case_create(actor=env["resident"], category=env["case"].category, channel=c.Channel.RESIDENT, title="x",
                    description="y", region_code=world.grid.code,
                    photos=[SimpleUploadedFile("big.png", png_header_claiming(20_000, 20_000))])
