"""Test and matrix helpers: categories, bodies and cases in a given grid."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.core.testing import make_user

from . import choices as c
from .models import Case, CasePhoto, Category, FollowableCase, HandlingBody, HandlingBodyMember, ReportedCase
from .services import case_create, case_transition


def make_category(code="road", name="道路破损", **kw) -> Category:
    obj, _ = Category.objects.get_or_create(code=code, defaults={"name": name, **kw})
    return obj


def make_body(name="街道城管科", kind=c.HandlerType.STREET_SECTION, region_code="321002004", members=()) -> HandlingBody:
    body, _ = HandlingBody.objects.get_or_create(name=name, defaults={"kind": kind, "region_code": region_code})
    for u in members:
        HandlingBodyMember.objects.get_or_create(body=body, user=u)
    return body


def make_body_staff(body, street_code="321002004"):
    user = make_user(Role.HANDLING_BODY_STAFF, street_code)
    HandlingBodyMember.objects.create(body=body, user=user)
    return user


def make_case(grid_code: str, *, actor=None, category=None, **kw) -> Case:
    actor = actor or make_user(Role.GRID_WORKER, grid_code)
    return case_create(actor=actor, category=category or make_category(), channel=kw.pop("channel", c.Channel.PATROL),
                       title=kw.pop("title", "井盖破损"), description=kw.pop("description", "小区东门井盖破损"),
                       region_code=grid_code, **kw)


def case_in(code: str, owner=None, **kw) -> Case:
    """A case in the grid; if the owner is handling-body staff, it is dispatched to their body."""
    case = make_case(code, **kw)
    if owner is not None:
        if Role.HANDLING_BODY_STAFF in user_roles(owner):
            body = make_body(name=f"承办单位{owner.pk}")
            HandlingBodyMember.objects.get_or_create(body=body, user=owner)
            leader = make_user(Role.GRID_LEADER, code)
            case = case_transition(actor=leader, case=case, action="accept")
            case = case_transition(actor=leader, case=case, action="dispatch", data={"body": body.pk})
    return case


def reported_case_in(code: str, owner=None, **kw):
    """A case reported by `owner` (the resident pages show one's own cases only)."""
    case = make_case(code, actor=owner, channel=c.Channel.RESIDENT, **kw) if owner else make_case(code, **kw)
    return ReportedCase.objects.get(pk=case.pk)


GPS_IFD = 0x8825


def image_upload(size=(640, 480), fmt="JPEG", name="photo.jpg", colour="teal", exif=None):
    """An upload of a real image; a gradient, so a JPEG of it has some size to shrink."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste(Image.new("RGB", (size[0] // 2, size[1] // 2), colour))
    buf = io.BytesIO()
    image.save(buf, format=fmt, **({"exif": exif.tobytes()} if exif is not None else {}))
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def checkerboard(size=(400, 300), square=4) -> Image.Image:
    """A photo for the blurring tests: high-contrast detail everywhere, so a blurred part turns flat and an
    untouched one stays sharp."""
    image = Image.new("RGB", size, "white")
    px = image.load()
    for x in range(size[0]):
        for y in range(size[1]):
            if (x // square + y // square) % 2:
                px[x, y] = (0, 0, 0)
    return image


def image_file(image: Image.Image, *, gps=False, fmt="PNG"):
    """An upload of `image`; with `gps`, EXIF that says where it was taken."""
    buf = io.BytesIO()
    params = {}
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"
        exif[GPS_IFD] = {1: "N", 2: (32.0, 21.0, 54.0), 3: "E", 4: (119.0, 26.0, 44.0)}
        params["exif"] = exif.tobytes()
    image.save(buf, format=fmt, **params)
    return SimpleUploadedFile(f"p.{fmt.lower()}", buf.getvalue(), content_type=f"image/{fmt.lower()}")


def photo_in(code: str, owner=None) -> CasePhoto:
    """A photo of a case that `owner` sees: a staff member's case in the grid (dispatched to their body, for
    handling-body staff), or else the owner's own report."""
    staff = owner is None or bool(user_roles(owner) & Case.scope_roles["view"])
    case = (case_in if staff else reported_case_in)(code, owner, photos=[image_upload(size=(64, 48))])
    return case.photos.get()


def followable_case_in(code: str, owner=None) -> FollowableCase:
    """An open case of a public category in the grid, someone else's: a resident of the community may follow it."""
    return FollowableCase.objects.get(pk=make_case(code, category=make_category(code="public", name="公共设施")).pk)


MATRIX_FACTORIES = {Case: case_in, ReportedCase: reported_case_in, CasePhoto: photo_in,
                    FollowableCase: followable_case_in}
