"""The one scan of text that goes public (阳光五务, Open311 descriptions, consultation texts): ID numbers
(GB 11643, with a valid check digit and birth date), phone numbers (mobiles and landlines with an area code) and
the names of the registry's persons in that community.

Core can't read the registry, so the names come through a hook: the registry registers
`register_name_source(fn)`, `fn(region_code) -> iterable of names` of the persons living under that code, and
the scan holds them in memory only for the call. A name is a finding unless jieba reads it as part of a longer
word, so "建国" is found in "联系建国" but not in "建国以来". Findings carry the masked form that replaces them in one tap (`mask`); neither the found text nor the
names are ever logged or audited — callers audit counts by kind only.
"""

from __future__ import annotations

import datetime
import io
import json
import logging
import math
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import jieba
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFilter, ImageOps
from stdnum.cn import ric

from .errors import ServiceError
from .masking import mask_id_number, mask_phone
from .memo import Memo

try:  # optional: face and plate suggestions for photos (opencv-python-headless)
    import cv2
    import numpy
except ImportError:  # pragma: no cover - depends on the installation
    cv2 = numpy = None

jieba.setLogLevel(logging.WARNING)

KIND_LABELS = {"id_number": _("身份证号"), "phone": _("电话号码"), "name": _("人员姓名")}

_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# mobiles, optionally with +86 and spaces or dashes between the 3-4-4 groups
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
# landlines with their area code, written 0514-87654321, (0514)87654321 or （0514）8765 4321
_LANDLINE = re.compile(r"(?<!\d)(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}-) ?[2-9]\d{2,3}[- ]?\d{4}(?!\d)")
MIN_NAME_LEN = 2

NameSource = Callable[[str], Iterable[str]]
NAME_SOURCES: list[NameSource] = []


def register_name_source(fn: NameSource) -> None:
    if fn not in NAME_SOURCES:
        NAME_SOURCES.append(fn)


def names_in(region_code: str) -> frozenset[str]:
    """The registered persons' names under `region_code` (a community), held in memory for one scan."""
    if not region_code:
        return frozenset()
    names: set[str] = set()
    for source in NAME_SOURCES:
        names.update(n.strip() for n in source(region_code) if n and len(n.strip()) >= MIN_NAME_LEN)
    return frozenset(names)


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str
    field: str = ""

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def masked(self) -> str:
        return mask(self.kind, self.text)

    @property
    def ref(self) -> str:
        """What the page posts back to mask this finding: the field and the span, never the text."""
        return f"{self.field}:{self.start}:{self.end}"


def mask(kind: str, text: str) -> str:
    if kind == "id_number":
        return mask_id_number(text)
    if kind == "phone":
        digits = re.sub(r"\D", "", text)
        return mask_phone(digits[2:] if digits.startswith("86") and len(digits) == 13 else digits)
    return text[0] + "*" * (len(text) - 1)


def _is_id_number(number: str) -> bool:
    """GB 11643: the check digit agrees and the birth date is a real date (any region code: a new or an unknown
    district's numbers are as personal as any)."""
    number = number.upper()
    if ric.calc_check_digit(number) != number[17]:
        return False
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= datetime.date.today()


def _ids(text: str):
    for m in _ID.finditer(text):
        if _is_id_number(m.group()):
            yield Finding("id_number", m.start(), m.end(), m.group())


def _phones(text: str, taken: list[tuple[int, int]]):
    for pattern in (_MOBILE, _LANDLINE):
        for m in pattern.finditer(text):
            if not any(m.start() < e and s < m.end() for s, e in taken):
                yield Finding("phone", m.start(), m.end(), m.group())


def _names(text: str, names: frozenset[str]):
    present = [n for n in names if n in text]
    if not present:
        return
    words = [(s, e) for _w, s, e in jieba.tokenize(text) if e - s > 1]
    for name in sorted(present, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            # inside a longer word ("高峰" in "高峰期") it is not the name; across words ("找钱|多多") it is
            if not any(s <= m.start() and m.end() <= e and e - s > len(name) for s, e in words):
                yield Finding("name", m.start(), m.end(), name)


def scan(text: str, *, names: frozenset[str] = frozenset(), field: str = "") -> list[Finding]:
    """Every finding in `text`, by position; overlapping findings keep the first (ID numbers before phones)."""
    text = text or ""
    found: list[Finding] = list(_ids(text))
    found += _phones(text, [(f.start, f.end) for f in found])
    spans = [(f.start, f.end) for f in found]
    for f in _names(text, names):
        if not any(f.start < e and s < f.end for s, e in spans):
            found.append(f)
            spans.append((f.start, f.end))
    return sorted((Finding(f.kind, f.start, f.end, f.text, field) for f in found), key=lambda f: f.start)


def scan_fields(fields: dict[str, str], *, region_code: str = "") -> list[Finding]:
    """The findings of several texts of one record (`{field: text}`), the names those of its community."""
    names = names_in(region_code[:12]) if region_code else frozenset()
    out: list[Finding] = []
    for name, text in fields.items():
        out += scan(text, names=names, field=name)
    return out


def mask_all(text: str, findings: Iterable[Finding]) -> str:
    """`text` with each finding replaced by its masked form (from the end, so positions stay right)."""
    for f in sorted(findings, key=lambda f: f.start, reverse=True):
        text = text[:f.start] + f.masked + text[f.end:]
    return text


def mask_ref(text: str, ref: str, *, names: frozenset[str] = frozenset(), field: str = "") -> str | None:
    """`text` with the one finding named by `ref` masked, found again in the current text; None if the text
    changed since and there is no such finding any more."""
    for f in scan(text, names=names, field=field):
        if f.ref == ref:
            return mask_all(text, [f])
    return None


# Public feeds read without a reviewer in the loop (the Open311 feed, the disclosure page's consultation titles)
# mask every finding as they render; the community's names are kept in memory for a minute between reads
# (cleared when the registry writes a person in this process: it calls `NAMES_MEMO.clear_on_change(Person)`).
NAMES_MEMO = Memo("privacy.names", ttl=60.0)


def _cached_names(community_code: str) -> frozenset[str]:
    return NAMES_MEMO.get(community_code, lambda: names_in(community_code))


def public_text(text: str, *, region_code: str = "") -> str:
    """`text` as a public page or feed may show it: every finding masked (names of the record's community)."""
    if not text:
        return text or ""
    names = _cached_names(region_code[:12]) if region_code else frozenset()
    return mask_all(text, scan(text, names=names))


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """How many findings of each kind: what an audit row may say about them."""
    out: dict[str, int] = {}
    for f in findings:
        out[f.kind] = out.get(f.kind, 0) + 1
    return out


@dataclass(frozen=True)
class Segment:
    text: str
    finding: Finding | None = None


def segments(text: str, findings: Iterable[Finding]) -> list[Segment]:
    """`text` cut at its findings, for a page that highlights them (each finding is its own segment)."""
    out, pos = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start > pos:
            out.append(Segment(text[pos:f.start]))
        out.append(Segment(text[f.start:f.end], f))
        pos = f.end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def review(texts: dict[str, str], findings: list[Finding], labels: dict[str, str] | None = None) -> list[dict]:
    """For the review partial (`core/privacy_findings.html`): each text holding findings, highlighted."""
    labels = labels or {}
    out = []
    for field, text in texts.items():
        mine = [f for f in findings if f.field == field]
        if mine:
            out.append({"field": field, "label": labels.get(field, field), "segments": segments(text, mine),
                        "findings": mine})
    return out


# --- photos -----------------------------------------------------------------------------------------------
# A photo goes public as a blurred copy; the original stays private. Regions are drawn by the reviewer
# (fractions of the width and height: x, y, w, h in 0..1) and blurred server-side: pixelated to 1/12 of the
# region's size and then blurred, so the covered detail can't be read back. `suggest_regions` pre-fills
# faces and number plates found by OpenCV's bundled Haar cascades when OpenCV is installed; the reviewer
# confirms or removes each suggestion and draws what it missed (without OpenCV: drawn by hand only).
# OpenCV is not a dependency: its current release (5.x) no longer ships the cascades nor CascadeClassifier,
# and the 4.x line with numpy adds about 230 MB; an installation that adds `opencv-python-headless<5` gets
# the suggestions (checked by hand with 4.14), one without it loses nothing else.

Region = tuple[float, float, float, float]
MAX_REGIONS = 50
MIN_REGION = 0.005  # a region narrower or lower than 0.5 % of the picture covers nothing readable
_EDGE = 1e-6


def _region_number(i: int, name: str, given) -> float:
    """One of a posted region's four values as a finite number (a bool is none), or ServiceError naming it."""
    try:
        v = math.nan if isinstance(given, bool) else float(given)
    except (TypeError, ValueError):
        v = math.nan
    if not math.isfinite(v):
        raise ServiceError(_("第 %(i)d 个区域的“%(f)s”不是数字") % {"i": i, "f": name}, field="regions")
    return v


def _parse_region(i: int, item) -> Region:
    """The i-th posted region checked (four numbers, not empty, inside the picture) and clipped to it."""
    if not isinstance(item, list | tuple) or len(item) != 4:
        raise ServiceError(_("第 %(i)d 个区域的格式不正确") % {"i": i}, field="regions")
    names = (_("左边距"), _("上边距"), _("宽度"), _("高度"))
    x, y, w, h = (_region_number(i, name, given) for name, given in zip(names, item, strict=True))
    if w < MIN_REGION or h < MIN_REGION:
        raise ServiceError(_("第 %(i)d 个区域太小（宽度和高度不能为零）") % {"i": i}, field="regions")
    if x < -_EDGE or y < -_EDGE or x + w > 1 + _EDGE or y + h > 1 + _EDGE:
        raise ServiceError(_("第 %(i)d 个区域超出了照片范围") % {"i": i}, field="regions")
    return (round(max(x, 0.0), 4), round(max(y, 0.0), 4), round(min(w, 1.0), 4), round(min(h, 1.0), 4))


def parse_regions(raw) -> list[Region]:
    """The reviewer's regions as posted (JSON: a list of [x, y, w, h], fractions of the width and height),
    checked: at most MAX_REGIONS, each inside the picture and not empty. A bad one raises ServiceError naming
    the region and its field, in Chinese."""
    if isinstance(raw, str | bytes):
        try:
            raw = json.loads(raw or "[]")
        except ValueError:
            raise ServiceError(_("打码区域的格式不正确"), field="regions") from None
    if not isinstance(raw, list):
        raise ServiceError(_("打码区域的格式不正确"), field="regions")
    if len(raw) > MAX_REGIONS:
        raise ServiceError(_("打码区域最多 %(n)d 个") % {"n": MAX_REGIONS}, field="regions")
    return [_parse_region(i, item) for i, item in enumerate(raw, start=1)]


def detector_available() -> bool:
    return cv2 is not None


def _cascades():
    found = []
    for kind, name in (("face", "haarcascade_frontalface_default.xml"),
                       ("plate", "haarcascade_russian_plate_number.xml")):
        path = os.path.join(cv2.data.haarcascades, name)
        if os.path.exists(path):
            found.append((kind, cv2.CascadeClassifier(path)))
    return found


SUGGEST_PX = 1200  # detection runs on a copy at most this long on its longest side


def suggest_regions(data: bytes) -> list[tuple[str, Region]]:
    """Faces (frontal) and number plates that OpenCV's Haar cascades find: [(kind, region)], kind "face" or
    "plate". Only suggestions — a cascade misses faces in profile and finds some that aren't; the reviewer
    decides. Empty when OpenCV is not installed or the file can't be read."""
    if cv2 is None:
        return []
    try:
        with Image.open(io.BytesIO(data)) as source:
            source.draft("L", (SUGGEST_PX, SUGGEST_PX))
            image = ImageOps.exif_transpose(source).convert("L")
            image.thumbnail((SUGGEST_PX, SUGGEST_PX))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return []
    gray = cv2.equalizeHist(numpy.asarray(image))
    width, height = image.size
    out: list[tuple[str, Region]] = []
    for kind, cascade in _cascades():
        for x, y, w, h in cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24)):
            out.append((kind, (round(x / width, 4), round(y / height, 4), round(w / width, 4), round(h / height, 4))))
    return out[:MAX_REGIONS]


def _box(region: Region, width: int, height: int) -> tuple[int, int, int, int] | None:
    try:
        x, y, w, h = (min(max(float(v), 0.0), 1.0) for v in region)
    except (TypeError, ValueError):
        return None
    box = (int(x * width), int(y * height), int(min(x + w, 1.0) * width), int(min(y + h, 1.0) * height))
    return box if box[2] - box[0] >= 2 and box[3] - box[1] >= 2 else None


def blur_regions(data: bytes, regions: Iterable[Region]) -> bytes:
    """The public copy of a photo: the regions pixelated and blurred, EXIF (and its location) dropped, JPEG."""
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    for region in regions:
        box = _box(region, *image.size)
        if box is None:
            continue
        part = image.crop(box)
        small = part.resize((max(1, part.width // 12), max(1, part.height // 12)), Image.Resampling.BILINEAR)
        part = small.resize(part.size, Image.Resampling.NEAREST).filter(
            ImageFilter.GaussianBlur(max(2, min(part.size) // 8)))
        image.paste(part, box[:2])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
