"""Issue 10 point 4: coordinators do their job. Their districts' incidents (read-only,
with the triage queue's filters), each observer's activity, and the districts and PECs
with no report in N days (docs/guides/coordinator.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents import queries
from incidents.models import Incident
from incidents.services import lifecycle
from tests.incidents.conftest import file_incident
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db

PAGES = ("/districts/incidents/", "/districts/observers/", "/districts/quiet/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("coordinator_bishkek", 200),
        ("headoffice", 200),
        ("admin", 200),
        ("lto_bishkek", 403),
        ("legal", 403),
        ("analyst", 403),
    ],
)
def test_who_may_open_the_coordinators_pages(world, client, url, user, status):
    client.force_login(world.user(user))
    assert client.get(url).status_code == status


def test_the_list_shows_only_the_coordinators_districts_read_only(world, client):
    bishkek = file_incident(world, location="Bishkek market")
    osh = file_incident(world, user="lto_osh", location="Osh bazaar")
    client.force_login(world.user("coordinator_bishkek"))
    html = client.get("/districts/incidents/").content.decode()
    assert bishkek.ref in html and osh.ref not in html
    assert f'href="/incidents/{bishkek.pk}/"' in html  # the observer's page, not triage
    assert "/triage/incidents/" not in html and "Change status" not in html
    # the district filter offers only their districts; the assignee filter is not shown
    assert ">Osh<" not in html and 'name="assignee"' not in html
    # filters work as in the queue, and cannot reach another district
    html = client.get("/districts/incidents/", {"district": world.osh.pk}).content.decode()
    assert osh.ref not in html
    html = client.get("/districts/incidents/", {"q": "market"}).content.decode()
    assert bishkek.ref in html


def test_the_filters_narrow_by_status_like_the_queue(world, client):
    verified = incident_in(world, S.VERIFIED)
    submitted = incident_in(world, S.SUBMITTED)
    client.force_login(world.user("coordinator_bishkek"))
    html = client.get("/districts/incidents/", {"status": "verified"}).content.decode()
    assert verified.ref in html and submitted.ref not in html
    partial = client.get(
        "/districts/incidents/", {"status": "verified"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert partial.lstrip().startswith('<section id="queue-results"') and verified.ref in partial


def test_observer_activity(world, client):
    now = timezone.now()
    old = file_incident(world, reported_at=now - dt.timedelta(days=10))
    file_incident(world, reported_at=now - dt.timedelta(days=2))
    latest = file_incident(world, reported_at=now - dt.timedelta(hours=1))
    lifecycle.incident_transition(actor=world.user("headoffice"), incident=old, to=S.IN_REVIEW)
    lifecycle.incident_transition(
        actor=world.user("headoffice"),
        incident=Incident.objects.get(pk=old.pk),
        to=S.NEEDS_INFO,
        note="Which street?",
    )
    rows = {
        r.user.username: r for r in queries.observer_activity(world.user("coordinator_bishkek"))
    }
    assert set(rows) == {"lto-bishkek", "lto-bishkek-2"}  # not Osh's observer
    active = rows["lto-bishkek"]
    assert active.last_report == latest.reported_at
    assert (active.reports_this_week, active.open_questions) == (2, 1)
    silent = rows["lto-bishkek-2"]
    assert (silent.last_report, silent.reports_this_week, silent.open_questions) == (None, 0, 0)
    # the quietest first
    assert [r.user.username for r in queries.observer_activity(world.user("coordinator_bishkek"))][
        0
    ] == "lto-bishkek-2"
    client.force_login(world.user("coordinator_bishkek"))
    html = client.get("/districts/observers/").content.decode()
    assert 'data-observer="lto-bishkek"' in html and 'data-observer="lto-osh"' not in html


def test_observer_activity_costs_two_queries(world, django_assert_num_queries):
    for _ in range(3):
        file_incident(world)
    coordinator = world.user("coordinator_bishkek")
    with django_assert_num_queries(2):
        queries.observer_activity(coordinator)


def test_quiet_places_with_n_days(world, client):
    now = timezone.now()
    file_incident(world, pec=world.pec_bishkek, reported_at=now - dt.timedelta(days=5))
    coordinator = world.user("coordinator_bishkek")
    three = {(p.kind, p.name) for p in queries.quiet_places(coordinator, 3)}
    assert three == {("district", "Bishkek"), ("pec", "PEC 1001")}  # Osh is not theirs
    assert queries.quiet_places(coordinator, 7) == []
    client.force_login(coordinator)
    html = client.get("/districts/quiet/", {"days": "7"}).content.decode()
    assert "has a recent report" in html and 'value="7"' in html
    html = client.get("/districts/quiet/").content.decode()
    assert 'data-kind="pec"' in html and "last 3 days" in html


@pytest.mark.parametrize("bad", ["0", "-2", "many", "9999"])
def test_a_bad_number_of_days_says_so(world, client, bad):
    client.force_login(world.user("coordinator_bishkek"))
    response = client.get("/districts/quiet/", {"days": bad})
    assert response.status_code == 400
    assert "Give a whole number of days" in response.content.decode()


def test_the_coordinators_home_links_their_pages(world, client):
    client.force_login(world.user("coordinator_bishkek"))
    html = client.get("/").content.decode()
    assert 'id="districts-panel"' in html
    for url in PAGES:
        assert f'href="{url}"' in html
