"""The election calendar's pages (issue 11): a timeline every role reads, dates that
analysts and administrators add, edit and delete, with the API's rules and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import AuditEntry, CalendarEntry
from tests.factories import make_district, make_election, make_user

pytestmark = pytest.mark.django_db

WRITERS = {Role.ANALYST, Role.ADMIN}


@pytest.fixture
def election():
    election = make_election(name="Repeat elections 2021", election_day=dt.date(2021, 7, 11))
    make_district(election, name="Bishkek", code="BSK")
    return election


@pytest.fixture
def entry(election):
    return CalendarEntry.objects.create(
        election=election,
        date=dt.date(2021, 5, 27),
        kind="called",
        label="The President called the repeat elections",
        reference="Decree No. 231",
    )


def login(client, role):
    user = make_user(role)
    client.force_login(user)
    return user


def _url(election):
    return f"/calendar/?election={election.pk}"


# --- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_timeline_and_only_writers_see_the_buttons(
    client, election, entry, role
):
    login(client, role)
    html = client.get(_url(election)).content.decode()
    assert "Decree No. 231" in html and "45 days before election day" in html
    assert 'class="timeline"' in html
    editable = f"/calendar/{entry.pk}/edit/" in html
    adding = f"/elections/{election.pk}/calendar/new/" in html
    assert editable == adding == (role in WRITERS)


def test_the_latest_election_is_shown_by_default_and_another_can_be_picked(client, election, entry):
    older = make_election(name="Older election", election_day=dt.date(2020, 10, 4))
    CalendarEntry.objects.create(election=older, date=dt.date(2020, 10, 4), kind="election_day")
    login(client, Role.LTO)
    assert "Decree No. 231" in client.get("/calendar/").content.decode()
    assert "Decree No. 231" not in client.get(_url(older)).content.decode()
    # an unknown election falls back to the latest, like the party index
    assert client.get("/calendar/?election=999999").status_code == 200


def test_htmx_picker_returns_only_the_timeline(client, election, entry):
    login(client, Role.ANALYST)
    response = client.get(_url(election), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="calendar"') and "<main" not in html
    assert "Decree No. 231" in html
    # the add button is in the part htmx swaps, so it follows the election picked
    assert f"/elections/{election.pk}/calendar/new/" in html


def test_no_election_yet(client):
    login(client, Role.ANALYST)
    html = client.get("/calendar/").content.decode()
    assert "No election has been entered yet." in html


def test_navigation_and_election_page_link_to_the_calendar(client, election):
    login(client, Role.ANALYST)
    overview = client.get(f"/elections/{election.pk}/").content.decode()
    assert f'href="/calendar/?election={election.pk}"' in overview
    assert 'href="/calendar/"' in overview  # the navigation


def test_anonymous_visitors_are_sent_to_sign_in(client, election, entry):
    for url in (_url(election), f"/calendar/{entry.pk}/edit/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- writing ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_only_analysts_and_admins_open_and_post_the_forms(client, election, entry, role):
    login(client, role)
    expected = 200 if role in WRITERS else 403
    assert client.get(f"/elections/{election.pk}/calendar/new/").status_code == expected
    assert client.get(f"/calendar/{entry.pk}/edit/").status_code == expected
    if role not in WRITERS:
        posted = client.post(
            f"/elections/{election.pk}/calendar/new/",
            {"kind": "campaign_start", "date": "2021-06-20"},
        )
        deleted = client.post(f"/calendar/{entry.pk}/delete/")
        assert posted.status_code == deleted.status_code == 403
        assert CalendarEntry.objects.count() == 1


def test_analyst_adds_edits_and_deletes_a_date_with_audit(client, election, entry):
    analyst = login(client, Role.ANALYST)
    response = client.post(
        f"/elections/{election.pk}/calendar/new/",
        {"kind": "campaign_end", "date": "2021-07-10", "time": "08:00", "label": "Closes"},
    )
    assert response.status_code == 302 and response["Location"] == _url(election)
    added = CalendarEntry.objects.get(kind="campaign_end")
    assert added.time == dt.time(8, 0) and added.election == election

    # the time can be removed again (an empty field, not "leave as it is")
    response = client.post(
        f"/calendar/{added.pk}/edit/",
        {"kind": "campaign_end", "date": "2021-07-10", "time": "", "label": "Closes at 08:00"},
    )
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.time is None and added.label == "Closes at 08:00"

    response = client.post(f"/calendar/{added.pk}/delete/")
    assert response.status_code == 302
    assert not CalendarEntry.objects.filter(pk=added.pk).exists()
    actions = list(
        AuditEntry.objects.filter(actor=analyst, action__startswith="calendar_entry.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar_entry.create", "calendar_entry.update", "calendar_entry.delete"]
    update = AuditEntry.objects.get(action="calendar_entry.update")
    assert update.data["time"] == ["08:00:00", None]


def test_delete_needs_a_post(client, entry):
    login(client, Role.ANALYST)
    assert client.get(f"/calendar/{entry.pk}/delete/").status_code == 405
    assert CalendarEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        # the same rules as the API: one date of a kind, a label for "other", ...
        ({"kind": "called", "date": "2021-05-28"}, "kind", "already has a date of this kind"),
        ({"kind": "other", "date": "2021-06-01"}, "label", "Say what happens"),
        # ... election day on the election's day, a real kind and date
        ({"kind": "election_day", "date": "2021-07-12"}, "date", "Election day is 2021-07-11"),
        ({"kind": "party", "date": "2021-06-01"}, "kind", "not one of the available choices"),
        ({"kind": "campaign_start", "date": "2021-02-30"}, "date", "Enter a valid date"),
        ({"kind": "campaign_start", "date": "2021-06-20", "time": "25:00"}, "time", "valid time"),
    ],
)
def test_bad_input_is_shown_on_the_field_and_changes_nothing(
    client, election, entry, data, field, message
):
    login(client, Role.ANALYST)
    response = client.post(f"/elections/{election.pk}/calendar/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors.get(field, [])), form.errors
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert CalendarEntry.objects.count() == 1
    assert not AuditEntry.objects.filter(action="calendar_entry.create").exists()


def test_an_edit_refused_changes_nothing(client, election, entry):
    CalendarEntry.objects.create(election=election, date=dt.date(2021, 6, 20), kind="lists_closed")
    login(client, Role.ANALYST)
    response = client.post(
        f"/calendar/{entry.pk}/edit/", {"kind": "lists_closed", "date": "2021-05-30"}
    )
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    entry.refresh_from_db()
    assert entry.kind == "called" and entry.date == dt.date(2021, 5, 27)
    assert not AuditEntry.objects.filter(action="calendar_entry.update").exists()


def test_page_and_api_give_the_same_message(client, election, entry):
    api = APIClient()
    api.force_login(make_user(Role.ANALYST))
    answer = api.post(
        "/api/v1/calendar/",
        {"election": election.pk, "kind": "election_day", "date": "2021-07-12"},
        format="json",
    )
    assert answer.status_code == 400
    login(client, Role.ANALYST)
    page = client.post(
        f"/elections/{election.pk}/calendar/new/", {"kind": "election_day", "date": "2021-07-12"}
    )
    assert answer.json()["date"] == page.context["form"].errors["date"]
    other = api.post(
        "/api/v1/calendar/",
        {"election": election.pk, "kind": "other", "date": "2021-06-01"},
        format="json",
    )
    assert other.status_code == 400 and "label" in other.json()


def test_api_patch_can_remove_the_time_and_leaving_it_out_keeps_it(election):
    api = APIClient()
    api.force_login(make_user(Role.ANALYST))
    entry = CalendarEntry.objects.create(
        election=election, date=dt.date(2021, 7, 10), time=dt.time(8), kind="campaign_end"
    )
    url = f"/api/v1/calendar/{entry.pk}/"
    assert api.patch(url, {"label": "Closes"}, format="json").json()["time"] == "08:00:00"
    assert api.patch(url, {"time": None}, format="json").json()["time"] is None


# --- query counts -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LTO])
def test_the_timeline_costs_the_same_queries_for_more_dates(
    client, election, role, django_assert_num_queries
):
    login(client, role)
    kinds = [k for k, _label in CalendarEntry.Kind.choices if k != "election_day"]
    CalendarEntry.objects.create(election=election, date=dt.date(2021, 5, 1), kind=kinds[0])
    make_election()
    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(election)).status_code == 200
    for n, kind in enumerate(kinds[1:], start=2):
        CalendarEntry.objects.create(
            election=election, date=dt.date(2021, 5, n), kind=kind, label=f"Date {n}"
        )
    for n in range(5):
        CalendarEntry.objects.create(
            election=election, date=dt.date(2021, 6, n + 1), kind="other", label=f"Other {n}"
        )
        make_election()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(_url(election)).status_code == 200
