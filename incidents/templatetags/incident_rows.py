"""The rows of the lists of incidents (the triage queue, a coordinator's district list, an
observer's *My reports*) and an escalation's delivery badge, drawn in Python.

A list page shows up to 50 rows, and the template language's cost is per variable: a row
drawn by the template took about 1 ms (50 variable lookups, each escaped), so a full page
cost 50 ms more than a page of three and the list's time grew with the data
(docs/benchmarks.md, triage). Here a row is one ``format_html`` call on values that the
view made once per list (``incidents.views.rows``), as Django's admin draws its change
list (``admin_list.items_for_result``). Every value is escaped by ``format_html``; only
markup built by this module is marked safe.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from observation.templatetags.layout import when, when_full

register = template.Library()

MUTED_DASH = mark_safe('<span class="muted">—</span>')


@register.simple_tag
def delivery_badge(escalation: Any) -> SafeString:
    """Where an escalation is on its way to the RRCG, as a badge (docs/escalation.md,
    "Delivery states"); ``escalation`` carries ``.delivery``
    (``incidents.queries.attach_delivery``). Nothing for None."""
    if not escalation:
        return SafeString("")
    state = escalation.delivery
    if state.code == "retrying":
        label = _("Retrying at %(when)s") % {"when": when_full(state.at)}
    else:
        label = state.label
    return format_html(
        '<span class="badge delivery-{}" data-delivery="{}">{}</span>',
        state.code,
        state.code,
        label,
    )


def _time(shown: dict[str, str]) -> SafeString:
    return format_html(
        '<time datetime="{}" title="{}">{}</time>', shown["iso"], shown["long"], shown["short"]
    )


ROW = (
    '<tr class="{{serious}}">'
    '<th scope="row" data-label="{ref}">{{pick}}<a href="{{url}}">{{ref}}</a></th>'
    '<td data-label="{received}">{{received}}</td>'
    '<td data-label="{happened}">{{happened}}</td>'
    '<td data-label="{district}">{{district}}</td>'
    '<td data-label="{form}">{{kind}}</td>'
    '<td data-label="{party}">{{party}}</td>'
    '<td data-label="{status}">{{status}}</td>'
    '<td data-label="{assignee}">{{assignee}}</td>'
    '<td data-label="{files}" class="num">{{files}}</td>'
    '<td data-label="{rrcg}">{{rrcg}}</td>'
    "</tr>"
)
"""A queue row: the column labels (``data-label``, shown beside each value on a narrow
screen) are filled in once per list, the values once per row."""


@register.simple_tag
def queue_rows(rows: list[Any], url_name: str, bulk: Any = None) -> SafeString:
    """The ``<tr>`` of each incident of a queue page (``incidents.views.triage.queue_context``
    gives ``rows``: ``.labels``, ``.received``, ``.happened``, ``.evidence_count``,
    ``.escalation``). ``url_name`` names the incident page; ``bulk``, when given, adds
    the tick box and version of the bulk form (``id="bulk-form"``)."""
    labels = {
        "ref": _("Ref"),
        "received": _("Received"),
        "happened": _("Happened"),
        "district": _("District"),
        "form": _("Form"),
        "party": _("Party"),
        "status": _("Status"),
        "assignee": _("Assigned to"),
        "files": _("Files"),
        "rrcg": _("RRCG"),
    }
    row_format = ROW.format(
        **{
            key: conditional_escape(value).replace("{", "{{").replace("}", "}}")
            for key, value in labels.items()
        }
    )
    unknown = format_html('<span class="muted">{}</span>', _("Unknown"))
    return mark_safe(
        "\n".join(_queue_row(row_format, row, url_name, bulk, unknown) for row in rows)
    )


def _queue_row(row_format: str, row: Any, url_name: str, bulk: Any, unknown: str) -> str:
    serious = row.severity == "serious"
    pick = (
        format_html(
            '<input type="checkbox" name="incident" value="{pk}" form="bulk-form" '
            'class="bulk-pick" aria-label="{choose}">'
            '<input type="hidden" name="version-{pk}" value="{version}" form="bulk-form"> ',
            pk=row.pk,
            choose=row.labels["choose"],
            version=row.version,
        )
        if bulk
        else ""
    )
    status = format_html(
        '<span class="badge status-{}">{}</span>', row.status, row.labels["status"]
    )
    if serious:
        status = format_html(
            '{} <span class="badge serious">{}</span>', status, row.labels["severity"]
        )
    assignee = row.assignee
    return format_html(
        row_format,
        serious="is-serious" if serious else "",
        pick=pick,
        url=reverse(url_name, args=[row.pk]),
        ref=row.ref,
        received=_time(row.received),
        happened=_time(row.happened),
        district=row.district.name,
        kind=row.labels["kind"],
        party=row.party.name if row.party_id else unknown,
        status=status,
        assignee=(assignee.get_full_name() or assignee.username) if assignee else MUTED_DASH,
        files=row.evidence_count,
        rrcg=delivery_badge(row.escalation) if row.escalation else MUTED_DASH,
    )


@register.simple_tag
def report_head(incident: Any) -> SafeString:
    """The head of one card of *My reports*: the reference linked to the incident, its
    status and delivery, form, district and time, and the place
    (``incidents.views.filing.my_reports`` gives ``.labels`` and ``.escalation``)."""
    delivery = delivery_badge(incident.escalation) if incident.escalation else ""
    return format_html(
        '<p class="report-head"><a href="{url}"><strong>{ref}</strong></a> '
        '<span class="badge status-{status}">{status_label}</span> {delivery}</p>'
        "<p>{kind} · {district} · {when}</p>"
        '<p class="muted">{location}</p>',
        url=reverse("incidents:detail", args=[incident.pk]),
        ref=incident.ref,
        status=incident.status,
        status_label=incident.labels["status"],
        delivery=delivery,
        kind=incident.labels["kind"],
        district=incident.district.name,
        when=when(incident.occurred_at),
        location=incident.location,
    )
