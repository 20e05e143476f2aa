from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], param: str, number: int) -> str:
    """This page's URL with ``param`` set to ``number``, keeping the other parameters
    (the composition date, the other sections' pages, the filters)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.filter
def party_of(member: Any) -> str:
    """A member's party as the register or, failing that, the source names it."""
    if member.party_id:
        return member.party.name
    return member.party_label
