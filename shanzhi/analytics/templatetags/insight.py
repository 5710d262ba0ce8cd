"""Number formatting and labels for the analytics pages."""

from django import template
from django.utils import formats
from django.utils.translation import gettext_lazy as _

register = template.Library()

MODULES = {
    "registry": _("人口与住户"), "cases": _("民情"), "consultation": _("社区协商"), "disclosure": _("阳光公开"),
    "volunteering": _("志愿服务"), "party": _("党建引领"), "analytics": _("设施与人力资源"), "projects": _("项目"),
    "property": _("物业"), "services": _("便民服务"), "assessment": _("考核评估"),
}


@register.filter
def fig(value, digits=1):
    """A figure for a page: — when undefined, whole numbers without decimals, others with `digits`."""
    if value is None or value == "":
        return "—"
    try:
        n = float(value)
    except (TypeError, ValueError):
        return value
    if n == int(n):
        return formats.number_format(int(n), force_grouping=True)
    return formats.number_format(round(n, int(digits)), decimal_pos=int(digits), force_grouping=True)


@register.filter
def module_label(key):
    return MODULES.get(key, key)


@register.filter
def signed(value):
    if value is None:
        return ""
    return f"+{fig(value)}" if value > 0 else fig(value)
