from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from observation.import_views import ImportPage, handle_import
from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.models import Election
from voters.forms import ElectionChoiceForm, VoterSnapshotForm
from voters.models import VoterListSnapshot
from voters.policies import VOTER_SNAPSHOT_IMPORT, VOTER_SNAPSHOTS
from voters.queries import (
    STAGES,
    elections_for_choice,
    gender_age_table,
    registration_table,
    snapshots,
    snapshots_of,
)
from voters.services import (
    IMPORT_COLUMNS,
    IMPORT_KIND,
    voter_snapshot_delete,
    voter_snapshot_import,
    voter_snapshot_save,
)

SNAPSHOTS_PER_PAGE = 25


def _chosen_election(request: HttpRequest) -> Election | None:
    """The election in ``?election=``, else the latest one."""
    elections = elections_for_choice()
    chosen = request.GET.get("election", "")
    if chosen.isdigit():
        election = elections.filter(pk=int(chosen)).first()
        if election is not None:
            return election
    return elections.first()


def registration_url(election: Election | None, **params: str) -> str:
    query = {"election": election.pk} if election is not None else {}
    query.update(params)
    url = reverse("voters:registration")
    return f"{url}?{urlencode(query)}" if query else url


@require(VOTER_SNAPSHOTS.can_read)
def registration(request: HttpRequest) -> HttpResponse:
    """The seed's Tables 1 and 2 for one election, and its snapshots."""
    election = _chosen_election(request)
    stage = request.GET.get("stage", "control")
    if stage not in STAGES:
        stage = "control"
    context = {
        "election": election,
        "stage": stage,
        "stages": [(code, VoterListSnapshot.Stage(code).label) for code in STAGES],
        "can_write": VOTER_SNAPSHOTS.can_write(request.user),
        "election_form": ElectionChoiceForm(initial={"election": election}),
    }
    if election is not None:
        context["gender_age"] = gender_age_table(election, stage)
        if request.htmx and request.htmx.target == "gender-age":
            return render(request, "voters/_gender_age.html", context)
        context["registration"] = registration_table(election)
        page = Paginator(snapshots_of(election), SNAPSHOTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["snapshots"] = page
    return render(request, "voters/registration.html", context)


def _save_snapshot(
    request: HttpRequest, election: Election, instance: VoterListSnapshot | None
) -> HttpResponse:
    form = VoterSnapshotForm(request.POST or None, instance=instance, election=election)
    if request.method == "POST" and form.is_valid():
        try:
            saved = voter_snapshot_save(
                actor=request.user, snapshot=instance, **form.service_values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved the snapshot: %(snapshot)s.") % {"snapshot": saved})
            return redirect(registration_url(election))
    return render(
        request,
        "voters/snapshot_form.html",
        {"form": form, "election": election, "snapshot": instance},
    )


@require(VOTER_SNAPSHOTS.can_write)
def snapshot_create(request: HttpRequest) -> HttpResponse:
    election = _chosen_election(request)
    if election is None:
        messages.error(request, _("Create an election before its voter lists."))
        return redirect("voters:registration")
    return _save_snapshot(request, election, None)


@require(VOTER_SNAPSHOTS.can_write)
def snapshot_edit(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(snapshots(), pk=pk)
    return _save_snapshot(request, snapshot.commission.election, snapshot)


@require_POST
@require(VOTER_SNAPSHOTS.can_write)
def snapshot_delete(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_object_or_404(snapshots(), pk=pk)
    election = snapshot.commission.election
    voter_snapshot_delete(actor=request.user, snapshot=snapshot)
    messages.success(request, _("Deleted the snapshot: %(snapshot)s.") % {"snapshot": snapshot})
    return redirect(registration_url(election))


VOTER_IMPORT_PAGE = ImportPage(
    kind=IMPORT_KIND,
    service=voter_snapshot_import,
    columns=IMPORT_COLUMNS,
    template="voters/import.html",
    done_url=registration_url,
    example=(
        ("Bishkek TEC", "preliminary", "2021-06-09", "424847", "", "", "", "", "", "", "", ""),
        (
            "Bishkek TEC",
            "control",
            "2021-06-20",
            "425107",
            "179270",
            "245837",
            "100817",
            "99529",
            "77311",
            "68649",
            "48740",
            "30061",
        ),
    ),
)


@require(VOTER_SNAPSHOT_IMPORT.can_write)
def snapshot_import(request: HttpRequest) -> HttpResponse:
    return handle_import(request, VOTER_IMPORT_PAGE)
