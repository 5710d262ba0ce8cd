"""Case photos are served only through the scoped `cases:photo` view: staff and handling bodies by the case's
scope, the reporter (and followers) by their case, everyone else 404; thumbnails are small EXIF-free JPEGs."""

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from shanzhi.cases import choices as c
from shanzhi.cases.models import CaseFollower, CasePhoto
from shanzhi.cases.photos import THUMB_PX, thumbnail_name
from shanzhi.cases.services import case_create, case_transition
from shanzhi.cases.testing import image_upload, make_body, make_body_staff, make_category
from shanzhi.core.roles import Role
from shanzhi.core.testing import verified_login

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture
def env(world, make_user):
    body = make_body()
    other_body = make_body(name="区住建局", kind=c.HandlerType.DISTRICT_DEPARTMENT, region_code="321002")
    resident = make_user(Role.RESIDENT, world.grid.code)
    case = case_create(actor=resident, category=make_category(), channel=c.Channel.RESIDENT, title="路灯不亮",
                       description="3栋门口路灯坏了", region_code=world.grid.code,
                       photos=[image_upload(size=(1600, 1200))])
    leader = make_user(Role.GRID_LEADER, world.grid.code)
    case = case_transition(actor=leader, case=case, action="accept")
    case = case_transition(actor=leader, case=case, action="dispatch", data={"body": body.pk})
    return {
        "case": case, "photo": case.photos.get(), "body": body, "other_body": other_body, "leader": leader,
        "resident": resident, "other_resident": make_user(Role.RESIDENT, world.grid.code),
        "body_staff": make_body_staff(body), "other_body_staff": make_body_staff(other_body),
        "out_staff": make_user(Role.GRID_WORKER, world.other_grid.code),
        "street": make_user(Role.COMMUNITY_STAFF, world.community.code),
    }


def url(photo, thumb=False):
    return reverse("cases:photo", args=[photo.pk]) + ("?size=thumb" if thumb else "")


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def stored(photo) -> bytes:
    with photo.image.storage.open(photo.image.name, "rb") as f:
        return f.read()


def test_in_scope_staff_get_the_file(client, env):
    photo = env["photo"]
    for who in ("leader", "street", "body_staff"):
        r = get(client, env[who], url(photo))
        assert r.status_code == 200, who
        assert r["Content-Type"] == "image/jpeg"
        assert body_of(r) == stored(photo)
        assert r["Cache-Control"] == "private, no-store"
        assert r["X-Content-Type-Options"] == "nosniff"
        assert r["Content-Disposition"].startswith("inline")


def test_out_of_scope_and_other_bodies_get_404(client, env):
    for who in ("out_staff", "other_body_staff", "other_resident"):
        assert get(client, env[who], url(env["photo"])).status_code == 404, who
        assert get(client, env[who], url(env["photo"], thumb=True)).status_code == 404, who


def test_an_unknown_photo_is_404_like_one_out_of_scope(client, env):
    assert get(client, env["leader"], reverse("cases:photo", args=[env["photo"].pk + 1000])).status_code == 404


def test_reporter_and_follower_see_the_photo(client, env):
    r = get(client, env["resident"], url(env["photo"]))
    assert r.status_code == 200 and body_of(r) == stored(env["photo"])
    CaseFollower.objects.create(case=env["case"], user=env["other_resident"])
    assert get(client, env["other_resident"], url(env["photo"])).status_code == 200


def test_anonymous_is_sent_to_login(client, env):
    r = client.get(url(env["photo"]))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_no_role_and_admins_are_refused(client, env, make_user, world):
    assert get(client, make_user(), url(env["photo"])).status_code == 403
    # 三员分立: the system admin holds no resident-facing role and cannot read resident data
    verified_login(client, make_user(Role.SYSTEM_ADMIN, world.city.code))
    assert client.get(url(env["photo"])).status_code == 403


def test_reporter_sees_photos_of_public_entries_only(client, env):
    case = env["case"]
    case = case_transition(actor=env["body_staff"], case=case, action="start")
    case = case_transition(actor=env["body_staff"], case=case, action="progress", data={"note": "已联系供电所"},
                           photos=[image_upload(colour="orange")])
    progress = CasePhoto.objects.get(history__action="progress")
    case = case_transition(actor=env["leader"], case=case, action="assist", data={"body": env["other_body"].pk},
                           photos=[image_upload(colour="purple")])
    internal = CasePhoto.objects.get(history__action="assist")
    assert not internal.history.public
    assert get(client, env["resident"], url(progress)).status_code == 200
    assert get(client, env["resident"], url(internal)).status_code == 404
    assert get(client, env["leader"], url(internal)).status_code == 200
    # and the pages: the staff timeline shows both, the reporter's only the public entry's photo
    client.force_login(env["leader"])
    staff_page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert url(progress, thumb=True) in staff_page and url(internal, thumb=True) in staff_page
    client.force_login(env["resident"])
    mine = client.get(reverse("cases:my_detail", args=[case.pk])).content.decode()
    assert url(env["photo"], thumb=True) in mine and url(progress, thumb=True) in mine
    assert f'href="{url(progress)}"' in mine
    assert url(internal) not in mine


def test_thumbnail_is_a_small_jpeg_made_once_without_exif(client, env, world):
    photo = env["photo"]
    original = stored(photo)
    r = get(client, env["leader"], url(photo, thumb=True))
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["Cache-Control"] == "private, no-store" and r["X-Content-Type-Options"] == "nosniff"
    thumb = body_of(r)
    assert len(thumb) < len(original)
    with Image.open(io.BytesIO(thumb)) as im:
        assert im.format == "JPEG" and max(im.size) == THUMB_PX and im.size == (320, 240)
    storage = photo.image.storage
    assert storage.exists(thumbnail_name(photo.image.name))
    # the second request reads the stored thumbnail (not made again: a changed file is what is served)
    with storage.open(thumbnail_name(photo.image.name), "wb") as f:
        f.write(b"cached")
    assert body_of(get(client, env["resident"], url(photo, thumb=True))) == b"cached"


def test_thumbnail_drops_a_location_the_original_keeps(client, env, world):
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[GPS_IFD] = {1: "N", 2: (32.0, 22.0, 1.0)}
    exif[0x0112] = 6  # taken turned: the thumbnail is turned upright
    case = case_create(actor=env["leader"], category=make_category(), channel=c.Channel.PATROL, title="占道",
                       description="占道经营", region_code=world.grid.code,
                       photos=[image_upload(size=(800, 400), exif=exif)])
    photo = case.photos.get()
    assert not photo.location_stripped
    with Image.open(io.BytesIO(stored(photo))) as im:
        assert GPS_IFD in im.getexif()
    thumb = body_of(get(client, env["leader"], url(photo, thumb=True)))
    with Image.open(io.BytesIO(thumb)) as im:
        assert len(im.getexif()) == 0 and im.size == (160, 320)


def test_png_served_as_png_with_a_jpeg_thumbnail(client, env, world):
    case = case_create(actor=env["leader"], category=make_category(), channel=c.Channel.PATROL, title="垃圾",
                       description="垃圾堆放", region_code=world.grid.code,
                       photos=[image_upload(size=(400, 300), fmt="PNG", name="a.png")])
    photo = case.photos.get()
    r = get(client, env["leader"], url(photo))
    assert r["Content-Type"] == "image/png" and body_of(r) == stored(photo)
    r = get(client, env["leader"], url(photo, thumb=True))
    with Image.open(io.BytesIO(body_of(r))) as im:
        assert r["Content-Type"] == "image/jpeg" and im.format == "JPEG" and im.mode == "RGB"


def test_a_lost_file_is_404(client, env):
    photo = env["photo"]
    photo.image.storage.delete(photo.image.name)
    assert get(client, env["leader"], url(photo)).status_code == 404
    assert get(client, env["leader"], url(photo, thumb=True)).status_code == 404


def test_pages_link_the_view_never_the_stored_file(client, env):
    photo, case = env["photo"], env["case"]
    for user, page in ((env["leader"], "cases:detail"), (env["resident"], "cases:my_detail")):
        client.force_login(user)
        html = client.get(reverse(page, args=[case.pk])).content.decode()
        assert f'href="{url(photo)}"' in html and f'src="{url(photo, thumb=True)}"' in html
        assert photo.image.name not in html and "/media/" not in html and "cases/20" not in html


def test_open311_publishes_no_photo(client, env):
    case = env["case"]
    for path in (f"/open311/v2/requests/{case.pk}.json", "/open311/v2/requests.json"):
        r = client.get(path)
        assert r.status_code == 200
        rows = json.loads(r.content)
        row = next(x for x in rows if x["service_request_id"] == str(case.pk))
        assert row["media_url"] == ""
        text = r.content.decode()
        assert "/cases/photos/" not in text and env["photo"].image.name not in text
