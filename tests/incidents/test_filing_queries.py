"""What filing costs in queries (docs/benchmarks.md; the throughput is measured by
``bench/filing_bench.py``, never here) and the guarantees the lean path must keep: every
reference checked, resends answered before the checks, the response as a GET shows it."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from incidents.models import DistrictIncidentCounter, Incident, IncidentEvent
from incidents.services import filing
from observation.models import AuditEntry, District
from tests.factories import make_candidate, make_commission, make_district, make_party_list
from tests.incidents.conftest import api_payload, file_incident

pytestmark = pytest.mark.django_db
URL = "/api/v1/incidents/"

# The filing itself, inside the test's transaction (so ``atomic`` is a savepoint): the one
# query that reads every fact about the references, then the write. On PostgreSQL the
# write is ONE statement (the counter's upsert and the three INSERTs in a CTE), here in a
# savepoint: SAVEPOINT, the statement, RELEASE (in production's autocommit, the statement
# alone: 4 round trips fewer still than BEGIN ... COMMIT). On SQLite: SAVEPOINT, the
# counter's UPDATE, the incident, its ``created`` event, its audit entry, RELEASE.
SERVICE_QUERIES = 4 if connection.vendor == "postgresql" else 7
# Through the API with a token: plus the token, read with its user and observer profile.
TOKEN_QUERIES = 1 + SERVICE_QUERIES
# Through the API with a session: the session, the user with its observer profile (one
# query: observation.kernel.backends).
SESSION_QUERIES = 2 + SERVICE_QUERIES


def _grow(world, size: int) -> None:
    """More rows of every kind the filing reads, so a count that grows would show."""
    for n in range(size):
        district = make_district(world.election, code=f"X{n:02d}")
        make_party_list(world.emgek, district)
        make_commission("PEC", election=world.election, district=district)
        file_incident(world, party=world.emgek)
        file_incident(world, user="headoffice", district=district, party=world.emgek)


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.mark.parametrize("size", [1, 12])
def test_filing_through_the_service_takes_a_constant_number_of_queries(
    world, django_assert_num_queries, size
):
    _grow(world, size)
    with django_assert_num_queries(SERVICE_QUERIES):
        file_incident(world, party=world.emgek, pec=world.pec_bishkek)


@pytest.mark.parametrize("size", [1, 12])
def test_filing_through_the_api_with_a_token_takes_a_constant_number_of_queries(
    world, django_assert_num_queries, size
):
    _grow(world, size)
    client = _token_client(world.user("lto_bishkek"))
    payload = api_payload(world, pec=world.pec_bishkek.pk)
    with django_assert_num_queries(TOKEN_QUERIES):
        assert client.post(URL, payload, format="json").status_code == 201


@pytest.mark.parametrize("size", [1, 12])
def test_filing_through_the_api_with_a_session_takes_a_constant_number_of_queries(
    world, django_assert_num_queries, size
):
    _grow(world, size)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.user("lto_bishkek"))
    client.cookies["csrftoken"] = "a" * 32
    with django_assert_num_queries(SESSION_QUERIES):
        response = client.post(URL, api_payload(world), format="json", HTTP_X_CSRFTOKEN="a" * 32)
    assert response.status_code == 201, response.json()


def test_every_reference_is_read_in_the_same_single_query(world, django_assert_num_queries):
    """A candidate, a PEC, a party and the election cost no more than a bare filing."""
    candidate = make_candidate(world.emgek.lists.get(district=world.bishkek), position=1)
    file_incident(world)  # the district's counter exists from here on
    with django_assert_num_queries(SERVICE_QUERIES):
        file_incident(
            world, election=world.election, party=world.emgek, pec=world.pec_bishkek,
            candidate=candidate,
        )  # fmt: skip


def test_the_created_response_is_what_a_get_shows(world):
    user = world.user("lto_bishkek")
    client = _token_client(user)
    created = client.post(URL, api_payload(world, pec=world.pec_bishkek.pk), format="json")
    assert created.status_code == 201
    shown = client.get(f"{URL}{created.json()['id']}/")
    assert created.json() == shown.json()


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.post(URL, api_payload(world), format="json").status_code in (401, 403)
    assert Incident.objects.count() == 0


def test_the_token_of_an_inactive_user_is_refused(world):
    user = world.user("lto_bishkek")
    client = _token_client(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.post(URL, api_payload(world), format="json").status_code in (401, 403)
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("field", ["district", "party", "pec", "candidate", "election"])
def test_a_reference_to_nothing_answers_400_naming_it(world, api, field):
    response = api(world.user("lto_bishkek")).post(
        URL, api_payload(world, **{field: 987654}), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert Incident.objects.count() == 0


@pytest.mark.parametrize("value", [0, -1, 2**63, "x", 1.5])
def test_a_reference_that_is_no_id_answers_400(world, api, value):
    response = api(world.user("lto_bishkek")).post(
        URL, api_payload(world, district=value), format="json"
    )
    assert response.status_code == 400
    assert "district" in response.json()


def test_the_election_of_another_district_answers_400_on_the_district(world, api):
    from tests.factories import make_election, running_now

    other = make_election(**running_now())
    response = api(world.user("headoffice")).post(
        URL, api_payload(world, election=other.pk), format="json"
    )
    assert response.status_code == 400
    assert "district" in response.json()


def test_a_refused_filing_writes_nothing(world, api):
    api(world.user("lto_bishkek")).post(URL, api_payload(world, party=world.nur.pk), format="json")
    assert (Incident.objects.count(), IncidentEvent.objects.count()) == (0, 0)
    assert not AuditEntry.objects.filter(action="incident.file").exists()


def test_references_as_ids_and_as_objects_are_the_same_report(world, api):
    """A report filed by the page (objects) and resent by the offline queue (ids) has one
    fingerprint, so the resend is recognised."""
    payload = api_payload(world, pec=world.pec_bishkek.pk)
    incident = file_incident(
        world, id=uuid.UUID(payload["id"]), district=world.bishkek, party=world.emgek,
        pec=world.pec_bishkek, occurred_at=_parse(payload["occurred_at"]),
        location=payload["location"], description=payload["description"],
        witnesses=payload["witnesses"], details=payload["details"],
    )  # fmt: skip
    response = api(world.user("lto_bishkek")).post(URL, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["ref"] == incident.ref


def test_a_resend_is_answered_even_after_the_observer_lost_the_district(world, api):
    """Idempotency comes before the reference rules: what was accepted stays accepted."""
    user = world.user("lto_bishkek")
    payload = api_payload(world)
    assert api(user).post(URL, payload, format="json").status_code == 201
    user.observer_profile.districts.set([world.osh])
    assert api(user).post(URL, payload, format="json").status_code == 200
    assert Incident.objects.count() == 1


def test_a_resend_of_another_observers_id_is_a_conflict_before_the_rules(world, api):
    payload = api_payload(world)
    api(world.user("lto_bishkek")).post(URL, payload, format="json")
    response = api(world.user("lto_osh")).post(URL, payload, format="json")
    assert response.status_code == 409


def test_a_candidate_given_as_an_id_must_be_on_the_partys_list(world):
    on_ata_jurt = make_candidate(world.ata_jurt.lists.get(district=world.bishkek), position=1)
    with pytest.raises(ValidationError) as exc:
        file_incident(world, party=world.emgek.pk, candidate=on_ata_jurt.pk)
    assert "candidate" in exc.value.message_dict
    incident = file_incident(world, party=world.ata_jurt.pk, candidate=on_ata_jurt.pk)
    assert (incident.candidate_id, incident.party_id) == (on_ata_jurt.pk, world.ata_jurt.pk)


def test_a_candidate_without_a_party_is_refused(world):
    on_emgek = make_candidate(world.emgek.lists.get(district=world.bishkek), position=1)
    with pytest.raises(ValidationError) as exc:
        file_incident(world, candidate=on_emgek)
    assert "candidate" in exc.value.message_dict


def test_the_first_incident_of_a_district_starts_its_numbers(world):
    new = District.objects.create(
        election=world.election, name="Tokmok", code="TKM", mandates=31, threshold_percent=7
    )
    assert file_incident(world, user="headoffice", district=new.pk).ref == "TKM-0001"
    assert file_incident(world, user="headoffice", district=new).ref == "TKM-0002"


def _parse(value: str):
    import datetime as dt

    return dt.datetime.fromisoformat(value)


def test_the_sign_in_guards_add_no_query_to_a_token_filing(
    world, django_assert_num_queries, settings
):
    """The second-factor gate, django-otp's and django-axes' middleware and the token's
    expiry check read nothing on a token-authenticated call, even with the second factor
    on for every role (docs/roles.md#second-factor)."""
    settings.TWO_FACTOR_ROLES = ["lto", "coordinator", "headoffice", "legal", "analyst", "admin"]
    _grow(world, 1)  # the district's counter and the content types exist, as in the others
    client = _token_client(world.user("lto_bishkek"))
    payload = api_payload(world, pec=world.pec_bishkek.pk)
    with django_assert_num_queries(TOKEN_QUERIES):
        assert client.post(URL, payload, format="json").status_code == 201


def test_numbers_start_at_one_and_keep_every_digit_past_9999(world):
    assert file_incident(world).ref == "BSK-0001"  # the district's first creates its counter
    DistrictIncidentCounter.objects.filter(district=world.bishkek).update(last_number=9998)
    assert [file_incident(world).ref for _ in range(2)] == ["BSK-9999", "BSK-10000"]
    assert Incident.objects.get(ref="BSK-10000").number == 10000


def test_the_incident_its_event_and_its_audit_entry_are_written_together(world):
    incident = file_incident(world, party=world.emgek)
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.ref, stored.number, stored.status) == (
        incident.ref,
        incident.number,
        "submitted",
    )
    event = IncidentEvent.objects.get(incident=incident)
    assert (event.kind, event.to_status, event.actor) == (
        "created",
        "submitted",
        incident.reported_by,
    )
    entry = AuditEntry.objects.get(action="incident.file", object_id=str(incident.pk))
    assert entry.object_repr == incident.ref and entry.actor == incident.reported_by
    assert entry.data == {
        "ref": incident.ref,
        "kind": "vote_buying",
        "district_id": world.bishkek.pk,
    }


@pytest.mark.parametrize(
    "user", ["lto_bishkek", "lto_osh", "coordinator_bishkek", "headoffice", "legal", "admin"]
)
def test_the_facts_query_kept_per_shape_answers_what_the_orm_answers(world, user):
    """The facts query is compiled once per role and shape and run with each filing's
    values (observation.kernel.statements): its answers are the ORM's, for users of every
    role, each reference given or not, fitting or not, and an id taken or free."""
    actor = get_user_model().objects.select_related("observer_profile").get(pk=world.user(user).pk)
    taken = file_incident(world, party=world.emgek).id
    candidate = make_candidate(world.emgek.lists.get(district=world.bishkek), position=1)
    shapes = [
        {"pec_id": None, "party_id": None, "candidate_id": None, "election_id": None},
        {"pec_id": world.pec_bishkek.pk, "party_id": world.emgek.pk,
         "candidate_id": candidate.pk, "election_id": world.election.pk},
        {"pec_id": world.pec_osh.pk, "party_id": world.nur.pk, "candidate_id": None,
         "election_id": None},
        {"pec_id": None, "party_id": None, "candidate_id": candidate.pk, "election_id": None},
    ]  # fmt: skip
    for references in shapes:
        for district in (world.bishkek, world.osh):
            for incident_id in (uuid.uuid4(), taken):
                facts = {"incident_id": incident_id, "district_id": district.pk, **references}
                orm = next(iter(filing._facts_queryset(actor=actor, **facts)), None)
                assert filing._filing_facts(actor=actor, **facts) == orm
    if connection.vendor == "postgresql":  # SQLite converts dates: the ORM reads them
        assert None not in filing._FACTS.values(), filing._FACTS  # every shape was kept


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one write statement")
def test_the_write_statement_is_kept_with_the_compilers_parameters(world):
    """The filing's one statement is compiled once per process; the parameters computed
    for each filing after that are checked against the compiler's on the first."""
    file_incident(world, party=world.emgek)
    incident = file_incident(world, party=world.emgek, pec=world.pec_bishkek)
    assert filing._WRITE and filing._WRITE[0] is not None
    stored = Incident.objects.get(pk=incident.pk)
    assert (stored.ref, stored.pec_id, stored.details) == (
        incident.ref,
        incident.pec_id,
        incident.details,
    )
    entry = AuditEntry.objects.get(action="incident.file", object_id=str(incident.pk))
    assert entry.data == {
        "ref": incident.ref,
        "kind": incident.kind,
        "district_id": world.bishkek.pk,
    }
