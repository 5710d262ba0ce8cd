"""志愿服务证明: issue (content frozen with its SHA-256), render as PDF, verify by code.

The content is a plain JSON document written once at issue time; the PDF and the public verifier
both render that stored content, and the verifier recomputes the hash, so what a school or employer
sees is exactly what was issued."""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from shanzhi.audit.services import audit_log
from shanzhi.core.errors import NotAllowed, ServiceError
from shanzhi.core.scope import roles_at
from shanzhi.regions.models import Region

from . import tokens
from .models import CHANGE_ROLES, Certificate, SignUp, Volunteer, community_prefix

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _content(volunteer: Volunteer) -> dict:
    served = (SignUp.objects.filter(volunteer=volunteer, hours__gt=0).select_related("activity")
              .order_by("activity__starts_at"))
    total = served.aggregate(h=Sum("hours"), p=Sum("points"))
    community = Region.objects.filter(code=community_prefix(volunteer.region_code)).first()
    today = timezone.localdate()
    return {
        "name": volunteer.person.name,
        "community": community.name if community else "",
        "registered_on": timezone.localtime(volunteer.registered_at).date().isoformat(),
        "verified": volunteer.verified,
        "total_hours": str(Decimal(total["h"] or 0).quantize(Decimal("0.1"))),
        "total_points": total["p"] or 0,
        "activities": [{"title": s.activity.title, "date": timezone.localtime(s.activity.starts_at).date().isoformat(),
                        "place": s.activity.place, "hours": str(s.hours)} for s in served],
        "issued_on": today.isoformat(),
    }


@transaction.atomic
def certificate_issue(*, actor, volunteer: Volunteer) -> Certificate:
    """The volunteer (or staff of their region) issues a certificate of the service recorded so far."""
    if volunteer.person.user_id != actor.pk and not roles_at(actor, volunteer.region_code) & CHANGE_ROLES:
        raise NotAllowed(_("只有本人或社区工作人员可以开具志愿服务证明"))
    if not volunteer.verified:
        raise ServiceError(_("志愿者尚未通过实名核验，不能开具证明"))
    content = _content(volunteer)
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
        if not Certificate.objects.filter(code=code).exists():
            break
    cert = Certificate(code=code, volunteer=volunteer, content=content, content_hash=content_hash(content),
                       issued_by=actor, region_code=volunteer.region_code)
    cert.full_clean()
    cert.save()
    audit_log(actor=actor, action="volunteering.certificate.issue", obj=cert,
              after={"hours": content["total_hours"], "hash": cert.content_hash})
    return cert


def certificate_verify(*, code: str) -> tuple[Certificate | None, bool]:
    """(certificate, intact) for a public code; intact means the stored content still matches its hash."""
    cert = Certificate.objects.filter(code=(code or "").strip().upper()).first()
    if cert is None:
        return None, False
    return cert, content_hash(cert.content) == cert.content_hash


def certificate_pdf(*, certificate: Certificate, verify_url: str) -> bytes:
    html = render_to_string("volunteering/certificate_pdf.html", {
        "c": certificate.content, "cert": certificate, "verify_url": verify_url,
        "qr": tokens.qr_data_uri(verify_url, scale=3)})
    return HTML(string=html).write_pdf()
