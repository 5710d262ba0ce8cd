from django import template

from shanzhi.projects.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Fen as yuan with two decimals and thousands separators: 1234567 → 12,345.67."""
    return _yuan(fen)


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)
