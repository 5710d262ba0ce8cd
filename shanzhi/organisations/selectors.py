"""Every read of the organisation registry, with the actor (public reads say so in their name)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import QuerySet

from .choices import OrgStatus
from .models import CreditRecord, GradeAssessment, Incubation, Inspection, Organisation, OrgMember


def organisation_list(*, actor, status: str = "", kind: str = "") -> QuerySet[Organisation]:
    qs = Organisation.objects.restrict(actor, "view")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name", "id")


def my_organisations(*, actor) -> QuerySet[Organisation]:
    """The organisations the actor works for (social_org_staff)."""
    return Organisation.objects.restrict(actor, "own").exclude(status=OrgStatus.DEREGISTERED).order_by("name")


def organisation_detail(*, actor, organisation: Organisation) -> dict:
    return {
        "members": list(OrgMember.objects.restrict(actor, "view").filter(organisation=organisation)),
        "incubations": list(Incubation.objects.restrict(actor, "view").filter(organisation=organisation)),
        "inspections": list(Inspection.objects.restrict(actor, "view").filter(organisation=organisation)),
        "assessments": list(GradeAssessment.objects.restrict(actor, "view").filter(organisation=organisation)
                            .select_related("assessor")[:10]),
        "credit": list(CreditRecord.objects.restrict(actor, "view").filter(organisation=organisation)[:20]),
    }


def expiring_certificates(*, actor, within_days: int = 60, today: date | None = None) -> QuerySet[OrgMember]:
    today = today or date.today()
    return (OrgMember.objects.restrict(actor, "view").filter(certificate_expiry__lte=today + timedelta(days=within_days))
            .select_related("organisation").order_by("certificate_expiry"))


def public_directory(*, kind: str = "") -> QuerySet[Organisation]:
    """The public directory: organisations not deregistered, with no personal data (names of bodies only)."""
    qs = Organisation.objects.exclude(status=OrgStatus.DEREGISTERED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.only("name", "kind", "uscc", "service_area", "grade", "status", "region_code", "incubation_stage",
                   "credit_score").order_by("-grade", "name")
