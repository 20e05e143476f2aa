"""Terms whose first day is not known (docs/commissions.md, "Terms whose start is not
known"): a member of an outgoing composition the source names without saying since when.
Such a term needs its last day; it covers every day up to it; pages, API and admin accept
it only when the empty start is meant, and refuse bad input with a message on the field,
writing nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from commissions import queries, services
from commissions.models import CommissionMember
from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.commissions.builders import make_member
from tests.factories import make_user

D = dt.date
pytestmark = pytest.mark.django_db
OUTGOING = {"full_name": "Akylbek Eshimov", "term_start": None, "term_end": D(2021, 6, 29)}


def test_a_term_of_unknown_start_ending_on_a_day_is_valid(headoffice, cec):
    member = services.commission_member_add(
        actor=headoffice, commission=cec, nominated_by="unknown", **OUTGOING
    )
    assert member.term_start is None and member.get_nominated_by_display() == "Not recorded"
    assert AuditEntry.objects.get(action="commission_member.add").data["term_start"] is None


def test_a_term_with_neither_start_nor_end_is_refused(headoffice, cec):
    with pytest.raises(Exception) as caught:
        services.commission_member_add(
            actor=headoffice, commission=cec, full_name="A", term_start=None
        )
    assert "term_end" in caught.value.message_dict
    assert "last day" in caught.value.message_dict["term_end"][0]
    assert not CommissionMember.objects.exists()


def test_the_database_refuses_a_term_with_no_dates(cec):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommissionMember.objects.create(commission=cec, full_name="A", term_start=None)


def test_the_database_accepts_an_unknown_start_before_any_end(cec):
    make_member(cec, **OUTGOING)


def test_an_unknown_start_overlaps_every_earlier_term_of_the_same_person(headoffice, cec):
    make_member(cec, full_name="Akylbek Eshimov", term_start=D(2015, 1, 1), term_end=D(2016, 1, 1))
    with pytest.raises(Exception) as caught:
        services.commission_member_add(actor=headoffice, commission=cec, **OUTGOING)
    assert "term_end" in caught.value.message_dict
    assert CommissionMember.objects.count() == 1


def test_the_next_term_may_start_the_day_after_an_unknown_start_term(headoffice, cec):
    make_member(cec, **OUTGOING)
    services.commission_member_add(
        actor=headoffice,
        commission=cec,
        full_name="Akylbek Eshimov",
        term_start=D(2021, 6, 30),
        re_elected=True,
    )
    with pytest.raises(Exception) as caught:
        services.commission_member_add(
            actor=headoffice, commission=cec, full_name="Akylbek Eshimov",
            term_start=D(2021, 6, 29),
        )  # fmt: skip
    assert "term_start" in caught.value.message_dict


def test_composition_on_counts_an_unknown_start_term_up_to_its_end(cec):
    old = make_member(cec, **OUTGOING)
    new = make_member(cec, full_name="Akylbek Eshimov", term_start=D(2021, 6, 30), re_elected=True)
    assert list(queries.composition_on(cec, D(2021, 6, 29))) == [old]
    assert list(queries.composition_on(cec, D(2020, 1, 1))) == [old]
    assert list(queries.composition_on(cec, D(2021, 6, 30))) == [new]
    assert [m.pk for m in queries.full_history(cec)] == [new.pk, old.pk]


def test_an_unknown_start_is_not_a_change_in_the_period_but_its_end_is(cec):
    old = make_member(cec, **OUTGOING)
    changes = queries.composition_changes(cec, D(2021, 6, 21), D(2021, 7, 4))
    assert changes.joined == [] and changes.left == [old]


# --- the report's read: the renewal ----------------------------------------------------


def test_a_re_elected_term_marks_the_renewal_with_who_left_stayed_and_joined(cec):
    make_member(cec, **OUTGOING)
    make_member(cec, full_name="Gone", term_start=None, term_end=D(2021, 6, 29))
    make_member(cec, full_name="Stays", term_start=D(2020, 1, 1))
    make_member(cec, full_name="Akylbek Eshimov", term_start=D(2021, 6, 30), re_elected=True)
    make_member(cec, full_name="Mars Naspekov", term_start=D(2021, 6, 30))
    renewal = queries.compositions_over([cec], D(2021, 6, 21), D(2021, 7, 4))[cec.pk].renewal
    assert renewal.date == D(2021, 6, 30) and renewal.outgoing_on == D(2021, 6, 29)
    assert sorted((m.full_name, c) for m, c in renewal.outgoing) == [
        ("Akylbek Eshimov", "re_elected"), ("Gone", "left"), ("Stays", "stayed"),
    ]  # fmt: skip
    assert sorted((m.full_name, c) for m, c in renewal.incoming) == [
        ("Akylbek Eshimov", "re_elected"), ("Mars Naspekov", "joined"), ("Stays", "stayed"),
    ]  # fmt: skip


def test_a_renewal_just_before_the_period_is_shown_but_not_a_month_earlier(cec):
    make_member(cec, **OUTGOING)
    make_member(cec, full_name="Akylbek Eshimov", term_start=D(2021, 6, 30), re_elected=True)
    over = queries.compositions_over
    assert over([cec], D(2021, 7, 10), D(2021, 7, 20))[cec.pk].renewal.date == D(2021, 6, 30)
    assert over([cec], D(2021, 8, 1), D(2021, 8, 20))[cec.pk].renewal is None
    assert over([cec], D(2021, 6, 1), D(2021, 6, 29))[cec.pk].renewal is None


def test_changes_without_a_re_election_are_not_a_renewal(cec):
    make_member(cec, full_name="Old chair", role="chair", term_start=None, term_end=D(2021, 6, 29))
    make_member(cec, full_name="New chair", role="chair", term_start=D(2021, 6, 30))
    assert queries.compositions_over([cec], D(2021, 6, 21), D(2021, 7, 4))[cec.pk].renewal is None


# --- pages, API, admin ------------------------------------------------------------------


def _form(**fields):
    return {"full_name": "Akylbek Eshimov", "role": "member", "nominated_by": "unknown", **fields}


def test_the_page_form_needs_the_empty_start_to_be_meant(client, cec, headoffice):
    client.force_login(headoffice)
    url = reverse("commissions:member-add", args=[cec.pk])
    forgotten = client.post(url, _form(term_end="2021-06-29"))
    assert forgotten.status_code == 400
    assert "First day not known" in forgotten.context["form"].errors["term_start"][0]
    both = client.post(url, _form(term_start="2021-01-01", start_unknown="on"))
    assert "start_unknown" in both.context["form"].errors
    no_end = client.post(url, _form(start_unknown="on"))
    assert no_end.status_code == 400 and "term_end" in no_end.context["form"].errors
    assert not CommissionMember.objects.exists()
    meant = client.post(url, _form(start_unknown="on", term_end="2021-06-29"))
    assert meant.status_code == 302
    member = cec.members.get()
    assert member.term_start is None and member.term_end == D(2021, 6, 29)


def test_the_edit_form_keeps_the_start_unknown_and_pages_say_so(client, cec, headoffice):
    member = make_member(cec, **OUTGOING)
    client.force_login(headoffice)
    page = client.get(reverse("commissions:member-edit", args=[member.pk]))
    assert page.context["form"].initial["start_unknown"] is True
    response = client.post(
        reverse("commissions:member-edit", args=[member.pk]),
        _form(start_unknown="on", term_end="2021-06-29", note="Outgoing CEC."),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.term_start is None and member.note == "Outgoing CEC."
    detail = client.get(reverse("commissions:detail", args=[cec.pk]) + "?on=2021-06-29")
    assert "start not recorded – 2021-06-29" in detail.content.decode()


def test_the_api_takes_an_explicit_null_start_and_refuses_a_missing_one(editor_api, cec):
    base = {"commission": cec.pk, "full_name": "Akylbek Eshimov", "term_end": "2021-06-29"}
    missing = editor_api.post("/api/v1/commission-members/", base, format="json")
    assert missing.status_code == 400 and "term_start" in missing.json(), missing.json()
    no_end = editor_api.post(
        "/api/v1/commission-members/",
        {**base, "term_start": None, "term_end": None},
        format="json",
    )
    assert no_end.status_code == 400 and "term_end" in str(no_end.json())
    assert not CommissionMember.objects.exists()
    created = editor_api.post(
        "/api/v1/commission-members/", {**base, "term_start": None}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["term_start"] is None
    listed = editor_api.get(f"/api/v1/commission-members/?commission={cec.pk}&on=2021-06-29")
    assert [m["full_name"] for m in listed.json()["results"]] == ["Akylbek Eshimov"]


def test_the_admin_adds_an_unknown_start_term_only_when_meant(client, cec):
    client.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    url = "/admin/commissions/commissionmember/add/"
    fields = {"commission": cec.pk, **_form(term_end="2021-06-29")}
    refused = client.post(url, fields)
    assert refused.status_code == 200 and "term_start" in refused.context["adminform"].form.errors
    assert not CommissionMember.objects.exists()
    added = client.post(url, {**fields, "start_unknown": "on"})
    assert added.status_code == 302, added.content.decode()[:2000]
    member = CommissionMember.objects.get()
    assert member.term_start is None
    changed = client.post(
        f"/admin/commissions/commissionmember/{member.pk}/change/",
        {**_form(term_end="2021-06-29", note="Outgoing"), "start_unknown": "on"},
    )
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.note == "Outgoing"
