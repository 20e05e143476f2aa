"""Head office's pages: the triage queue, the staff incident page with its actions,
and the alerts. Thin: a form parses, a service in ``incidents.services.lifecycle`` or
``incidents.services.escalation`` decides, a query in ``incidents.queries`` reads.

Every action is a plain POST that redirects back (works without JavaScript); with htmx
the same POST answers with the refreshed incident section instead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incidents import exports, policies, queries
from incidents import files as evidence_files
from incidents.details import display as display_details
from incidents.forms.triage import (
    AssignForm,
    BulkForm,
    CommentForm,
    ComplaintsForm,
    DuplicateForm,
    EscalateForm,
    SeverityForm,
    TransitionForm,
    TriageFilterForm,
)
from incidents.models import Alert, Escalation, Evidence, Incident, IncidentEvent
from incidents.services import alerts, escalation, lifecycle
from incidents.views.rows import row_labels
from observation.kernel.access import require
from observation.kernel.api import CountedPaginator
from observation.kernel.forms import add_service_errors

QUEUE_PAGE_SIZE = 50
ALERTS_PAGE_SIZE = 50
CONVERSATION_EVENTS = {
    IncidentEvent.Kind.COMMENT,
    IncidentEvent.Kind.QUESTION,
    IncidentEvent.Kind.ANSWER,
}
"""Shown with the comments rather than in the timeline."""


# --- the queue -------------------------------------------------------------------------------


@require(policies.can_read_triage)
def queue(request: HttpRequest) -> HttpResponse:
    """The incoming incidents, filtered and sorted from the query string; htmx asks for
    the results part only."""
    context = queue_context(request)
    context.update(
        {
            "open_alerts": alerts.open_alert_count()
            if policies.ALERTS.can_read(request.user)
            else None,
            "channel": queries.channel_health(),
            "queue_url": reverse("incidents:triage-queue"),
            "export_url": reverse("incidents:triage-export", args=["csv"])[: -len(".csv")],
            "row_url": "incidents:triage-incident",
            "title": _("Triage queue"),
            "bulk_form": BulkForm(user=request.user) if policies.can_triage(request.user) else None,
        }
    )
    if request.htmx and not request.htmx.boosted:
        return render(request, "incidents/triage/_queue_results.html", context)
    return render(request, "incidents/triage/queue.html", context)


def queue_context(request: HttpRequest) -> dict[str, Any]:
    """The filtered list of incidents ``request.user`` may see in a queue (head office's
    triage queue, a coordinator's district list): the same form, queries and policies."""
    form = TriageFilterForm(request.GET, user=request.user)
    form.is_valid()
    filters = form.filters()
    ids, counts = queries.queue_with_counts(request.user, filters)
    matching = (
        sum(counts[s] for s in filters.statuses) if filters.statuses else sum(counts.values())
    )
    page = CountedPaginator(ids, QUEUE_PAGE_SIZE, matching).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    without_status = query.copy()
    without_status.pop("status", None)
    return {
        "form": form,
        "page": page,
        "rows": _with_times(queries.queue_page_rows(list(page.object_list))),
        "counts": [(s, Incident.Status(s).label, counts[s]) for s in Incident.Status.values],
        "total": sum(counts.values()),
        "chosen_statuses": set(filters.statuses),
        "query_without_status": without_status.urlencode(),
        "query_string": query.urlencode(),
        "sort": filters.sort,
        "columns": _sort_links(query, filters.sort),
    }


def export_response(request: HttpRequest, fmt: str, name: str) -> HttpResponse:
    """The incidents the query string's filters select for ``request.user``, as CSV or
    XLSX (``incidents.exports``); columns by policy (``queries.export_rows``)."""
    form = TriageFilterForm(request.GET, user=request.user)
    form.is_valid()
    header, rows = queries.export_rows(request.user, form.filters())
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        body = exports.xlsx_bytes(header, rows, title=_("Incidents"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.csv_bytes(header, rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require(policies.can_read_triage)
def queue_export(request: HttpRequest, fmt: str) -> HttpResponse:
    return export_response(request, fmt, "incidents")


def _with_times(rows: list[Incident]) -> list[Incident]:
    """Each row's two times as the table shows them (machine-readable, long and short)
    and its labels, made once here: six ``|date`` filters and three ``get_…_display``
    (each a lazy translation) per row were most of the page's time at 50 rows, and the
    month's name is looked up once per list (docs/benchmarks.md)."""
    months = {m: dateformat.format(dt.date(2000, m, 1), "M") for m in range(1, 13)}
    for row, labels in zip(rows, row_labels(rows), strict=True):
        row.received = _shown_time(row.reported_at, months)
        row.happened = _shown_time(row.occurred_at, months)
        row.labels = labels
    return rows


def _shown_time(moment: Any, months: dict[int, str]) -> dict[str, str]:
    local = timezone.localtime(moment)
    day = f"{local.day} {months[local.month]}"
    clock = f"{local.hour:02d}:{local.minute:02d}"
    return {
        "iso": local.isoformat(),
        "long": f"{day} {local.year}, {clock}",
        "short": f"{day}, {clock}",
    }


def _sort_links(query: Any, current: str) -> dict[str, dict[str, str]]:
    """For each sortable column, the link that sorts by it (again: the other way)."""
    links = {}
    for column in ("ref", "reported_at", "occurred_at", "district", "status"):
        ascending = current == column
        descending = current == f"-{column}"
        target = f"-{column}" if ascending else column
        q = query.copy()
        q["sort"] = target
        links[column] = {
            "href": "?" + q.urlencode(),
            "aria": "ascending" if ascending else "descending" if descending else "",
        }
    return links


# --- one incident ----------------------------------------------------------------------------


def _incident(request: HttpRequest, pk: Any) -> Incident:
    try:
        return queries.staff_incident(request.user, pk)
    except Incident.DoesNotExist:
        raise Http404 from None


def _page_context(request: HttpRequest, incident: Incident, **forms: Any) -> dict[str, Any]:
    user = request.user
    can_triage = policies.can_triage(user)
    version = {"version": incident.version}
    all_events = list(incident.events.all())
    events = [e for e in all_events if e.kind not in CONVERSATION_EVENTS]
    recommended = {
        e.data.get("comment_id"): e.data.get("recommendation")
        for e in all_events
        if e.kind == IncidentEvent.Kind.COMMENT and e.data.get("recommendation")
    }
    comments = list(incident.comments.all())
    show_reporter = policies.can_see_reporter(user)
    for c in comments:
        c.recommendation_label = lifecycle.RECOMMENDATIONS.get(recommended.get(c.pk), "")
        c.who = policies.shown_name(c.author, reveal_observers=show_reporter)
    for e in events:
        e.who = (
            policies.shown_name(e.actor, reveal_observers=show_reporter)
            if e.actor is not None
            else _("Baikoo")
        )
    evidence: list[Evidence] = list(incident.evidence.all())
    escalations: list[Escalation] = queries.with_delivery(list(incident.escalations.all()))
    for e in escalations:
        e.payload_json = json.dumps(e.payload, indent=2, ensure_ascii=False, sort_keys=True)
    defaults = {
        "transition_form": TransitionForm(initial=version, incident=incident),
        "duplicate_form": DuplicateForm(initial=version),
        "assign_form": AssignForm(initial={**version, "assignee": incident.assignee_id}),
        "severity_form": SeverityForm(initial={**version, "severity": incident.severity}),
        "escalate_form": EscalateForm(initial=version),
        "comment_form": CommentForm(can_ask=can_triage and lifecycle.can_ask_observer(incident)),
    }
    can_link = policies.can_link_complaints(user)
    if can_link:
        defaults["complaints_form"] = ComplaintsForm(
            initial={"complaints": [c.pk for c in incident.complaints.all()]}, incident=incident
        )
    defaults.update(forms)
    return {
        "incident": incident,
        "details": display_details(incident.kind, incident.details),
        "evidence": evidence,
        "evidence_missing": max(incident.evidence_expected - len(evidence), 0),
        "events": events,
        "comments": comments,
        "escalations": escalations,
        "duplicates": list(incident.duplicates.all()),
        "show_witnesses": policies.can_see_witnesses(user, incident),
        "show_reporter": show_reporter,
        "can_triage": can_triage,
        "can_comment": policies.can_comment(user),
        "can_escalate": policies.can_escalate(user) and escalation.can_be_escalated(incident),
        "escalation_steps": [
            Incident.Status(s).label for s in lifecycle.steps_before_escalation(incident)
        ]
        if policies.can_escalate(user)
        else [],
        "can_retry": policies.can_escalate(user),
        "can_mark_duplicate": can_triage
        and Incident.Status.DUPLICATE in lifecycle.allowed_transitions(incident),
        "has_transitions": bool(defaults["transition_form"].fields["to"].choices),
        "channel": queries.channel_health() if escalations or can_triage else None,
        "recommendations": lifecycle.RECOMMENDATIONS,
        "complaints": list(incident.complaints.all()),
        "previewable": evidence_files.PREVIEWABLE,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "can_link_complaints": can_link,
        **defaults,
    }


@require(policies.can_read_triage)
def incident_page(request: HttpRequest, pk: Any) -> HttpResponse:
    incident = _incident(request, pk)
    return render(request, "incidents/triage/incident.html", _page_context(request, incident))


def _act(
    request: HttpRequest,
    pk: Any,
    *,
    form_name: str,
    make_form: Callable[[Incident], Any],
    perform: Callable[[Incident, Any], str],
) -> HttpResponse:
    """The shape of every action: parse, call the service, then redirect (or, for htmx,
    re-render the incident). A refused action shows the page again with the form's
    errors; a conflict shows the incident as it is now."""
    incident = _incident(request, pk)
    form = make_form(incident)
    status = 200
    if form.is_valid():
        try:
            done = perform(incident, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        except lifecycle.IncidentVersionConflict as exc:
            messages.error(request, str(exc))
            status = 409
            form = None  # the fresh page, with fresh versions
        else:
            messages.success(request, done)
            if not request.htmx:
                return redirect("incidents:triage-incident", pk=incident.pk)
            form = None
    else:
        status = 400
    incident = _incident(request, pk)
    forms = {form_name: form} if form is not None else {}
    response = render(
        request, "incidents/triage/incident.html", _page_context(request, incident, **forms)
    )
    # htmx swaps only 2xx answers; the message and the form errors say what happened.
    response.status_code = 200 if request.htmx else status
    return response


def _version(data: dict[str, Any]) -> int | None:
    return data.get("version")


@require_POST
@require(policies.can_triage)
def transition(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        lifecycle.incident_transition(
            actor=request.user,
            incident=incident,
            to=data["to"],
            note=data["note"],
            expected_version=_version(data),
        )
        return _("%(ref)s is now “%(status)s”.") % {
            "ref": incident.ref,
            "status": Incident.Status(data["to"]).label,
        }

    return _act(
        request,
        pk,
        form_name="transition_form",
        make_form=lambda incident: TransitionForm(request.POST, incident=incident),
        perform=perform,
    )


@require_POST
@require(policies.can_triage)
def mark_duplicate(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        try:
            lifecycle.incident_transition(
                actor=request.user,
                incident=incident,
                to=Incident.Status.DUPLICATE,
                note=data["note"],
                duplicate_of=data["original"],
                expected_version=_version(data),
            )
        except ValidationError as exc:
            # the service names the field ``duplicate_of``; the form calls it ``original``
            if hasattr(exc, "error_dict") and "duplicate_of" in exc.error_dict:
                raise ValidationError({"original": exc.error_dict["duplicate_of"]}) from None
            raise
        return _("%(ref)s is marked as a duplicate of %(original)s.") % {
            "ref": incident.ref,
            "original": data["original"].ref,
        }

    return _act(
        request,
        pk,
        form_name="duplicate_form",
        make_form=lambda incident: DuplicateForm(request.POST),
        perform=perform,
    )


@require_POST
@require(policies.can_triage)
def assign(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        lifecycle.incident_assign(
            actor=request.user,
            incident=incident,
            assignee=data["assignee"],
            expected_version=_version(data),
        )
        if data["assignee"] is None:
            return _("%(ref)s is assigned to nobody.") % {"ref": incident.ref}
        return _("%(ref)s is assigned to %(name)s.") % {
            "ref": incident.ref,
            "name": data["assignee"].get_full_name() or data["assignee"].get_username(),
        }

    return _act(
        request,
        pk,
        form_name="assign_form",
        make_form=lambda incident: AssignForm(request.POST),
        perform=perform,
    )


@require_POST
@require(policies.can_triage)
def severity(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        lifecycle.incident_set_severity(
            actor=request.user,
            incident=incident,
            severity=data["severity"],
            expected_version=_version(data),
        )
        return _("Severity saved.")

    return _act(
        request,
        pk,
        form_name="severity_form",
        make_form=lambda incident: SeverityForm(request.POST),
        perform=perform,
    )


@require_POST
@require(policies.can_comment)
def comment(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        lifecycle.incident_comment(
            actor=request.user,
            incident=incident,
            body=data["body"],
            visibility=data["visibility"],
            recommendation=data["recommendation"],
        )
        if data["visibility"] == "question_to_lto":
            return _("Your question was sent to the observer.")
        return _("Comment saved.")

    return _act(
        request,
        pk,
        form_name="comment_form",
        make_form=lambda incident: CommentForm(request.POST),
        perform=perform,
    )


@require_POST
@require(policies.can_escalate)
def escalate(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        row = escalation.incident_escalate(
            actor=request.user,
            incident=incident,
            reason=data["reason"],
            expected_version=_version(data),
        )
        # Say only what is true now: the RRCG has nothing until a delivery succeeds.
        if queries.delivery_state(row).code == "waiting_channel":
            return _(
                "%(ref)s is escalated but not sent: no channel to the RRCG is configured. "
                "It waits and leaves as soon as one is."
            ) % {"ref": incident.ref}
        return _(
            "%(ref)s is escalated and queued for sending to the RRCG; this page shows when "
            "the RRCG has it."
        ) % {"ref": incident.ref}

    return _act(
        request,
        pk,
        form_name="escalate_form",
        make_form=lambda incident: EscalateForm(request.POST),
        perform=perform,
    )


@require_POST
@require(policies.can_escalate)
def escalation_retry(request: HttpRequest, pk: Any) -> HttpResponse:
    row = get_object_or_404(queries.escalations_for(request.user), pk=pk)
    try:
        escalation.escalation_retry(actor=request.user, escalation=row)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Sending to the RRCG is being tried again."))
    if request.htmx:
        incident = _incident(request, row.incident_id)
        return render(request, "incidents/triage/incident.html", _page_context(request, incident))
    return redirect("incidents:triage-incident", pk=row.incident_id)


@require_POST
@require(policies.can_read_triage)
def link_complaints(request: HttpRequest, pk: Any) -> HttpResponse:
    def perform(incident: Incident, data: dict[str, Any]) -> str:
        lifecycle.incident_link_complaints(
            actor=request.user, incident=incident, complaints=data["complaints"]
        )
        return _("The complaints concerning %(ref)s are saved.") % {"ref": incident.ref}

    return _act(
        request,
        pk,
        form_name="complaints_form",
        make_form=lambda incident: ComplaintsForm(request.POST, incident=incident),
        perform=perform,
    )


@require_POST
@require(policies.can_triage)
def bulk(request: HttpRequest) -> HttpResponse:
    """One action for the incidents ticked in the queue: each through its own service
    call, each reported (done, refused, changed meanwhile). Back to the queue as it was
    filtered."""
    form = BulkForm(request.POST, user=request.user)
    back = request.POST.get("back", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("incidents:triage-queue")
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    try:
        outcomes = lifecycle.incidents_bulk(
            actor=request.user,
            action=data["action"],
            items=form.items(),
            assignee=data["assignee"],
            original=data["original"],
            note=data["note"],
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    done = [o.incident.ref for o in outcomes if o.done]
    if done:
        messages.success(
            request,
            _("Done for %(n)d incident(s): %(refs)s.") % {"n": len(done), "refs": ", ".join(done)},
        )
    for outcome in outcomes:
        if not outcome.done:
            messages.error(request, f"{outcome.incident.ref}: {outcome.message}")
    return redirect(back)


# --- alerts ----------------------------------------------------------------------------------


@require(policies.ALERTS.can_read)
def alert_list(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("show") == "all"
    rows = Alert.objects.select_related("incident", "dismissed_by").order_by("-created_at", "-id")
    if not show_all:
        rows = rows.filter(dismissed_at__isnull=True)
    page = Paginator(rows, ALERTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/triage/alerts.html",
        {
            "page": page,
            "show_all": show_all,
            "items": [(alert, alerts.describe(alert)) for alert in page.object_list],
        },
    )


@require_POST
@require(policies.ALERTS.can_write)
def alert_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(Alert, pk=pk)
    alerts.alert_dismiss(actor=request.user, alert=alert)
    if request.htmx:
        return HttpResponse("")  # the row disappears
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("incidents:triage-alerts")
    return redirect(target)
