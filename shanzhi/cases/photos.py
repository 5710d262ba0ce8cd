"""Case photos: checks on upload (real images of an allowed type and size, optionally stripped of EXIF GPS
data), and the small JPEG thumbnail that lists and timelines show, made on first request and kept next to
the original. A thumbnail carries no EXIF at all (so never a location), whatever the original keeps."""

from __future__ import annotations

import io
import posixpath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shanzhi.core.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMB_PX = 320  # longest side of a thumbnail


def clean_photo(upload, *, strip_location: bool):
    """Return (file to store, whether location was stripped); raise ServiceError for a bad file."""
    if upload.size > MAX_BYTES:
        raise ServiceError(_("照片“%(name)s”超过 10MB，请压缩后再上传") % {"name": upload.name}, field="photos")
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ServiceError(_("“%(name)s”不是有效的图片文件") % {"name": upload.name}, field="photos")
    if image.format not in ALLOWED:
        raise ServiceError(_("照片只支持 JPEG、PNG、WEBP 格式（“%(name)s”）") % {"name": upload.name}, field="photos")
    ext = ALLOWED[image.format]
    exif = image.getexif()
    if not strip_location or GPS_IFD not in exif:
        return SimpleUploadedFile(f"photo.{ext}", data, content_type=f"image/{ext}"), False
    del exif[GPS_IFD]
    out = io.BytesIO()
    params = {"exif": exif.tobytes()}
    if image.format == "JPEG":
        params.update(quality=90)
    image.save(out, format=image.format, **params)
    return SimpleUploadedFile(f"photo.{ext}", out.getvalue(), content_type=f"image/{ext}"), True


def content_type(name: str) -> str | None:
    """The content type of a stored photo by its extension (None for anything we never store)."""
    return CONTENT_TYPES.get(posixpath.splitext(name)[1].lstrip(".").lower())


def thumbnail_name(name: str) -> str:
    return f"{posixpath.splitext(name)[0]}.thumb.jpg"


def make_thumbnail(data: bytes) -> bytes:
    """A JPEG at most THUMB_PX on its longest side, turned upright as EXIF says, without any EXIF."""
    with Image.open(io.BytesIO(data)) as source:
        source.draft("RGB", (THUMB_PX, THUMB_PX))  # a JPEG is decoded at a reduced scale
        image = ImageOps.exif_transpose(source)
        image.thumbnail((THUMB_PX, THUMB_PX))
        if image.mode in ("RGBA", "LA", "P", "PA"):
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        elif image.mode != "RGB":
            image = image.convert("RGB")
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def open_thumbnail(photo):
    """The photo's thumbnail as an open file, made and stored on first use. Two first requests at once
    both make it; the one that stores second removes its copy, so one file remains."""
    storage, name = photo.image.storage, thumbnail_name(photo.image.name)
    if not storage.exists(name):
        with storage.open(photo.image.name, "rb") as f:
            data = make_thumbnail(f.read())
        saved = storage.save(name, ContentFile(data))
        if saved != name:
            storage.delete(saved)
    return storage.open(name, "rb")
