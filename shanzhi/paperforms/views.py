"""人+纸 comes back: the scan page (the phone's camera or a photo of the QR code) and the entry pages that a
printed form's code opens — the record's fields in the order of the paper, with the paper's version noted.
Thin: the token is read by `registry.printing`, the record is found through `restrict()` (out of scope is
404) and saved by the record's own service."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.roles import COMMUNITY_ROLES, GRID_ROLES
from shanzhi.registry import printing, selectors, services
from shanzhi.registry.forms import HouseholdEditForm
from shanzhi.registry.models import Household

from .entry import choice_rows, paper_ref

SCAN_ROLES = GRID_ROLES | COMMUNITY_ROLES
EDIT = ("GET", "POST")


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _target(ref: printing.PaperRef, token: str) -> str:
    """Where a printed form's code leads: its entry page (which checks scope again)."""
    if ref.kind == printing.FORM_HOUSEHOLD:
        return reverse("paperforms:household", args=[ref.pk]) + "?t=" + token
    if ref.kind == printing.FORM_CASE:
        return reverse("cases:detail", args=[ref.pk])
    if ref.kind == printing.FORM_CASE_BLANK:
        return reverse("cases:create")
    if ref.kind == printing.FORM_VISIT:
        return reverse("cases:home_visit") + f"?household={ref.pk}"
    return reverse("registry:home")  # the blank 入户登记表: find the dwelling first, then register the household


@role_view(SCAN_ROLES)
def scan(request):
    """Without `?t=` the scanner; with it (a decoded code, or a phone's own camera app opening the link) the
    form it names. An altered or expired code is refused as not found."""
    token = request.GET.get("t")
    if token is None:
        return render(request, "paperforms/scan.html", {})
    ref = printing.read_paper_token(token)
    if ref is None:
        return render(request, "paperforms/scan.html", {"refused": True}, status=404)
    if ref.kind in (printing.FORM_HOUSEHOLD_BLANK, printing.FORM_CASE_BLANK):
        messages.info(request, _("空白表（第 %(v)d 版式）：请按纸质表的顺序录入") % {"v": ref.version})
    elif ref.kind != printing.FORM_HOUSEHOLD:
        messages.info(request, _("正在录入纸质表（打印时第 %(v)d 版）") % {"v": ref.version})
    return redirect(_target(ref, token))


def _household_form(request, obj, version: int) -> HouseholdEditForm:
    initial = {f: getattr(obj, f) for f in HouseholdEditForm.base_fields if f != "version"}
    return HouseholdEditForm(request.POST or None, initial={**initial, "version": version})


@object_view(Household, action="change", lookup={"pk": "pk"}, methods=EDIT)
def household_entry(request, obj):
    """The 入户登记表 entered from paper: the household's fields as the paper orders them (户号, 户类型, 户籍 …),
    then its members in the paper's row order. The form carries the printed version, so a record that changed
    after printing gives the difference to choose from instead of a silent overwrite."""
    ref = paper_ref(request, printing.FORM_HOUSEHOLD, obj.pk)
    printed = ref.version if ref else obj.version
    form = _household_form(request, obj, printed)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=obj, version=form.cleaned_data["version"],
                                      **form.values())
        except ConflictError as e:
            stored = Household.objects.restrict(request.user, "change").get(pk=obj.pk)
            return _no_store(render(request, "paperforms/conflict.html", {
                "household": stored, "rows": choice_rows(form, stored), "printed": printed,
                "current": e.current or stored.version, "back": reverse("registry:household", args=[obj.pk])},
                status=409))
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已录入纸质登记表（打印时第 %(v)d 版）") % {"v": printed})
            return redirect("registry:household", pk=obj.pk)
    return _no_store(render(request, "paperforms/household.html", {
        "household": obj, "form": form, "printed": printed, "from_paper": ref is not None,
        "members": selectors.household_members(actor=request.user, household=obj)}))
