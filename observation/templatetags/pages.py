"""The link of another page of a list (``templates/partials/pagination.html``)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], param: str, number: int) -> str:
    """This page's URL with ``param`` set to ``number``, keeping the other parameters
    (the filters, a date, the other lists' pages)."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
