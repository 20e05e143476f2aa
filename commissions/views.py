"""Commission pages: thin views that read through ``queries`` and write through
``services``; who may see or change what comes from ``policies``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from commissions import queries, services
from commissions.forms import (
    CommissionDecisionForm,
    CommissionForm,
    CommissionMeetingForm,
    CommissionMemberForm,
    ComplaintDecideForm,
    ComplaintForm,
    CompositionDateForm,
    EndTermForm,
)
from commissions.imports import IMPORT_COLUMNS as PEC_COLUMNS
from commissions.imports import IMPORT_KIND as PEC_KIND
from commissions.imports import pec_import
from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)
from commissions.policies import COMMISSIONS, COMPLAINTS, DECISIONS, MEETINGS, MEMBERS
from observation.import_views import ImportPage, handle_import
from observation.kernel.access import require
from observation.kernel.forms import add_service_errors
from observation.models import Election

PAGE_SIZE = 25


def _page(request: HttpRequest, rows: QuerySet, param: str = "page") -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def _on_date(request: HttpRequest, commission: Commission) -> tuple[dt.date, CompositionDateForm]:
    form = CompositionDateForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["on"]:
        return form.cleaned_data["on"], form
    on = queries.default_composition_date(commission)
    if not form.is_bound:
        form = CompositionDateForm(initial={"on": on})
    return on, form


@require(COMMISSIONS.can_read)
def commission_list(request: HttpRequest) -> HttpResponse:
    """The tree of one election: its CEC, then the TECs with their PEC counts."""
    elections = list(queries.elections_with_commissions())
    chosen = request.GET.get("election")
    election = next((e for e in elections if str(e.pk) == chosen), None) or (
        elections[0] if elections else None
    )
    tree = queries.commission_tree(election)
    return render(
        request,
        "commissions/commission_list.html",
        {
            "elections": elections,
            "tree": tree,
            "tecs": _page(request, tree.tecs),
            "can_edit_structure": COMMISSIONS.can_write(request.user),
        },
    )


@require(COMMISSIONS.can_read)
def commission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(queries.commissions_with_counts(), pk=pk)
    on, date_form = _on_date(request, commission)
    composition = list(queries.composition_on(commission, on))
    context = {
        "commission": commission,
        "on": on,
        "date_form": date_form,
        "composition": composition,
        # members, meetings, decisions, complaints: head office and legal; the
        # commission itself and its PECs: analysts (commissions/policies.py)
        "can_edit": MEMBERS.can_write(request.user),
        "can_edit_structure": COMMISSIONS.can_write(request.user),
    }
    if request.htmx and request.htmx.target == "composition":
        response = render(request, "commissions/_composition.html", context)
        # One URL, two bodies: caches must keep the partial apart from the page.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
    election = commission.election
    context.update(
        changes=queries.composition_changes(
            commission, election.observation_start, election.observation_end
        ),
        history=list(queries.full_history(commission)),
        subordinates=_page(request, queries.subordinate_commissions(commission), "sub_page"),
        meetings=_page(request, queries.meetings(commission), "meetings_page"),
        decisions=_page(request, queries.decisions(commission), "decisions_page"),
        complaints=_page(request, queries.complaints(commission), "complaints_page"),
    )
    response = render(request, "commissions/commission_detail.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


@require(COMPLAINTS.can_read)
def complaint_list(request: HttpRequest) -> HttpResponse:
    """Complaints across commissions, filtered by status, election or "overdue"."""
    rows = queries.complaints().order_by("deadline", "id")
    status = request.GET.get("status", "")
    if status in Complaint.Status.values:
        rows = rows.filter(status=status)
    overdue = request.GET.get("overdue") == "1"
    if overdue:
        rows = rows.filter(is_overdue=True)
    election = request.GET.get("election", "")
    if election.isdigit():
        rows = rows.filter(commission__election_id=int(election))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "commissions/complaint_list.html",
        {
            "complaints": _page(request, rows),
            "statuses": Complaint.Status.choices,
            "status": status,
            "overdue": overdue,
            "elections": Election.objects.order_by("-election_day"),
            "election": election,
            "query": query.urlencode(),
            "can_edit": COMPLAINTS.can_write(request.user),
        },
    )


# --- Forms -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    *,
    form: BaseForm,
    commission: Commission,
    title: str,
    save: Callable[[dict[str, Any]], Any],
    done: str,
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save`` (a service) and go back to the
    commission. A rule the service refuses is shown on the form; nothing was written."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("commissions:detail", pk=commission.pk)
    return render(
        request,
        "commissions/form.html",
        {"form": form, "commission": commission, "title": title},
        status=400 if request.method == "POST" else 200,
    )


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@require(MEMBERS.can_write)
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(Commission, pk=pk)
    form = CommissionMemberForm(_data(request), instance=CommissionMember(commission=commission))
    return _form_page(
        request,
        form=form,
        commission=commission,
        title=_("Add a member to %(name)s") % {"name": commission.name},
        save=lambda data: services.commission_member_add(
            actor=request.user, commission=commission, **data
        ),
        done=_("Member added."),
    )


@require(MEMBERS.can_write)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(CommissionMember.objects.select_related("commission"), pk=pk)
    form = CommissionMemberForm(_data(request), instance=member)
    return _form_page(
        request,
        form=form,
        commission=member.commission,
        title=_("Correct the term of %(name)s") % {"name": member.full_name},
        save=lambda data: services.commission_member_update(
            actor=request.user, member=member, **data
        ),
        done=_("Term corrected."),
    )


@require(MEMBERS.can_write)
def member_end_term(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(CommissionMember.objects.select_related("commission"), pk=pk)
    form = EndTermForm(_data(request), initial={"note": member.note})
    return _form_page(
        request,
        form=form,
        commission=member.commission,
        title=_("End the term of %(name)s") % {"name": member.full_name},
        save=lambda data: services.commission_member_end_term(
            actor=request.user, member=member, term_end=data["term_end"], note=data["note"]
        ),
        done=_("Term ended."),
    )


@require(MEETINGS.can_write)
def meeting_add(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(Commission, pk=pk)
    form = CommissionMeetingForm(_data(request), instance=CommissionMeeting(commission=commission))
    return _form_page(
        request,
        form=form,
        commission=commission,
        title=_("Record a meeting of %(name)s") % {"name": commission.name},
        save=lambda data: services.commission_meeting_record(
            actor=request.user, commission=commission, **data
        ),
        done=_("Meeting recorded."),
    )


@require(MEETINGS.can_write)
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(CommissionMeeting.objects.select_related("commission"), pk=pk)
    form = CommissionMeetingForm(_data(request), instance=meeting)
    return _form_page(
        request,
        form=form,
        commission=meeting.commission,
        title=_("Correct the meeting of %(date)s") % {"date": meeting.date.isoformat()},
        save=lambda data: services.commission_meeting_update(
            actor=request.user, meeting=meeting, **data
        ),
        done=_("Meeting corrected."),
    )


@require(DECISIONS.can_write)
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(Commission, pk=pk)
    form = CommissionDecisionForm(
        _data(request), instance=CommissionDecision(commission=commission), commission=commission
    )
    return _form_page(
        request,
        form=form,
        commission=commission,
        title=_("Record a decision of %(name)s") % {"name": commission.name},
        save=lambda data: services.commission_decision_record(
            actor=request.user, commission=commission, **form.service_fields()
        ),
        done=_("Decision recorded."),
    )


@require(DECISIONS.can_write)
def decision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    decision = get_object_or_404(
        CommissionDecision.objects.select_related("commission", "candidate"), pk=pk
    )
    form = CommissionDecisionForm(_data(request), instance=decision, commission=decision.commission)
    return _form_page(
        request,
        form=form,
        commission=decision.commission,
        title=_("Correct the decision of %(date)s") % {"date": decision.date.isoformat()},
        save=lambda data: services.commission_decision_update(
            actor=request.user, decision=decision, **form.service_fields()
        ),
        done=_("Decision corrected."),
    )


@require(COMPLAINTS.can_write)
def complaint_add(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(Commission.objects.select_related("election"), pk=pk)
    form = ComplaintForm(_data(request), instance=Complaint(commission=commission))
    return _form_page(
        request,
        form=form,
        commission=commission,
        title=_("Register a complaint to %(name)s") % {"name": commission.name},
        save=lambda data: services.complaint_record(
            actor=request.user, commission=commission, **data
        ),
        done=_("Complaint registered."),
    )


@require(COMPLAINTS.can_write)
def complaint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.select_related("commission__election"), pk=pk)
    form = ComplaintForm(_data(request), instance=complaint)
    return _form_page(
        request,
        form=form,
        commission=complaint.commission,
        title=_("Correct the complaint of %(name)s") % {"name": complaint.complainant},
        save=lambda data: services.complaint_update(
            actor=request.user, complaint=complaint, **data
        ),
        done=_("Complaint corrected."),
    )


@require(COMPLAINTS.can_write)
def complaint_decide(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.select_related("commission"), pk=pk)
    form = ComplaintDecideForm(_data(request))
    return _form_page(
        request,
        form=form,
        commission=complaint.commission,
        title=_("Record the decision on the complaint of %(name)s")
        % {"name": complaint.complainant},
        save=lambda data: services.complaint_decide(
            actor=request.user, complaint=complaint, **data
        ),
        done=_("Decision on the complaint recorded."),
    )


# --- The structure (analysts) ----------------------------------------------------------


def _commission_form_page(
    request: HttpRequest, form: CommissionForm, title: str, save: Callable[[dict], Commission]
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            commission = save(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": commission.name})
            return redirect("commissions:detail", pk=commission.pk)
    return render(
        request,
        "commissions/form.html",
        {"form": form, "commission": form.instance if form.instance.pk else None, "title": title},
        status=400 if request.method == "POST" else 200,
    )


@require(COMMISSIONS.can_write)
def commission_add(request: HttpRequest) -> HttpResponse:
    """A new commission; ``?parent=<id>`` proposes a PEC (under a TEC) or a TEC (under
    the CEC) of the parent's election."""
    initial: dict[str, Any] = {}
    parent = Commission.objects.filter(pk=request.GET.get("parent") or 0).first()
    if parent is not None:
        initial = {
            "election": parent.election,
            "parent": parent,
            "level": Commission.PARENT_LEVEL_OF.get(parent.level, ""),
            "district": parent.district,
        }
    elif (request.GET.get("election") or "").isdigit():
        initial = {"election": Election.objects.filter(pk=request.GET["election"]).first()}
    form = CommissionForm(_data(request), initial=initial)

    def save(data: dict[str, Any]) -> Commission:
        return services.commission_create(actor=request.user, **data)

    return _commission_form_page(request, form, _("Add a commission"), save)


@require(COMMISSIONS.can_write)
def commission_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commission = get_object_or_404(Commission, pk=pk)
    form = CommissionForm(_data(request), instance=Commission.objects.get(pk=pk))

    def save(data: dict[str, Any]) -> Commission:
        return services.commission_update(actor=request.user, commission=commission, **data)

    return _commission_form_page(
        request, form, _("Edit %(name)s") % {"name": commission.name}, save
    )


def _pecs_done(election: Election) -> str:
    return f"{reverse('commissions:list')}?election={election.pk}"


PEC_IMPORT_PAGE = ImportPage(
    kind=PEC_KIND,
    service=pec_import,
    columns=PEC_COLUMNS,
    template="commissions/pec_import.html",
    done_url=_pecs_done,
    example=(("BSK", "PEC No. 1001", ""), ("Bishkek TEC", "PEC No. 1002", "Re-formed in June")),
)


@require(COMMISSIONS.can_write)
def pec_import_page(request: HttpRequest) -> HttpResponse:
    return handle_import(request, PEC_IMPORT_PAGE)
