"""The grid worker's phone app: the home with the day's work and three quick actions, the three forms (which work
offline: `static/field/field.js` queues them in IndexedDB and syncs them through `/api/field/sync`), the web app
manifest and the service worker (served at `/sw.js`, controlling `/field/`).

Without scripts, the forms post here and are written at once through the same `services.sync_item`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shanzhi.core.access import public_view, role_view

from . import selectors, services
from .forms import CaseForm, HouseholdWithHeadForm, VisitForm, form_schema, rules_schema
from .models import FIELD_ROLES, SyncReceipt

STATIC_ASSETS = ["vendor/tabler/css/tabler.min.css", "shanzhi/app.css", "shanzhi/favicon.svg",
                 "vendor/htmx/htmx.min.js", "shanzhi/ui.js", "vendor/idb/idb.umd.js", "field/validate.js",
                 "field/field.js", "field/field.css", "field/icon-192.png"]
PAGES = ["field:home", "field:household_new", "field:visit_new", "field:case_new"]
REASON = gettext_lazy("只有网格员、网格长使用手机端")


def texts() -> dict:
    """What field.js shows, translated here (the script holds no UI text of its own)."""
    return {
        "online": _("已联网"), "offline": _("离线：记录先保存在本机，联网后自动同步"), "syncing": _("正在同步…"),
        "sync_failed": _("同步未完成，稍后自动重试"),
        "roster": _("本机名册：{h} 户、{b} 栋楼（{t} 更新）"), "no_roster": _("本机还没有名册，请联网打开本页下载"),
        "states": {"waiting": _("等待同步"), "sent": _("已同步"), "refused": _("被退回"), "conflict": _("有冲突"),
                   "resolved": _("已处理")},
        "kinds": {"household_create": _("登记住户"), "visit_create": _("入户走访"), "case_create": _("登记民情"),
                  "household_update": _("住户情况变更")},
        "queue_summary": _("等待 {w} 条，已同步 {s} 条，被退回 {r} 条，冲突 {c} 条"),
        "conflict_intro": _("这户的信息在您离线期间已被他人修改。请比较两个版本，选择保留哪一个："),
        "field": _("项目"), "server_version": _("服务器上（第 {v} 版）"), "my_version": _("我的修改"),
        "kind": _("户类型"), "living_here": _("在本地居住"), "yes": _("是"), "no": _("否"),
        "keep_mine": _("用我的修改"), "keep_server": _("保留服务器上的"),
        "resolved_mine": _("已选用我的修改，重新排队同步"), "resolved_server": _("已保留服务器上的版本"),
        "choose": _("请选择"), "no_match": _("本机名册中没有找到，请换个关键词"), "photo_alt": _("现场照片"),
        "living": _("在本地居住"), "not_living": _("不在本地居住"),
        "household_kinds": dict(HouseholdWithHeadForm.base_fields["kind"].choices),
    }


@role_view(FIELD_ROLES, reason=REASON)
def home(request):
    return render(request, "field/home.html", {"work": selectors.day_work(actor=request.user), "texts": texts(),
                                               "pages": json.dumps([reverse(p) for p in PAGES])})


def _options(form, roster: dict) -> None:
    """The roster's rows as the options of the form's roster fields, for the page without scripts (the phone's
    script rebuilds them from its own copy, with the records registered offline)."""
    lists = {"dwellings": [(d["id"], d["label"]) for d in roster["dwellings"]],
             "buildings": [(b["id"], b["name"]) for b in roster["buildings"]],
             "households": [(h["id"], f'{h["number"]} {h["address"]} '
                             f'{h["members"][0]["name"] if h["members"] else ""}'.strip())
                            for h in roster["households"]]}
    for field in form.fields.values():
        source = field.widget.attrs.get("data-sz-source")
        if source:
            field.choices = [("", _("请选择"))] + lists[source]
            field.widget.choices = field.choices


def _form_page(request, *, kind: str, form, template: str, extra: dict | None = None):
    """GET: the form; POST (no scripts): one write through the sync service, then home, or the form and the
    reason."""
    roster = selectors.roster(actor=request.user)
    _options(form, roster)
    if kind == "household_create" and not form.is_bound and roster["grids"]:
        form.initial["household_number"] = roster["grids"][0]["next_number"]
    if request.method == "POST" and form.is_valid():
        payload = dict(request.POST.items())
        if kind == "case_create":
            payload["photos"] = [base64.b64encode(f.read()).decode() for f in request.FILES.getlist("photos")[:3]]
        answer = services.sync_item(actor=request.user, client_id=str(uuid.uuid4()), kind=kind, payload=payload)
        if answer["status"] == SyncReceipt.Status.DONE:
            messages.success(request, answer.get("detail") or _("已保存"))
            return redirect("field:home")
        form.add_error(answer.get("field") if answer.get("field") in form.fields else None, answer["detail"])
    schema = {"form": form_schema(form), "rules": rules_schema(), "kind": kind}
    return render(request, template, {"form": form, "schema": schema, "texts": texts(), **(extra or {})})


@role_view(FIELD_ROLES, methods=("GET", "POST"), reason=REASON)
def household_new(request):
    """登记住户: household and head on one page, 户号 suggested."""
    form = HouseholdWithHeadForm(request.POST or None, initial={"number_suggested": True})
    return _form_page(request, kind="household_create", form=form, template="field/household_form.html")


@role_view(FIELD_ROLES, methods=("GET", "POST"), reason=REASON)
def visit_new(request):
    form = VisitForm(request.POST or None)
    return _form_page(request, kind="visit_create", form=form, template="field/visit_form.html",
                      extra={"kinds": HouseholdWithHeadForm.base_fields["kind"].choices})


@role_view(FIELD_ROLES, methods=("GET", "POST"), reason=REASON)
def case_new(request):
    form = CaseForm(request.POST or None, categories=selectors.case_categories(),
                    grids=selectors.grids_of(actor=request.user))
    return _form_page(request, kind="case_create", form=form, template="field/case_form.html")


def _sw_source() -> str:
    body = (settings.BASE_DIR / "field" / "sw.js").read_text(encoding="utf-8")
    assets = [static(a) for a in STATIC_ASSETS]
    version = hashlib.sha256((body + "|".join(assets)).encode()).hexdigest()[:12]
    return body.replace("__VERSION__", version).replace("__ASSETS__", json.dumps(assets))


@public_view
def service_worker(request):
    """The service worker at the site root (scope /field/): the app shell and static assets for offline use. A
    plain script from our own origin (CSP), never cached by the HTTP cache so updates reach the phone."""
    response = HttpResponse(_sw_source(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@public_view
def manifest(request):
    """The web app manifest: installs the phone app, starting at the grid worker's home."""
    data = {
        "name": _("善治 · 网格员"), "short_name": _("善治网格"), "lang": "zh-CN",
        "start_url": reverse("field:home"), "scope": reverse("field:home"), "display": "standalone",
        "background_color": "#ffffff", "theme_color": "#1d4e89",
        "icons": [{"src": static(f"field/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png",
                   "purpose": "any maskable"} for n in (192, 512)],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response
