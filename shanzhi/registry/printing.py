"""人+纸: print-ready A4 pages (入户登记表, building and grid 汇总表) as HTML or, with `?format=pdf`, as PDF
rendered by WeasyPrint with a CJK font. Each page carries a QR code. A form that comes back to be entered
(登记表, 民情登记单, the blank forms) carries a short signed token — form type, record id, version — in a link to
the scan page (`paper_url`); the other sheets carry the record's own link. Either way the page it opens
checks login and scope (out of scope is 404), so the code reveals nothing to whoever picks up the paper, and
the signature means a hand-made code cannot name another record or another version."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

import segno
from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML

# form types a paper token names (the scan page maps each to its entry page)
FORM_HOUSEHOLD = "hh"        # 入户登记表 of a household
FORM_HOUSEHOLD_BLANK = "hb"  # the blank 入户登记表
FORM_CASE = "cs"             # 民情登记单 of a case
FORM_CASE_BLANK = "cb"       # the blank 民情登记单
FORM_VISIT = "hv"            # 走访记录 of a household
FORM_TYPES = (FORM_HOUSEHOLD, FORM_HOUSEHOLD_BLANK, FORM_CASE, FORM_CASE_BLANK, FORM_VISIT)
# the layout version of the blank forms: bump when the printed layout changes
BLANK_LAYOUT_VERSION = 2
PAPER_SALT = "shanzhi.paper"
PAYLOAD = re.compile(r"^(?P<kind>[a-z]{2})\.(?P<pk>\d{1,12})\.(?P<version>\d{1,9})$")


@dataclass(frozen=True)
class PaperRef:
    kind: str
    pk: int
    version: int


class _PaperSigner(signing.TimestampSigner):
    """A timestamped HMAC (SHA-256) cut to 22 characters (132 bits), so the whole link fits a small QR code."""

    def signature(self, value, key=None):
        return super().signature(value, key)[:22]


def _signer() -> _PaperSigner:
    return _PaperSigner(salt=PAPER_SALT)


def paper_token(kind: str, pk: int, version: int) -> str:
    if kind not in FORM_TYPES:
        raise ValueError(kind)
    return _signer().sign(f"{kind}.{int(pk)}.{int(version)}")


def paper_token_max_age() -> int:
    """Seconds a printed code stays good (SHANZHI_PAPER_TOKEN_DAYS, default 400 days: a yearly round plus)."""
    return int(getattr(settings, "SHANZHI_PAPER_TOKEN_DAYS", 400)) * 86400


def read_paper_token(token: str) -> PaperRef | None:
    """The form a token names, or None when it was altered, made elsewhere or is too old."""
    try:
        value = _signer().unsign(token or "", max_age=paper_token_max_age())
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    match = PAYLOAD.match(value)
    if not match or match["kind"] not in FORM_TYPES:
        return None
    return PaperRef(match["kind"], int(match["pk"]), int(match["version"]))


def paper_url(kind: str, pk: int, version: int) -> str:
    """The scan page's link for a printed form (the paperforms app answers it)."""
    return reverse("paperforms:scan") + "?t=" + quote(paper_token(kind, pk, version), safe=":")


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


def blank_rows(filled: int, minimum: int) -> range:
    """Empty table rows to pad a form to `minimum` rows for writing by hand."""
    return range(max(0, minimum - filled))


def render_pdf(html: str, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf()


def respond(request, template: str, context: dict, *, filename: str, paper: tuple | None = None) -> HttpResponse:
    """Render a print page; `paper=(form type, record id, version)` puts the signed scan link in its QR code
    (and the form type and version under it) instead of the record's own link."""
    target = paper_url(*paper) if paper else context["record_url"]
    absolute = request.build_absolute_uri(target)
    context = {**context, "qr": qr_data_uri(absolute), "absolute_url": absolute,
               "paper": PaperRef(*paper) if paper else None, "as_pdf": request.GET.get("format") == "pdf"}
    html = render_to_string(template, context, request=request)
    if not context["as_pdf"]:
        return HttpResponse(html)
    response = HttpResponse(render_pdf(html, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}.pdf"
    return response
