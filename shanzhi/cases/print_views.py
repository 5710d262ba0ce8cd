"""人+纸 for cases: the 民情登记单 of a case, the blank 民情登记单 and a household's 走访记录 as print pages (HTML or
PDF), each with the signed QR code that brings the paper back in (registry.printing, paperforms)."""

from __future__ import annotations

from django.urls import reverse

from shanzhi.core.access import object_view, role_view
from shanzhi.registry import printing
from shanzhi.registry.models import Household

from .models import Case, HomeVisit
from .permissions import VISIT_ROLES


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@object_view(Case, lookup={"pk": "pk"})
def case_print(request, case):
    return _no_store(printing.respond(request, "cases/print/case.html", {
        "case": case, "record_url": reverse("cases:detail", args=[case.pk])},
        filename=f"民情登记单-{case.number}", paper=(printing.FORM_CASE, case.pk, case.version)))


@role_view(Case.scope_roles["create"])
def case_print_blank(request):
    """The blank 民情登记单: write-in boxes of at least 8 mm, the phone one digit per box (11)."""
    return printing.respond(request, "cases/print/case_blank.html", {
        "phone_boxes": range(11), "record_url": reverse("cases:create")}, filename="民情登记单-空白",
        paper=(printing.FORM_CASE_BLANK, 0, printing.BLANK_LAYOUT_VERSION))


@object_view(Household, roles=VISIT_ROLES, lookup={"pk": "pk"})
def visit_print(request, household):
    """A household's 走访记录: its recent visits and empty rows to write the next ones in."""
    visits = list(HomeVisit.objects.restrict(request.user).filter(household=household)
                  .select_related("visitor").order_by("-visited_at")[:6])
    return _no_store(printing.respond(request, "cases/print/visits.html", {
        "household": household, "visits": visits, "rows": printing.blank_rows(len(visits), 10),
        "record_url": reverse("cases:home_visit") + f"?household={household.pk}"},
        filename=f"走访记录-{household.household_number}",
        paper=(printing.FORM_VISIT, household.pk, household.version)))
