"""Pages of elections, districts, parties, party lists and party meetings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from observation.kernel.roles import Role
from observation.models import AuditEntry, Candidate, PartyMeeting
from tests.factories import (
    make_candidate,
    make_district,
    make_election,
    make_party,
    make_party_list,
    make_party_meeting,
    make_user,
)

pytestmark = pytest.mark.django_db

REFERENCE_WRITERS = {Role.ANALYST, Role.ADMIN}
MEETING_WRITERS = {Role.LTO, Role.COORDINATOR, Role.HEAD_OFFICE, Role.ANALYST, Role.ADMIN}


@pytest.fixture
def world():
    election = make_election(name="Repeat elections 2021")
    bishkek = make_district(election, name="Bishkek", code="BSK", mandates=45)
    osh = make_district(election, name="Osh", code="OSH", mandates=45)
    emgek = make_party(name="Emgek")
    emgek_bsk = make_party_list(emgek, bishkek, nominated_count=4)
    make_party_list(emgek, osh)
    make_candidate(emgek_bsk, position=1, gender="F", full_name="Aida Bekova")
    make_candidate(emgek_bsk, position=2, gender="M", full_name="Bakyt Osmonov")
    make_candidate(
        emgek_bsk,
        position=3,
        gender="M",
        status="denied",
        denial_reason="Court ruling",
        full_name="Chyngyz Denied",
    )
    meeting = make_party_meeting(emgek, bishkek, concerns="Black PR against our candidates.")
    return {
        "election": election,
        "bishkek": bishkek,
        "osh": osh,
        "party": emgek,
        "party_list": emgek_bsk,
        "candidate": emgek_bsk.candidates.get(position=1),
        "meeting": meeting,
    }


READ_PAGES = {
    "election list": lambda w: "/elections/",
    "election overview": lambda w: f"/elections/{w['election'].pk}/",
    "district": lambda w: f"/districts/{w['bishkek'].pk}/",
    "parties": lambda w: "/parties/",
    "party": lambda w: f"/parties/{w['party'].pk}/",
    "party list": lambda w: f"/party-lists/{w['party_list'].pk}/",
    "party meetings": lambda w: "/party-meetings/",
}
WRITE_PAGES = {
    "add election": lambda w: "/elections/new/",
    "edit election": lambda w: f"/elections/{w['election'].pk}/edit/",
    "add district": lambda w: f"/elections/{w['election'].pk}/districts/new/",
    "edit district": lambda w: f"/districts/{w['bishkek'].pk}/edit/",
    "add party": lambda w: "/parties/new/",
    "edit party": lambda w: f"/parties/{w['party'].pk}/edit/",
    "add party list": lambda w: f"/districts/{w['osh'].pk}/lists/new/",
    "edit party list": lambda w: f"/party-lists/{w['party_list'].pk}/edit/",
    "add candidate": lambda w: f"/party-lists/{w['party_list'].pk}/candidates/new/",
    "edit candidate": lambda w: f"/candidates/{w['candidate'].pk}/edit/",
}


def login(client, role, districts=()):
    user = make_user(role, districts=districts)
    client.force_login(user)
    return user


@pytest.mark.parametrize("page", READ_PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_reference_pages(client, world, page, role):
    login(client, role, [world["bishkek"]])
    response = client.get(READ_PAGES[page](world))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<main id="main"' in html and "css/observation.css" in html


@pytest.mark.parametrize("page", READ_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world, page):
    response = client.get(READ_PAGES[page](world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", WRITE_PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_only_analysts_and_admins_open_the_reference_forms(client, world, page, role):
    login(client, role, [world["bishkek"]])
    response = client.get(WRITE_PAGES[page](world))
    assert response.status_code == (200 if role in REFERENCE_WRITERS else 403)


@pytest.mark.parametrize("role", list(Role))
def test_meeting_form_is_open_to_the_roles_that_record_meetings(client, world, role):
    login(client, role, [world["bishkek"]])
    response = client.get("/party-meetings/new/")
    assert response.status_code == (200 if role in MEETING_WRITERS else 403)


@pytest.mark.parametrize("role", [Role.LTO, Role.LEGAL])
def test_forms_refuse_posts_from_roles_that_may_not_write(client, world, role):
    login(client, role, [world["bishkek"]])
    response = client.post(
        f"/party-lists/{world['party_list'].pk}/candidates/new/",
        {"full_name": "X", "gender": "F", "position": 9, "status": "registered"},
    )
    assert response.status_code == 403
    assert Candidate.objects.count() == 3


@pytest.mark.parametrize("role", list(Role))
def test_navigation_offers_elections_parties_and_meetings(client, world, role):
    login(client, role)
    html = client.get("/elections/").content.decode()
    for href in ('href="/elections/"', 'href="/parties/"', 'href="/party-meetings/"'):
        assert href in html


def test_elections_panel_links_to_the_overview(client, world):
    from django.template.loader import render_to_string

    from observation.home import _elections

    request = type("R", (), {"user": make_user(Role.ANALYST)})()
    html = render_to_string("observation/panels/elections.html", {"panel": _elections(request)})
    assert f'href="/elections/{world["election"].pk}/"' in html


# --- What the pages show ------------------------------------------------------------------


def test_overview_shows_districts_with_counts_and_totals(client, world):
    login(client, Role.HEAD_OFFICE)
    response = client.get(f"/elections/{world['election'].pk}/")
    overview = response.context["overview"]
    bishkek = overview.rows[0]
    assert (bishkek.district, bishkek.parties, bishkek.candidates) == ("Bishkek", 1, 2)
    assert (bishkek.male, bishkek.female, bishkek.denied, bishkek.nominated) == (1, 1, 1, 4)
    assert overview.totals.parties == 1 and overview.totals.party_lists == 2
    html = response.content.decode()
    assert "Parties standing in several districts" in html
    assert f'href="/districts/{world["bishkek"].pk}/"' in html


def test_district_page_lists_each_party_list_with_registered_and_denied(client, world):
    login(client, Role.LTO, [world["bishkek"]])
    response = client.get(f"/districts/{world['bishkek'].pk}/")
    [row] = response.context["party_lists"]
    assert (row.party.name, row.registered, row.denied, row.male, row.female) == (
        "Emgek", 2, 1, 1, 1
    )  # fmt: skip


def test_party_page_filters_candidates_by_status_and_gender(client, world):
    login(client, Role.LEGAL)
    url = f"/parties/{world['party'].pk}/"
    response = client.get(url, {"status": "denied"})
    assert [c.full_name for c in response.context["candidates"]] == ["Chyngyz Denied"]
    response = client.get(url, {"gender": "F"})
    assert [c.full_name for c in response.context["candidates"]] == ["Aida Bekova"]
    assert "Court ruling" not in response.content.decode()


def test_party_list_page_paginates_candidates(client, world):
    for position in range(4, 60):
        make_candidate(world["party_list"], position=position)
    login(client, Role.ANALYST)
    url = f"/party-lists/{world['party_list'].pk}/"
    first = client.get(url).context["candidates"]
    second = client.get(url, {"page": 2}).context["candidates"]
    assert (len(first), len(second), first.paginator.count) == (50, 9, 59)
    assert 'rel="next"' in client.get(url).content.decode()


def test_htmx_filter_returns_only_the_candidate_table(client, world):
    login(client, Role.ANALYST)
    response = client.get(
        f"/party-lists/{world['party_list'].pk}/",
        {"gender": "M"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="candidates",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="candidates"')
    assert "<html" not in html and "Bakyt Osmonov" in html and "Aida Bekova" not in html


def test_party_meetings_page_shows_the_concerns(client, world):
    login(client, Role.COORDINATOR, [world["osh"]])
    html = client.get("/party-meetings/").content.decode()
    assert "Black PR against our candidates." in html and "Emgek" in html


# --- Forms --------------------------------------------------------------------------------


def test_candidate_form_suggests_the_next_free_position(client, world):
    login(client, Role.ANALYST)
    response = client.get(f"/party-lists/{world['party_list'].pk}/candidates/new/")
    assert response.context["form"]["position"].value() == 4


def test_analyst_adds_a_candidate_through_the_form(client, world):
    analyst = login(client, Role.ANALYST)
    response = client.post(
        f"/party-lists/{world['party_list'].pk}/candidates/new/",
        {"full_name": "Dinara Asanova", "gender": "F", "position": 4, "status": "registered"},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(full_name="Dinara Asanova")
    assert candidate.party_list == world["party_list"]
    assert AuditEntry.objects.get(action="candidate.create").actor == analyst


def test_analyst_denies_a_candidate_through_the_form(client, world):
    login(client, Role.ANALYST)
    candidate = world["candidate"]
    data = {"full_name": candidate.full_name, "gender": "F", "position": 1, "status": "denied"}
    response = client.post(f"/candidates/{candidate.pk}/edit/", data)
    assert "denial_reason" in response.context["form"].errors
    response = client.post(
        f"/candidates/{candidate.pk}/edit/", {**data, "denial_reason": "Incomplete documents"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.status, candidate.denial_reason) == ("denied", "Incomplete documents")


def test_list_form_cannot_change_party_or_district(client, world):
    login(client, Role.ANALYST)
    other = make_party()
    response = client.post(
        f"/party-lists/{world['party_list'].pk}/edit/",
        {"nominated_count": 7, "party": other.pk, "district": world["osh"].pk},
    )
    assert response.status_code == 302
    world["party_list"].refresh_from_db()
    assert world["party_list"].nominated_count == 7
    assert (world["party_list"].party_id, world["party_list"].district_id) == (
        world["party"].pk, world["bishkek"].pk
    )  # fmt: skip


def test_observer_records_a_meeting_of_their_district(client, world):
    lto = login(client, Role.LTO, [world["bishkek"]])
    form = client.get("/party-meetings/new/").context["form"]
    assert list(form.fields["district"].queryset) == [world["bishkek"]]
    assert form.initial["district"] == world["bishkek"].pk
    response = client.post(
        "/party-meetings/new/",
        {"party": make_party(name="Turan").pk, "district": world["bishkek"].pk,
         "date": "2021-06-02", "attendees": "Two party officials",
         "concerns": "The party campaigns online only.",
         "themes": ["online_campaigning", "low_turnout"]},
    )  # fmt: skip
    assert response.status_code == 302
    meeting = PartyMeeting.objects.get(party__name="Turan")
    assert meeting.recorded_by == lto
    assert meeting.themes == ["online_campaigning", "low_turnout"]


def test_an_unknown_concern_theme_is_refused(client, world):
    login(client, Role.LTO, [world["bishkek"]])
    response = client.post(
        "/party-meetings/new/",
        {"party": make_party(name="Turan").pk, "district": world["bishkek"].pk,
         "date": "2021-06-02", "concerns": "x", "themes": ["gossip"]},
    )  # fmt: skip
    assert "themes" in response.context["form"].errors
    assert not PartyMeeting.objects.filter(party__name="Turan").exists()
    api = APIClient()
    api.force_login(make_user(Role.ANALYST))
    bad = api.post(
        "/api/v1/party-meetings/",
        {"party": world["party"].pk, "district": world["osh"].pk, "date": "2021-06-03",
         "concerns": "x", "themes": ["gossip"]},
        format="json",
    )  # fmt: skip
    assert bad.status_code == 400 and "themes" in bad.json()


def test_observer_cannot_record_a_meeting_in_another_district(client, world):
    login(client, Role.LTO, [world["bishkek"]])
    response = client.post(
        "/party-meetings/new/",
        {"party": world["party"].pk, "district": world["osh"].pk, "date": "2021-06-05",
         "concerns": "x"},
    )  # fmt: skip
    assert "district" in response.context["form"].errors
    assert PartyMeeting.objects.count() == 1


def test_observer_edits_only_meetings_of_their_districts(client, world):
    osh_meeting = make_party_meeting(world["party"], world["osh"], date=dt.date(2021, 6, 9))
    login(client, Role.LTO, [world["bishkek"]])
    html = client.get("/party-meetings/").content.decode()
    assert f"/party-meetings/{world['meeting'].pk}/edit/" in html
    assert f"/party-meetings/{osh_meeting.pk}/edit/" not in html
    assert client.get(f"/party-meetings/{osh_meeting.pk}/edit/").status_code == 403
    assert client.get(f"/party-meetings/{world['meeting'].pk}/edit/").status_code == 200


# --- Query counts -------------------------------------------------------------------------


def _grow(world, size):
    """More of everything each page lists: districts, lists, candidates, meetings."""
    for _ in range(size):
        district = make_district(world["election"])
        party = make_party()
        make_party_list(party, world["bishkek"])
        party_list = make_party_list(party, district, nominated_count=5)
        for position in range(1, 6):
            make_candidate(world["party_list"], position=1000 + Candidate.objects.count())
            make_candidate(party_list, position=position, gender="M")
        make_party_meeting(party, district)
        make_party_meeting(party, world["bishkek"])
        make_election()


@pytest.mark.parametrize("role", [Role.ANALYST, Role.LTO])
@pytest.mark.parametrize("page", READ_PAGES)
def test_pages_cost_the_same_queries_for_more_rows(
    client, world, page, role, django_assert_num_queries
):
    login(client, role, [world["bishkek"]])
    url = READ_PAGES[page](world)
    _grow(world, 1)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(world, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_admin_site_shows_reference_data_read_only(client, world):
    admin = make_user(Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/observation/candidate/").status_code == 200
    assert client.get("/admin/observation/candidate/add/").status_code == 403
    candidate = world["candidate"]
    response = client.post(
        f"/admin/observation/candidate/{candidate.pk}/change/", {"full_name": "Changed"}
    )
    assert response.status_code == 403
    candidate.refresh_from_db()
    assert candidate.full_name != "Changed"
