"""`{% load money %}` then `{{ amount|eur }}`: € 1.234,56 in Dutch, €1,234.56 in English (any template)."""

from django import template
from django.utils.translation import get_language

from maatwerk.lib.money import format_eur

register = template.Library()


@register.filter
def eur(value, decimals=2):
    """Format a Decimal as euros in the active language; empty for None. `|eur:0` drops the cents."""
    if value is None or value == "":
        return ""
    try:
        return format_eur(value, get_language() or "nl", decimals=int(decimals))
    except (TypeError, ValueError):
        return ""
