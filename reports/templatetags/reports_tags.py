"""Rendering of a report document's blocks in HTML (exports, preview, pages)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from reports.charts import to_svg
from reports.exports.html import render_block as export_block

register = template.Library()


@register.simple_tag
def render_block(block: Any) -> SafeString:
    """A block as the HTML export prints it (one renderer for the pages and the exports)."""
    return export_block(block)


@register.simple_tag
def chart_svg(chart: Any) -> SafeString:
    return mark_safe(to_svg(chart))


@register.simple_tag
def incident_url(incident: Any) -> str:
    """The incident's page, where the incidents app provides one (it owns the name)."""
    from django.urls import NoReverseMatch, reverse

    for name in ("incidents:detail", "incidents:incident", "incidents:incident-detail"):
        try:
            return reverse(name, args=[incident.pk])
        except NoReverseMatch:
            continue
    return ""
