"""Every read of 项目化, with the actor; public reads (阳光 pages) say so in their name."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum

from shanzhi.core.scoping import prefix_q
from shanzhi.organisations.models import Organisation
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from .choices import AppState, PaymentState, ProjectState
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

FUNDED = [s for s in ProjectState.values if s != ProjectState.TERMINATED]


def need_list(*, actor) -> QuerySet[Need]:
    return Need.objects.restrict(actor, "view").order_by("-created_at", "-id")


def programme_list(*, actor) -> QuerySet[Programme]:
    return Programme.objects.restrict(actor, "view").select_related("owner").order_by("-year", "name")


def call_list(*, actor, open_only: bool = False) -> QuerySet[Call]:
    qs = Call.objects.restrict(actor, "view").select_related("programme")
    return qs.filter(state="open") if open_only else qs


OPEN_APPLICATIONS = [AppState.SUBMITTED, AppState.REVIEWING, AppState.APPROVED, AppState.APPROVED_CHANGES]


def application_list(*, actor, state: str = "", open_only: bool = False) -> QuerySet[Application]:
    """Applications in scope; `open_only`: those still waiting for review, a decision or a contract."""
    qs = Application.objects.restrict(actor, "view").select_related("organisation", "call")
    if open_only:
        qs = qs.filter(state__in=OPEN_APPLICATIONS)
    return qs.filter(state=state) if state else qs


def my_reviews(*, actor) -> QuerySet[ReviewAssignment]:
    return (ReviewAssignment.objects.restrict(actor, "review").filter(application__state=AppState.REVIEWING)
            .select_related("application"))


def my_evaluations(*, actor) -> QuerySet[Evaluation]:
    return Evaluation.objects.restrict(actor, "assess").filter(submitted_at__isnull=True).select_related("project")


def review_comments(*, application: Application) -> list[dict]:
    """What the applicant sees: each submitted review's scores and comment, never the reviewer."""
    rows = application.reviews.filter(conflict=False, submitted_at__isnull=False).order_by("pk")
    return [{"n": i, "total": r.total, "scores": r.scores, "comment": r.comment} for i, r in enumerate(rows, 1)]


def project_list(*, actor, state: str = "", kind: str = "") -> QuerySet[Project]:
    qs = Project.objects.restrict(actor, "view").select_related("organisation")
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-signed_at", "-id")


def project_detail(*, actor, project: Project) -> dict:
    def rows(model):
        return model.objects.restrict(actor, "view").filter(project=project)

    return {
        "milestones": list(rows(Milestone).order_by("seq")),
        "payments": list(rows(Payment).select_related("milestone")),
        "reports": list(rows(ProgressReport)[:20]),
        "beneficiaries": list(rows(Beneficiary).order_by("pseudonym")[:50]),
        "casework": list(rows(CaseworkHours).select_related("worker")[:50]),
        "activities": list(rows(ProjectActivity).select_related("activity")),
        "evaluations": list(Evaluation.objects.restrict(actor, "view").filter(project=project)
                            .select_related("assessor")),
    }


def _fold(rows, key) -> list[dict]:
    out: dict = {}
    for r in rows:
        d = out.setdefault(r[key], {key: r[key], "n": 0, "amount": 0, "paid": 0})
        d["n"] += r["n"]
        d["amount"] += r["amount"] or 0
        d["paid"] += r["paid"] or 0
    return [out[k] for k in sorted(out)]


def dashboard(*, actor) -> dict:
    """Projects by status, kind, community and organisation; money committed and paid; beneficiaries —
    computed over the actor's scope in three queries whatever the data: one grouped scan of the projects folded
    four ways, one grouping by organisation, and the names of the top organisations."""
    projects = Project.objects.restrict(actor, "view")
    rows = list(projects.values("state", "kind", "region_code").annotate(
        n=Count("id"), amount=Sum("amount_fen"), paid=Sum("paid_fen"), beneficiaries=Sum("beneficiaries"))
        .order_by())
    funded = [r for r in rows if r["state"] in FUNDED]
    by_org = list(projects.filter(state__in=FUNDED).values("organisation_id").annotate(
        n=Count("id"), amount=Sum("amount_fen")).order_by("-amount", "organisation_id")[:20])
    names = dict(Organisation.objects.filter(pk__in=[r["organisation_id"] for r in by_org]).values_list("pk", "name"))
    for r in by_org:
        r["organisation__name"] = names.get(r["organisation_id"], "")
    return {
        "totals": {"projects": sum(r["n"] for r in funded), "committed_fen": sum(r["amount"] or 0 for r in funded),
                   "paid_fen": sum(r["paid"] or 0 for r in funded),
                   "beneficiaries": sum(r["beneficiaries"] or 0 for r in funded)},
        "by_state": _fold(rows, "state"),
        "by_kind": _fold(funded, "kind"),
        "by_community": _fold([{**r, "region_code": r["region_code"][:12]} for r in funded], "region_code")[:100],
        "by_organisation": by_org,
    }


def public_projects(*, street_code: str) -> QuerySet[Project]:
    """The public page of a street: funded projects with amounts paid (bodies and money only, no persons)."""
    return (Project.objects.filter(prefix_q("region_code", [street_code]), state__in=FUNDED)
            .select_related("organisation").only("title", "kind", "amount_fen", "paid_fen", "state", "region_code",
                                                 "beneficiaries", "organisation__name", "signed_at")
            .order_by("-signed_at", "-id"))


def public_totals(*, street_code: str) -> dict:
    qs = Project.objects.filter(prefix_q("region_code", [street_code]), state__in=FUNDED)
    agg = qs.aggregate(n=Count("id"), amount=Sum("amount_fen"), paid=Sum("paid_fen"))
    return {"projects": agg["n"] or 0, "amount_fen": agg["amount"] or 0, "paid_fen": agg["paid"] or 0}






def payment_queue(*, actor) -> QuerySet[Payment]:
    return Payment.objects.restrict(actor, "change").filter(state=PaymentState.REQUESTED)


def project_file(*, actor, project: Project, kind: str, pk) -> tuple[str, str] | None:
    """(file id, file name) of a deliverable's attachment, a payment's invoice or a progress photo of the project,
    if the actor may see that row."""
    model, field, name_field = {"attachment": (Milestone, "attachment", "attachment_name"),
                                "invoice": (Payment, "invoice", "invoice_name"),
                                "photo": (ProgressReport, "photo", "")}.get(kind, (None, "", ""))
    if model is None or not str(pk).isdigit():
        return None
    row = model.objects.restrict(actor, "view").filter(project=project, pk=int(pk)).values(
        field, *([name_field] if name_field else [])).first()
    if not row or not row[field]:
        return None
    return row[field], row.get(name_field) or "photo.jpg"


def project_files(*, actor, project: Project) -> dict:
    def rows(model, field):
        return list(model.objects.restrict(actor, "view").filter(project=project).exclude(**{field: ""}))

    return {"attachments": rows(Milestone, "attachment"), "invoices": rows(Payment, "invoice"),
            "photos": rows(ProgressReport, "photo")}


def survey_communities(project) -> list:
    """The communities a project's satisfaction survey may be held in: its own, or those of its street."""
    return list(Region.objects.filter(prefix_q("code", [project.region_code]), level=Level.COMMUNITY)
                .order_by("code").values_list("code", "name")[:100])
