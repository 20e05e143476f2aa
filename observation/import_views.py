"""The import pages: upload → preview (with the row errors) → confirm.

``handle_import`` serves every import page (candidate lists here, voter-list snapshots in
``voters.views``); each page only says which service it runs. Between the preview and
the confirmation the uploaded file is kept in the private storage and named by a signed
token (see ``observation.kernel.tabular.stash_upload``), so the analyst uploads once and the
commit imports exactly the bytes that were previewed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from observation.imports import IMPORT_COLUMNS as CANDIDATE_COLUMNS
from observation.imports import IMPORT_KIND as CANDIDATE_KIND
from observation.imports import candidate_import
from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.kernel.tabular import (
    ImportReport,
    discard_stashed_upload,
    open_stashed_upload,
    stash_upload,
)
from observation.models import Election
from observation.policies import REFERENCE_DATA


class ImportUploadForm(forms.Form):
    election = forms.ModelChoiceField(
        queryset=Election.objects.none(), label=gettext_lazy("Election"), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = Election.objects.order_by("-election_day", "name")


class ImportConfirmForm(forms.Form):
    election = forms.ModelChoiceField(queryset=Election.objects.all(), widget=forms.HiddenInput)
    token = forms.CharField(widget=forms.HiddenInput, max_length=4000)


@dataclass(frozen=True)
class ImportPage:
    kind: str
    service: Callable[..., ImportReport]
    columns: Sequence[str]
    template: str
    # Where a committed import leads: a URL for the election imported into.
    done_url: Callable[[Election], str]
    example: Sequence[Sequence[str]] = ()


def handle_import(request: HttpRequest, page: ImportPage) -> HttpResponse:
    if request.method == "GET" and request.GET.get("download") == "template":
        return _template_csv(page)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, page)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
    else:
        form = ImportUploadForm()
        chosen = request.GET.get("election") or form.fields["election"].queryset.first()
        form.initial["election"] = chosen
    context: dict[str, Any] = {"form": form, "page": page}
    if request.method == "POST" and form.is_valid():
        election = form.cleaned_data["election"]
        upload = form.cleaned_data["file"]
        try:
            report = page.service(actor=request.user, file=upload, election=election, commit=False)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            context.update(report=report, election=election)
            if report.is_valid and report.has_changes:
                stash = stash_upload(
                    upload=upload,
                    user_id=request.user.pk,
                    kind=page.kind,
                    election_id=election.pk,
                    sha256=report.sha256,
                )
                context["confirm"] = ImportConfirmForm(
                    initial={"election": election.pk, "token": stash.token}
                )
    return render(request, page.template, context)


def _confirm(request: HttpRequest, page: ImportPage) -> HttpResponse:
    confirm = ImportConfirmForm(request.POST)
    form = ImportUploadForm(initial={"election": request.POST.get("election")})
    context: dict[str, Any] = {"form": form, "page": page}
    if not confirm.is_valid():
        context["confirm_errors"] = [_("The confirmation was incomplete; upload the file again.")]
        return render(request, page.template, context)
    election = confirm.cleaned_data["election"]
    try:
        upload, stored_name = open_stashed_upload(
            confirm.cleaned_data["token"],
            user_id=request.user.pk,
            kind=page.kind,
            election_id=election.pk,
        )
        report = page.service(actor=request.user, file=upload, election=election, commit=True)
    except ValidationError as exc:
        context["confirm_errors"] = exc.messages
        return render(request, page.template, context)
    if not report.committed:
        # The data changed since the preview and a row no longer passes: show why.
        context.update(report=report, election=election)
        return render(request, page.template, context)
    discard_stashed_upload(stored_name)
    messages.success(
        request,
        _("Imported %(filename)s: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
        % {"filename": report.filename, **report.counts},
    )
    return redirect(page.done_url(election))


def _template_csv(page: ImportPage) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(page.columns)
    writer.writerows(page.example)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{page.kind}-template.csv"'
    return response


def _candidates_done(election: Election) -> str:
    return f"{reverse('candidate-import')}?election={election.pk}"


CANDIDATE_IMPORT_PAGE = ImportPage(
    kind=CANDIDATE_KIND,
    service=candidate_import,
    columns=CANDIDATE_COLUMNS,
    template="observation/import/candidates.html",
    done_url=_candidates_done,
    example=(
        ("BSK", "Emgek", "1", "Candidate One", "F", "registered", ""),
        ("BSK", "Emgek", "2", "Candidate Two", "M", "denied", "Incomplete documents"),
    ),
)


@require(REFERENCE_DATA.can_write)
def candidate_import_page(request: HttpRequest) -> HttpResponse:
    return handle_import(request, CANDIDATE_IMPORT_PAGE)
