"""Pages of incident filing for observers. Thin: parse, call a service or a
query, render. Every page works without JavaScript; ``static/incidents/offline.js``
adds the offline queue on top."""

from __future__ import annotations

import hashlib
import json
import uuid
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from incidents import details as incident_details
from incidents import files as evidence_files
from incidents import policies, queries
from incidents.forms.filing import AnswerForm, EvidenceForm, IncidentForm, new_incident_id
from incidents.models import Comment, Evidence, Incident
from incidents.offline import offline_config
from incidents.services import filing
from incidents.views.rows import row_labels
from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.kernel.storage import file_response

KIND_INTROS = {
    "admin_resource": {
        "title": Incident.Kind.ADMIN_RESOURCE.label,
        "hint": gettext_lazy("Misuse of state property or staff, pressure, threats or violence."),
    },
    "vote_buying": {
        "title": Incident.Kind.VOTE_BUYING.label,
        "hint": gettext_lazy("Money, goods or services offered for votes."),
    },
    "campaign_rules": {
        "title": Incident.Kind.CAMPAIGN_RULES.label,
        "hint": gettext_lazy(
            "Campaigning at the wrong time or place, unmarked or false materials."
        ),
    },
}


def _form_context(request: HttpRequest, form: IncidentForm, kind: str) -> dict[str, Any]:
    return {
        "form": form,
        "kind": kind,
        "intro": KIND_INTROS[kind],
        "offline": offline_config(request.user),
    }


@require(policies.can_file)
def choose_form(request: HttpRequest) -> HttpResponse:
    """Step one: which of the three forms."""
    kinds = [{"code": code, **KIND_INTROS[code]} for code in incident_details.KINDS]
    return render(
        request, "incidents/choose.html", {"kinds": kinds, "offline": offline_config(request.user)}
    )


def _draft_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.GET.get("draft", ""))
    except ValueError:
        return None


@never_cache
@require(policies.can_file)
def file_incident(request: HttpRequest, kind: str) -> HttpResponse:
    """Fill in and send one form. The form's id is in its address (``?draft=<id>``) from
    the moment it is shown, so a double tap, a reload, Back after sending or a restored
    tab all carry the same id and file one incident; once that id is filed, the address
    shows "sent" instead of the form (docs/incidents.md, "Filed once"). The page is never
    cached, so Back asks the server again."""
    if kind not in incident_details.FIELDS:
        raise Http404
    if request.method == "POST" and "refresh" in request.POST:
        # Without JavaScript: the district changed, show its parties and PECs.
        form = IncidentForm(initial=request.POST.dict(), kind=kind, user=request.user)
        return render(request, "incidents/form.html", _form_context(request, form, kind))
    if request.method == "POST":
        form = IncidentForm(request.POST, request.FILES, kind=kind, user=request.user)
        if form.is_valid():
            try:
                incident, created = filing.incident_file(
                    actor=request.user, **form.service_arguments()
                )
            except ValidationError as exc:
                add_service_errors(form, exc, prefix="details.")
            except filing.IncidentConflict:
                form.add_error(
                    None,
                    _("This form was already sent with different content. Start a new report."),
                )
            else:
                _attach(request, incident, form.cleaned_data.get("evidence") or [])
                if created:
                    messages.success(
                        request, _("Report sent. Its reference is %(ref)s.") % {"ref": incident.ref}
                    )
                else:
                    messages.info(request, _("This report had already been received."))
                return redirect("incidents:detail", pk=incident.pk)
        return render(request, "incidents/form.html", _form_context(request, form, kind))
    draft = _draft_id(request)
    if draft is None:
        return redirect(f"{request.path}?draft={new_incident_id()}")
    filed = Incident.objects.filter(pk=draft).first()
    if filed is not None:
        visible = queries.incidents_for(request.user).filter(pk=draft).exists()
        return render(
            request,
            "incidents/sent.html",
            {"kind": kind, "intro": KIND_INTROS[kind], "incident": filed if visible else None},
        )
    form = IncidentForm(initial={"id": draft}, kind=kind, user=request.user)
    return render(request, "incidents/form.html", _form_context(request, form, kind))


def _attach(request: HttpRequest, incident: Incident, files: list) -> None:
    """Store each file on its own: one refused file does not lose the others (or the
    report, which is already saved)."""
    for upload in files:
        try:
            filing.evidence_add(actor=request.user, incident=incident, file=upload)
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                messages.error(request, f"{upload.name}: {message}")


@require(policies.can_file)
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.my_reports(request.user), 20).get_page(request.GET.get("page"))
    page.object_list = queries.attach_delivery(list(page.object_list))
    for incident, labels in zip(page.object_list, row_labels(page.object_list), strict=True):
        incident.labels = labels
        for comment in incident.conversation:
            if comment.visibility == Comment.Visibility.QUESTION_TO_LTO and not comment.answered_at:
                comment.answer_form = AnswerForm(question=comment)
    return render(
        request,
        "incidents/mine.html",
        {
            "page": page,
            "offline": offline_config(request.user),
        },
    )


def _visible_incident(request: HttpRequest, pk: Any) -> Incident:
    return get_object_or_404(queries.incidents_for(request.user), pk=pk)


@require(lambda user: policies.INCIDENTS.can_read(user))
def incident_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """An incident as its observer (and anyone allowed to see it) reads it: status and
    outcome, where its escalation to the RRCG is, what was reported, evidence, and head
    office's questions with a way to answer (text and files in one form)."""
    incident = _visible_incident(request, pk)
    if request.GET.get("sent") and incident.reported_by_id == request.user.pk:
        # offline.js lands here after the server confirmed the report
        messages.success(
            request, _("Report sent. Its reference is %(ref)s.") % {"ref": incident.ref}
        )
    return render(request, "incidents/detail.html", _detail_context(request, incident))


def _detail_context(
    request: HttpRequest, incident: Incident, answered: Any = None, answer_form: Any = None
) -> dict[str, Any]:
    conversation = queries.lto_conversation(incident)
    for comment in conversation:
        if comment.visibility == Comment.Visibility.QUESTION_TO_LTO and not comment.answered_at:
            bound = answered is not None and comment.pk == answered.pk
            comment.answer_form = answer_form if bound else AnswerForm(question=comment)
    escalations = queries.with_delivery(list(incident.escalations.order_by("-created_at")[:1]))
    return {
        "incident": incident,
        "details": incident_details.display(incident.kind, incident.details),
        "evidence": list(incident.evidence.order_by("uploaded_at", "id")),
        "conversation": conversation,
        "outcome": queries.outcome_for(request.user, incident),
        "escalation": escalations[0] if escalations else None,
        "show_witnesses": policies.can_see_witnesses(request.user, incident),
        "show_reporter": policies.can_see_reporter(request.user),
        "can_add_evidence": policies.can_add_evidence(request.user, incident),
        "can_answer": policies.can_answer_question(request.user, incident),
        "evidence_form": EvidenceForm(),
        "previewable": evidence_files.PREVIEWABLE,
    }


@require_POST
@require(lambda user: policies.INCIDENTS.can_read(user))
def evidence_upload(request: HttpRequest, pk: Any) -> HttpResponse:
    incident = _visible_incident(request, pk)
    if not policies.can_add_evidence(request.user, incident):
        raise PermissionDenied
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        before = incident.evidence_count
        _attach(request, incident, form.cleaned_data["evidence"])
        added = incident.evidence.count() - before
        if added:
            messages.success(request, _("%(n)d file(s) added.") % {"n": added})
        elif form.cleaned_data["evidence"]:
            messages.info(request, _("These files were already attached."))
    else:
        for message in form.errors.get("evidence", []):
            messages.error(request, message)
    return redirect("incidents:detail", pk=incident.pk)


def _token_user(view):
    """Scripts using the API's ``Authorization: Token …`` may download evidence too (the
    API lists ``download_url``); browsers use their session as usual."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated and request.headers.get("Authorization"):
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed:
                found = None
            if found is not None:
                request.user = found[0]
        return view(request, *args, **kwargs)

    return wrapped


@_token_user
@require(lambda user: policies.INCIDENTS.can_read(user))
def evidence_download(request: HttpRequest, pk: Any) -> HttpResponse:
    """Stream one evidence file to someone allowed to see its incident: head office gets
    the original, everyone else the copy without location data; each download is in the
    audit trail (``filing.evidence_download``)."""
    evidence = get_object_or_404(Evidence.objects.select_related("incident"), pk=pk)
    stored = filing.evidence_download(actor=request.user, evidence=evidence)
    stem = evidence.original_name.rsplit(".", 1)[0] or "evidence"
    filename = f"{stem}.{evidence_files.extension_for(evidence.content_type)}"
    response = file_response(stored, filename=filename, content_type=evidence.content_type)
    filing.evidence_downloaded(actor=request.user, evidence=evidence, copy=stored.field.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require(lambda user: policies.INCIDENTS.can_read(user))
def evidence_preview(request: HttpRequest, pk: Any) -> HttpResponse:
    """A photo scaled down on the server (``EVIDENCE_THUMBNAIL_PX``), from the copy this
    user may have (``policies.evidence_file_for``: without location data for everyone but
    head office and admin), re-encoded as JPEG without any metadata."""
    evidence = get_object_or_404(Evidence.objects.select_related("incident"), pk=pk)
    if not policies.can_see_incident(request.user, evidence.incident):
        raise Http404
    stored = policies.evidence_file_for(request.user, evidence)
    if stored is None or evidence.content_type not in evidence_files.PREVIEWABLE:
        raise Http404
    body = evidence_files.thumbnail(stored, settings.EVIDENCE_THUMBNAIL_PX)
    if body is None:
        raise Http404
    response = HttpResponse(body, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@require(lambda user: policies.INCIDENTS.can_read(user))
def answer_question(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        Comment.objects.select_related("incident"),
        pk=pk,
        visibility=Comment.Visibility.QUESTION_TO_LTO,
    )
    if not policies.can_see_incident(request.user, question.incident):
        raise Http404
    form = AnswerForm(request.POST, request.FILES, question=question)
    if form.is_valid():
        try:
            filing.question_answer(
                actor=request.user,
                question=question,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["evidence"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            files = len(form.cleaned_data["evidence"])
            if files:
                messages.success(
                    request,
                    ngettext(
                        "Thank you. Your answer and %(n)d file were sent to head office.",
                        "Thank you. Your answer and %(n)d files were sent to head office.",
                        files,
                    )
                    % {"n": files},
                )
            else:
                messages.success(request, _("Thank you. Your answer was sent to head office."))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("incidents:detail", args=[question.incident_id])
            return HttpResponseRedirect(target)
    # Refused: the same page again with what was typed and why (a picked file cannot be
    # kept by the browser and is named in the error).
    incident = _visible_incident(request, question.incident_id)
    response = render(
        request,
        "incidents/detail.html",
        _detail_context(request, incident, answered=question, answer_form=form),
    )
    response.status_code = 400
    return response


@never_cache
@require(policies.can_file)
def filing_reference(request: HttpRequest) -> JsonResponse:
    """The user's districts with their parties and PECs, for the form to work offline."""
    return JsonResponse({"districts": queries.filing_reference(request.user)})


OFFLINE_PAGES = ("incidents:choose", "incidents:mine")
SW_ASSETS = (
    "css/baikoo.css",
    "css/incidents.css",
    "incidents/offline.js",
    "js/site.js",
    "django_htmx/htmx-2.min.js",
)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so its scope covers every page.
    Never cached by the browser's HTTP cache, so a new version is picked up at once."""
    pages = [reverse(name) for name in OFFLINE_PAGES] + [
        reverse("incidents:file", args=[kind]) for kind in incident_details.KINDS
    ]
    assets = [static(path) for path in SW_ASSETS]
    worker_config = {
        "version": _sw_version(assets),
        "pages": pages,
        "assets": assets,
        "reference": reverse("incidents:reference"),
        "login": reverse(settings.LOGIN_URL),
        "language": get_language(),
        # Put into HTML by the worker when a page is not available offline.
        "offline_title": escape(_("No connection")),
        "offline_text": escape(
            _("This page is not kept on the phone. The incident forms work without a connection.")
        ),
        "offline_link": escape(_("Report an incident")),
    }
    body = render_to_string(
        "incidents/sw.js",
        {"version": worker_config["version"], "config_json": json.dumps(worker_config)},
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, no-store, must-revalidate"
    return response


def _sw_version(assets: list[str]) -> str:
    """A change of the worker or of any cached asset gives a new cache name, so phones
    drop stale copies."""
    digest = hashlib.sha256(get_template("incidents/sw.js").template.source.encode())
    for path in SW_ASSETS:
        digest.update(path.encode())
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    digest.update("|".join(assets).encode())
    return digest.hexdigest()[:12]
