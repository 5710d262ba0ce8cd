"""Case photos: checks on upload (real images of an allowed type, byte size and pixel size — checked from the
header before decoding — re-encoded once without EXIF), and the small JPEG thumbnail that lists and timelines show, made on first request and kept next to
the original. A thumbnail carries no EXIF at all (so never a location), whatever the original keeps."""

from __future__ import annotations

import io
import posixpath

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from shanzhi.core.errors import ServiceError
from shanzhi.core.privacy import blur_regions

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
THUMB_PX = 320  # longest side of a thumbnail
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; anything larger is refused before it is decoded
MAX_SIDE = 12_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses larger pictures itself, wherever they are opened


def _open_checked(data: bytes, name: str) -> Image.Image:
    """The image, opened lazily (only its header is read) and refused before any decoding when it is not an
    allowed type or has more than MAX_PIXELS pixels — a small file can declare a huge picture."""
    too_big = _("照片“%(name)s”尺寸过大，请缩小到 %(mp)d 万像素以内再上传") % {"name": name, "mp": MAX_PIXELS // 10_000}
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError:  # Pillow's own guard (over twice MAX_IMAGE_PIXELS)
        raise ServiceError(too_big, field="photos") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ServiceError(_("“%(name)s”不是有效的图片文件") % {"name": name}, field="photos") from None
    if image.format not in ALLOWED:
        raise ServiceError(_("照片只支持 JPEG、PNG、WEBP 格式（“%(name)s”）") % {"name": name}, field="photos")
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ServiceError(too_big, field="photos")
    return image


def clean_photo(upload, *, strip_location: bool):
    """Return (file to store, whether location was stripped); raise ServiceError for a bad file. The photo is
    decoded once, here, after its size was checked, and stored re-encoded: turned upright, without EXIF but
    for the location when the reporter chose to keep it (`strip_location` False)."""
    if upload.size > MAX_BYTES:
        raise ServiceError(_("照片“%(name)s”超过 10MB，请压缩后再上传") % {"name": upload.name}, field="photos")
    data = upload.read()
    image = _open_checked(data, upload.name)
    fmt, ext = image.format, ALLOWED[image.format]
    had_location = GPS_IFD in image.getexif()
    try:
        image = ImageOps.exif_transpose(image)
        if fmt == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        params = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
        if had_location and not strip_location:  # the reporter chose to keep where it was taken: only that
            exif = Image.Exif()
            exif[GPS_IFD] = image.getexif().get_ifd(GPS_IFD)
            params["exif"] = exif.tobytes()
        out = io.BytesIO()
        image.save(out, format=fmt, **params)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError(_("“%(name)s”不是有效的图片文件") % {"name": upload.name}, field="photos") from None
    stripped = had_location and strip_location
    return SimpleUploadedFile(f"photo.{ext}", out.getvalue(), content_type=f"image/{ext}"), stripped


def content_type(name: str) -> str | None:
    """The content type of a stored photo by its extension (None for anything we never store)."""
    return CONTENT_TYPES.get(posixpath.splitext(name)[1].lstrip(".").lower())


def thumbnail_name(name: str) -> str:
    return f"{posixpath.splitext(name)[0]}.thumb.jpg"


def make_thumbnail(data: bytes) -> bytes:
    """A JPEG at most THUMB_PX on its longest side, turned upright as EXIF says, without any EXIF."""
    with _open_checked(data, "") as source:
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


def read_original(photo) -> bytes:
    """The stored original's bytes, refused with a clear message when the file is missing."""
    try:
        with photo.image.storage.open(photo.image.name, "rb") as f:
            return f.read()
    except OSError:
        raise ServiceError(_("照片原件已不存在，无法生成公开版本"), field="regions") from None


def public_copy(photo, regions) -> bytes:
    """The blurred, EXIF-free JPEG of a stored photo (`core.privacy.blur_regions`). The original is checked as
    an upload is (type, pixel size from the header) before it is decoded: a file that is not an image or a
    decompression bomb gets a message, never a crash."""
    data = read_original(photo)
    _open_checked(data, posixpath.basename(photo.image.name)).close()
    try:
        return blur_regions(data, regions)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ServiceError(_("照片无法读取，不能生成公开版本"), field="regions") from None
