"""Registry pages: region → grid → building (楼盘表) → dwelling → household → persons, search, lists and
export, reveal, print. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.access import object_view, role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.forms import conflict_rows
from shanzhi.core.params import region_code_validator
from shanzhi.core.replica import reads_from_replica
from shanzhi.core.scope import user_roles
from shanzhi.regions import selectors as region_selectors
from shanzhi.regions.choices import Level
from shanzhi.regions.models import Region

from . import choices as c
from . import exporting, forms, printing, selectors, services, stats
from .duplicates import likely_duplicates
from .models import EDIT_ROLES, Building, CareTag, Dwelling, Household, MoveRequest, Need, Person

VIEW_ROLES = Person.scope_roles["view"]
EDIT = ("GET", "POST")


def _can(user, obj, action: str = "change") -> bool:
    return type(obj).objects.restrict(user, action).filter(pk=obj.pk).exists()


def _grid(code: str):
    """The grid a record belongs to, for the breadcrumbs."""
    return Region.objects.filter(code=code).only("code", "name").first()


def _no_store(response):
    """Pages that show personal data are never cached (ARCHITECTURE §6)."""
    response["Cache-Control"] = "no-store"
    return response


@role_view(VIEW_ROLES)
def home(request):
    """The registry's front door: the search box and the regions in the actor's scope."""
    roots = list(region_selectors.region_roots(actor=request.user))
    if len(roots) == 1:
        return redirect("registry:region", code=roots[0].code)
    return render(request, "registry/home.html", {"roots": roots})


@object_view(Region, roles=VIEW_ROLES, lookup={"code": "code"})
def region(request, obj):
    """A region's dashboard; for a grid also its buildings."""
    is_grid = obj.level in (Level.GRID, Level.MICRO_GRID)
    context = {
        "region": obj,
        "breadcrumbs": region_selectors.region_breadcrumbs(actor=request.user, region=obj),
        "children": region_selectors.region_children(actor=request.user, region=obj),
        "dash": stats.region_dashboard(actor=request.user, region_code=obj.code),
        "is_grid": is_grid,
        "buildings": selectors.building_list(actor=request.user, filters={"region": obj.code}) if is_grid else None,
        "can_edit": is_grid and bool(user_roles(request.user) & EDIT_ROLES),
    }
    return render(request, "registry/region.html", context)


@role_view(VIEW_ROLES, methods=("GET", "POST"))
def search(request):
    # the box posts, so ID numbers and phones never appear in URLs or access logs
    q = request.POST.get("q", "").strip()
    results = selectors.registry_search(actor=request.user, q=q) if q else None
    return _no_store(render(request, "registry/search.html", {"q": q, "results": results}))


@role_view(VIEW_ROLES)
def person_list(request):
    form = forms.PersonFilterForm(request.GET or None)
    filters = form.filters()
    if request.GET.get("export") == "xlsx" and not form.errors:  # odd filters: the page shows why, no file
        return exporting.export_response(actor=request.user, kind="persons", filters=filters)
    page = Paginator(selectors.person_roster(actor=request.user, filters=filters), 50).get_page(request.GET.get("page"))
    template = "registry/person_list.html#results" if request.htmx else "registry/person_list.html"
    return _no_store(render(request, template, {"form": form, "page": page}))


@role_view(Person.scope_roles["export"])
@reads_from_replica
def export(request):
    """XLSX of households, dwellings, buildings or units of a region (scoped, masked, audited by the
    export generators). Persons are exported from their filtered list."""
    kind = request.GET.get("kind", "")
    if kind not in exporting.EXPORTERS:
        kind = "households"
    filters = {k: request.GET[k] for k in ("region", "q") if request.GET.get(k)}
    try:
        region_code_validator(filters.get("region", "0"))
    except ValidationError as e:
        return HttpResponseBadRequest(e.messages[0], content_type="text/plain; charset=utf-8")
    return exporting.export_response(actor=request.user, kind=kind, filters=filters)


@object_view(Building, lookup={"pk": "pk"})
def building(request, obj):
    plan = selectors.building_floor_plan(actor=request.user, building=obj)
    units = selectors.unit_list(actor=request.user, filters={"building": obj.pk})
    return render(request, "registry/building.html", {"building": obj, "plan": plan, "units": units,
                                                      "occupancies": c.Occupancy.choices, "grid": _grid(obj.region_code),
                                                      "can_edit": _can(request.user, obj)})


@object_view(Dwelling, lookup={"pk": "pk"})
def dwelling(request, obj):
    context = {
        "dwelling": obj,
        "households": selectors.household_list(actor=request.user, filters={"dwelling": obj.pk}),
        "residents": selectors.dwelling_residents(actor=request.user, dwelling=obj),
        "timeline": selectors.dwelling_timeline(actor=request.user, dwelling=obj)[:50],
        "can_edit": _can(request.user, obj),
        "grid": _grid(obj.region_code),
    }
    return _no_store(render(request, "registry/dwelling.html", context))


@object_view(Household, lookup={"pk": "pk"})
def household(request, obj):
    members = list(selectors.household_members(actor=request.user, household=obj, include_gone=True))
    context = {
        "household": obj,
        "members": members,
        "living": [m for m in members if m.status == c.PersonStatus.LIVING],
        "timeline": selectors.household_timeline(actor=request.user, household=obj)[:50],
        "needs": selectors.needs_list(actor=request.user, filters={"household": obj.pk}),
        "can_edit": _can(request.user, obj),
        "grid": _grid(obj.region_code),
    }
    return _no_store(render(request, "registry/household.html", context))


@object_view(Person, lookup={"pk": "pk"})
def person(request, obj):
    context = {
        "person": obj,
        "tags": selectors.care_tags_of(actor=request.user, person=obj),
        "needs": selectors.needs_list(actor=request.user, filters={"person": obj.pk}),
        "timeline": selectors.person_timeline(actor=request.user, person=obj)[:50],
        "special": selectors.special_population_list(actor=request.user, person=obj),
        "duplicates": selectors.person_possible_duplicates(actor=request.user, person=obj)[:5],
        "reveal_form": forms.RevealForm(),
        "reveal_url": reverse("registry:person_reveal", args=[obj.pk]),
        "can_edit": _can(request.user, obj),
        "can_tag": selectors.may_change(actor=request.user, model=CareTag, region_code=obj.region_code),
        "can_need": selectors.may_change(actor=request.user, model=Need, region_code=obj.region_code),
        "tag_form": forms.CareTagForm(),
        "need_statuses": c.NeedStatus.choices,
        "can_reveal": _can(request.user, obj, "reveal"),
        "grid": _grid(obj.region_code),
    }
    return _no_store(render(request, "registry/person.html", context))


@object_view(Person, action="reveal", lookup={"pk": "pk"}, methods=("POST",))
def person_reveal(request, obj):
    """Shows one full ID number or phone once, after a reason; the service writes the audit row."""
    form = forms.RevealForm(request.POST)
    context = {"person": obj, "reveal_form": form, "field": request.POST.get("field"),
               "reveal_url": reverse("registry:person_reveal", args=[obj.pk])}
    if form.is_valid():
        try:
            context["value"] = services.person_reveal(actor=request.user, person=obj,
                                                      field=form.cleaned_data["field"],
                                                      reason=form.cleaned_data["reason"])
        except ServiceError as e:
            form.add_error("reason", e.user_message)
    return _no_store(render(request, "registry/partials/reveal.html", context))


# --- print (人+纸) -------------------------------------------------------------------------------------

@object_view(Household, lookup={"pk": "pk"})
def household_print(request, obj):
    members = selectors.household_members(actor=request.user, household=obj)
    return _no_store(printing.respond(request, "registry/print/household.html", {
        "household": obj, "members": members, "rows": printing.blank_rows(len(members), 8),
        "record_url": reverse("registry:household", args=[obj.pk]),
    }, filename=f"入户登记表-{obj.household_number}", paper=(printing.FORM_HOUSEHOLD, obj.pk, obj.version)))


@role_view(VIEW_ROLES)
def blank_form(request):
    """The blank 入户登记表: write-in boxes of at least 8 mm, one box per digit (ID number 18, phone 11)."""
    return printing.respond(request, "registry/print/household_blank.html", {
        "people": range(4), "id_boxes": range(18), "phone_boxes": range(11), "year_boxes": range(4),
        "record_url": reverse("registry:home")}, filename="入户登记表-空白",
        paper=(printing.FORM_HOUSEHOLD_BLANK, 0, printing.BLANK_LAYOUT_VERSION))


@object_view(Building, lookup={"pk": "pk"})
def building_print(request, obj):
    plan = selectors.building_floor_plan(actor=request.user, building=obj)
    households = selectors.household_list(actor=request.user, filters={"building": obj.pk})
    return _no_store(printing.respond(request, "registry/print/building.html", {
        "building": obj, "plan": plan, "households": households,
        "record_url": reverse("registry:building", args=[obj.pk]),
    }, filename=f"楼栋汇总表-{obj}"))


@object_view(Region, roles=VIEW_ROLES, lookup={"code": "code"})
def region_print(request, obj):
    return printing.respond(request, "registry/print/region.html", {
        "region": obj, "dash": stats.region_dashboard(actor=request.user, region_code=obj.code),
        "buildings": selectors.building_list(actor=request.user, filters={"region": obj.code}),
        "record_url": reverse("registry:region", args=[obj.code]),
    }, filename=f"网格汇总表-{obj.name}")



# --- edit forms and life events: each POST calls one service ----------------------------------------------

def _form_page(request, *, form, title: str, back: str, run, subtitle: str = ""):
    """GET shows the form; a valid POST calls `run(cleaned_data)` (a service) and redirects to its answer.
    A ServiceError is shown on its field (or above the form) and nothing is saved; a ConflictError (the
    record changed since the form was loaded) shows both values side by side."""
    if request.method == "POST" and form.is_valid():
        try:
            target = run(form.cleaned_data)
        except ConflictError as e:
            return _no_store(render(request, "core/conflict.html", {
                "rows": conflict_rows(form, e.stored), "expected": e.expected, "current": e.current,
                "subtitle": subtitle, "back": back, "retry": request.get_full_path()}, status=409))
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已保存：%(t)s") % {"t": title})
            for warning in getattr(target, "warnings", []) or []:
                messages.warning(request, warning)
            return redirect(_url_of(target) or back)
    return _no_store(render(request, "registry/form.html", {"form": form, "title": title, "subtitle": subtitle,
                                                           "back": back}))


def _url_of(obj) -> str:
    names = {Person: "registry:person", Household: "registry:household", Dwelling: "registry:dwelling",
             Building: "registry:building"}
    name = names.get(type(obj))
    return reverse(name, args=[obj.pk]) if name else ""


def _actions_page(request, obj, actions: dict, back: str):
    """Without ?do=: the list of life events available on this record."""
    return render(request, "registry/actions.html", {"obj": obj, "actions": actions, "back": back})


def _household_by_number(actor, number: str) -> Household:
    found = selectors.household_list(actor=actor, filters={"q": number.strip()}).filter(
        household_number=number.strip()).first()
    if found is None:
        raise ServiceError(_("在您的管辖范围内没有户号 %(n)s") % {"n": number}, field="household_number")
    return found


@object_view(Person, action="change", lookup={"pk": "pk"}, methods=EDIT)
def person_edit(request, obj):
    initial = {f: getattr(obj, f) for f in forms.PersonEditForm.base_fields if f not in {"id_number", "phone"}}
    form = forms.PersonEditForm(request.POST or None, initial=initial)
    return _form_page(request, form=form, title=_("修改人员信息"), subtitle=obj.name, back=_url_of(obj),
                      run=lambda d: services.person_update(actor=request.user, person=obj, version=d["version"],
                                                           **form.values()))


PERSON_ACTIONS = {"move_out": (_("迁出"), forms.MoveOutForm), "death": (_("死亡登记"), forms.DeathForm),
                  "move": (_("变更户/住址"), forms.MoveForm)}


@object_view(Person, action="change", lookup={"pk": "pk"}, methods=EDIT)
def person_act(request, obj):
    do = request.GET.get("do")
    if do not in PERSON_ACTIONS:
        return _actions_page(request, obj, PERSON_ACTIONS, _url_of(obj))
    title, form_class = PERSON_ACTIONS[do]
    form = form_class(request.POST or None)
    user = request.user

    def run(d):
        if do == "move_out":
            return services.person_move_out(actor=user, person=obj, date=d["date"], destination=d["destination"])
        if do == "death":
            return services.person_death(actor=user, person=obj, date=d["date"])
        target = _household_by_number(user, d["household_number"])
        result = services.person_move(actor=user, person=obj, household=target, dwelling=target.dwelling,
                                      reason=d["reason"])
        if isinstance(result, MoveRequest):
            messages.info(request, _("迁往其他社区，已提交迁入申请，待对方社区审批。"))
            return obj
        return result

    return _form_page(request, form=form, title=title, subtitle=obj.name, back=_url_of(obj), run=run)


@object_view(Household, action="change", lookup={"pk": "pk"}, methods=EDIT)
def household_edit(request, obj):
    initial = {f: getattr(obj, f) for f in forms.HouseholdEditForm.base_fields}
    form = forms.HouseholdEditForm(request.POST or None, initial=initial)
    return _form_page(request, form=form, title=_("修改户信息"), subtitle=obj.household_number, back=_url_of(obj),
                      run=lambda d: services.household_update(actor=request.user, household=obj,
                                                              version=d["version"], **form.values()))


HOUSEHOLD_ACTIONS = {"move_in": (_("迁入/登记新成员"), forms.NewPersonForm), "birth": (_("出生登记"), forms.BirthForm),
                     "change_head": (_("变更户主"), forms.ChangeHeadForm), "split": (_("分户"), forms.SplitForm),
                     "merge": (_("合户（本户并入他户）"), forms.MergeForm)}


@object_view(Household, action="change", lookup={"pk": "pk"}, methods=EDIT)
def household_act(request, obj):
    do = request.GET.get("do")
    if do not in HOUSEHOLD_ACTIONS:
        return _actions_page(request, obj, HOUSEHOLD_ACTIONS, _url_of(obj))
    title, form_class = HOUSEHOLD_ACTIONS[do]
    user = request.user
    kwargs = {}
    if do in ("change_head", "split"):
        kwargs["members"] = selectors.household_members(actor=user, household=obj)
    form = form_class(request.POST or None, **kwargs)

    def run(d):
        if do == "move_in":
            values = form.values()
            if obj.dwelling is None:
                raise ServiceError(_("该户没有登记房屋，请先修改户信息"))
            return services.person_move_in(actor=user, dwelling=obj.dwelling, household=obj,
                                           date=values.pop("move_in_date", None), **values)
        if do == "birth":
            return services.person_birth(actor=user, household=obj, **d)
        if do == "change_head":
            head = selectors.person_get(actor=user, pk=d["head"], action="change")
            return services.household_change_head(actor=user, household=obj, head=head)
        if do == "split":
            members = list(selectors.person_list(actor=user, action="change").filter(pk__in=d["members"]))
            head = next((m for m in members if m.pk == d["head"]), None)
            if head is None:
                raise ServiceError(_("新户主必须在分出的成员中"), field="head")
            return services.household_split(actor=user, household=obj, members=members, head=head,
                                            household_number=d["household_number"])
        target = _household_by_number(user, d["household_number"])
        return services.household_merge(actor=user, source=obj, target=target)

    return _form_page(request, form=form, title=title, subtitle=obj.household_number, back=_url_of(obj), run=run)


@object_view(Dwelling, action="change", lookup={"pk": "pk"}, methods=EDIT)
def dwelling_edit(request, obj):
    initial = {f: getattr(obj, f) for f in forms.DwellingEditForm.base_fields}
    form = forms.DwellingEditForm(request.POST or None, initial=initial)
    return _form_page(request, form=form, title=_("修改房屋"), subtitle=str(obj), back=_url_of(obj),
                      run=lambda d: services.dwelling_update(actor=request.user, dwelling=obj,
                                                             version=d["version"], **form.values()))


DWELLING_ACTIONS = {"rent_out": (_("出租"), forms.RentOutForm), "vacate": (_("空置"), forms.VacateForm),
                    "new_household": (_("在此立户"), forms.HouseholdForm)}


@object_view(Dwelling, action="change", lookup={"pk": "pk"}, methods=EDIT)
def dwelling_act(request, obj):
    do = request.GET.get("do")
    if do not in DWELLING_ACTIONS:
        return _actions_page(request, obj, DWELLING_ACTIONS, _url_of(obj))
    title, form_class = DWELLING_ACTIONS[do]
    form = form_class(request.POST or None, initial={"registered_here": True, "living_here": True})
    user = request.user

    def run(d):
        if do == "rent_out":
            return services.dwelling_rent_out(actor=user, dwelling=obj, **d)
        if do == "vacate":
            return services.dwelling_vacate(actor=user, dwelling=obj, **d)
        return services.household_create(actor=user, dwelling=obj, **d)

    return _form_page(request, form=form, title=title, subtitle=str(obj), back=_url_of(obj), run=run)


@object_view(Building, action="change", lookup={"pk": "pk"}, methods=EDIT)
def building_edit(request, obj):
    initial = {f: getattr(obj, f) for f in forms.BuildingEditForm.base_fields}
    form = forms.BuildingEditForm(request.POST or None, initial=initial)
    return _form_page(request, form=form, title=_("修改楼栋"), subtitle=str(obj), back=_url_of(obj),
                      run=lambda d: services.building_update(actor=request.user, building=obj,
                                                             version=d["version"], **form.values()))


@object_view(Building, action="change", lookup={"pk": "pk"}, methods=EDIT)
def dwelling_new(request, obj):
    form = forms.DwellingForm(request.POST or None, initial={"entrance": 1, "use": c.DwellingUse.RESIDENTIAL})
    return _form_page(request, form=form, title=_("登记房屋"), subtitle=str(obj), back=_url_of(obj),
                      run=lambda d: services.dwelling_create(actor=request.user, building=obj, **d))


@object_view(Region, roles=EDIT_ROLES, lookup={"code": "code"}, methods=EDIT)
def building_new(request, obj):
    form = forms.BuildingForm(request.POST or None, initial={"floors": 6, "entrances": 1})
    back = reverse("registry:region", args=[obj.code])
    return _form_page(request, form=form, title=_("登记楼栋"), subtitle=obj.name, back=back,
                      run=lambda d: services.building_create(actor=request.user, region_code=obj.code, **d))


# --- care tags, needs, merging duplicates ------------------------------------------------------------------

def _first_error(form) -> str:
    return next(iter(e for errors in form.errors.values() for e in errors), _("输入有误"))


@object_view(Person, action="change", lookup={"pk": "pk"}, methods=("POST",))
def care_tag_add(request, obj):
    if not selectors.may_change(actor=request.user, model=CareTag, region_code=obj.region_code):
        raise Http404
    form = forms.CareTagForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
    else:
        tag = form.cleaned_data["tag"]
        label = c.CareTagKind(tag).label
        if selectors.care_tags_of(actor=request.user, person=obj).filter(tag=tag).exists():
            messages.info(request, _("已有关爱标签：%(t)s") % {"t": label})
        else:
            try:
                services.care_tag_add(actor=request.user, person=obj, tag=tag, note=form.cleaned_data["note"])
            except ServiceError as e:
                messages.error(request, e.user_message)
            else:
                messages.success(request, _("已添加关爱标签：%(t)s") % {"t": label})
    return redirect(_url_of(obj) + "#care")


@object_view(CareTag, action="change", lookup={"pk": "pk"}, methods=("POST",))
def care_tag_remove(request, obj):
    person_url = reverse("registry:person", args=[obj.person_id])
    label = obj.get_tag_display()
    try:
        services.care_tag_remove(actor=request.user, care_tag=obj)
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("已移除关爱标签：%(t)s") % {"t": label})
    return redirect(person_url + "#care")


@object_view(Need, action="change", lookup={"pk": "pk"}, methods=("POST",))
def need_status(request, obj):
    """Version-checked: a form loaded before someone else's change gets the conflict message, not an overwrite."""
    back = (reverse("registry:person", args=[obj.person_id]) if obj.person_id
            else reverse("registry:household", args=[obj.household_id])) + "#care"
    form = forms.NeedStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return redirect(back)
    try:
        need = services.need_set_status(actor=request.user, need=obj, status=form.cleaned_data["status"],
                                        version=form.cleaned_data["version"])
    except ServiceError as e:
        messages.error(request, e.user_message)
    else:
        messages.success(request, _("需求状态已改为：%(s)s") % {"s": need.get_status_display()})
    return redirect(back)


@role_view(VIEW_ROLES)
def needs(request):
    form = forms.NeedFilterForm(request.GET or None)
    qs = selectors.needs_list(actor=request.user, filters=form.filters())
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return _no_store(render(request, "registry/needs.html", {"form": form, "page": page,
                                                            "statuses": c.NeedStatus.choices}))


def _merge_rows(actor, keep: Person, duplicate: Person) -> list[tuple]:
    """Both records side by side, personal numbers masked as on every page."""
    def tags(p):
        return "、".join(t.get_tag_display() for t in selectors.care_tags_of(actor=actor, person=p))

    def needs_count(p):
        return str(selectors.needs_list(actor=actor, filters={"person": p.pk}).count())

    shown = [
        (_("姓名"), lambda p: p.name), (_("证件号码"), lambda p: p.id_number_masked),
        (_("联系电话"), lambda p: p.phone_masked), (_("性别"), lambda p: p.get_sex_display()),
        (_("出生年份"), lambda p: p.birth_year), (_("民族"), lambda p: p.ethnicity),
        (_("户"), lambda p: p.household), (_("居住房屋"), lambda p: p.dwelling),
        (_("现住址"), lambda p: p.current_address), (_("状态"), lambda p: p.get_status_display()),
        (_("关爱标签"), tags), (_("民生需求"), needs_count), (_("登记时间"), lambda p: p.created_at),
    ]
    return [(label, get(keep) or "—", get(duplicate) or "—") for label, get in shown]


@object_view(Person, action="change", lookup={"pk": "pk"}, methods=EDIT)
def person_merge(request, obj):
    """合并重复登记 into this person: search (posted, so numbers stay out of URLs) → compare side by side →
    confirm with a reason → the service merges → back to this person."""
    user = request.user
    context = {"person": obj, "search_form": forms.MergeSearchForm(), "candidates": None, "duplicate": None}
    if request.method == "POST" and "duplicate" in request.POST:
        confirm = "confirm" in request.POST
        form = forms.MergeConfirmForm(request.POST if confirm else None,
                                      initial={"duplicate": request.POST.get("duplicate")})
        duplicate = selectors.merge_duplicate_get(actor=user, pk=request.POST.get("duplicate"))
        if duplicate is None:
            messages.error(request, _("所选人员不存在或不在您的管辖范围内，不能合并"))
        elif duplicate.pk == obj.pk:
            messages.error(request, _("不能与自己合并，请选择另一条重复登记"))
        else:
            if confirm and form.is_valid():
                try:
                    kept = services.person_merge(actor=user, keep=obj, duplicate=duplicate,
                                                 reason=form.cleaned_data["reason"])
                except ServiceError as e:
                    form.add_error(None, e.user_message)
                else:
                    messages.success(request, _("已将重复登记 #%(id)s 合并到 %(name)s") % {"id": duplicate.pk,
                                                                                "name": kept.name})
                    return redirect(_url_of(kept))
            context |= {"duplicate": duplicate, "confirm_form": form, "rows": _merge_rows(user, obj, duplicate)}
    elif request.method == "POST":
        form = forms.MergeSearchForm(request.POST)
        context["search_form"] = form
        if form.is_valid():
            context["searched"] = True
            context["candidates"] = selectors.merge_candidates(actor=user, person=obj, q=form.cleaned_data["q"])
    else:
        # likely duplicates (same name and birth date) that the actor may change, offered first
        # (the duplicate engine: same name, pinyin or birth date in the community, the same building lifting them)
        context["likely"] = likely_duplicates(actor=user, person=obj)
    return _no_store(render(request, "registry/merge.html", context))


# --- 迁入 approval ---------------------------------------------------------------------------------------

@role_view(MoveRequest.scope_roles["view"])
def move_requests(request):
    return render(request, "registry/moves.html", {
        "incoming": selectors.move_request_list(actor=request.user),
        "sent": selectors.move_requests_sent(actor=request.user),
        "form": forms.DecideForm(),
    })


@object_view(MoveRequest, action="change", lookup={"pk": "pk"}, methods=("POST",))
def move_request_decide(request, obj):
    form = forms.DecideForm(request.POST)
    if form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.move_request_approve(actor=request.user, request=obj, note=note)
                messages.success(request, _("已批准迁入：%(n)s") % {"n": obj.person.name})
            else:
                services.move_request_reject(actor=request.user, request=obj, reason=note)
                messages.success(request, _("已驳回迁入申请"))
        except ServiceError as e:
            messages.error(request, e.user_message)
    return redirect("registry:move_requests")
