"""Every write of 项目化: needs, programmes, calls, applications and review, contracts, deliverables, payments on
the money ledger, progress, beneficiaries, casework, activities, evaluation, and disclosure on 阳光五务."""

from __future__ import annotations

import hashlib
import hmac
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from shanzhi.audit.services import audit_log
from shanzhi.cases.photos import clean_photo
from shanzhi.consultation.choices import EvaluationKind
from shanzhi.consultation.services import evaluation_create
from shanzhi.consultation.workflow import evaluation_results
from shanzhi.core.errors import ServiceError
from shanzhi.core.permissions import PermissionDenied, allows, require
from shanzhi.core.uploads import upload_store
from shanzhi.core.writes import create_audited, versioned_update
from shanzhi.disclosure import services as disclosure
from shanzhi.organisations.choices import CreditSource, OrgStatus
from shanzhi.organisations.models import Organisation, OrgMember
from shanzhi.organisations.services import credit_record
from shanzhi.volunteering.services import activity_create

from . import money
from .choices import (
    DEFAULT_FORM,
    EVALUATION_CRITERIA,
    REVIEW_CRITERIA,
    AppState,
    CallState,
    DeliverableState,
    Determination,
    PaymentState,
)
from .models import (
    Application,
    Beneficiary,
    Call,
    CaseworkHours,
    Evaluation,
    Milestone,
    Need,
    Payment,
    Programme,
    ProgressReport,
    Project,
    ProjectActivity,
    ReviewAssignment,
)
from .permissions import ACCEPT, ACTIVITY, APPLY, ASSESS, BENEFICIARY, DELIVER, MANAGE, NEED, PROGRAMME
from .workflow import APPLICATION, MILESTONE, PAYMENT, PROJECT

PHOTO_MAX = 8 * 1024 * 1024


def _insufficient(e: ServiceError) -> bool:
    """Whether the ledger refused a debit for want of balance (amounts are checked positive before, so a refusal
    on the ledger's amount field is that one)."""
    return getattr(e, "field", None) == "amount"


def _fen(value, field: str) -> int:
    try:
        fen = int(value)
    except (TypeError, ValueError):
        raise ServiceError(_("金额须为整数（分）"), field=field) from None
    if fen <= 0:
        raise ServiceError(_("金额必须大于零"), field=field)
    return fen


# --- needs, programmes and calls ---------------------------------------------------------------------------

@transaction.atomic
def need_raise(*, actor, community_code: str, title: str, description: str = "") -> Need:
    require(actor, NEED.action, community_code)
    if not title.strip():
        raise ServiceError(_("请填写需求"), field="title")
    return create_audited(Need, actor=actor, action="projects.need_raise", region_code=community_code,
                          title=title.strip(), description=description.strip(), raised_by=actor)


@transaction.atomic
def programme_create(*, actor, region_code: str, name: str, kind: str, year: int, budget_fen: int) -> Programme:
    """A funding programme; its budget is appropriated onto the money ledger at once."""
    require(actor, PROGRAMME.action, region_code)
    programme = create_audited(Programme, actor=actor, action="projects.programme_create", region_code=region_code,
                               name=name.strip(), kind=kind, year=year,
                               budget_fen=_fen(budget_fen, "budget_fen"), owner=actor)
    money.appropriate(actor=actor, programme=programme)
    return programme


def _check_form(form: list) -> list:
    clean = []
    for i, field in enumerate(form or []):
        name = str(field.get("name", "")).strip()
        label = str(field.get("label", "")).strip()
        if not name.isidentifier() or not label:
            raise ServiceError(_("申报表第 %(row)s 个字段须有英文名和中文标题") % {"row": i + 1}, field="form")
        clean.append({"name": name, "label": label, "required": bool(field.get("required"))})
    return clean


@transaction.atomic
def call_open(*, actor, programme: Programme, title: str, opens_on, closes_on, max_amount_fen: int,
              description: str = "", min_grade: int = 0, kinds=(), communities=(), form=None, needs=()) -> Call:
    require(actor, PROGRAMME.action, programme)
    if closes_on < opens_on:
        raise ServiceError(_("截止日期不能早于开始日期"), field="closes_on")
    call = create_audited(Call, actor=actor, action="projects.call_open", region_code=programme.region_code,
                          programme=programme, title=title.strip(), description=description.strip(),
                          opens_on=opens_on, closes_on=closes_on, min_grade=int(min_grade or 0), kinds=list(kinds),
                          communities=list(communities), max_amount_fen=_fen(max_amount_fen, "max_amount_fen"),
                          form=_check_form(DEFAULT_FORM if form is None else form))
    if needs:
        call.needs.set(needs)
    return call


@transaction.atomic
def call_form_update(*, actor, call: Call, form: list, expected_version: int) -> Call:
    """Change a call's application questions while nobody has applied yet (an application answers the questions
    it was shown; they are not rewritten under it)."""
    require(actor, PROGRAMME.action, call.programme)
    if call.applications.exists():
        raise ServiceError(_("已有组织申报，不能再修改申报表"), field="form_fields")
    if not form:
        raise ServiceError(_("请至少保留一个问题"), field="form_fields")
    return versioned_update(call, expected_version, actor=actor, action="projects.call_form_update",
                            form=_check_form(form))


def eligibility(call: Call, organisation: Organisation, community_code: str, today=None) -> tuple[bool, str]:
    """Whether the organisation may apply to the call for that community, and why not."""
    today = today or timezone.localdate()
    checks = [
        (call.state == CallState.OPEN and call.opens_on <= today <= call.closes_on, _("该征集不在申报期内")),
        (organisation.status == OrgStatus.ACTIVE, _("组织状态不是“正常”，不能申报")),
        (organisation.grade >= call.min_grade,
         _("该征集要求 %(grade)sA 及以上等级") % {"grade": call.min_grade}),
        (not call.kinds or organisation.kind in call.kinds, _("该征集不接受此类型的组织")),
        (not call.communities or any(community_code.startswith(c) for c in call.communities),
         _("所选社区不在该征集的服务范围内")),
        (community_code.startswith(call.region_code), _("所选社区不在资金项目的辖区内")),
    ]
    for ok, reason in checks:
        if not ok:
            return False, reason
    return True, ""


def _budget_lines(lines, amount_fen: int) -> list:
    clean = []
    for i, line in enumerate(lines or []):
        item = str(line.get("item", "")).strip()
        if not item:
            raise ServiceError(_("预算第 %(row)s 行缺少科目") % {"row": i + 1}, field="budget_lines")
        clean.append({"item": item[:60], "amount_fen": _fen(line.get("amount_fen"), "budget_lines")})
    if not clean:
        raise ServiceError(_("请至少填写一行预算"), field="budget_lines")
    if sum(line["amount_fen"] for line in clean) != amount_fen:
        raise ServiceError(_("预算明细合计须等于申请金额"), field="budget_lines")
    return clean


def _answers(call: Call, answers: dict) -> dict:
    clean = {}
    for field in call.form:
        value = str((answers or {}).get(field["name"], "")).strip()
        if field.get("required") and not value:
            raise ServiceError(_("请填写“%(label)s”") % {"label": field["label"]}, field=field["name"])
        clean[field["name"]] = value[:2000]
    return clean


@transaction.atomic
def application_submit(*, actor, call: Call, organisation: Organisation, community_code: str, title: str,
                       objectives: str, activities: str, budget_lines, amount_fen: int, target_beneficiaries: int,
                       answers: dict | None = None, needs=(), topic_ref: str = "") -> Application:
    require(actor, APPLY.action, organisation)
    ok, reason = eligibility(call, organisation, community_code)
    if not ok:
        raise ServiceError(reason)
    amount = _fen(amount_fen, "amount_fen")
    if amount > call.max_amount_fen:
        raise ServiceError(_("申请金额超过单个项目上限 %(max)s 元") % {"max": money.yuan(call.max_amount_fen)},
                           field="amount_fen")
    app = create_audited(Application, actor=actor, action="projects.application_submit",
                         audit_after={"call": call.pk, "organisation": organisation.pk, "amount_fen": amount},
                         call=call, organisation=organisation, region_code=community_code, title=title.strip(),
                         objectives=objectives.strip(), activities=activities.strip(),
                         budget_lines=_budget_lines(budget_lines, amount), amount_fen=amount,
                         target_beneficiaries=int(target_beneficiaries or 0), answers=_answers(call, answers or {}),
                         topic_ref=topic_ref.strip(), submitted_by=actor)
    if needs:
        app.needs.set([n for n in needs if n in set(call.needs.all())] or needs)
    return app


# --- review ---------------------------------------------------------------------------------------------

@transaction.atomic
def reviewers_assign(*, actor, application: Application, reviewers) -> list[ReviewAssignment]:
    require(actor, MANAGE.action, application)
    rows = []
    for reviewer in reviewers:
        row, _created = ReviewAssignment.objects.get_or_create(
            application=application, reviewer=reviewer, defaults={"region_code": application.region_code})
        rows.append(row)
    if application.state == AppState.SUBMITTED:
        APPLICATION.apply(obj=application, actor=actor, action="start_review")
        application.refresh_from_db()
    audit_log(actor=actor, action="projects.reviewers_assign", obj=application,
              after={"reviewers": [r.pk for r in reviewers]})
    return rows


def _own_review(actor, review: ReviewAssignment) -> ReviewAssignment:
    if review.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能填写指派给您本人的评审"))
    current = ReviewAssignment.objects.select_for_update().get(pk=review.pk)
    if current.application.state != AppState.REVIEWING:
        raise ServiceError(_("该申报不在评审中"))
    return current


@transaction.atomic
def review_declare(*, actor, review: ReviewAssignment, conflict: bool, note: str = "") -> ReviewAssignment:
    """Declare a conflict of interest (or none) before seeing the scoring form; a conflict ends the review."""
    current = _own_review(actor, review)
    if current.conflict is not None:
        raise ServiceError(_("已声明过利益冲突"))
    if conflict and not note.strip():
        raise ServiceError(_("请说明利益冲突的情况"), field="conflict_note")
    ReviewAssignment.objects.filter(pk=current.pk).update(conflict=bool(conflict), conflict_note=note.strip()[:200])
    audit_log(actor=actor, action="projects.review_declare", obj=current.application,
              after={"review": current.pk, "conflict": bool(conflict)})
    current.conflict, current.conflict_note = bool(conflict), note.strip()[:200]
    return current


def score_form(criteria, scores: dict) -> tuple[dict, Decimal]:
    clean = {}
    for key, label, top in criteria:
        try:
            value = Decimal(str(scores.get(key, "")).strip())
        except Exception:
            raise ServiceError(_("请为“%(label)s”打分") % {"label": label}, field=key) from None
        if not (0 <= value <= top):
            raise ServiceError(_("“%(label)s”的得分须在 0–%(max)s 之间") % {"label": label, "max": top}, field=key)
        clean[key] = float(value)
    return clean, Decimal(str(sum(clean.values()))).quantize(Decimal("0.1"))


@transaction.atomic
def review_submit(*, actor, review: ReviewAssignment, scores: dict, comment: str) -> ReviewAssignment:
    current = _own_review(actor, review)
    if current.conflict is None:
        raise ServiceError(_("请先声明是否存在利益冲突"))
    if current.conflict:
        raise ServiceError(_("已声明利益冲突，不能评分"))
    if current.submitted_at:
        raise ServiceError(_("评审已提交"))
    if not comment.strip():
        raise ServiceError(_("请填写评审意见"), field="comment")
    clean, total = score_form(REVIEW_CRITERIA, scores)
    now = timezone.now()
    ReviewAssignment.objects.filter(pk=current.pk).update(scores=clean, total=total, comment=comment.strip(),
                                                          submitted_at=now)
    audit_log(actor=actor, action="projects.review_submit", obj=current.application, after={"total": str(total)})
    current.scores, current.total, current.comment, current.submitted_at = clean, total, comment.strip(), now
    return current


def _rank_call(call: Call) -> None:
    """Rank the call's scored applications by average, best first (ties share a rank)."""
    scored = list(Application.objects.filter(call=call, average__isnull=False).order_by("-average", "pk")
                  .values_list("pk", "average"))
    rank, previous = 0, None
    for i, (pk, avg) in enumerate(scored, start=1):
        if avg != previous:
            rank, previous = i, avg
        Application.objects.filter(pk=pk).update(rank=rank)


def application_score(application: Application) -> Decimal | None:
    totals = [r.total for r in application.reviews.filter(conflict=False, submitted_at__isnull=False)]
    if not totals:
        return None
    return (sum(totals) / len(totals)).quantize(Decimal("0.1"))


@transaction.atomic
def application_determine(*, actor, application: Application, decision: str, reason: str) -> Application:
    """The determination: average of the reviewers without a conflict, rank in the call, then the decision."""
    require(actor, MANAGE.action, application)
    if decision not in Determination.values:
        raise ServiceError(_("请选择决定"), field="decision")
    action = {"approve": "approve", "approve_changes": "approve_changes", "reject": "reject"}[decision]
    average = application_score(application)
    if decision != Determination.REJECT and average is None:
        raise ServiceError(_("至少需要一位无利益冲突的评审人提交评分后才能立项"))
    pending = application.reviews.filter(conflict=False, submitted_at__isnull=True).exists() or \
        application.reviews.filter(conflict__isnull=True).exists()
    if decision != Determination.REJECT and pending:
        raise ServiceError(_("还有评审人未提交评分或未声明利益冲突"))
    Application.objects.filter(pk=application.pk).update(average=average)
    result = APPLICATION.apply(obj=application, actor=actor, action=action, data={"reason": reason})
    _rank_call(application.call)
    return result


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    require(actor, APPLY.action, application)
    return APPLICATION.apply(obj=application, actor=actor, action="withdraw", data={"reason": reason})


# --- contracts and milestones ---------------------------------------------------------------------------

def _milestones(rows, amount: int) -> list[dict]:
    clean = []
    for i, row in enumerate(rows or [], start=1):
        if not str(row.get("title", "")).strip() or not str(row.get("deliverable", "")).strip():
            raise ServiceError(_("第 %(row)s 个里程碑须写明名称和交付物") % {"row": i}, field="milestones")
        if not row.get("due_on"):
            raise ServiceError(_("第 %(row)s 个里程碑须写明计划完成日期") % {"row": i}, field="milestones")
        clean.append({"seq": i, "title": str(row["title"]).strip()[:100],
                      "deliverable": str(row["deliverable"]).strip()[:200], "due_on": row["due_on"],
                      "instalment_fen": _fen(row.get("instalment_fen"), "milestones")})
    if not clean:
        raise ServiceError(_("合同至少需要一个里程碑"), field="milestones")
    if sum(r["instalment_fen"] for r in clean) != amount:
        raise ServiceError(_("各期拨款合计须等于合同金额"), field="milestones")
    return clean


@transaction.atomic
def contract_sign(*, actor, application: Application, contract_no: str, starts_on, ends_on, milestones,
                  amount_fen: int | None = None) -> Project:
    """Sign the contract of an approved application: the amount moves from the programme's budget to the
    project's account (refused when the programme has not enough left), and the funded project goes to
    阳光五务 for review."""
    require(actor, MANAGE.action, application)
    if application.state not in (AppState.APPROVED, AppState.APPROVED_CHANGES):
        raise ServiceError(_("只有已立项的申报可以签订合同"))
    if Project.objects.filter(application=application).exists():
        raise ServiceError(_("该申报已签订合同"))
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期"), field="ends_on")
    amount = _fen(amount_fen or application.amount_fen, "amount_fen")
    if amount > application.amount_fen and application.state == AppState.APPROVED:
        raise ServiceError(_("合同金额不能超过申请金额"), field="amount_fen")
    rows = _milestones(milestones, amount)
    programme = application.call.programme
    APPLICATION.apply(obj=application, actor=actor, action="contract", data={"reason": contract_no})
    project = create_audited(Project, actor=actor, action="projects.contract_sign",
                             audit_after={"application": application.pk, "amount_fen": amount},
                             application=application, programme=programme, organisation=application.organisation,
                             region_code=application.region_code, title=application.title, kind=programme.kind,
                             contract_no=contract_no.strip(), amount_fen=amount, starts_on=starts_on, ends_on=ends_on,
                             signed_by=actor, duplicate_message=_("合同编号已存在"), duplicate_field="contract_no")
    Milestone.objects.bulk_create([Milestone(project=project, region_code=project.region_code, **r) for r in rows])
    try:
        money.commit(actor=actor, project=project)
    except ServiceError as e:
        if _insufficient(e):
            raise ServiceError(_("资金项目“%(name)s”预算余额不足，不能签订 %(amount)s 元的合同") % {
                "name": programme.name, "amount": money.yuan(amount)}, field="amount_fen") from None
        raise
    _disclose_project(actor=actor, project=project)
    return project


def _disclose(*, actor, project: Project, category: str, title: str, body: str, lines=()) -> bool:
    """Put an entry on the community's 阳光五务 and submit it; a second person's review publishes it."""
    community = project.region_code[:12]
    if not allows(actor, "disclosure.edit", community):
        return False
    entry = disclosure.entry_create(actor=actor, community_code=community, category=category, title=title[:120],
                                    body=body, period=str(timezone.localdate().year))
    for date, amount, summary in lines:
        disclosure.ledger_line_add(actor=actor, entry=entry, date=date, direction="expense",
                                   amount=Decimal(amount) / 100, summary=summary[:120])
    entry.refresh_from_db()
    disclosure.entry_transition(actor=actor, entry=entry, action="submit")
    return True


def _disclose_project(*, actor, project: Project) -> None:
    body = _("承接组织：%(org)s\n资助方式：%(kind)s\n合同金额：%(amount)s 元\n实施期：%(start)s 至 %(end)s") % {
        "org": project.organisation.name, "kind": project.get_kind_display(), "amount": money.yuan(project.amount_fen),
        "start": project.starts_on, "end": project.ends_on}
    if _disclose(actor=actor, project=project, category="services",
                 title=_("惠民项目：%(title)s") % {"title": project.title}, body=body):
        Project.objects.filter(pk=project.pk).update(disclosed=True)
        project.disclosed = True


@transaction.atomic
def project_start(*, actor, project: Project) -> Project:
    if not (allows(actor, DELIVER.action, project) or allows(actor, ACCEPT.action, project)):
        raise PermissionDenied(str(DELIVER.reason))
    return PROJECT.apply(obj=project, actor=actor, action="start")


FILES_ROOT = "project_files"  # kept for good, unlike imports' uploads (core.uploads)


def _attach(upload, field: str, *, photo: bool = False) -> tuple[str, str]:
    """Keep an invoice, deliverable or photo encrypted at rest; a photo is checked and re-encoded without EXIF
    (so never where it was taken) by the cases' photo checks first."""
    if not upload:
        return "", ""
    if photo:
        upload, _stripped = clean_photo(upload, strip_location=True)
    data = upload.read(PHOTO_MAX + 1)
    if len(data) > PHOTO_MAX:
        raise ServiceError(_("文件不能超过 8 MB"), field=field)
    name = getattr(upload, "name", "file")[-120:]
    return upload_store(data, name, tag="projects", root=FILES_ROOT), name


@transaction.atomic
def milestone_submit(*, actor, milestone: Milestone, report: str, attachment=None) -> Milestone:
    require(actor, DELIVER.action, milestone.project)
    file_id, name = _attach(attachment, "attachment")
    extra = {"attachment": file_id, "attachment_name": name} if file_id else {}
    return MILESTONE.apply(obj=milestone, actor=actor, action="submit", data={"report": report.strip()},
                           extra_updates=extra)


@transaction.atomic
def milestone_review(*, actor, milestone: Milestone, accept: bool, note: str = "") -> Milestone:
    require(actor, ACCEPT.action, milestone.project)
    return MILESTONE.apply(obj=milestone, actor=actor, action="accept" if accept else "return", data={"reason": note})


# --- payments on the ledger --------------------------------------------------------------------------------

@transaction.atomic
def payment_request(*, actor, milestone: Milestone, invoice=None) -> Payment:
    """Ask for a milestone's instalment, only once its deliverable is accepted; invoice or receipt attached."""
    project = milestone.project
    require(actor, DELIVER.action, project)
    if not Milestone.objects.filter(pk=milestone.pk, state=DeliverableState.ACCEPTED).exists():
        raise ServiceError(_("交付物验收通过后才能申请拨付"))
    if Payment.objects.filter(milestone=milestone).exclude(state=PaymentState.REFUSED).exists():
        raise ServiceError(_("该期拨款已申请"))
    file_id, name = _attach(invoice, "invoice")
    return create_audited(Payment, actor=actor, action="projects.payment_request",
                          audit_after={"milestone": milestone.pk, "amount_fen": milestone.instalment_fen},
                          project=project, milestone=milestone, region_code=project.region_code,
                          amount_fen=milestone.instalment_fen, invoice=file_id, invoice_name=name,
                          requested_by=actor)


@transaction.atomic
def payment_release(*, actor, payment: Payment) -> Payment:
    """Release an instalment: state, ledger transfer (project → organisation, refused past the contract's
    remaining amount) and the project's paid total move together or not at all; then 阳光五务 (财务)."""
    require(actor, MANAGE.action, payment)
    if not Milestone.objects.filter(pk=payment.milestone_id, state=DeliverableState.ACCEPTED).exists():
        raise ServiceError(_("交付物未验收，不能拨付"))
    released = PAYMENT.apply(obj=payment, actor=actor, action="release")
    try:
        transfer = money.pay(actor=actor, payment=payment)
    except ServiceError as e:
        if _insufficient(e):
            raise ServiceError(_("合同余额不足：不能再拨付 %(amount)s 元") % {"amount": money.yuan(payment.amount_fen)},
                               code="insufficient") from None
        raise
    n = Project.objects.filter(pk=payment.project_id, paid_fen__lte=F("amount_fen") - payment.amount_fen).update(
        paid_fen=F("paid_fen") + payment.amount_fen, version=F("version") + 1)
    if n != 1:
        raise ServiceError(_("合同余额不足：不能再拨付 %(amount)s 元") % {"amount": money.yuan(payment.amount_fen)},
                           code="insufficient")
    Payment.objects.filter(pk=payment.pk).update(transfer=transfer)
    released.transfer = transfer
    project = payment.project
    _disclose(actor=actor, project=project, category="finance",
              title=_("项目拨款：%(title)s 第%(seq)s期") % {"title": project.title, "seq": payment.milestone.seq},
              body=_("承接组织：%(org)s；合同 %(no)s") % {"org": project.organisation.name, "no": project.contract_no},
              lines=[(timezone.localdate(), payment.amount_fen,
                      _("%(org)s 项目拨款") % {"org": project.organisation.name})])
    return released


@transaction.atomic
def payment_refuse(*, actor, payment: Payment, reason: str) -> Payment:
    require(actor, MANAGE.action, payment)
    return PAYMENT.apply(obj=payment, actor=actor, action="refuse", data={"reason": reason})


# --- delivery --------------------------------------------------------------------------------------------

@transaction.atomic
def progress_report(*, actor, project: Project, text: str, photo=None) -> ProgressReport:
    require(actor, DELIVER.action, project)
    if not text.strip():
        raise ServiceError(_("请填写进展"), field="text")
    file_id, _name = _attach(photo, "photo", photo=True)
    return create_audited(ProgressReport, actor=actor, action="projects.progress_report", audit_after={},
                          project=project, region_code=project.region_code, text=text.strip(), photo=file_id,
                          author=actor)


def pseudonym(organisation_id: int, person_id: int) -> str:
    """The same person is the same number within one organisation, and a different one in another."""
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, f"beneficiary:{organisation_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "B" + digest[:12].upper()


@transaction.atomic
def beneficiary_link(*, actor, project: Project, person, served_on=None) -> Beneficiary:
    """Community staff link a registry person to a project; the organisation sees only the pseudonym."""
    require(actor, BENEFICIARY.action, person)
    require(actor, BENEFICIARY.action, project)
    ref = pseudonym(project.organisation_id, person.pk)
    served_on = served_on or timezone.localdate()
    row, created = Beneficiary.objects.get_or_create(
        project=project, pseudonym=ref,
        defaults={"region_code": project.region_code, "services": 1, "last_served_on": served_on})
    if created:
        Project.objects.filter(pk=project.pk).update(beneficiaries=F("beneficiaries") + 1)
    else:
        Beneficiary.objects.filter(pk=row.pk).update(services=F("services") + 1, last_served_on=served_on)
    audit_log(actor=actor, action="projects.beneficiary_link", obj=project, after={"pseudonym": ref})
    return row


@transaction.atomic
def casework_log(*, actor, project: Project, worker: OrgMember, day, hours, note: str = "") -> CaseworkHours:
    require(actor, DELIVER.action, project)
    if worker.organisation_id != project.organisation_id or not worker.qualification:
        raise ServiceError(_("只能登记本组织持证社工的个案服务时长"), field="worker")
    return create_audited(CaseworkHours, actor=actor, action="projects.casework_log",
                          audit_after={"hours": str(hours)}, project=project, region_code=project.region_code,
                          worker=worker, day=day, hours=Decimal(str(hours)), note=note.strip())


@transaction.atomic
def project_activity(*, actor, project: Project, title: str, place: str, starts_at, ends_at, slots: int,
                     points_per_hour: int = 10, description: str = "") -> ProjectActivity:
    """A volunteer activity under the project, created through volunteering (same sign-up pages and points)."""
    require(actor, ACTIVITY.action, project)
    activity = activity_create(actor=actor, region_code=project.region_code, title=title, place=place,
                               starts_at=starts_at, ends_at=ends_at, slots=slots, points_per_hour=points_per_hour,
                               description=description or _("项目“%(t)s”的志愿活动") % {"t": project.title})
    return create_audited(ProjectActivity, actor=actor, action="projects.activity", audit_after={},
                          project=project, activity=activity, region_code=project.region_code)


# --- evaluation --------------------------------------------------------------------------------------------

@transaction.atomic
def evaluation_assign(*, actor, project: Project, kind: str, assessor) -> Evaluation:
    require(actor, MANAGE.action, project)
    try:
        with transaction.atomic():
            return create_audited(Evaluation, actor=actor, action="projects.evaluation_assign",
                                  audit_after={"kind": kind}, project=project, kind=kind, assessor=assessor,
                                  region_code=project.region_code)
    except ServiceError:
        raise ServiceError(_("该项目的此类评估已指派")) from None


SATISFACTION_ITEMS = (_l("服务内容满足需要"), _l("服务人员态度"), _l("服务带来的实际改变"))


@transaction.atomic
def satisfaction_survey_open(*, actor, project: Project, community_code: str) -> Project:
    """Open the residents' satisfaction survey of a project in one of the communities it serves, on consultation's
    anonymous evaluation ballot (one ballot per resident, 1–5 per item); the final evaluation reads its result."""
    require(actor, MANAGE.action, project)
    if project.satisfaction_survey_id:
        raise ServiceError(_("该项目已发起满意度测评"))
    if not community_code.startswith(project.region_code) or len(community_code) != 12:
        raise ServiceError(_("请选择项目服务范围内的社区"), field="community_code")
    survey = evaluation_create(actor=actor, region_code=community_code, kind=EvaluationKind.RESIDENTS_ON_SERVICE,
                               title=(_("“%(t)s”居民满意度测评") % {"t": project.title})[:120],
                               year=timezone.localdate().year, items=[str(i) for i in SATISFACTION_ITEMS])
    Project.objects.filter(pk=project.pk).update(satisfaction_survey=survey)
    audit_log(actor=actor, action="projects.satisfaction_survey_open", obj=project, after={"survey": survey.pk})
    project.refresh_from_db()
    return project


def survey_satisfaction(project: Project) -> tuple[Decimal | None, int]:
    """(satisfaction on 0–100, ballots): the survey's overall average of 1–5 scores as a share of 5."""
    if not project.satisfaction_survey_id:
        return None, 0
    results = evaluation_results(project.satisfaction_survey)
    if not results["ballots"]:
        return None, 0
    return (Decimal(str(results["overall"])) * 20).quantize(Decimal("0.1")), results["ballots"]


CREDIT_BANDS = [(90, 5), (75, 2), (60, 0)]


def _credit_delta(total: Decimal) -> int:
    for low, delta in CREDIT_BANDS:
        if total >= low:
            return delta
    return -10


@transaction.atomic
def evaluation_submit(*, actor, evaluation: Evaluation, scores: dict, comment: str,
                      satisfaction=None) -> Evaluation:
    """The assessor's scored form: moves the project on (中期/结项) and feeds the organisation's credit."""
    require(actor, ASSESS.action, evaluation)
    if evaluation.submitted_at:
        raise ServiceError(_("评估已提交"))
    if not comment.strip():
        raise ServiceError(_("请填写评估意见"), field="comment")
    clean, total = score_form(EVALUATION_CRITERIA, scores)
    # the residents' own answers when the project asked them; a typed figure (a paper survey's result) otherwise
    sat, _ballots = survey_satisfaction(evaluation.project)
    if sat is None and satisfaction not in (None, ""):
        sat = Decimal(str(satisfaction))
    if sat is not None and not (0 <= sat <= 100):
        raise ServiceError(_("满意度须在 0–100 之间"), field="satisfaction")
    n = Evaluation.objects.filter(pk=evaluation.pk, submitted_at__isnull=True).update(
        scores=clean, total=total, comment=comment.strip(), satisfaction=sat, submitted_at=timezone.now())
    if n != 1:
        raise ServiceError(_("评估已提交"))
    project = Project.objects.get(pk=evaluation.project_id)
    PROJECT.apply(obj=project, actor=actor, action="midterm" if evaluation.kind == "midterm" else "final",
                  data={"reason": _("评估得分 %(t)s") % {"t": total}})
    if evaluation.kind == "final":
        credit_record(actor=actor, organisation=project.organisation, source=CreditSource.EVALUATION,
                      delta=_credit_delta(total), reason=_("项目“%(t)s”结项评估 %(s)s 分") % {
                          "t": project.title, "s": total}, reference=f"project:{project.pk}")
    evaluation.refresh_from_db()
    return evaluation


@transaction.atomic
def project_transition(*, actor, project: Project, action: str, reason: str = "") -> Project:
    require(actor, MANAGE.action, project)
    return PROJECT.apply(obj=project, actor=actor, action=action, data={"reason": reason})

