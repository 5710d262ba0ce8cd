"""The 答复模板 page (系统配置-style): a community's, street's or district's templates, with the system
defaults beside them read-only."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shanzhi.core.access import role_view
from shanzhi.core.errors import ConflictError, ServiceError
from shanzhi.core.scope import prefixes_for_roles
from shanzhi.core.scoping import minimal_prefixes

from . import selectors, services
from .forms import TemplateForm
from .permissions import MANAGE_ROLES, can_manage
from .render import PLACEHOLDERS


def _areas(user) -> list[tuple[str, str]]:
    """The areas the user manages (region codes: this app sits beside regions and does not read it)."""
    return [(code, code) for code in minimal_prefixes(prefixes_for_roles(user, MANAGE_ROLES))]


def _initial(template) -> dict:
    return {k: getattr(template, k) for k in ("region_code", "kind", "step", "category_code", "title", "body",
                                               "active", "version")}


def _save(request, template, form):
    d = dict(form.cleaned_data)
    version = d.pop("version")
    if template is None:
        return services.template_create(actor=request.user, **d)
    d.pop("region_code")  # a template stays in its area
    return services.template_update(actor=request.user, template=template, version=version, **d)


@role_view(MANAGE_ROLES, methods=("GET", "POST"))
def template_list(request):
    template = selectors.template_get(actor=request.user, pk=request.POST.get("pk") or request.GET.get("pk"))
    areas = _areas(request.user)
    if template is not None and template.region_code and template.region_code not in dict(areas):
        areas.append((template.region_code, template.region_code))
    initial = _initial(template) if template is not None else {"active": True}
    form = TemplateForm(request.POST or None, initial=initial, areas=areas)
    can_edit, reason = can_manage(request.user, template) if template is not None else (True, "")
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, template, form)
        except ConflictError as e:
            form.add_error(None, e.user_message)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.user_message)
        else:
            messages.success(request, _("已保存答复模板“%(t)s”") % {"t": saved.title})
            return redirect(f"{reverse('replies:list')}?pk={saved.pk}")
    return render(request, "replies/list.html", {
        "templates": selectors.template_list(actor=request.user), "template": template, "form": form,
        "can_edit": can_edit, "reason": reason, "placeholders": PLACEHOLDERS})
