"""The kept counts of incidents (docs/incidents.md#kept-counts).

On PostgreSQL, triggers keep three tallies exact through every way an incident is written
(the filing's one-statement CTE, the API, the lifecycle, merges, edits, ``bulk_create``,
deletes); the rebuild command counts them again; the readers answer from them exactly what
counting the incidents answers, in a fixed number of queries. On SQLite there are no
tallies and the same readers count live: the comparisons below run on both backends."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from incidents import queries, tallies
from incidents.details import FIELDS
from incidents.models import (
    Comment,
    DayTally,
    DistrictTally,
    Incident,
    IncidentEvent,
    PartyTally,
    TallyZone,
)
from incidents.services import lifecycle
from observation.models import Election
from reports import queries as report_queries
from tests.factories import make_district, make_party_list
from tests.incidents.conftest import api_payload, file_incident, occurred

pytestmark = pytest.mark.django_db
POSTGRES = connection.vendor == "postgresql"
on_postgres = pytest.mark.postgres

STATUSES = Incident.Status


def details(kind: str) -> dict:
    return {f.name: f.choices.values[0] for f in FIELDS[kind] if f.required}


def _walk(actor, incident, to: str) -> None:
    """Move ``incident`` from submitted to ``to`` through review."""
    for step in [to] if to == STATUSES.IN_REVIEW else [STATUSES.IN_REVIEW, to]:
        note = "Why." if step in (STATUSES.REJECTED, STATUSES.NEEDS_INFO) else ""
        incident = lifecycle.incident_transition(actor=actor, incident=incident, to=step, note=note)


def _exact() -> None:
    assert tallies.differences() == {"DistrictTally": 0, "PartyTally": 0, "DayTally": 0}


def _live(monkeypatch) -> None:
    """Make the readers count the incidents, as on a database without tallies."""
    monkeypatch.setattr(tallies, "kept", lambda connection=None: False)


def test_tallies_are_kept_on_postgresql_only():
    assert tallies.kept() is POSTGRES
    assert ("incidents_districttally" in connection.introspection.table_names()) is POSTGRES


# --- the triggers keep them exact -------------------------------------------------------------


@on_postgres
def test_filing_counts_each_incident_once_in_every_tally(world):
    incident = file_incident(world, party=world.emgek, pec=world.pec_bishkek)
    key = {"election": world.election, "kind": "vote_buying", "status": "submitted"}
    assert DistrictTally.objects.get(district=world.bishkek, **key).n == 1
    assert PartyTally.objects.get(party=world.emgek, **key).n == 1
    day = timezone.localdate(incident.occurred_at)
    assert DayTally.objects.get(day=day, zone="Asia/Bishkek", **key).n == 1
    file_incident(world)  # no party: the "not known" row
    assert PartyTally.objects.get(party=None, **key).n == 1
    _exact()


@on_postgres
def test_a_change_of_nothing_counted_writes_no_tally_row(world):
    incident = file_incident(world, party=world.emgek)
    before = list(DistrictTally.objects.values_list("id", "n"))
    lifecycle.incident_assign(
        actor=world.user("headoffice"), incident=incident, assignee=world.user("legal")
    )
    Incident.objects.filter(pk=incident.pk).update(description="Edited text.")
    assert list(DistrictTally.objects.values_list("id", "n")) == before
    _exact()


@on_postgres
def test_a_count_brought_to_zero_leaves_no_row(world):
    incident = file_incident(world, party=world.emgek)
    lifecycle.incident_transition(
        actor=world.user("headoffice"), incident=incident, to=STATUSES.IN_REVIEW
    )
    assert not DistrictTally.objects.filter(status="submitted").exists()
    assert not PartyTally.objects.filter(status="submitted").exists()
    assert not DayTally.objects.filter(status="submitted").exists()
    _exact()


def _delete(incidents) -> None:
    """Delete incidents and their timeline (which protects them), as an operator would."""
    IncidentEvent.objects.filter(incident__in=incidents).delete()
    Comment.objects.filter(incident__in=incidents).delete()
    Incident.objects.filter(pk__in=[i.pk for i in incidents]).delete()


@on_postgres
def test_every_way_of_writing_incidents_keeps_the_tallies_exact(world, settings):
    """A seeded random sequence of filings (service and API), transitions, merges, edits
    of the counted columns, bulk_create and deletes; after each step the tallies equal
    the GROUP BY over the incidents."""
    rng = random.Random(13)
    settings.INCIDENT_DATE_MARGIN_DAYS = 30
    second = Election.objects.create(
        name="Second", kind=world.election.kind, election_day=world.election.election_day,
        observation_start=world.election.observation_start,
        observation_end=world.election.observation_end,
    )  # fmt: skip
    tokmok = make_district(second, name="Tokmok", code="TKM")
    make_party_list(world.nur, tokmok)
    head = world.user("headoffice")
    api = APIClient()
    api.force_authenticate(world.user("lto_bishkek"))
    kinds = list(Incident.Kind.values)
    parties = [None, world.emgek, world.ata_jurt, world.nur]

    def file_one() -> None:
        kind = rng.choice(kinds)
        file_incident(
            world, kind=kind, details=details(kind), occurred_at=occurred(rng.randint(0, 12)),
            party=rng.choice([None, world.emgek, world.ata_jurt]),
        )  # fmt: skip

    def file_by_api() -> None:
        payload = api_payload(world, occurred_at=occurred(rng.randint(0, 12)).isoformat())
        assert api.post("/api/v1/incidents/", payload, format="json").status_code == 201

    def move() -> None:
        counted = list(Incident.objects.exclude(status__in=queries.NOT_COUNTED))
        if not counted:
            return
        incident = rng.choice(counted)
        choices = lifecycle.allowed_transitions(incident)
        choices = [s for s in choices if s not in (STATUSES.DUPLICATE, STATUSES.ESCALATED)]
        if not choices:
            return
        to = rng.choice(choices)
        note = "Why." if to in (STATUSES.REJECTED, STATUSES.NEEDS_INFO) else ""
        lifecycle.incident_transition(actor=head, incident=incident, to=to, note=note)

    def merge() -> None:
        counted = list(Incident.objects.exclude(status__in=queries.NOT_COUNTED))
        if len(counted) < 2:
            return
        duplicate, original = rng.sample(counted, 2)
        if original.election_id == duplicate.election_id:
            lifecycle.incident_transition(
                actor=head, incident=duplicate, to=STATUSES.DUPLICATE, duplicate_of=original
            )

    def edit() -> None:
        everything = list(Incident.objects.all())
        if not everything:
            return
        incident = rng.choice(everything)
        change = rng.choice(["district", "party", "kind", "occurred_at", "election", "several"])
        if change == "district":
            incident.district = (
                world.osh if incident.district_id == world.bishkek.pk else world.bishkek
            )
            incident.save()
        elif change == "party":
            Incident.objects.filter(pk=incident.pk).update(party=rng.choice(parties))
        elif change == "kind":
            Incident.objects.filter(pk=incident.pk).update(kind=rng.choice(kinds))
        elif change == "occurred_at":
            # across a day's end in Bishkek (18:00 UTC), where days and UTC dates differ
            moment = dt.datetime(2021, 7, 1, 17, 59, tzinfo=dt.UTC)
            Incident.objects.filter(pk=incident.pk).update(
                occurred_at=moment + dt.timedelta(minutes=rng.choice([0, 2]))
            )
        elif change == "election":
            Incident.objects.filter(pk=incident.pk).update(election=second, district=tokmok)
        else:  # one statement changing many rows, several columns at once
            Incident.objects.filter(kind=incident.kind).update(
                kind=rng.choice(kinds), status=STATUSES.IN_REVIEW
            )

    numbers = iter(range(1000, 100000))

    def bulk() -> None:
        now = timezone.now()
        rows = []
        for _n in range(rng.randint(1, 30)):
            district = rng.choice([world.bishkek, world.osh])
            number = next(numbers)
            rows.append(
                Incident(
                    id=uuid.uuid4(), ref=f"{district.code}-B{number}",
                    number=number, election=world.election, district=district,
                    kind=rng.choice(kinds), status=rng.choice(["submitted", "verified"]),
                    occurred_at=now - dt.timedelta(hours=rng.randint(0, 500)),
                    reported_by=world.user("lto_bishkek"), location="x", description="y",
                    source="witness", party=rng.choice(parties), fingerprint="f",
                )
            )  # fmt: skip
        Incident.objects.bulk_create(rows, batch_size=7)

    def delete() -> None:
        loose = list(Incident.objects.filter(duplicates__isnull=True).order_by("?")[:2])
        _delete(loose)

    steps = [file_one] * 4 + [file_by_api] * 2 + [move] * 4 + [merge, edit, edit, bulk, delete]
    file_one()
    for _step in range(60):
        rng.choice(steps)()
        _exact()
    assert Incident.objects.count() > 20
    assert DistrictTally.objects.filter(n__lte=0).count() == 0
    Incident.objects.all().update(status=STATUSES.CLOSED)
    _exact()
    _delete(list(Incident.objects.filter(duplicate_of__isnull=False)))
    _exact()
    _delete(list(Incident.objects.all()))
    assert not DistrictTally.objects.exists() and not DayTally.objects.exists()


@on_postgres
def test_truncating_incidents_empties_the_tallies(world):
    file_incident(world)
    assert DistrictTally.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(
            "TRUNCATE incidents_incident, incidents_incidentevent, observation_auditentry CASCADE"
        )
    assert not DistrictTally.objects.exists() and not PartyTally.objects.exists()


# --- rebuilding ---------------------------------------------------------------------------------


@on_postgres
def test_the_rebuild_command_restores_corrupted_tallies(world):
    for kind in ("vote_buying", "campaign_rules"):
        file_incident(world, kind=kind, party=world.emgek, details=details(kind))
    DistrictTally.objects.filter(kind="vote_buying").update(n=41)
    PartyTally.objects.filter(kind="campaign_rules").delete()
    DayTally.objects.create(
        election=world.election, zone="Asia/Bishkek", day=dt.date(2000, 1, 1), kind="x",
        status="submitted", n=3,
    )  # fmt: skip
    assert tallies.differences() == {"DistrictTally": 1, "PartyTally": 1, "DayTally": 1}
    with pytest.raises(CommandError, match="differ"):
        call_command("rebuild_incident_tallies", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rebuild_incident_tallies", stdout=out)
    assert "Corrected: DistrictTally 1 key(s)" in out.getvalue()
    _exact()
    call_command("rebuild_incident_tallies", "--check", stdout=io.StringIO())
    file_incident(world)  # and the triggers go on from the rebuilt rows
    _exact()


@on_postgres
def test_after_time_zone_changes_the_chart_is_counted_live_until_rebuilt(
    world, settings, django_assert_num_queries
):
    from django.core.checks import run_checks

    # 17:00 UTC is 23:00 in Bishkek and 20:00 in Moscow: the same day; 19:00 UTC is the
    # next day in Bishkek only.
    moment = dt.datetime.combine(timezone.localdate() - dt.timedelta(days=2), dt.time(19), dt.UTC)
    incident = file_incident(world, occurred_at=moment)
    _walk(world.user("headoffice"), incident, STATUSES.VERIFIED)
    settings.TIME_ZONE = "Europe/Moscow"
    timezone.deactivate()
    first, last = report_queries.dashboard_window(world.election)
    warnings = [w.id for w in run_checks(databases=["default"])]
    assert "incidents.W001" in warnings
    with django_assert_num_queries(2):  # the tally, found in the wrong zone; then live
        per_day = queries.election_per_day(world.election, ["verified"], first, last)
    assert per_day == [{"day": moment.date(), "kind": "vote_buying", "n": 1}]
    call_command("rebuild_incident_tallies", stdout=io.StringIO())
    assert TallyZone.objects.get().zone == "Europe/Moscow"
    assert "incidents.W001" not in [w.id for w in run_checks(databases=["default"])]
    with django_assert_num_queries(1):
        assert queries.election_per_day(world.election, ["verified"], first, last) == per_day
    file_incident(world, occurred_at=moment)
    _exact()


def test_the_rebuild_command_on_a_database_without_tallies(monkeypatch):
    _live(monkeypatch)
    out = io.StringIO()
    call_command("rebuild_incident_tallies", stdout=out)
    assert "keeps no tallies" in out.getvalue()


# --- the readers: the same answers, a fixed number of queries ----------------------------------


def _varied(world) -> None:
    head = world.user("headoffice")
    statuses = [None, STATUSES.IN_REVIEW, STATUSES.VERIFIED, STATUSES.REJECTED]
    n = 0
    for days in (0, 1, 3):
        for party in (None, world.emgek, world.ata_jurt):
            for kind in Incident.Kind.values:
                incident = file_incident(
                    world, kind=kind, party=party, occurred_at=occurred(days),
                    details=details(kind),
                )  # fmt: skip
                to = statuses[n % len(statuses)]
                n += 1
                if to:
                    _walk(head, incident, to)
    for party in (None, world.nur, world.ata_jurt):
        file_incident(world, user="lto_osh", party=party)


def _answers(world) -> dict:
    """Every reader's answer for a spread of filters and users."""
    from incidents.queries import UNKNOWN_PARTY, QueueFilters

    users = [world.user(u) for u in ("headoffice", "coordinator_bishkek", "analyst", "lto_osh")]
    filters = [
        QueueFilters(),
        QueueFilters(election=world.election),
        QueueFilters(district=world.osh),
        QueueFilters(kind="campaign_rules", statuses=["submitted"]),
        QueueFilters(party=world.emgek),
        QueueFilters(party=UNKNOWN_PARTY, kind="vote_buying"),
        QueueFilters(party=world.ata_jurt, district=world.osh),
        QueueFilters(severity="serious"),
        QueueFilters(text="School"),
    ]
    answers = {"summary": queries.triage_summary()}
    for u in users:
        for i, f in enumerate(filters):
            answers[(u.username, i)] = queries.status_counts(u, f)
    for include in (False, True):
        data = report_queries.dashboard_data(world.election, include_under_review=include)
        for key in ("total", "under_review", "timeline", "by_district", "by_party"):
            answers[(include, key)] = data[key]
    return answers


def test_readers_answer_what_counting_the_incidents_answers(world, monkeypatch):
    _varied(world)
    kept = _answers(world)
    _live(monkeypatch)
    assert kept == _answers(world)
    # 27 in Bishkek: 7 submitted, 7 in review, 7 verified, 6 rejected; 3 submitted in Osh
    assert kept[(False, "total")] == 7 and kept[(True, "total")] == 24


@pytest.mark.parametrize(
    "filters, tally",
    [
        ({}, DistrictTally),
        ({"district": "osh", "kind": "vote_buying", "election": True}, DistrictTally),
        ({"party": "emgek"}, PartyTally),
        ({"party": "unknown", "kind": "vote_buying"}, PartyTally),
        ({"party": "emgek", "district": "osh"}, None),
        ({"severity": "serious"}, None),
        ({"assignee": "me"}, None),
        ({"occurred_from": True}, None),
        ({"text": "school"}, None),
    ],
)
def test_which_filters_the_tallies_answer(world, filters, tally):
    from incidents.queries import QueueFilters, _tally_for

    values = {
        "osh": world.osh, "emgek": world.emgek, "unknown": queries.UNKNOWN_PARTY, "me": "me",
        "serious": "serious", "vote_buying": "vote_buying", "school": "school",
    }  # fmt: skip
    f = QueueFilters(
        **{
            k: world.election if k == "election" else dt.date.today() if v is True else values[v]
            for k, v in filters.items()
        }
    )
    found = _tally_for(world.user("headoffice"), f)
    if not POSTGRES or tally is None:
        assert found is None
    else:
        assert found.model is tally
    # a coordinator's scope is districts: a party needs the live count
    party_only = QueueFilters(party=world.emgek)
    coordinator = _tally_for(world.user("coordinator_bishkek"), party_only)
    assert coordinator is None


def test_reader_query_counts_are_fixed(world, django_assert_num_queries):
    from incidents.queries import QueueFilters

    for size in (1, 3):
        for _n in range(size):
            _varied(world)
        with django_assert_num_queries(1):
            queries.status_counts(world.user("headoffice"), QueueFilters(party=world.emgek))
        with django_assert_num_queries(1):
            queries.status_counts(world.user("coordinator_bishkek"), QueueFilters())
        with django_assert_num_queries(2):
            queries.triage_summary()
        # under review, per day, by district, by party, latest, escalations
        with django_assert_num_queries(6):
            report_queries.dashboard_data(world.election)


def test_on_the_demo_data_the_dashboard_and_home_say_what_they_said(monkeypatch):
    """``load_demo``: the 2021 report's 64 confirmed incidents and 3 under review, the same
    from the tallies as from counting the incidents."""
    call_command("load_demo", stdout=io.StringIO())
    election = Election.objects.get(name__startswith="Repeat elections")

    def answers() -> dict:
        found = {"home": queries.triage_summary()}
        for include in (False, True):
            data = report_queries.dashboard_data(election, include_under_review=include)
            for key in ("total", "under_review", "timeline", "by_district", "by_party"):
                found[(include, key)] = data[key]
        return found

    kept = answers()
    _live(monkeypatch)
    assert kept == answers()
    # The report counts the observation period's confirmed incidents: 64. The dashboard
    # counts every day's, as before the tallies: 65 (one of 9 July, after the period).
    assert queries.violation_counts(election)["confirmed"] == 64
    assert kept[(False, "total")] == 65 and kept[(False, "under_review")] == 3
    assert kept[(True, "total")] == 68
    if POSTGRES:
        monkeypatch.undo()
        _exact()


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_and_status_changes_keep_the_tallies_exact(world):
    """Filings in two districts and status changes at once touch the same per-day and
    per-party rows (same day, form, party, status): each waits its turn, none deadlocks
    (the triggers lock tally rows in key order), and the counts add up."""
    from tests.incidents.test_concurrency import run_together

    head = world.user("headoffice")
    waiting = [file_incident(world, user=u) for u in ("lto_bishkek", "lto_osh") * 4]

    def work(index: int):
        if index % 2:
            for incident in waiting[index - 1 : index + 1]:
                lifecycle.incident_transition(actor=head, incident=incident, to="in_review")
            return "moved"
        user = "lto_bishkek" if index % 4 else "lto_osh"
        return [file_incident(world, user=user).ref for _n in range(3)]

    results = run_together(8, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Incident.objects.count() == 8 + 12
    assert Incident.objects.filter(status="in_review").count() == 8
    _exact()
