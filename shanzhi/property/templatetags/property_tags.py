from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen as yuan with two decimals: 123456 → 1,234.56."""
    try:
        return f"{Decimal(int(fen)) / 100:,.2f}"
    except (TypeError, ValueError):
        return ""
