"""Head office's pages: the triage queue (filters, sorting, pagination, counts, htmx,
constant queries), the staff incident page and its actions, alerts, and who may do what
(issue 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from incidents.models import Alert, Escalation, EscalationAttempt, Incident
from incidents.services import escalation, lifecycle
from tests.incidents.triage_support import S, incident_in

pytestmark = pytest.mark.django_db

ROLES = ["lto_bishkek", "coordinator_bishkek", "headoffice", "legal", "analyst", "admin"]
STAFF = {"headoffice", "legal", "analyst", "admin"}
QUEUE = "/triage/"


def page(world, client, user, url, **params):
    client.force_login(world.user(user))
    return client.get(url, params)


def incident_url(incident) -> str:
    return f"/triage/incidents/{incident.pk}/"


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ROLES)
def test_the_queue_is_for_the_staff(world, client, user):
    response = page(world, client, user, QUEUE)
    assert response.status_code == (200 if user in STAFF else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(QUEUE)["Location"].startswith("/accounts/login/")


def test_the_queue_lists_incidents_with_links_and_counts(world, client):
    a = incident_in(world, S.SUBMITTED)
    b = incident_in(world, S.VERIFIED)
    html = page(world, client, "headoffice", QUEUE).content.decode()
    assert f'href="{incident_url(a)}"' in html and f'href="{incident_url(b)}"' in html
    assert "2 incidents match" in html
    assert 'class="count">1</span>' in html  # one submitted, one verified


def test_a_row_shows_each_column_and_escapes_what_people_typed(world, client):
    """The rows are drawn in Python (incidents/templatetags/incident_rows.py): every
    column with its label for narrow screens, and names as text, never as markup."""
    world.emgek.name = "<b>Emgek</b>"
    world.emgek.save()
    head_office = world.user("headoffice")
    head_office.first_name, head_office.last_name = "Aida", "<i>Sultanova</i>"
    head_office.save()
    row = incident_in(world, S.IN_REVIEW, party=world.emgek)
    row = lifecycle.incident_assign(actor=head_office, incident=row, assignee=head_office)
    row = lifecycle.incident_set_severity(actor=head_office, incident=row, severity="serious")
    unknown = incident_in(world, S.SUBMITTED)
    html = page(world, client, "headoffice", QUEUE).content.decode()
    assert "<b>Emgek</b>" not in html and "&lt;b&gt;Emgek&lt;/b&gt;" in html
    assert "<i>Sultanova</i>" not in html and "Aida &lt;i&gt;Sultanova&lt;/i&gt;" in html
    assert '<tr class="is-serious">' in html and '<span class="badge serious">' in html
    assert f'<a href="{incident_url(row)}">{row.ref}</a>' in html
    assert f'value="{row.pk}" form="bulk-form" class="bulk-pick"' in html
    assert f'name="version-{row.pk}" value="' in html
    for label in ("Ref", "Received", "Happened", "District", "Form", "Party", "Status"):
        assert f'data-label="{label}"' in html
    assert f'<a href="{incident_url(unknown)}">{unknown.ref}</a>' in html
    assert '<td data-label="Party"><span class="muted">Unknown</span></td>' in html
    moment = timezone.localtime(row.reported_at)
    assert f'<time datetime="{moment.isoformat()}"' in html


def test_rows_are_in_the_language_of_the_page(world, client):
    incident_in(world, S.SUBMITTED)
    client.force_login(world.user("headoffice"))
    html = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'data-label="Округ"' in html
    assert 'data-label="District"' not in html


def test_filters_narrow_the_queue_and_keep_the_other_counts(world, client):
    a = incident_in(world, S.SUBMITTED, party=world.emgek)
    b = incident_in(world, S.IN_REVIEW, user="lto_osh")
    response = page(world, client, "headoffice", QUEUE, status="submitted")
    html = response.content.decode()
    assert a.ref in html and b.ref not in html
    # the counts per status ignore the status filter: In review still shows 1
    assert response.context["counts"][1][2] == 1


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"party": "unknown"}, {"b", "c"}),
        ({"district": "osh"}, {"c"}),
        ({"q": "bus"}, {"c"}),
        ({"severity": "serious"}, {"b"}),
        ({"assignee": "me"}, {"a"}),
        ({"assignee": "none"}, {"b", "c"}),
        ({"kind": "vote_buying"}, {"a", "b", "c"}),
        ({"kind": "admin_resource"}, set()),
        ({"occurred_from": "2021-06-24"}, {"b", "c"}),
        ({"occurred_to": "2021-06-24"}, {"a", "b"}),
        ({"occurred_from": "2021-06-24", "occurred_to": "2021-06-24"}, {"b"}),
    ],
)
def test_each_filter(world, client, params, expected):
    when = {
        k: timezone.make_aware(dt.datetime(2021, 6, d, 12))
        for k, d in zip("abc", (22, 24, 26), strict=True)
    }
    rows = {
        "a": incident_in(world, S.SUBMITTED, party=world.emgek, occurred_at=when["a"]),
        "b": incident_in(world, S.IN_REVIEW, occurred_at=when["b"]),
        "c": incident_in(
            world, S.VERIFIED, user="lto_osh", description="A bus of voters.", occurred_at=when["c"]
        ),
    }
    lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=rows["a"], assignee=world.user("headoffice")
    )
    lifecycle.incident_set_severity(
        actor=world.user("headoffice"), incident=rows["b"], severity="serious"
    )
    if params.get("district") == "osh":
        params = {**params, "district": world.osh.pk}
    response = page(world, client, "headoffice", QUEUE, **params)
    shown = {key for key, row in rows.items() if row.ref in response.content.decode()}
    assert shown == expected


def test_the_queue_sorts_by_a_column_both_ways(world, client):
    first = incident_in(world, S.SUBMITTED)
    second = incident_in(world, S.SUBMITTED)
    html = page(world, client, "headoffice", QUEUE, sort="ref").content.decode()
    assert html.index(first.ref) < html.index(second.ref)
    html = page(world, client, "headoffice", QUEUE, sort="-ref").content.decode()
    assert html.index(second.ref) < html.index(first.ref)
    assert 'aria-sort="descending"' in html


def test_sorting_by_status_follows_the_lifecycle(world, client):
    verified = incident_in(world, S.VERIFIED)
    submitted = incident_in(world, S.SUBMITTED)
    html = page(world, client, "headoffice", QUEUE, sort="status").content.decode()
    assert html.index(submitted.ref) < html.index(verified.ref)


def test_a_bad_filter_shows_its_error_and_keeps_the_queue(world, client):
    incident = incident_in(world, S.SUBMITTED)
    response = page(world, client, "headoffice", QUEUE, occurred_from="yesterday-ish")
    assert response.status_code == 200
    html = response.content.decode()
    assert incident.ref in html and "errorlist" in html


def test_pagination_keeps_the_filters(world, client, monkeypatch):
    from incidents.views import triage as triage_views

    monkeypatch.setattr(triage_views, "QUEUE_PAGE_SIZE", 2)
    for _ in range(5):
        incident_in(world, S.SUBMITTED)
    html = page(world, client, "headoffice", QUEUE, status="submitted", sort="ref").content.decode()
    assert "Page 1 of 3" in html
    assert 'href="?status=submitted&amp;sort=ref&amp;page=2"' in html


def test_htmx_gets_the_results_only(world, client):
    incident_in(world, S.SUBMITTED)
    client.force_login(world.user("headoffice"))
    response = client.get(QUEUE, {"status": "submitted"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="queue-results"')
    assert "<html" not in html
    full = client.get(QUEUE).content.decode()
    assert 'hx-get="/triage/"' in full and 'action="/triage/"' in full  # real form underneath


@pytest.mark.parametrize("size", [2, 20])
def test_the_queue_query_count_does_not_grow(world, client, django_assert_num_queries, size):
    for i in range(size):
        incident = incident_in(world, S.VERIFIED if i % 2 else S.SUBMITTED, party=world.emgek)
        if i % 4 == 0:
            lifecycle.incident_assign(
                actor=world.user("headoffice"), incident=incident, assignee=world.user("legal")
            )
    client.force_login(world.user("headoffice"))
    # session, user with profile; the filter form's elections, districts, parties, people; the
    # counts per status (which give the page count too), the page's ids, its rows, their
    # escalations; the open alerts; the RRCG channel's last attempts and waiting escalations;
    # the bulk form's people
    with django_assert_num_queries(14):
        response = client.get(QUEUE, {"sort": "-severity"})
    assert response.status_code == 200


# --- the incident page ------------------------------------------------------------------------


@pytest.mark.parametrize("user", ROLES)
def test_the_incident_page_is_for_the_staff(world, client, user):
    incident = incident_in(world, S.SUBMITTED)
    response = page(world, client, user, incident_url(incident))
    assert response.status_code == (200 if user in STAFF else 403)


def test_the_page_shows_every_field_and_the_timeline(world, client):
    incident = incident_in(
        world,
        S.NEEDS_INFO,
        party=world.emgek,
        witnesses="Aigul, +996 555",
        location="School No. 5",
        details={"offered": "money", "value": "500 som", "offered_by": "party_agent"},
    )
    html = page(world, client, "headoffice", incident_url(incident)).content.decode()
    for text in (
        incident.ref,
        "School No. 5",
        "Emgek",
        "500 som",
        "Aigul, +996 555",
        "lto-bishkek",
        "Question for the observer",
        "Which school exactly?",
        "Submitted",
    ):
        assert text in html, text


def test_the_analyst_sees_no_witnesses_and_no_observer(world, client):
    incident = incident_in(world, S.SUBMITTED, witnesses="Aigul, +996 555")
    html = page(world, client, "analyst", incident_url(incident)).content.decode()
    assert "Aigul" not in html and "lto-bishkek" not in html
    assert "An observer" in html  # the timeline's "Filed" by whom
    assert 'action="/triage/incidents/' not in html  # no action forms


def test_the_legal_expert_sees_witnesses_and_can_only_comment(world, client):
    incident = incident_in(world, S.VERIFIED, witnesses="Aigul, +996 555")
    html = page(world, client, "legal", incident_url(incident)).content.decode()
    assert "Aigul" in html
    assert f'action="{incident_url(incident)}comment/"' in html
    assert f'action="{incident_url(incident)}status/"' not in html
    assert f'action="{incident_url(incident)}escalate/"' not in html


def test_the_page_offers_only_the_moves_the_lifecycle_allows(world, client):
    incident = incident_in(world, S.IN_REVIEW)
    response = page(world, client, "headoffice", incident_url(incident))
    choices = [value for value, _label in response.context["transition_form"].fields["to"].choices]
    assert choices == ["needs_info", "verified", "rejected"]
    assert f'action="{incident_url(incident)}escalate/"' not in response.content.decode()


def test_escalations_are_shown_with_every_attempt(world, client, settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    incident = incident_in(world, S.VERIFIED)
    row = escalation.incident_escalate(
        actor=world.user("headoffice"), incident=incident, reason="Urgent"
    )
    now = timezone.now()
    EscalationAttempt.objects.create(
        escalation=row, started_at=now, finished_at=now, outcome="retry", response_code=503
    )
    EscalationAttempt.objects.create(
        escalation=row, started_at=now, finished_at=now, outcome="failed", response_code=422
    )
    Escalation.objects.filter(pk=row.pk).update(status="failed", last_error="HTTP 422: bad")
    html = page(world, client, "headoffice", incident_url(incident)).content.decode()
    assert "503" in html and "422" in html and "HTTP 422: bad" in html
    assert "No channel to the RRCG is configured" in html
    assert f'action="/triage/escalations/{row.pk}/retry/"' in html
    assert str(row.pk) in html  # the idempotency key


@pytest.mark.parametrize("events", [1, 10])
def test_the_incident_page_query_count_does_not_grow(
    world, client, django_assert_num_queries, events
):
    incident = incident_in(world, S.IN_REVIEW)
    for i in range(events):
        lifecycle.incident_comment(actor=world.user("legal"), incident=incident, body=f"Note {i}")
        lifecycle.incident_assign(
            actor=world.user("headoffice"),
            incident=incident,
            assignee=world.user("legal" if i % 2 else "headoffice"),
        )
    client.force_login(world.user("headoffice"))
    # session, user with profile; the incident and its evidence, events, comments,
    # escalations (and attempts), duplicates; the assignable people; the nav's alerts; the
    # RRCG channel's last attempts and waiting escalations; the linked complaints and the
    # election's complaints to choose from
    with django_assert_num_queries(13):
        assert client.get(incident_url(incident)).status_code == 200


# --- actions --------------------------------------------------------------------------------


def post(world, client, user, incident, name, data):
    client.force_login(world.user(user))
    return client.post(f"{incident_url(incident)}{name}/", data)


def test_changing_the_status_with_the_plain_form_redirects(world, client):
    incident = incident_in(world, S.SUBMITTED)
    response = post(
        world, client, "headoffice", incident, "status", {"to": "in_review", "version": 1}
    )
    assert response.status_code == 302 and response["Location"] == incident_url(incident)
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW
    assert "is now" in client.get(response["Location"]).content.decode()


def test_rejecting_without_a_reason_shows_the_error(world, client):
    incident = incident_in(world, S.IN_REVIEW)
    response = post(
        world,
        client,
        "headoffice",
        incident,
        "status",
        {"to": "rejected", "note": "", "version": incident.version},
    )
    assert response.status_code == 400
    assert "Give the reason" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


def test_a_stale_form_gets_a_conflict_message(world, client):
    incident = incident_in(world, S.IN_REVIEW)
    lifecycle.incident_set_severity(
        actor=world.user("admin"), incident=incident, severity="serious"
    )
    response = post(
        world,
        client,
        "headoffice",
        incident,
        "status",
        {"to": "verified", "version": incident.version},
    )
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == S.IN_REVIEW


def test_htmx_actions_answer_with_the_refreshed_incident(world, client):
    incident = incident_in(world, S.SUBMITTED)
    client.force_login(world.user("headoffice"))
    response = client.post(
        f"{incident_url(incident)}status/",
        {"to": "in_review", "version": incident.version},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="incident-main"' in html and "is now" in html
    conflict = client.post(
        f"{incident_url(incident)}status/",
        {"to": "verified", "version": incident.version},
        HTTP_HX_REQUEST="true",
    )
    assert conflict.status_code == 200  # htmx swaps only 2xx; the message says it
    assert "Someone else changed" in conflict.content.decode()


def test_marking_a_duplicate_by_its_reference(world, client):
    original = incident_in(world, S.VERIFIED)
    incident = incident_in(world, S.SUBMITTED)
    response = post(
        world,
        client,
        "headoffice",
        incident,
        "duplicate",
        {"original": original.ref.lower(), "version": incident.version},
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).duplicate_of_id == original.pk


def test_a_duplicate_of_itself_is_refused_on_the_form(world, client):
    incident = incident_in(world, S.SUBMITTED)
    response = post(
        world,
        client,
        "headoffice",
        incident,
        "duplicate",
        {"original": incident.ref, "version": incident.version},
    )
    assert response.status_code == 400
    assert "cannot duplicate itself" in response.content.decode()


def test_escalating_from_the_page(world, client, settings, django_capture_on_commit_callbacks):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    incident = incident_in(world, S.VERIFIED)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            world,
            client,
            "headoffice",
            incident,
            "escalate",
            {"reason": "Cash for votes.", "version": incident.version},
        )
    assert response.status_code == 302
    html = client.get(incident_url(incident)).content.decode()
    # Nothing left: the flash, the badge and the channel card say so, and no "next
    # attempt" time (which would be in the past) is promised.
    assert "is escalated but not sent: no channel to the RRCG is configured" in html
    assert 'data-delivery="waiting_channel"' in html and "Waiting for a channel" in html
    assert "No channel to the RRCG is configured" in html and 'data-channel="none"' in html
    assert "when a channel is configured" in html
    assert "being sent to the RRCG" not in html and "administrator" not in html.lower()


ACTIONS = {
    "status": (S.SUBMITTED, {"to": "in_review"}),
    "assign": (S.SUBMITTED, {"assignee": ""}),
    "severity": (S.SUBMITTED, {"severity": "serious"}),
    "duplicate": (S.SUBMITTED, {"original": "ORIGINAL"}),
    "escalate": (S.VERIFIED, {"reason": "x"}),
    "comment": (S.IN_REVIEW, {"body": "x", "visibility": "internal"}),
}
WRITERS = {
    "status": {"headoffice", "admin"},
    "assign": {"headoffice", "admin"},
    "severity": {"headoffice", "admin"},
    "duplicate": {"headoffice", "admin"},
    "escalate": {"headoffice", "admin"},
    "comment": {"headoffice", "admin", "legal"},
}


@pytest.mark.parametrize("user", ROLES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_page_role_matrix(world, client, settings, name, user):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    status, data = ACTIONS[name]
    incident = incident_in(world, status)
    data = {**data, "version": incident.version}
    if name == "duplicate":
        data["original"] = incident_in(world, S.SUBMITTED).ref
    response = post(world, client, user, incident, name, data)
    expected = 302 if user in WRITERS[name] else 403
    assert response.status_code == expected, response.content[:300]


def test_retrying_a_failed_escalation_from_the_page(world, client, settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = []
    row = escalation.incident_escalate(
        actor=world.user("headoffice"), incident=incident_in(world, S.VERIFIED), reason="x"
    )
    Escalation.objects.filter(pk=row.pk).update(status="failed")
    client.force_login(world.user("legal"))
    assert client.post(f"/triage/escalations/{row.pk}/retry/").status_code == 403
    client.force_login(world.user("headoffice"))
    response = client.post(f"/triage/escalations/{row.pk}/retry/")
    assert response.status_code == 302
    assert Escalation.objects.get(pk=row.pk).status == "pending"


# --- alerts and navigation ---------------------------------------------------------------------


def test_head_office_sees_alerts_on_home_and_dismisses_them(world, client):
    incident = incident_in(world, S.SUBMITTED)
    lifecycle.incident_set_severity(
        actor=world.user("admin"), incident=incident, severity="serious"
    )
    alert = Alert.objects.get()
    client.force_login(world.user("headoffice"))
    home = client.get("/").content.decode()
    assert f"{incident.ref} was marked serious." in home and "1 open alert" in home
    assert "Triage queue" in home and "/triage/alerts/" in home
    response = client.post(f"/triage/alerts/{alert.pk}/dismiss/", {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert Alert.objects.get().dismissed_by == world.user("headoffice")
    assert "0 open alerts" in client.get("/").content.decode()
    assert incident.ref in client.get("/triage/alerts/?show=all").content.decode()


def test_htmx_dismiss_removes_the_row(world, client):
    incident = incident_in(world, S.SUBMITTED)
    lifecycle.incident_set_severity(
        actor=world.user("admin"), incident=incident, severity="serious"
    )
    client.force_login(world.user("headoffice"))
    response = client.post(
        f"/triage/alerts/{Alert.objects.get().pk}/dismiss/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize("user", ROLES)
def test_alerts_are_head_offices(world, client, user):
    allowed = user in {"headoffice", "admin"}
    assert page(world, client, user, "/triage/alerts/").status_code == (200 if allowed else 403)
    home = page(world, client, user, "/").content.decode()
    assert ("open alert" in home) is allowed
    assert ('href="/triage/"' in home) is (user in STAFF)


def test_an_escalation_waiting_for_files_says_so(world, client, settings):
    settings.RRCG_WEBHOOK_URL = ""
    settings.RRCG_EMAIL_TO = ["rrcg@example.org"]
    incident = incident_in(world, S.VERIFIED, evidence_expected=2)
    escalation.incident_escalate(actor=world.user("headoffice"), incident=incident, reason="x")
    html = page(world, client, "headoffice", incident_url(incident)).content.decode()
    assert "the 2 announced files still missing have arrived" in html
    assert "No channel" not in html
