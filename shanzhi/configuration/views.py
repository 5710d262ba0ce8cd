"""系统配置 pages: thin views over the owning apps' services and this app's selectors.

Every page works on one street (`?street=CODE`, one of the actor's; any other is 404). Edits carry the record's
version (a stale form gets the conflict page); a refusal is shown on its field and nothing is saved.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.accounts.services import user_create_with_grant
from shanzhi.cases import services as case_services
from shanzhi.cases.choices import HandlerType
from shanzhi.cases.models import Category
from shanzhi.cases.permissions import can_edit_defaults
from shanzhi.consultation.services import rules_adopt_defaults, street_rule_set
from shanzhi.core.access import role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.forms import conflict_rows
from shanzhi.core.permissions import check
from shanzhi.core.roles import Role
from shanzhi.core.scope import user_roles
from shanzhi.disclosure.services import schedule_adopt_defaults, schedule_set
from shanzhi.notifications import services as notify_services
from shanzhi.notifications.models import ChannelSetting
from shanzhi.volunteering.services import point_rule_effective, point_rule_set
from shanzhi.volunteering.store import store_item_restock

from . import selectors, transfer
from .checklist import checklist, notices
from .forms import (
    BodyForm,
    CategoryForm,
    ChannelForm,
    ConfigFileForm,
    DeadlineRuleForm,
    HolidayForm,
    MemberForm,
    PointRuleForm,
    RestockForm,
    RouteForm,
    RouteTestForm,
    ScheduleForm,
    StreetRuleForm,
)
from .permissions import APPLY_FILE, CONFIG_ROLES

ROLES = CONFIG_ROLES


def _street(request):
    return selectors.street_get(actor=request.user, code=request.POST.get("street") or request.GET.get("street", ""))


def _back(name: str, street, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"street": street.code, **params}.items() if v)
    return f"{reverse(name)}?{query}"


def _conflict(request, form, e: ConflictError, back: str):
    return render(request, "core/conflict.html", {
        "rows": conflict_rows(form, e.stored), "expected": e.expected, "current": e.current, "back": back,
        "retry": back}, status=409)


def _ctx(request, street, **extra) -> dict:
    return {"street": street, "streets": selectors.config_streets(actor=request.user), **extra}


@role_view(ROLES)
def home(request):
    street = _street(request)
    sections = checklist(streets=[street])
    return render(request, "configuration/home.html", _ctx(
        request, street, missing=sum(len(s.items) for s in sections), notices=notices(streets=[street])))


@role_view(ROLES)
def checklist_page(request):
    streets = selectors.config_streets(actor=request.user)
    code = request.GET.get("street", "")
    shown = [selectors.street_get(actor=request.user, code=code)] if code else streets
    sections = checklist(streets=shown)
    return render(request, "configuration/checklist.html", {
        "sections": sections, "notices": notices(streets=shown), "streets": streets, "street": shown[0] if code else None,
        "missing": sum(len(s.items) for s in sections)})


def _category_values(form) -> dict:
    data = form.values()
    data.pop("code", None)
    return data


def _category_initial(category) -> dict:
    if category is None:
        return {"version": 0}
    initial = {f: getattr(category, f) for f in case_services.CATEGORY_FIELDS if f != "default_body"}
    initial.update(version=category.version, code=category.code, parent=category.parent_id,
                   extra_fields=json.dumps(category.extra_fields, ensure_ascii=False) if category.extra_fields else "")
    return initial


def _category_save(request, category, form):
    if category is None:
        values = _category_values(form)
        values.pop("name", None)
        return case_services.category_create(actor=request.user, code=form.cleaned_data["code"],
                                             name=form.cleaned_data["name"], **values)
    return case_services.category_update(actor=request.user, category=category, version=form.cleaned_data["version"],
                                         **_category_values(form))


@role_view(ROLES, methods=("GET", "POST"))
def categories(request):
    street = _street(request)
    category = selectors.category_get(request.POST.get("category") or request.GET.get("category"))
    can_edit, reason = can_edit_defaults(request.user)
    form = CategoryForm(request.POST or None, initial=_category_initial(category), category=category)
    back = _back("configuration:categories", street)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _category_save(request, category, form)
        except ConflictError as e:
            return _conflict(request, form, e, back)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已保存类别：%(c)s") % {"c": saved.name})
            return redirect(back)
    return render(request, "configuration/categories.html", _ctx(
        request, street, categories=selectors.categories(), form=form, category=category, can_edit=can_edit,
        reason=reason))


def _member_add(request, body, street) -> None:
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise ServiceError(_("请填写用户名"), field="username")
    d = form.cleaned_data
    user = selectors.user_by_username(d["username"])
    if user is None:
        if not d["password"]:
            raise ServiceError(_("没有用户“%(u)s”：新建账号请填写姓名和初始密码") % {"u": d["username"]},
                               field="username")
        user = user_create_with_grant(actor=request.user, username=d["username"], password=d["password"],
                                      display_name=d["display_name"], role=Role.HANDLING_BODY_STAFF,
                                      region_code=body.region_code)
    case_services.body_member_add(actor=request.user, body=body, user=user)


def _body_post(request, body, street, form):
    """One of: add a member, remove a member, save the body; returns the body shown next."""
    action = request.POST.get("action", "save")
    if action == "member_add" and body is not None:
        _member_add(request, body, street)
        messages.success(request, _("已添加人员"))
        return body
    if action == "member_remove" and body is not None:
        user = selectors.user_by_username(request.POST.get("username", ""))
        if user is not None:
            case_services.body_member_remove(actor=request.user, body=body, user=user)
        messages.success(request, _("已移除人员"))
        return body
    if action == "categories" and body is not None:  # 职责清单
        cats = Category.objects.filter(pk__in=[x for x in request.POST.getlist("categories") if x.isdigit()])
        case_services.handling_body_set_categories(actor=request.user, body=body, categories=cats)
        messages.success(request, _("已保存职责清单"))
        return body
    if not form.is_valid():
        return None
    values = form.values()
    if body is None:
        body = case_services.handling_body_create(actor=request.user, **values)
    else:
        body = case_services.handling_body_update(actor=request.user, body=body, version=form.cleaned_data["version"],
                                                  **values)
    messages.success(request, _("已保存承办单位：%(b)s") % {"b": body.name})
    return body


def _body_form(request, body, street, post_save: bool) -> BodyForm:
    areas = list(selectors.street_areas(street=street).exclude(level="grid"))
    new = {"version": 0, "region_code": street.code, "kind": HandlerType.STREET_SECTION}
    initial = {"version": body.version, "name": body.name, "kind": body.kind, "region_code": body.region_code,
               "contact": body.contact, "active": body.active} if body else new
    form = BodyForm(request.POST if post_save else None, initial=initial, areas=areas)
    if body and body.region_code not in {a.code for a in areas}:  # a district body, shown read-only
        form.fields["region_code"].choices = [(body.region_code, body.region_code)] + form.fields["region_code"].choices
    return form


@role_view(ROLES, methods=("GET", "POST"))
def bodies(request):
    street = _street(request)
    body = selectors.body_get(actor=request.user, street=street, pk=request.POST.get("body") or request.GET.get("body"))
    post_save = request.method == "POST" and request.POST.get("action", "save") == "save"
    form = _body_form(request, body, street, post_save)
    if request.method == "POST":
        try:
            saved = _body_post(request, body, street, form)
        except ConflictError as e:
            return _conflict(request, form, e, _back("configuration:bodies", street, body=body.pk if body else ""))
        except ServiceError as e:
            if post_save:
                form.add_error(e.field if e.field in form.fields else None, e.user_message)
            else:
                messages.error(request, e.user_message)
        else:
            if saved is not None:
                return redirect(_back("configuration:bodies", street, body=saved.pk))
    can_edit, reason = check(request.user, case_services.CONFIG_AREA.action, body.region_code if body else street.code)
    return render(request, "configuration/bodies.html", _ctx(
        request, street, bodies=selectors.bodies_for_street(actor=request.user, street=street), body=body, form=form,
        member_form=MemberForm(), can_edit=can_edit, reason=reason,
        all_categories=Category.objects.filter(active=True).order_by("code") if body else (),
        body_categories=set(body.categories.values_list("pk", flat=True)) if body else set()))


@role_view(ROLES, methods=("GET", "POST"))
def routing(request):
    street = _street(request)
    areas = list(selectors.street_areas(street=street).exclude(level="grid"))
    body_qs = selectors.bodies_for_street(actor=request.user, street=street).filter(active=True)
    initial = {"category": request.GET.get("category") or None, "region_prefix": street.code}
    form = RouteForm(request.POST or None, initial=initial, areas=areas, bodies=body_qs)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "delete":
                rule = selectors.routes_for_street(street=street).filter(pk=request.POST.get("rule") or 0).first()
                if rule is not None:
                    case_services.routing_rule_delete(actor=request.user, rule=rule)
                    messages.success(request, _("已删除派遣规则"))
                return redirect(_back("configuration:routing", street))
            if form.is_valid():
                d = form.cleaned_data
                case_services.routing_rule_set(actor=request.user, category=d["category"],
                                               region_prefix=d["region_prefix"], body=d["body"])
                messages.success(request, _("已保存派遣规则"))
                return redirect(_back("configuration:routing", street))
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
    all_areas = list(selectors.street_areas(street=street))
    tester = RouteTestForm(request.GET if "test" in request.GET else None, areas=all_areas)
    result = None
    if tester.is_bound and tester.is_valid():
        cat, code = tester.cleaned_data["category"], tester.cleaned_data["region"]
        result = {"category": cat, "region": next(a for a in all_areas if a.code == code),
                  "body": case_services.route_body(cat, code)}
    can_edit, reason = check(request.user, case_services.CONFIG_AREA.action, street.code)
    return render(request, "configuration/routing.html", _ctx(
        request, street, routes=selectors.routes_for_street(street=street), form=form, tester=tester,
        result=result, can_edit=can_edit, reason=reason))


RULE_EDIT_FIELDS = ("mandatory", "support_mode", "support_value", "deciding_meeting", "quorum_percent", "majority",
                    "min_deliberation_days", "notice_days")


def _rules_post(request, street, form) -> bool:
    if request.POST.get("action") == "edit":
        if not form.is_valid():
            return False
        d = form.cleaned_data
        street_rule_set(actor=request.user, street_code=street.code, matter_type=d["matter_type"],
                        **{k: d[k] for k in RULE_EDIT_FIELDS})
        messages.success(request, _("街道议事规则已保存（已开始的议题仍按原版本）"))
        return True
    made = rules_adopt_defaults(actor=request.user, street_code=street.code)
    messages.success(request, _("已采用默认议事规则 %(n)s 条") % {"n": made})
    return True


@role_view(ROLES, methods=("GET", "POST"))
def rules(request):
    street = _street(request)
    street_rules = selectors.street_rules(street=street)
    chosen = street_rules.filter(matter_type=request.POST.get("matter_type") or request.GET.get("rule") or "").first()
    initial = {"matter_type": chosen.matter_type, **{k: getattr(chosen, k) for k in RULE_EDIT_FIELDS}} if chosen else {}
    form = StreetRuleForm(request.POST if request.POST.get("action") == "edit" else None, initial=initial)
    if request.method == "POST":
        try:
            if _rules_post(request, street, form):
                return redirect(_back("configuration:rules", street))
        except ServiceError as e:
            messages.error(request, e.user_message)
    can_edit, reason = check(request.user, "consultation.street_rules", street.code)
    return render(request, "configuration/rules.html", _ctx(
        request, street, rules=street_rules, chosen=chosen, form=form, can_edit=can_edit, reason=reason))


@role_view(ROLES, methods=("GET", "POST"))
def store(request):
    street = _street(request)
    items = selectors.store_items_for_street(street=street)
    form = RestockForm(request.POST or None)
    if request.method == "POST":
        item = items.filter(pk=request.POST.get("item") or 0).first()
        try:
            if item is None or not form.is_valid():
                raise ServiceError(_("请填写补货数量"), field="quantity")
            store_item_restock(actor=request.user, item=item, quantity=form.cleaned_data["quantity"])
        except ServiceError as e:
            messages.error(request, e.user_message)
        else:
            messages.success(request, _("已补货：%(i)s") % {"i": item.name})
            return redirect(_back("configuration:store", street))
    return render(request, "configuration/store.html", _ctx(request, street, items=items))


@role_view(ROLES)
def export(request):
    street = _street(request)
    response = HttpResponse(transfer.dumps(transfer.export_street(street)), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="shanzhi-config-{street.code}.json"'
    return response


def _read_upload(request) -> bytes:
    if request.POST.get("payload"):
        return request.POST["payload"].encode("utf-8")
    upload = request.FILES.get("file")
    if upload is None:
        raise ServiceError(_("请选择配置文件"), field="file")
    if upload.size > transfer.MAX_BYTES:
        raise ServiceError(_("配置文件过大（上限 2 MB）"), field="file")
    return upload.read()


@role_view(ROLES, methods=("GET", "POST"))
def transfer_page(request):
    street = _street(request)
    form = ConfigFileForm()
    changes = payload = None
    can_apply, reason = check(request.user, APPLY_FILE.action, street.code)
    if request.method == "POST":
        try:
            raw = _read_upload(request)
            data = transfer.parse(raw)
            if request.POST.get("confirm") and can_apply:
                changes = transfer.apply(actor=request.user, data=data, street=street)
                messages.success(request, _("配置已应用：%(n)s 处变更") % {"n": sum(c.op != "same" for c in changes)})
                return redirect(_back("configuration:checklist", street))
            changes = transfer.plan(data, street)
            payload = raw.decode("utf-8-sig")
        except ServiceError as e:
            messages.error(request, e.user_message)
    return render(request, "configuration/transfer.html", _ctx(
        request, street, form=form, changes=changes, payload=payload, can_apply=can_apply, reason=reason,
        pending=sum(1 for c in changes or [] if c.op != "same")))


def _deadlines_post(request, rule_form, holiday_form) -> bool:
    """One of: save or delete a deadline rule, save or delete a holiday override; True when it wrote."""
    action = request.POST.get("action", "")
    if action == "rule_delete":
        rule = selectors.deadline_rules().filter(pk=request.POST.get("rule") or 0).first()
        if rule is not None:
            case_services.deadline_rule_delete(actor=request.user, rule=rule)
        return True
    if action == "holiday_delete":
        override = selectors.holiday_overrides().model.objects.filter(pk=request.POST.get("holiday") or 0).first()
        if override is not None:
            case_services.holiday_override_delete(actor=request.user, override=override)
        return True
    if action == "holiday" and holiday_form.is_valid():
        case_services.holiday_override_set(actor=request.user, **holiday_form.cleaned_data)
        return True
    if action == "rule" and rule_form.is_valid():
        case_services.deadline_rule_set(actor=request.user, **rule_form.cleaned_data)
        return True
    return False


@role_view(ROLES, methods=("GET", "POST"))
def deadlines(request):
    street = _street(request)
    action = request.POST.get("action", "")
    rule_form = DeadlineRuleForm(request.POST if action == "rule" else None)
    holiday_form = HolidayForm(request.POST if action == "holiday" else None)
    if request.method == "POST":
        try:
            if _deadlines_post(request, rule_form, holiday_form):
                messages.success(request, _("已保存时限与节假日设置"))
                return redirect(_back("configuration:deadlines", street))
        except ServiceError as e:
            messages.error(request, e.user_message)
    can_edit, reason = can_edit_defaults(request.user)
    return render(request, "configuration/deadlines.html", _ctx(
        request, street, rules=selectors.deadline_rules(), holidays=selectors.holiday_overrides(),
        rule_form=rule_form, holiday_form=holiday_form, can_edit=can_edit, reason=reason))


def _channel_forms(request) -> list:
    stored = {c.kind: c for c in ChannelSetting.objects.all()}
    posted = request.POST.get("kind") if request.method == "POST" and request.POST.get("action") == "save" else ""
    forms = []
    for kind, label in ChannelSetting.Kind.choices:
        cur = stored.get(kind)
        initial = {"kind": kind, "version": cur.version if cur else 0, "active": cur.active if cur else True,
                   **({f: getattr(cur, f) for f in ("gateway_url", "app_id", "template_id")} if cur else {})}
        form = ChannelForm(request.POST if posted == kind else None, initial=initial, prefix=kind)
        forms.append({"kind": kind, "label": label, "form": form, "stored": cur,
                      "has_secret": bool(cur and cur.secret_enc)})
    return forms


@role_view(ROLES, methods=("GET", "POST"))
def channels(request):
    street = _street(request)
    forms = _channel_forms(request)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        try:
            if request.POST.get("action") == "test":
                sent, reason = notify_services.channel_test_send(actor=request.user, kind=kind)
                (messages.success if sent else messages.error)(
                    request, _("测试消息已发出，请查收") if sent else _("测试未发出：%(r)s") % {"r": reason})
                return redirect(_back("configuration:channels", street))
            entry = next((f for f in forms if f["kind"] == kind and f["form"].is_bound), None)
            if entry is not None and entry["form"].is_valid():
                d = entry["form"].cleaned_data
                notify_services.channel_setting_set(
                    actor=request.user, kind=kind, secret=d["secret"], version=d["version"] or None,
                    gateway_url=d["gateway_url"], app_id=d["app_id"], template_id=d["template_id"], active=d["active"])
                messages.success(request, _("通知渠道已保存"))
                return redirect(_back("configuration:channels", street))
        except ConflictError:
            messages.error(request, _("记录已被他人修改，请刷新后重试。"))
        except ServiceError as e:
            messages.error(request, e.user_message)
    can_edit = Role.SYSTEM_ADMIN in user_roles(request.user)
    return render(request, "configuration/channels.html", _ctx(
        request, street, channel_forms=forms, can_edit=can_edit,
        reason="" if can_edit else _("只有系统管理员可以配置通知渠道（网关凭据属于系统配置）")))


@role_view(ROLES, methods=("GET", "POST"))
def disclosure(request):
    street = _street(request)
    form = ScheduleForm(request.POST if request.POST.get("action") == "set" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "set":
                if form.is_valid():
                    schedule_set(actor=request.user, region_code=street.code, **form.cleaned_data)
                    messages.success(request, _("公开日历已保存"))
                    return redirect(_back("configuration:disclosure", street))
            else:
                made = schedule_adopt_defaults(actor=request.user, region_code=street.code)
                messages.success(request, _("已采用默认公开日历 %(n)s 项") % {"n": made})
                return redirect(_back("configuration:disclosure", street))
        except ServiceError as e:
            messages.error(request, e.user_message)
    can_edit, reason = check(request.user, "disclosure.schedule", street.code)
    return render(request, "configuration/disclosure.html", _ctx(
        request, street, schedule=selectors.schedule_for_street(street=street), form=form, can_edit=can_edit,
        reason=reason))


def _point_forms(request, street) -> dict:
    rules = selectors.point_rules_for_street(street=street)
    posted = request.POST.get("level") if request.method == "POST" else None
    forms = {}
    for level, code in (("district", street.code[:6]), ("street", street.code)):
        cur = rules.get(level)
        initial = {"version": cur.version if cur else 0,
                   "points_per_hour": cur.points_per_hour if cur else None,
                   "max_points_per_hour": cur.max_points_per_hour if cur else None}
        can, reason = check(request.user, "volunteering.point_rule", code)
        forms[level] = {"form": PointRuleForm(request.POST if posted == level else None, initial=initial, level=level,
                                              prefix=level),
                        "rule": cur, "code": code, "can_edit": can, "reason": reason}
    return forms


@role_view(ROLES, methods=("GET", "POST"))
def points(request):
    street = _street(request)
    forms = _point_forms(request, street)
    chosen = forms.get(request.POST.get("level", ""))
    if request.method == "POST" and chosen and chosen["form"].is_valid():
        d = chosen["form"].cleaned_data
        try:
            point_rule_set(actor=request.user, region_code=chosen["code"], points_per_hour=d["points_per_hour"],
                           max_points_per_hour=d.get("max_points_per_hour"), version=d["version"])
        except ConflictError as e:
            return _conflict(request, chosen["form"], e, _back("configuration:points", street))
        except ServiceError as e:
            chosen["form"].add_error(e.field if e.field in chosen["form"].fields else None, e.user_message)
        else:
            messages.success(request, _("志愿积分规则已保存（已创建的活动仍按原积分）"))
            return redirect(_back("configuration:points", street))
    return render(request, "configuration/points.html", _ctx(
        request, street, district=forms["district"], street_rule=forms["street"],
        effective=point_rule_effective(region_code=street.code)))
