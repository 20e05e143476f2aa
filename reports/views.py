"""Report pages: thin views that parse, call a service or a query, and render.

Every page works without JavaScript; htmx only swaps partials (the Markdown preview, the
export progress) under links and forms that work on their own."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.kernel.storage import file_response
from observation.models import Election
from reports import queries, services
from reports.charts import BarChart, Series
from reports.document import KIND_LABELS
from reports.drafting import draft_sentences
from reports.exports import CONTENT_TYPES, FORMATS, filename_for
from reports.exports.html import render_html
from reports.forms import (
    AbbreviationForm,
    ContextFigureForm,
    ExportForm,
    RecommendationForm,
    ReportForm,
    ReportSettingsForm,
    SectionForm,
    SectionImageForm,
)
from reports.markdown import render_markdown
from reports.models import (
    Abbreviation,
    ContextFigure,
    ExportJob,
    Recommendation,
    Report,
    SectionImage,
)
from reports.policies import DASHBOARD, REPORTS, ReportFrozen, require_draft
from reports.sections import COMPUTED, SECTION_KEYS, SECTION_TITLES

can_read = require(REPORTS.can_read)
can_write = require(REPORTS.can_write)


def _report(pk: int) -> Report:
    return get_object_or_404(queries.report_with_parts(), pk=pk)


def _frozen_redirects(view):
    """Pages that change a report call ``policies.require_draft``; for a published report
    they send the user back to it with the reason instead."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except ReportFrozen as exc:
            messages.error(request, exc.messages[0])
            return redirect("reports:detail", exc.report_pk)

    return wrapped


def _still_rendering(request: HttpRequest, report: Report) -> HttpResponse:
    messages.info(
        request,
        _("The published files are still being prepared; this page shows their progress."),
    )
    return redirect("reports:detail", report.pk)


def _attachment(content: bytes, filename: str, export_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[export_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- list, create, overview ----------------------------------------------------------


@can_read
def report_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.reports_list(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/list.html",
        {"page": page, "can_write": REPORTS.can_write(request.user)},
    )


@can_write
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Report created."))
            return redirect("reports:detail", report.pk)
    return render(request, "reports/create.html", {"form": form})


@can_read
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    jobs = queries.latest_export_jobs(report)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "sections": [
                {"section": s, "title": SECTION_TITLES[s.key], "computed": s.key in COMPUTED}
                for s in report.sections.all()
            ],
            "can_write": REPORTS.can_write(request.user),
            "jobs": jobs,
            "formats": FORMATS,
            "files": queries.publication_files(report, jobs),
        },
    )


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def report_settings(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    initial = {f: getattr(report, f) for f in services.REPORT_FIELDS}
    form = ReportSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Report saved."))
            return redirect("reports:detail", report.pk)
    return render(request, "reports/settings.html", {"report": report, "form": form})


# --- sections ----------------------------------------------------------------------


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """Edit one narrative. The form posts the whole text with every button (save,
    preview, insert a draft sentence), so nothing typed is lost on any of them."""
    if key not in SECTION_KEYS:
        raise Http404
    report = _report(pk)
    require_draft(report)
    section = next(s for s in report.sections.all() if s.key == key)
    data = queries.report_data(report) if key in COMPUTED else None
    sentences = draft_sentences(key, data, report.language) if data else []
    form = SectionForm(
        request.POST or None, initial={"body": section.body, "version": section.version}
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        body = form.cleaned_data["body"]
        action = request.POST.get("action", "save")
        if action.startswith("insert-"):
            try:
                sentence = sentences[int(action.removeprefix("insert-"))]
            except (ValueError, IndexError):
                sentence = ""
            body = f"{body.rstrip()}\n\n{sentence}".lstrip() if sentence else body
            # Inserting is editing: the sentence goes into the box, unsaved, for the
            # analyst to change and save (with JavaScript it happens in the page:
            # static/reports/section-editor.js).
            form = SectionForm(initial={"body": body, "version": form.cleaned_data["version"]})
            action = "preview"
        if action == "preview":
            preview = render_markdown(body)
        else:
            try:
                services.report_section_update(
                    actor=request.user,
                    report=report,
                    key=key,
                    body=body,
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Section saved."))
                return redirect("reports:section", report.pk, key)
    document = queries.report_document(report, data) if data else None
    computed_blocks = next(s.blocks for s in document.sections if s.key == key) if document else []
    return render(
        request,
        "reports/section.html",
        {
            "report": report,
            "section": section,
            "title": SECTION_TITLES[key],
            "form": form,
            "preview": preview,
            "sentences": sentences,
            "computed_blocks": [b for b in computed_blocks if type(b).__name__ != "Narrative"],
            "keys": [(k, SECTION_TITLES[k]) for k in SECTION_KEYS],
        },
    )


@can_write
@require_POST
def section_preview(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    get_object_or_404(Report, pk=pk)
    return render(
        request,
        "reports/partials/preview.html",
        {"preview": render_markdown(request.POST.get("body", ""))},
    )


# --- recommendations and abbreviations --------------------------------------------


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def recommendations(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    form = RecommendationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_create(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recommendation added."))
            return redirect("reports:recommendations", report.pk)
    items = sorted(
        report.recommendations.all(),
        key=lambda r: (Recommendation.ADDRESSEE_ORDER.index(r.addressee), r.order, r.pk),
    )
    return render(
        request, "reports/recommendations.html", {"report": report, "form": form, "items": items}
    )


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    recommendation = get_object_or_404(Recommendation, pk=item, report=report)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.recommendation_delete(actor=request.user, recommendation=recommendation)
        messages.success(request, _("Recommendation deleted."))
        return redirect("reports:recommendations", report.pk)
    form = RecommendationForm(
        request.POST or None,
        initial={f: getattr(recommendation, f) for f in ("addressee", "text", "order")},
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            services.recommendation_update(
                actor=request.user, recommendation=recommendation, **fields
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recommendation saved."))
            return redirect("reports:recommendations", report.pk)
    return render(
        request,
        "reports/item_edit.html",
        {"report": report, "form": form, "title": _("Edit recommendation"),
         "back": reverse("reports:recommendations", args=[report.pk])},
    )  # fmt: skip


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def abbreviations(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    form = AbbreviationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.abbreviation_create(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Abbreviation added."))
            return redirect("reports:abbreviations", report.pk)
    return render(
        request,
        "reports/abbreviations.html",
        {"report": report, "form": form, "items": list(report.abbreviations.all())},
    )


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def abbreviation_edit(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    abbreviation = get_object_or_404(Abbreviation, pk=item, report=report)
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.abbreviation_delete(actor=request.user, abbreviation=abbreviation)
        messages.success(request, _("Abbreviation deleted."))
        return redirect("reports:abbreviations", report.pk)
    form = AbbreviationForm(
        request.POST or None,
        initial={f: getattr(abbreviation, f) for f in ("short", "meaning", "order")},
    )
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if v is not None}
        try:
            services.abbreviation_update(actor=request.user, abbreviation=abbreviation, **fields)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Abbreviation saved."))
            return redirect("reports:abbreviations", report.pk)
    return render(
        request,
        "reports/item_edit.html",
        {"report": report, "form": form, "title": _("Edit abbreviation"),
         "back": reverse("reports:abbreviations", args=[report.pk])},
    )  # fmt: skip


# --- context figures and images ---------------------------------------------------


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def figures(request: HttpRequest, pk: int) -> HttpResponse:
    """Tables of outside figures (with source and chart) and images, per section."""
    report = _report(pk)
    require_draft(report)
    action = request.POST.get("action", "")
    figure_form = ContextFigureForm(request.POST if action == "figure" else None)
    image_form = SectionImageForm(
        request.POST if action == "image" else None,
        request.FILES if action == "image" else None,
    )
    if request.method == "POST":
        if action == "delete-figure":
            figure = get_object_or_404(ContextFigure, pk=request.POST.get("item"), report=report)
            services.context_figure_delete(actor=request.user, figure=figure)
            messages.success(request, _("Figures deleted."))
            return redirect("reports:figures", report.pk)
        if action == "delete-image":
            image = get_object_or_404(SectionImage, pk=request.POST.get("item"), report=report)
            services.section_image_delete(actor=request.user, image=image)
            messages.success(request, _("Image deleted."))
            return redirect("reports:figures", report.pk)
        form, service = (
            (figure_form, services.context_figure_create)
            if action == "figure"
            else (image_form, services.section_image_add)
        )
        if form.is_valid():
            try:
                service(actor=request.user, report=report, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("reports:figures", report.pk)
    return render(
        request,
        "reports/figures.html",
        {
            "report": report,
            "figure_form": figure_form,
            "image_form": image_form,
            "figures": list(report.context_figures.all()),
            "images": list(report.images.all()),
        },
    )


# --- preview, exports, publication ------------------------------------------------


@can_read
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTML export itself, shown in the browser (a published report: as frozen)."""
    report = _report(pk)
    if report.is_published:
        frozen = queries.published_file(report, "html")
        if frozen is None:
            return _still_rendering(request, report)
        return HttpResponse(frozen, content_type=CONTENT_TYPES["html"])
    html = render_html(
        queries.report_document(report),
        preview_bar=_("Preview of a draft: the numbers are recomputed on every view."),
        back_url=reverse("reports:detail", args=[report.pk]),
    )
    return HttpResponse(html, content_type=CONTENT_TYPES["html"])


@can_read
def report_download(request: HttpRequest, pk: int, export_format: str) -> HttpResponse:
    if export_format not in FORMATS:
        raise Http404
    report = _report(pk)
    if not report.is_published and not REPORTS.can_write(request.user):
        # Exporting a draft is the analysts' job (docs/roles.md); readers get published files.
        raise PermissionDenied
    content = services.report_export(actor=request.user, report=report, export_format=export_format)
    if content is None:
        return _still_rendering(request, report)
    return _attachment(content, filename_for(report.pk, report.title, export_format), export_format)


@can_write
@require_POST
def export_create(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an export format."))
        return redirect("reports:detail", report.pk)
    job = services.export_job_create(
        actor=request.user, report=report, export_format=form.cleaned_data["format"]
    )
    if request.htmx:
        return render(request, "reports/partials/job.html", {"report": report, "job": job})
    messages.info(request, _("The export is being built; this page shows its progress."))
    return redirect("reports:detail", report.pk)


@can_write
def export_status(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    export_job = get_object_or_404(ExportJob.objects.select_related("report"), pk=job, report_id=pk)
    services.export_job_requeue_if_stale(job=export_job, after=dt.timedelta(seconds=30))
    template = "reports/partials/job.html" if request.htmx else "reports/job.html"
    return render(request, template, {"report": export_job.report, "job": export_job})


@can_write
def export_download(request: HttpRequest, pk: int, job: int) -> HttpResponse:
    export_job = get_object_or_404(ExportJob.objects.select_related("report"), pk=job, report_id=pk)
    if export_job.status != ExportJob.Status.DONE or not export_job.file:
        raise Http404
    response = file_response(
        export_job.file,
        filename=export_job.file.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES[export_job.format],
    )
    services.export_job_downloaded(actor=request.user, job=export_job)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@can_write
@_frozen_redirects
@require_http_methods(["GET", "POST"])
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(pk)
    require_draft(report)
    if request.method == "POST":
        try:
            services.report_publish(actor=request.user, report=report)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The report is published and frozen."))
        return redirect("reports:detail", report.pk)
    return render(request, "reports/publish.html", {"report": report})


# --- dashboard ----------------------------------------------------------------------


@require(DASHBOARD.can_read)
def dashboard(request: HttpRequest) -> HttpResponse:
    election = queries.dashboard_election(request.GET.get("election"))
    context: dict = {"election": election, "elections": Election.objects.order_by("-election_day")}
    if election is not None:
        include = request.GET.get("under_review") == "1"
        data = queries.dashboard_data(election, include_under_review=include)
        timeline = data["timeline"]
        context.update(data)
        context["charts"] = {
            "time": BarChart(
                "time",
                _("Incidents per day by form"),
                [day.strftime("%d.%m") for day, _counts in timeline],
                [Series(str(label), [counts[k] for _d, counts in timeline])
                 for k, label in KIND_LABELS.items()],
                stacked=True,
                width=720,
            ) if timeline else None,
            "district": BarChart(
                "district",
                _("Incidents by district"),
                [row["district__name"] for row in data["by_district"]],
                [Series(_("Incidents"), [row["n"] for row in data["by_district"]])],
                horizontal=True,
            ) if data["by_district"] else None,
            "party": BarChart(
                "party",
                _("Incidents by party"),
                # every party, however many: the chart grows instead of dropping some
                [row["party__name"] or _("Party not known") for row in data["by_party"]],
                [Series(_("Incidents"), [row["n"] for row in data["by_party"]])],
                horizontal=True,
            ) if data["by_party"] else None,
        }  # fmt: skip
    return render(request, "reports/dashboard.html", context)
