"""Pages of observation: the home page and the reference data of an election.

Views are thin: a query from ``observation.queries`` to read, a form to parse, a service
from ``observation.services`` to write. Lists are paginated and cost a fixed number of
queries however many rows there are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from observation import queries, services
from observation.forms import (
    CalendarElectionForm,
    CalendarEntryForm,
    CandidateFilterForm,
    CandidateForm,
    DistrictForm,
    ElectionForm,
    PartyForm,
    PartyListEditForm,
    PartyListForm,
    PartyMeetingFilterForm,
    PartyMeetingForm,
    ServiceForm,
)
from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.kernel.registry import panels_for
from observation.models import (
    CalendarEntry,
    Candidate,
    District,
    Election,
    Party,
    PartyList,
    PartyMeeting,
)
from observation.policies import (
    PARTY_MEETINGS,
    REFERENCE_DATA,
    party_meeting_editable_by,
    visible_districts,
)

PAGE_SIZE = 50

read_reference = require(REFERENCE_DATA.can_read)
write_reference = require(REFERENCE_DATA.can_write)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's start page: the panels its apps registered for that role."""
    return render(request, "observation/home.html", {"panels": panels_for(request)})


def _page(request: HttpRequest, rows: QuerySet, size: int = PAGE_SIZE) -> Page:
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _submit(
    request: HttpRequest, form: ServiceForm, write: Callable[[dict[str, Any]], Any], done: Any
) -> Any | None:
    """Validate ``form`` and hand its values to ``write`` (a service call). Returns what
    the service returned, or None when the form or the service refused."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        saved = write(form.changed_values())
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, done)
    return saved


def _form_page(
    request: HttpRequest,
    form: ServiceForm,
    *,
    title: Any,
    back: str,
    template: str = "observation/form.html",
    **context: Any,
) -> HttpResponse:
    return render(request, template, {"form": form, "title": title, "back": back, **context})


def _candidate_table(
    request: HttpRequest, *, template: str, context: dict[str, Any], **scope: Any
) -> HttpResponse:
    """A page with a filterable, paginated candidate table; htmx asks for the table only."""
    filters = context["filters"]
    candidates = queries.candidates_of(**scope, **filters.criteria())
    context["candidates"] = _page(request, candidates)
    if request.htmx and request.htmx.target == "candidates":
        return render(request, "observation/partials/candidates.html", context)
    return render(request, template, context)


# --- Elections ----------------------------------------------------------------------------


@read_reference
def election_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "observation/election_list.html",
        {
            "elections": _page(request, queries.elections_with_counts()),
            "can_edit": REFERENCE_DATA.can_write(request.user),
        },
    )


@read_reference
def election_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The election at a glance: the seed's Table 3 as the app computes it."""
    election = get_object_or_404(Election, pk=pk)
    return render(
        request,
        "observation/election_overview.html",
        {
            "election": election,
            "overview": queries.election_overview(election),
            "can_edit": REFERENCE_DATA.can_write(request.user),
        },
    )


@write_reference
def election_create(request: HttpRequest) -> HttpResponse:
    form = ElectionForm(request.POST or None)
    election = _submit(
        request,
        form,
        lambda values: services.election_create(actor=request.user, **values),
        _("Election added."),
    )
    if election:
        return redirect("election-overview", pk=election.pk)
    return _form_page(request, form, title=_("Add an election"), back=reverse("election-list"))


@write_reference
def election_edit(request: HttpRequest, pk: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=pk)
    form = ElectionForm(request.POST or None, instance=election)
    saved = _submit(
        request,
        form,
        lambda values: services.election_update(actor=request.user, election=election, **values),
        _("Election saved."),
    )
    if saved:
        return redirect("election-overview", pk=saved.pk)
    back = reverse("election-overview", args=[election.pk])
    return _form_page(request, form, title=_("Edit the election"), back=back)


# --- Districts ----------------------------------------------------------------------------


@read_reference
def district_detail(request: HttpRequest, pk: int) -> HttpResponse:
    district = get_object_or_404(District.objects.select_related("election"), pk=pk)
    lists = list(queries.district_party_lists(district))
    totals = {
        key: sum(getattr(pl, key) for pl in lists)
        for key in ("nominated_count", "registered", "male", "female", "denied", "withdrawn")
    }
    return render(
        request,
        "observation/district_detail.html",
        {
            "district": district,
            "party_lists": lists,
            "totals": totals,
            "can_edit": REFERENCE_DATA.can_write(request.user),
        },
    )


@write_reference
def district_create(request: HttpRequest, election_pk: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_pk)
    form = DistrictForm(request.POST or None, instance=District(election=election))
    district = _submit(
        request,
        form,
        lambda values: services.district_create(actor=request.user, election=election, **values),
        _("District added."),
    )
    if district:
        return redirect("district-detail", pk=district.pk)
    back = reverse("election-overview", args=[election.pk])
    return _form_page(request, form, title=_("Add a district"), back=back, subtitle=election.name)


@write_reference
def district_edit(request: HttpRequest, pk: int) -> HttpResponse:
    district = get_object_or_404(District.objects.select_related("election"), pk=pk)
    form = DistrictForm(request.POST or None, instance=district)
    saved = _submit(
        request,
        form,
        lambda values: services.district_update(actor=request.user, district=district, **values),
        _("District saved."),
    )
    if saved:
        return redirect("district-detail", pk=saved.pk)
    back = reverse("district-detail", args=[district.pk])
    return _form_page(
        request, form, title=_("Edit the district"), back=back, subtitle=district.election.name
    )


# --- Parties ------------------------------------------------------------------------------


@read_reference
def party_index(request: HttpRequest) -> HttpResponse:
    elections = Election.objects.order_by("-election_day", "name")
    election = None
    if (chosen := request.GET.get("election", "")).isdigit():
        election = elections.filter(pk=chosen).first()
    return render(
        request,
        "observation/party_index.html",
        {
            "parties": _page(request, queries.parties_with_counts(election)),
            "elections": elections,
            "election": election,
            "can_edit": REFERENCE_DATA.can_write(request.user),
        },
    )


@read_reference
def party_detail(request: HttpRequest, pk: int) -> HttpResponse:
    party = get_object_or_404(Party, pk=pk)
    lists = list(queries.party_lists_of_party(party))
    districts = District.objects.filter(party_lists__party=party).order_by("name")
    context = {
        "party": party,
        "party_lists": lists,
        "filters": CandidateFilterForm(request.GET or None, districts=districts),
        "can_edit": REFERENCE_DATA.can_write(request.user),
    }
    return _candidate_table(
        request, template="observation/party_detail.html", context=context, party=party
    )


@write_reference
def party_create(request: HttpRequest) -> HttpResponse:
    form = PartyForm(request.POST or None)
    party = _submit(
        request,
        form,
        lambda values: services.party_create(actor=request.user, **values),
        _("Party added."),
    )
    if party:
        return redirect("party-detail", pk=party.pk)
    return _form_page(request, form, title=_("Add a party"), back=reverse("party-index"))


@write_reference
def party_edit(request: HttpRequest, pk: int) -> HttpResponse:
    party = get_object_or_404(Party, pk=pk)
    form = PartyForm(request.POST or None, instance=party)
    saved = _submit(
        request,
        form,
        lambda values: services.party_update(actor=request.user, party=party, **values),
        _("Party saved."),
    )
    if saved:
        return redirect("party-detail", pk=saved.pk)
    back = reverse("party-detail", args=[party.pk])
    return _form_page(request, form, title=_("Edit the party"), back=back)


# --- Party lists and candidates -----------------------------------------------------------


@read_reference
def party_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    party_list = get_object_or_404(
        queries.party_lists_with_counts().select_related("party", "district__election"), pk=pk
    )
    context = {
        "party_list": party_list,
        "filters": CandidateFilterForm(request.GET or None),
        "can_edit": REFERENCE_DATA.can_write(request.user),
    }
    return _candidate_table(
        request,
        template="observation/party_list_detail.html",
        context=context,
        party_list=party_list,
    )


@write_reference
def party_list_create(request: HttpRequest, district_pk: int) -> HttpResponse:
    district = get_object_or_404(District.objects.select_related("election"), pk=district_pk)
    form = PartyListForm(request.POST or None, instance=PartyList(district=district))
    party_list = _submit(
        request,
        form,
        lambda values: services.party_list_create(actor=request.user, district=district, **values),
        _("Party list added."),
    )
    if party_list:
        return redirect("party-list-detail", pk=party_list.pk)
    back = reverse("district-detail", args=[district.pk])
    return _form_page(request, form, title=_("Add a party list"), back=back, subtitle=str(district))


@write_reference
def party_list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    party_list = get_object_or_404(PartyList.objects.select_related("party", "district"), pk=pk)
    form = PartyListEditForm(request.POST or None, instance=party_list)
    saved = _submit(
        request,
        form,
        lambda values: services.party_list_update(
            actor=request.user, party_list=party_list, **values
        ),
        _("Party list saved."),
    )
    if saved:
        return redirect("party-list-detail", pk=saved.pk)
    back = reverse("party-list-detail", args=[party_list.pk])
    return _form_page(
        request, form, title=_("Edit the party list"), back=back, subtitle=str(party_list)
    )


@write_reference
def candidate_create(request: HttpRequest, party_list_pk: int) -> HttpResponse:
    party_list = get_object_or_404(
        PartyList.objects.select_related("party", "district"), pk=party_list_pk
    )
    form = CandidateForm(
        request.POST or None,
        instance=Candidate(party_list=party_list),
        initial={"position": queries.next_free_position(party_list)},
    )
    candidate = _submit(
        request,
        form,
        lambda values: services.candidate_create(
            actor=request.user, party_list=party_list, **values
        ),
        _("Candidate added."),
    )
    if candidate:
        return redirect("party-list-detail", pk=party_list.pk)
    back = reverse("party-list-detail", args=[party_list.pk])
    return _form_page(
        request, form, title=_("Add a candidate"), back=back, subtitle=str(party_list)
    )


@write_reference
def candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        Candidate.objects.select_related("party_list__party", "party_list__district"), pk=pk
    )
    form = CandidateForm(request.POST or None, instance=candidate)
    saved = _submit(
        request,
        form,
        lambda values: services.candidate_update(actor=request.user, candidate=candidate, **values),
        _("Candidate saved."),
    )
    if saved:
        return redirect("party-list-detail", pk=candidate.party_list_id)
    back = reverse("party-list-detail", args=[candidate.party_list_id])
    return _form_page(
        request,
        form,
        title=_("Edit the candidate"),
        back=back,
        subtitle=str(candidate.party_list),
    )


# --- Party meetings -----------------------------------------------------------------------


@require(PARTY_MEETINGS.can_read)
def party_meeting_list(request: HttpRequest) -> HttpResponse:
    filters = PartyMeetingFilterForm(request.GET or None)
    meetings = _page(request, queries.party_meetings(**filters.criteria()), size=20)
    can_record = PARTY_MEETINGS.can_write(request.user)
    editable: set[int] = set()
    if can_record:
        # One query for the whole page: the districts of these meetings the user reaches.
        shown = District.objects.filter(pk__in={m.district_id for m in meetings})
        reach = set(visible_districts(request.user, shown).values_list("pk", flat=True))
        editable = {m.pk for m in meetings if m.district_id in reach}
    return render(
        request,
        "observation/party_meeting_list.html",
        {
            "meetings": meetings,
            "filters": filters,
            "can_record": can_record,
            "editable": editable,
        },
    )


@require(PARTY_MEETINGS.can_write)
def party_meeting_create(request: HttpRequest) -> HttpResponse:
    form = PartyMeetingForm(request.POST or None, user=request.user)
    meeting = _submit(
        request,
        form,
        lambda values: services.party_meeting_create(actor=request.user, **values),
        _("Party meeting recorded."),
    )
    if meeting:
        return redirect("party-meeting-list")
    back = reverse("party-meeting-list")
    return _form_page(request, form, title=_("Record a party meeting"), back=back)


@require(PARTY_MEETINGS.can_write)
def party_meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(PartyMeeting.objects.select_related("party", "district"), pk=pk)
    if not party_meeting_editable_by(request.user, meeting):
        raise PermissionDenied
    form = PartyMeetingForm(request.POST or None, instance=meeting, user=request.user)
    saved = _submit(
        request,
        form,
        lambda values: services.party_meeting_update(actor=request.user, meeting=meeting, **values),
        _("Party meeting saved."),
    )
    if saved:
        return redirect("party-meeting-list")
    back = reverse("party-meeting-list")
    return _form_page(request, form, title=_("Edit the party meeting"), back=back)


# --- The election calendar ----------------------------------------------------------------
# Reference data (REFERENCE_DATA): every role reads the calendar, analysts and
# administrators change it (docs/reference-data.md#the-election-calendar).


def _calendar_url(election_id: int) -> str:
    return f"{reverse('calendar')}?election={election_id}"


@read_reference
def calendar(request: HttpRequest) -> HttpResponse:
    """An election's calendar as a timeline (``?election=``, the latest by default);
    htmx asks for the timeline only when another election is picked."""
    elections = Election.objects.order_by("-election_day", "name")
    election = None
    if (chosen := request.GET.get("election", "")).isdigit():
        election = elections.filter(pk=chosen).first()
    if election is None:
        election = elections.first()
    context = {
        "election": election,
        "entries": queries.calendar_timeline(election) if election else [],
        "picker": CalendarElectionForm(initial={"election": election}),
        "can_edit": REFERENCE_DATA.can_write(request.user),
    }
    if request.htmx and request.htmx.target == "calendar":
        return render(request, "observation/partials/calendar.html", context)
    return render(request, "observation/calendar.html", context)


@write_reference
def calendar_entry_create(request: HttpRequest, election_pk: int) -> HttpResponse:
    election = get_object_or_404(Election, pk=election_pk)
    form = CalendarEntryForm(request.POST or None, instance=CalendarEntry(election=election))
    entry = _submit(
        request,
        form,
        lambda values: services.calendar_entry_create(
            actor=request.user, election=election, **values
        ),
        _("Date added to the calendar."),
    )
    if entry:
        return redirect(_calendar_url(election.pk))
    return _form_page(
        request,
        form,
        title=_("Add a date to the calendar"),
        back=_calendar_url(election.pk),
        subtitle=election.name,
    )


@write_reference
def calendar_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CalendarEntry.objects.select_related("election"), pk=pk)
    form = CalendarEntryForm(request.POST or None, instance=entry)
    saved = _submit(
        request,
        form,
        lambda values: services.calendar_entry_update(actor=request.user, entry=entry, **values),
        _("Calendar date saved."),
    )
    if saved:
        return redirect(_calendar_url(entry.election_id))
    return _form_page(
        request,
        form,
        title=_("Edit a date of the calendar"),
        back=_calendar_url(entry.election_id),
        subtitle=entry.election.name,
        template="observation/calendar_entry_form.html",
        delete_url=reverse("calendar-entry-delete", args=[entry.pk]),
    )


@write_reference
@require_POST
def calendar_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CalendarEntry, pk=pk)
    services.calendar_entry_delete(actor=request.user, entry=entry)
    messages.success(request, _("Date removed from the calendar."))
    return redirect(_calendar_url(entry.election_id))
