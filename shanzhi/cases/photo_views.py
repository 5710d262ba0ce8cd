"""照片打码: the reviewer's page that makes a case photo's public copy (regions drawn over faces and plates,
by mouse, touch or numbers), and the public read of that copy. The original stays on the scoped `cases:photo`
view; the public sees only the blurred copy of a reviewed photo of a published case (`selectors.public_photos`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, public_view
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import allows
from shanzhi.core.privacy import MAX_REGIONS, MIN_REGION, detector_available, suggest_regions
from shanzhi.core.roles import STAFF_ROLES

from . import selectors, services
from .models import Case, CasePhoto
from .permissions import PHOTO_REVIEW
from .photos import read_original


def _reviewable(request, photo: CasePhoto) -> Case:
    """The photo's case, for staff who may review photos there (`PHOTO_REVIEW`); a staff member who sees the
    photo but may not publish it gets 404, as for a photo out of scope (a handling body's staff, holding no
    staff role, are refused by the decorator)."""
    if not allows(request.user, PHOTO_REVIEW.action, photo.case):
        raise Http404
    return photo.case


@object_view(CasePhoto, roles=STAFF_ROLES)
def photo_review(request, photo):
    case = _reviewable(request, photo)
    if photo.reviewed_at:
        regions = [{"x": x, "y": y, "w": w, "h": h, "kind": "manual"} for x, y, w, h in photo.regions]
        suggested = False
    else:
        try:
            found = suggest_regions(read_original(photo))
        except ServiceError:
            found = []
        regions = [{"x": x, "y": y, "w": w, "h": h, "kind": kind} for kind, (x, y, w, h) in found]
        suggested = bool(found)
    return render(request, "cases/photo_review.html", {
        "case": case, "photo": photo, "regions": regions, "suggested": suggested,
        "detector": detector_available(), "max_regions": MAX_REGIONS, "min_region": MIN_REGION,
        "published": selectors.public_photos().filter(pk=photo.pk).exists()})


@object_view(CasePhoto, roles=STAFF_ROLES, methods=("POST",))
def photo_review_save(request, photo):
    _reviewable(request, photo)
    version = request.POST.get("version", "")
    try:
        services.photo_review(actor=request.user, photo=photo, regions=request.POST.get("regions", ""),
                              version=int(version) if version.isdigit() else -1)
    except ServiceError as e:
        messages.error(request, e.user_message)
        return redirect("cases:photo_review", pk=photo.pk)
    messages.success(request, _("已生成打码后的公开照片"))
    return redirect("cases:photo_review", pk=photo.pk)


@public_view
def public_photo(request, pk):
    """The blurred copy of a reviewed photo of a published case, for anyone (Open311 `media_url`, at
    /open311/v2/media/<id>.jpg); 404 for every other photo, reviewed or not."""
    photo = selectors.public_photos().filter(pk=pk).first()
    if photo is None:
        raise Http404
    try:
        f = photo.public_image.storage.open(photo.public_image.name, "rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(f, content_type="image/jpeg", filename=f"photo-{photo.pk}.jpg")
    response["Cache-Control"] = "public, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
