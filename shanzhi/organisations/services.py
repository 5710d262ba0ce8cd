"""Every write to the organisation registry."""

from __future__ import annotations

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shanzhi.audit.services import audit_log
from shanzhi.cases.models import HandlingBodyMember
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import require
from shanzhi.core.writes import create_audited
from shanzhi.registry.validators import normalise_uscc

from .choices import GRADE_INDICATORS, CreditSource, IncubationStage, OrgKind, grade_for
from .models import CreditRecord, GradeAssessment, Incubation, Inspection, Organisation, OrgMember
from .permissions import GRADE, MANAGE, REGISTER
from .workflow import WORKFLOW


@transaction.atomic
def organisation_register(*, actor, region_code: str, name: str, kind: str, legal_rep: str, uscc: str = "",
                          service_area: str = "", contact_name: str = "", address: str = "", registered_on=None,
                          communities=()) -> Organisation:
    require(actor, REGISTER.action, region_code)
    code = normalise_uscc(uscc)
    if not code and kind != OrgKind.COMMUNITY_FILED:
        raise ServiceError(_("登记的社会组织须填写统一社会信用代码（仅备案的社区社会组织可以不填）"), field="uscc")
    if code and Organisation.objects.filter(uscc=code).exists():
        raise ServiceError(_("统一社会信用代码 %(code)s 已登记") % {"code": code}, field="uscc")
    org = create_audited(Organisation, actor=actor, action="organisations.register",
                         audit_after={"name": name, "kind": kind}, region_code=region_code, name=name.strip(),
                         uscc=code or None, kind=kind, legal_rep=legal_rep.strip(), service_area=service_area.strip(),
                         contact_name=contact_name.strip(), address=address.strip(), registered_on=registered_on,
                         duplicate_message=_("统一社会信用代码已登记"), duplicate_field="uscc")
    if communities:
        org.service_communities.set(communities)
    return org


@transaction.atomic
def member_add(*, actor, organisation: Organisation, name: str, position: str = "", qualification: str = "",
               certificate_no: str = "", certificate_expiry=None, user=None) -> OrgMember:
    require(actor, MANAGE.action, organisation)
    if qualification and not (certificate_no and certificate_expiry):
        raise ServiceError(_("持社工资格的人员须填写证书编号和有效期"), field="certificate_no")
    member = create_audited(OrgMember, actor=actor, action="organisations.member_add",
                            audit_after={"organisation": organisation.pk, "qualification": qualification},
                            organisation=organisation, region_code=organisation.region_code, name=name.strip(),
                            position=position.strip(), qualification=qualification, certificate_no=certificate_no,
                            certificate_expiry=certificate_expiry, user=user,
                            duplicate_message=_("该账号已是本组织人员"), duplicate_field="user")
    if user is not None and organisation.body_id:  # they answer the complaints dispatched to the organisation
        HandlingBodyMember.objects.get_or_create(body_id=organisation.body_id, user=user)
    return member


@transaction.atomic
def incubation_record(*, actor, organisation: Organisation, stage: str, mentor: str, started_on,
                      note: str = "") -> Incubation:
    """Enter a stage of 孵化: the previous stage ends the day this one starts."""
    require(actor, MANAGE.action, organisation)
    if stage not in IncubationStage.values or not stage:
        raise ServiceError(_("请选择孵化阶段"), field="stage")
    Incubation.objects.filter(organisation=organisation, ended_on__isnull=True).update(ended_on=started_on)
    row = create_audited(Incubation, actor=actor, action="organisations.incubation", organisation=organisation,
                         region_code=organisation.region_code, stage=stage, mentor=mentor.strip(),
                         started_on=started_on, note=note.strip())
    Organisation.objects.filter(pk=organisation.pk).update(incubation_stage=stage, version=F("version") + 1)
    organisation.incubation_stage = stage
    return row


@transaction.atomic
def inspection_record(*, actor, organisation: Organisation, year: int, result: str, note: str = "") -> Inspection:
    require(actor, MANAGE.action, organisation)
    row = create_audited(Inspection, actor=actor, action="organisations.inspection", organisation=organisation,
                         region_code=organisation.region_code, year=year, result=result, note=note.strip(),
                         recorded_by=actor, duplicate_message=_("%(year)s 年度的年检已登记") % {"year": year},
                         duplicate_field="year")
    if result == "fail":
        credit_record(actor=actor, organisation=organisation, source=CreditSource.INSPECTION, delta=-10,
                      reason=_("%(year)s 年度年检不合格") % {"year": year}, reference=f"inspection:{row.pk}")
    return row


def _scores(scores: dict) -> dict:
    clean = {}
    for key, label, top in GRADE_INDICATORS:
        raw = scores.get(key)
        try:
            value = Decimal(str(raw))
        except Exception:
            raise ServiceError(_("请为“%(label)s”打分") % {"label": label}, field=key) from None
        if value < 0 or value > top:
            raise ServiceError(_("“%(label)s”的得分须在 0–%(max)s 之间") % {"label": label, "max": top}, field=key)
        clean[key] = float(value)
    return clean


@transaction.atomic
def grade_assess(*, actor, organisation: Organisation, scores: dict, comment: str = "") -> GradeAssessment:
    """等级评估: score the indicator form; the total sets the organisation's grade (1A–5A, 0 below 50)."""
    require(actor, GRADE.action, organisation)
    clean = _scores(scores)
    total = Decimal(str(sum(clean.values()))).quantize(Decimal("0.1"))
    # results of the organisation's projects feed the grade: credit below 80 costs a grade
    grade = grade_for(float(total))
    current = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if grade and current.credit_score < 80:
        grade -= 1
    row = create_audited(GradeAssessment, actor=actor, action="organisations.grade", organisation=organisation,
                         region_code=organisation.region_code, assessor=actor, scores=clean, total=total,
                         grade=grade, comment=comment.strip())
    Organisation.objects.filter(pk=organisation.pk).update(grade=grade, version=F("version") + 1)
    organisation.grade = grade
    return row


def credit_record(*, actor, organisation: Organisation, source: str, delta: int, reason: str,
                  reference: str = "") -> CreditRecord | None:
    """One change of the credit score; a repeat with the same reference is ignored (returns None)."""
    try:
        with transaction.atomic():
            row = CreditRecord.objects.create(organisation=organisation, region_code=organisation.region_code,
                                              source=source, delta=int(delta), reason=reason[:200],
                                              reference=reference)
    except IntegrityError:
        return None
    Organisation.objects.filter(pk=organisation.pk).update(credit_score=F("credit_score") + int(delta))
    audit_log(actor=actor, action="organisations.credit", obj=organisation, after={"delta": delta, "source": source},
              reason=reason[:200])
    return row


@transaction.atomic
def credit_manual(*, actor, organisation: Organisation, source: str, delta: int, reason: str,
                  reference: str = "") -> CreditRecord:
    """A verified complaint or a manager's record on the credit score; a reference is counted once."""
    require(actor, MANAGE.action, organisation)
    if source not in (CreditSource.COMPLAINT, CreditSource.MANUAL):
        raise ServiceError(_("请选择来源"), field="source")
    if not reason.strip():
        raise ServiceError(_("请填写原因"), field="reason")
    row = credit_record(actor=actor, organisation=organisation, source=source, delta=delta, reason=reason.strip(),
                        reference=reference.strip())
    if row is None:
        raise ServiceError(_("该关联已记录过信用"), field="reference")
    return row


@transaction.atomic
def organisation_transition(*, actor, organisation: Organisation, action: str, reason: str = "") -> Organisation:
    require(actor, MANAGE.action, organisation)
    return WORKFLOW.apply(obj=organisation, actor=actor, action=action, data={"reason": reason})
