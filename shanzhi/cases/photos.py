"""Photo checks: real images of an allowed type and size; optionally stripped of EXIF GPS data."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from shanzhi.core.errors import ServiceError

MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825


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
