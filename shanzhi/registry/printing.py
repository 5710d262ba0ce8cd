"""人+纸: print-ready A4 pages (入户登记表, building and grid 汇总表) as HTML or, with `?format=pdf`, as PDF
rendered by WeasyPrint with a CJK font. Each page carries a QR code that opens the record on screen; the
record page itself checks login and scope, so the code reveals nothing to whoever picks up the paper."""

from __future__ import annotations

from urllib.parse import quote

import segno
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").png_data_uri(scale=4, border=1)


def blank_rows(filled: int, minimum: int) -> range:
    """Empty table rows to pad a form to `minimum` rows for writing by hand."""
    return range(max(0, minimum - filled))


def render_pdf(html: str, base_url: str) -> bytes:
    return HTML(string=html, base_url=base_url).write_pdf()


def respond(request, template: str, context: dict, *, filename: str) -> HttpResponse:
    absolute = request.build_absolute_uri(context["record_url"])
    context = {**context, "qr": qr_data_uri(absolute), "absolute_url": absolute,
               "as_pdf": request.GET.get("format") == "pdf"}
    html = render_to_string(template, context, request=request)
    if not context["as_pdf"]:
        return HttpResponse(html)
    response = HttpResponse(render_pdf(html, request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}.pdf"
    return response
