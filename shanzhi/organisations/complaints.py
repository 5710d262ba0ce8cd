"""Complaints about a social organisation's service, and the credit they move.

A resident served by the organisation files a complaint; it becomes a case in the 社会组织服务 category of the
resident's grid, marked with the organisation, and the community dispatches it (to the organisation's own handling
body, so its staff answer it, or elsewhere). When such a case is closed, `complaint_credit_sync` — run every hour —
writes one credit record per case (reference ``case:<pk>``, so never twice): a complaint found real and put right
in time costs 1 point, one put right late or not at all 3; a complaint closed as not the organisation's
responsibility or a duplicate costs nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from shanzhi.cases import choices as case_choices
from shanzhi.cases.choices import CLOSED_STATES
from shanzhi.cases.models import Case, Category, HandlingBody, HandlingBodyMember
from shanzhi.cases.services import case_create
from shanzhi.core.errors import ServiceError
from shanzhi.registry.models import Person

from .choices import CreditSource, OrgStatus
from .models import CreditRecord, Organisation
from .services import credit_record

CATEGORY = "social_org_service"
ON_TIME, LATE_OR_UNFIXED = -1, -3


def complaint_category() -> Category:
    category, _created = Category.objects.get_or_create(
        code=CATEGORY, defaults={"name": _("社会组织服务"), "handler_type": case_choices.HandlerType.SOCIAL_ORG,
                                 "is_public": True, "keywords": "社会组织 社工 服务项目 志愿",
                                 # filled by the complaint page; a case filed elsewhere may name it too
                                 "extra_fields": [{"code": "organisation", "label": "被投诉组织编号", "type": "number"}]})
    return category


def body_for(organisation: Organisation) -> HandlingBody:
    """The organisation's handling body, made on first use; its staff with accounts are its members."""
    if organisation.body_id:
        return organisation.body
    body = HandlingBody.objects.create(name=organisation.name[:100], kind=case_choices.HandlerType.SOCIAL_ORG,
                                       region_code=organisation.region_code)
    Organisation.objects.filter(pk=organisation.pk).update(body=body)
    organisation.body = body
    for user_id in organisation.members.exclude(user=None).values_list("user_id", flat=True):
        HandlingBodyMember.objects.get_or_create(body=body, user_id=user_id)
    return body


@transaction.atomic
def complaint_file(*, actor, organisation: Organisation, title: str, description: str) -> Case:
    """A resident's complaint about an organisation serving their community."""
    person = Person.objects.filter(user=actor).exclude(region_code="").first()
    if person is None or len(person.region_code) != 15:
        raise ServiceError(_("您的账号尚未关联到网格内的居民信息，请联系社区"))
    if organisation.status != OrgStatus.ACTIVE:
        raise ServiceError(_("该组织目前不在服务中"))
    serves = organisation.service_communities.filter(code=person.region_code[:12]).exists() or \
        person.region_code.startswith(organisation.region_code)
    if not serves:
        raise ServiceError(_("该组织不在您所在的社区提供服务"))
    body_for(organisation)
    return case_create(actor=actor, category=complaint_category(), channel=case_choices.Channel.RESIDENT,
                       title=title, description=description, region_code=person.region_code,
                       reporter_person=person, extra={"organisation": str(organisation.pk)})


def _delta(case: Case) -> int | None:
    if case.outcome == case_choices.Outcome.FIXED:
        return ON_TIME if case.completed_on_time else LATE_OR_UNFIXED
    if case.outcome == case_choices.Outcome.UNABLE_TO_FIX:
        return LATE_OR_UNFIXED
    return None  # not its responsibility, a duplicate, or rejected: the complaint did not hold


def complaint_credit_sync(*, actor=None, limit: int = 2000) -> int:
    """Credit records for closed complaints not yet counted; returns how many were written. The cases already
    counted are left out by the database (an anti-join on the reference), and the organisations of each chunk
    of cases are read in one query."""
    bodies = dict(Organisation.objects.exclude(body=None).values_list("body_id", "pk"))
    counted = CreditRecord.objects.filter(source=CreditSource.COMPLAINT, reference=OuterRef("ref"))
    cases = (Case.objects.filter(Q(category__code=CATEGORY) | Q(lead_body_id__in=list(bodies)),
                                 state__in=CLOSED_STATES)
             .exclude(outcome="").annotate(ref=Concat(Value("case:"), Cast("pk", CharField())))
             .exclude(Exists(counted))
             .only("pk", "outcome", "completed_on_time", "extra", "lead_body_id", "title")
             .order_by("pk"))
    written = 0
    chunk: list[Case] = []

    def run(chunk) -> int:
        # the body that handled it names the organisation best; the complaint page's mark otherwise
        org_of = {case.pk: bodies.get(case.lead_body_id) or (case.extra or {}).get("organisation") for case in chunk}
        ids = {int(v) for v in org_of.values() if str(v or "").isdigit()}
        organisations = Organisation.objects.in_bulk(list(ids)) if ids else {}
        done = 0
        for case in chunk:
            if written + done >= limit:
                break
            delta = _delta(case)
            org_id = org_of[case.pk]
            organisation = organisations.get(int(org_id)) if str(org_id or "").isdigit() else None
            if organisation is None or delta is None:
                continue
            with transaction.atomic():
                row = credit_record(actor=actor, organisation=organisation, source=CreditSource.COMPLAINT,
                                    delta=delta, reason=_("居民投诉（民情 %(no)s）经核实并办结") % {"no": case.pk},
                                    reference=f"case:{case.pk}")
            done += row is not None
        return done

    for case in cases.iterator(chunk_size=500):
        chunk.append(case)
        if len(chunk) == 500:
            written += run(chunk)
            chunk = []
            if written >= limit:
                return written
    return written + run(chunk)
