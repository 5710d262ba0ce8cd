"""Small template helpers shared by every page."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from shanzhi.core import privacy
from shanzhi.core.labels import choice_labels
from shanzhi.core.panels import render_panels

register = template.Library()


@register.filter
def cndate(value):
    """2026年11月21日"""
    if not value:
        return ""
    if hasattr(value, "astimezone") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cndatetime(value):
    if not value:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


@register.filter
def cnnum(value):
    """12,345 → 1.2万 where natural."""
    try:
        n = float(value)
    except (TypeError, ValueError):
        return value
    if abs(n) >= 100_000_000:
        return f"{n / 100_000_000:.1f}亿".replace(".0亿", "亿")
    if abs(n) >= 10_000:
        return f"{n / 10_000:.1f}万".replace(".0万", "万")
    return formats.number_format(int(n) if n == int(n) else n, force_grouping=True)


@register.simple_tag(takes_context=True)
def url_replace(context, **kwargs):
    """The current query string with some parameters replaced (for filters and pagination)."""
    query = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v in (None, ""):
            query.pop(k, None)
        else:
            query[k] = v
    return query.urlencode()


@register.simple_tag(takes_context=True)
def panels(context, slot, obj=None):
    """The cards other apps registered for this page's slot (core.panels)."""
    return render_panels(slot, context["request"], obj)


@register.filter
def get_item(mapping, key):
    """`{{ labels|get_item:value }}`: a dict's entry by a variable key ('' when missing)."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


PHONE_NAMES = ("phone", "mobile", "tel")
SENSITIVE_NAMES = ("id_number", "id_card", "idno", *PHONE_NAMES)


@register.filter
def is_phone_field(name) -> bool:
    """A phone input (type=tel, autocomplete=tel) by its field name."""
    return any(n in str(name) for n in PHONE_NAMES)


@register.filter
def is_sensitive_field(name) -> bool:
    """ID numbers and phones: marked data-sz-sensitive, so the timeout draft (ui.js) never stores them."""
    return any(n in str(name) for n in SENSITIVE_NAMES)


@register.filter
def public_text(value, region_code=""):
    """A text on a public page with its ID numbers, phones and the community's registry names masked
    (`core.privacy.public_text`)."""
    return privacy.public_text(str(value or ""), region_code=str(region_code or ""))


@register.filter
def display(obj, name):
    """`{{ case|display:"state" }}` is `case.get_state_display`, with the field's labels in the active language
    made once per process instead of on every call."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    try:
        return choice_labels(field).get(value, value)
    except TypeError:  # an unhashable value: no choice matches it
        return value


SELECTED = mark_safe(" selected")


@register.filter
def select_options(bound_field):
    """A select's `<option>`s, the bound value selected (compared as text, as `stringformat:"s"` does): one Python
    loop instead of a template loop re-reading the field's value for every option."""
    current = str(bound_field.value())
    return format_html_join("", "<option value=\"{}\"{}>{}</option>",
                            ((value, SELECTED if str(value) == current else "", label)
                             for value, label in bound_field.field.choices))
