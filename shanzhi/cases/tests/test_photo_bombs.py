"""Image bombs: a small file declaring a huge picture is refused from its header, before any decoding, with a
Chinese message; photos are re-encoded once at upload."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shanzhi.cases.photos import MAX_PIXELS, clean_photo, make_thumbnail
from shanzhi.core.errors import ServiceError


def png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header declares width×height (a few hundred bytes; decoding it would need gigabytes)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def small_compressed_big_png(side: int) -> bytes:
    """A real, tiny (highly compressed) PNG of side×side pixels."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize("side", [13_000, 20_000, 100_000])
def test_a_declared_huge_png_is_refused_before_decoding(side):
    data = png_header_claiming(side, side)
    assert len(data) < 500
    with pytest.raises(ServiceError) as e:
        clean_photo(SimpleUploadedFile("bomb.png", data), strip_location=True)
    assert "尺寸过大" in e.value.user_message
    with pytest.raises(ServiceError):
        make_thumbnail(data)  # a stored bomb (from before) is refused too, not decoded


def test_a_real_compressed_bomb_is_refused():
    side = int(MAX_PIXELS ** 0.5) + 100
    data = small_compressed_big_png(side)
    assert len(data) < 2_000_000
    with pytest.raises(ServiceError, match="尺寸过大"):
        clean_photo(SimpleUploadedFile("big.png", data), strip_location=False)


def test_a_normal_photo_is_re_encoded_without_exif():
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    Image.new("RGB", (800, 600), "red").save(out, format="JPEG", exif=exif.tobytes())
    stored, stripped = clean_photo(SimpleUploadedFile("a.jpg", out.getvalue()), strip_location=True)
    with Image.open(stored) as im:
        assert im.size == (800, 600) and im.format == "JPEG" and 0x010F not in im.getexif()
    assert stripped is False  # there was no location to strip
