"""A regional coordinator's pages (docs/guides/coordinator.md): their districts' incidents
(the triage queue's filters, form and queries, read-only, scoped by
``policies.queue_incidents``), each observer's activity, and the places with no report
lately. Head office and administrators see the same pages for every district."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents import policies, queries
from incidents.views.triage import export_response, queue_context
from observation.kernel.access import require

MAX_QUIET_DAYS = 365


@require(policies.DISTRICT_WATCH.can_read)
def incidents(request: HttpRequest) -> HttpResponse:
    context = queue_context(request)
    context.update(
        {
            "queue_url": reverse("incidents:districts-incidents"),
            "export_url": reverse("incidents:districts-export", args=["csv"])[: -len(".csv")],
            # coordinators read an incident on the page its observer sees (no witnesses,
            # no internal notes); head office on its own page
            "row_url": "incidents:triage-incident"
            if policies.can_read_triage(request.user)
            else "incidents:detail",
            "title": _("Incidents in my districts"),
            "intro": _("Read-only: head office triages these incidents."),
            "read_only": True,
            "open_alerts": None,
            "channel": None,
        }
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "incidents/triage/_queue_results.html", context)
    return render(request, "incidents/triage/queue.html", context)


@require(policies.DISTRICT_WATCH.can_read)
def incidents_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export_response(request, fmt, "district-incidents")


@require(policies.DISTRICT_WATCH.can_read)
def observers(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incidents/coordination/observers.html",
        {"rows": queries.observer_activity(request.user)},
    )


@require(policies.DISTRICT_WATCH.can_read)
def quiet(request: HttpRequest) -> HttpResponse:
    """Districts and PECs with no report in ``?days=N`` days (default
    ``queries.QUIET_DAYS``); a bad N says so and uses the default."""
    error = ""
    raw = request.GET.get("days", "").strip()
    days = queries.QUIET_DAYS
    if raw:
        try:
            days = int(raw)
            if not 1 <= days <= MAX_QUIET_DAYS:
                raise ValueError
        except ValueError:
            days = queries.QUIET_DAYS
            error = _("Give a whole number of days from 1 to %(max)d.") % {"max": MAX_QUIET_DAYS}
    status = 400 if error else 200
    return render(
        request,
        "incidents/coordination/quiet.html",
        {
            "days": days,
            "raw": raw,
            "error": error,
            "places": queries.quiet_places(request.user, days),
        },
        status=status,
    )
