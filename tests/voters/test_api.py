"""/api/v1/voter-snapshots/: fields, rules, filters, permissions, import, query counts."""

from __future__ import annotations

import pytest

from observation.kernel.roles import Role
from observation.models import AuditEntry
from tests.factories import make_commission, make_district, make_user
from tests.voters.conftest import (
    READERS_ONLY,
    WRITERS,
    csv_bytes,
    make_snapshot,
    seed_rows,
    upload,
)
from voters.models import VoterListSnapshot

URL = "/api/v1/voter-snapshots/"
FIELDS = [
    "id", "commission", "stage", "as_of", "total", "male", "female", "age_18_29",
    "age_30_39", "age_40_49", "age_50_59", "age_60_69", "age_70_plus",
]  # fmt: skip


def payload(commission, **fields):
    return {
        "commission": commission.pk,
        "stage": "control",
        "as_of": "2021-06-20",
        "total": 37_134,
        "male": 16_365,
        "female": 20_769,
        "age_18_29": 9_999,
        "age_30_39": 8_420,
        "age_40_49": 6_357,
        "age_50_59": 5_890,
        "age_60_69": 4_410,
        "age_70_plus": 2_058,
        **fields,
    }


def as_role(api, role):
    api.force_authenticate(make_user(role))
    return api


@pytest.mark.django_db
def test_list_gives_the_design_fields(api, bishkek):
    make_snapshot(bishkek, "preliminary", total=424_847)
    body = as_role(api, Role.LTO).get(URL).json()
    assert body["count"] == 1
    assert list(body["results"][0]) == FIELDS
    assert body["results"][0]["male"] is None


@pytest.mark.django_db
def test_list_filters_by_commission_stage_and_election(api, tecs):
    for tec in tecs.values():
        make_snapshot(tec, "preliminary")
        make_snapshot(tec, "control")
    make_snapshot(make_commission("TEC"), "control")
    client = as_role(api, Role.ANALYST)
    osh = tecs["Osh TEC"]
    assert client.get(URL, {"commission": osh.pk}).json()["count"] == 2
    assert client.get(URL, {"stage": "control"}).json()["count"] == 4
    assert client.get(URL, {"stage": "control", "election": osh.election_id}).json()["count"] == 3


@pytest.mark.django_db
def test_unknown_stage_filter_is_a_400(api, bishkek):
    assert as_role(api, Role.ANALYST).get(URL, {"stage": "draft"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("role", WRITERS)
def test_writers_create_update_and_delete(api, tecs, role):
    client = as_role(api, role)
    created = client.post(URL, payload(tecs["Tokmok TEC"]))
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    patched = client.patch(f"{URL}{pk}/", {"as_of": "2021-06-21"})
    assert patched.status_code == 200 and patched.json()["as_of"] == "2021-06-21"
    assert client.delete(f"{URL}{pk}/").status_code == 204
    assert not VoterListSnapshot.objects.exists()
    actions = sorted(AuditEntry.objects.values_list("action", flat=True))
    assert actions == ["voter_snapshot.create", "voter_snapshot.delete", "voter_snapshot.update"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS_ONLY)
def test_other_roles_read_but_cannot_write(api, tecs, role):
    snapshot = make_snapshot(tecs["Osh TEC"], "control")
    client = as_role(api, role)
    assert client.get(URL).status_code == 200
    assert client.get(f"{URL}{snapshot.pk}/").status_code == 200
    assert client.post(URL, payload(tecs["Tokmok TEC"])).status_code == 403
    assert client.patch(f"{URL}{snapshot.pk}/", {"total": 5}).status_code == 403
    assert client.delete(f"{URL}{snapshot.pk}/").status_code == 403
    assert VoterListSnapshot.objects.get().total == 100


@pytest.mark.django_db
def test_anonymous_and_roleless_users_are_refused(api, bishkek):
    assert api.get(URL).status_code in (401, 403)
    api.force_authenticate(make_user(None))
    assert api.get(URL).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"female": 20_768}, "total"),
        ({"age_70_plus": 2_000}, "total"),
        ({"female": None}, "female"),
        ({"age_18_29": None}, "age_18_29"),
        ({"stage": "draft"}, "stage"),
        ({"total": -1}, "total"),
        ({"as_of": "20.06.2021"}, "as_of"),
    ],
)
def test_invalid_snapshot_is_a_400_naming_the_field(api, tecs, change, field):
    response = as_role(api, Role.ANALYST).post(
        URL, payload(tecs["Tokmok TEC"], **change), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not VoterListSnapshot.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_cec_snapshot_is_a_400_on_commission(api, cec):
    response = as_role(api, Role.ANALYST).post(URL, payload(cec))
    assert response.status_code == 400 and "commission" in response.json()


@pytest.mark.django_db
def test_a_second_snapshot_of_a_stage_is_a_400_on_stage(api, tecs):
    make_snapshot(tecs["Tokmok TEC"], "control")
    response = as_role(api, Role.ANALYST).post(URL, payload(tecs["Tokmok TEC"]))
    assert response.status_code == 400
    assert response.json() == {"stage": ["Tokmok TEC already has a snapshot of the control list."]}


@pytest.mark.django_db
def test_a_partial_update_is_checked_against_the_stored_values(api, tecs):
    snapshot = VoterListSnapshot.objects.create(
        **{**payload(tecs["Tokmok TEC"]), "commission": tecs["Tokmok TEC"]}
    )
    response = as_role(api, Role.ANALYST).patch(f"{URL}{snapshot.pk}/", {"male": 16_000})
    assert response.status_code == 400 and "total" in response.json()
    snapshot.refresh_from_db()
    assert snapshot.male == 16_365


@pytest.mark.django_db
def test_list_query_count_does_not_grow(api, tecs, django_assert_max_num_queries):
    client = as_role(api, Role.ANALYST)
    for tec in tecs.values():
        make_snapshot(tec, "control")
    with django_assert_max_num_queries(6) as small:
        assert client.get(URL).status_code == 200
    election = tecs["Osh TEC"].election
    for _ in range(30):
        make_snapshot(make_commission("TEC", election=election, district=make_district(election)))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(URL).json()["count"] == 33


# --- import ------------------------------------------------------------------------------


def post_import(client, election, data: bytes, commit: bool, name="voters.csv"):
    return client.post(
        f"{URL}import/",
        {"file": upload(data, name), "election": election.pk, "commit": str(commit).lower()},
        format="multipart",
    )


@pytest.mark.django_db
def test_import_preview_writes_nothing_and_commit_imports(api, tecs):
    client = as_role(api, Role.ANALYST)
    election = tecs["Osh TEC"].election
    preview = post_import(client, election, csv_bytes(seed_rows()), commit=False)
    assert preview.status_code == 200
    body = preview.json()
    assert body["committed"] is False and body["valid"] is True
    assert body["counts"] == {"create": 6, "update": 0, "unchanged": 0, "errors": 0}
    assert body["rows"][1]["changes"]["male"] == [None, 179_270]
    assert not VoterListSnapshot.objects.exists()
    done = post_import(client, election, csv_bytes(seed_rows()), commit=True)
    assert done.status_code == 200 and done.json()["committed"] is True
    assert VoterListSnapshot.objects.count() == 6
    again = post_import(client, election, csv_bytes(seed_rows()), commit=True)
    assert again.json()["counts"]["unchanged"] == 6


@pytest.mark.django_db
def test_import_with_row_errors_is_a_400_listing_them(api, tecs):
    rows = seed_rows()
    rows[1][5] = "245836"
    response = post_import(
        as_role(api, Role.ADMIN), tecs["Osh TEC"].election, csv_bytes(rows), True
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "total")]
    assert "179270 + 245836 = 425106" in errors[0]["message"]
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_import_of_an_unreadable_file_is_a_400_on_file(api, tecs):
    data = csv_bytes(seed_rows()).decode().replace("Bishkek", "Бишкек").encode("cp1251")
    response = post_import(as_role(api, Role.ANALYST), tecs["Osh TEC"].election, data, True)
    assert response.status_code == 400 and "UTF-8" in response.json()["file"][0]


@pytest.mark.django_db
def test_import_without_file_or_election_is_a_400(api, tecs):
    response = as_role(api, Role.ANALYST).post(f"{URL}import/", {}, format="multipart")
    assert response.status_code == 400
    assert {"file", "election"} <= set(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS_ONLY)
def test_import_is_refused_to_roles_that_only_read(api, tecs, role):
    response = post_import(
        as_role(api, role), tecs["Osh TEC"].election, csv_bytes(seed_rows()), True
    )
    assert response.status_code == 403
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_import_with_a_token_works_for_scripts(api, tecs):
    from rest_framework.authtoken.models import Token

    user = make_user(Role.ANALYST)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    response = post_import(api, tecs["Osh TEC"].election, csv_bytes(seed_rows()), True)
    assert response.status_code == 200 and response.json()["committed"]
