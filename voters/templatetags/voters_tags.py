from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

register = template.Library()

MISSING = "—"


@register.filter
def count(value: Any) -> str:
    """A number of voters with the locale's thousands separator, or a dash if unknown."""
    if value is None or value == "":
        return MISSING
    return intcomma(value)


@register.filter
def change(value: Any) -> str:
    """A change between two lists with its sign, as the seed prints it: +260, −30."""
    if value is None or value == "":
        return MISSING
    if value > 0:
        return f"+{intcomma(value)}"
    if value < 0:
        return f"\u2212{intcomma(-value)}"
    return "0"


@register.filter
def lookup(mapping: Any, key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def percent(value: Any) -> str:
    """A share to one decimal, localized (42.2 % in English, 42,2 % in Russian)."""
    if value is None or value == "":
        return MISSING
    return f"{floatformat(value, 1)}\u00a0%"
