"""The voter registration page, the snapshot form and the import page."""

from __future__ import annotations

import pytest
from django.urls import reverse

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
from voters.services import voter_snapshot_import

REGISTRATION = "/voters/"
IMPORT = "/voters/import/"
NEW = "/voters/snapshots/new/"


def load_seed(election) -> None:
    voter_snapshot_import(
        actor=None, file=upload(csv_bytes(seed_rows())), election=election, commit=True
    )


def form_data(commission, **fields):
    data = {
        "commission": commission.pk,
        "stage": "control",
        "as_of": "2021-06-20",
        "total": "148224",
        "male": "67526",
        "female": "80698",
        "age_18_29": "41325",
        "age_30_39": "37137",
        "age_40_49": "24013",
        "age_50_59": "22659",
        "age_60_69": "16457",
        "age_70_plus": "6633",
    }
    data.update(fields)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_registration_page_is_readable_by_every_role(client, tecs, role):
    client.force_login(make_user(role))
    assert client.get(REGISTRATION).status_code == 200


@pytest.mark.django_db
def test_registration_page_shows_tables_1_and_2_as_the_seed(client, tecs):
    load_seed(tecs["Osh TEC"].election)
    client.force_login(make_user(Role.LTO))
    html = client.get(REGISTRATION).content.decode()
    for text in (
        "424,847", "425,107", "+260", "148,144", "148,224", "+80", "37,164", "37,134",
        "\u221230", "228", "179,270", "245,837", "42.2\u00a0%", "57.8\u00a0%", "45.6\u00a0%",
        "54.4\u00a0%", "44.1\u00a0%", "55.9\u00a0%", "100,817", "30,061", "6,633", "2,058",
        "2021-06-09", "2021-06-20",
    ):  # fmt: skip
        assert text in html, text
    assert "Import snapshots" not in html  # LTOs read only


@pytest.mark.django_db
def test_registration_page_in_russian_uses_its_number_format(client, tecs):
    load_seed(tecs["Osh TEC"].election)
    client.force_login(make_user(Role.ANALYST))
    client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    html = client.get(REGISTRATION).content.decode()
    assert "425\u00a0107" in html and "42,2\u00a0%" in html


@pytest.mark.django_db
def test_writers_see_the_import_and_add_links(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    html = client.get(REGISTRATION).content.decode()
    assert reverse("voters:import") in html and reverse("voters:snapshot-create") in html


@pytest.mark.django_db
def test_table_2_switches_stage_as_an_htmx_partial(client, tecs):
    load_seed(tecs["Osh TEC"].election)
    client.force_login(make_user(Role.HEAD_OFFICE))
    response = client.get(
        REGISTRATION,
        {"stage": "preliminary"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="gender-age",
    )
    html = response.content.decode()
    assert "<html" not in html and "Table 2" in html
    assert "179,270" not in html  # the preliminary list has no gender breakdown
    assert 'href="?election=' in html  # a real link under the htmx attribute


@pytest.mark.django_db
def test_nav_has_voter_lists_for_every_role(client, tecs):
    client.force_login(make_user(Role.LTO))
    assert "Voter lists" in client.get("/").content.decode()


@pytest.mark.django_db
def test_registration_page_without_any_election(client):
    client.force_login(make_user(Role.ANALYST))
    assert "No election" in client.get(REGISTRATION).content.decode()


@pytest.mark.django_db
def test_registration_page_query_count_does_not_grow(client, tecs, django_assert_max_num_queries):
    election = tecs["Osh TEC"].election
    load_seed(election)
    client.force_login(make_user(Role.ANALYST))
    with django_assert_max_num_queries(20) as small:
        assert client.get(REGISTRATION).status_code == 200
    for _ in range(30):
        tec = make_commission("TEC", election=election, district=make_district(election))
        make_snapshot(tec, "preliminary", total=10)
        make_snapshot(tec, "control", total=10, male=5, female=5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(REGISTRATION).status_code == 200


# --- snapshot form ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", WRITERS)
def test_writers_add_a_snapshot_through_the_form(client, tecs, role):
    client.force_login(make_user(role))
    election = tecs["Osh TEC"].election
    response = client.post(f"{NEW}?election={election.pk}", form_data(tecs["Osh TEC"]))
    assert response.status_code == 302
    snapshot = VoterListSnapshot.objects.get()
    assert (snapshot.total, snapshot.male) == (148_224, 67_526)
    assert AuditEntry.objects.filter(action="voter_snapshot.create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, field",
    [
        ({"female": "80697"}, "total"),
        ({"age_70_plus": "6600"}, "total"),
        ({"female": ""}, "female"),
        ({"age_60_69": ""}, "age_60_69"),
        ({"total": "-3"}, "total"),
    ],
)
def test_form_refuses_a_breakdown_that_does_not_add_up(client, tecs, change, field):
    client.force_login(make_user(Role.ANALYST))
    election = tecs["Osh TEC"].election
    response = client.post(f"{NEW}?election={election.pk}", form_data(tecs["Osh TEC"], **change))
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "error-summary" in response.content.decode()
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_form_refuses_the_cec(client, cec):
    client.force_login(make_user(Role.ANALYST))
    response = client.post(f"{NEW}?election={cec.election_id}", form_data(cec))
    assert "commission" in response.context["form"].errors
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_form_refuses_a_second_snapshot_of_the_stage_on_the_stage_field(client, tecs):
    make_snapshot(tecs["Osh TEC"], "control")
    client.force_login(make_user(Role.ANALYST))
    election = tecs["Osh TEC"].election
    response = client.post(f"{NEW}?election={election.pk}", form_data(tecs["Osh TEC"]))
    assert "stage" in response.context["form"].errors
    assert VoterListSnapshot.objects.count() == 1


@pytest.mark.django_db
def test_form_offers_only_the_elections_tecs_and_pecs(client, tecs, cec):
    client.force_login(make_user(Role.ANALYST))
    make_commission("TEC")  # another election
    form = client.get(f"{NEW}?election={cec.election_id}").context["form"]
    assert set(form.fields["commission"].queryset) == set(tecs.values())


@pytest.mark.django_db
def test_edit_and_delete_through_the_pages(client, tecs):
    snapshot = make_snapshot(tecs["Tokmok TEC"], "preliminary", total=37_000)
    client.force_login(make_user(Role.ADMIN))
    url = reverse("voters:snapshot-edit", args=[snapshot.pk])
    response = client.post(
        url,
        {"commission": snapshot.commission_id, "stage": "preliminary", "as_of": "2021-06-09",
         "total": "37164"},
    )  # fmt: skip
    assert response.status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.total == 37_164
    assert client.post(reverse("voters:snapshot-delete", args=[snapshot.pk])).status_code == 302
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", READERS_ONLY)
def test_readers_cannot_use_the_form_import_or_delete(client, tecs, role):
    snapshot = make_snapshot(tecs["Tokmok TEC"], "preliminary")
    client.force_login(make_user(role))
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("voters:snapshot-edit", args=[snapshot.pk])).status_code == 403
    assert client.post(reverse("voters:snapshot-delete", args=[snapshot.pk])).status_code == 403
    assert client.get(IMPORT).status_code == 403
    election = tecs["Osh TEC"].election
    response = client.post(
        IMPORT, {"election": election.pk, "file": upload(csv_bytes(seed_rows()))}
    )
    assert response.status_code == 403
    assert VoterListSnapshot.objects.count() == 1


# --- import page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_page_previews_keeps_the_file_and_commits_it(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    election = tecs["Osh TEC"].election
    preview = client.post(IMPORT, {"election": election.pk, "file": upload(csv_bytes(seed_rows()))})
    html = preview.content.decode()
    assert preview.status_code == 200 and "Import these rows" in html
    assert "Bishkek TEC — Control list" in html
    assert not VoterListSnapshot.objects.exists()
    token = preview.context["confirm"].initial["token"]
    done = client.post(IMPORT, {"election": election.pk, "token": token})
    assert done.status_code == 302 and done["Location"].startswith(REGISTRATION)
    assert VoterListSnapshot.objects.count() == 6
    page = client.get(done["Location"]).content.decode()
    assert "6 created" in page
    # the kept file is gone: the same confirmation cannot run twice
    again = client.post(IMPORT, {"election": election.pk, "token": token})
    assert "no longer available" in again.content.decode()


@pytest.mark.django_db
def test_import_page_lists_row_errors_and_offers_no_confirmation(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    rows = seed_rows()
    rows[3][3] = "148 22x"
    response = client.post(
        IMPORT, {"election": tecs["Osh TEC"].election_id, "file": upload(csv_bytes(rows))}
    )
    html = response.content.decode()
    assert "Errors, row by row" in html and "<code>total</code>" in html
    assert "is not a whole number" in html
    assert "confirm" not in response.context


@pytest.mark.django_db
def test_import_page_shows_a_file_error_on_the_file_field(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    bad = upload(b"\x00\x01garbage", "voters.xlsx")
    response = client.post(IMPORT, {"election": tecs["Osh TEC"].election_id, "file": bad})
    assert response.context["form"].errors["file"] == [
        "The file is named .xlsx but is not an Excel workbook."
    ]


@pytest.mark.django_db
def test_import_page_refuses_another_users_token(client, tecs):
    election = tecs["Osh TEC"].election
    client.force_login(make_user(Role.ANALYST))
    preview = client.post(IMPORT, {"election": election.pk, "file": upload(csv_bytes(seed_rows()))})
    token = preview.context["confirm"].initial["token"]
    client.force_login(make_user(Role.ADMIN))
    response = client.post(IMPORT, {"election": election.pk, "token": token})
    assert "no longer available" in response.content.decode()
    assert not VoterListSnapshot.objects.exists()


@pytest.mark.django_db
def test_import_page_offers_a_template(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    response = client.get(IMPORT, {"download": "template"})
    assert response["Content-Type"] == "text/csv"
    assert response.content.startswith(b"commission,stage,as_of,total,male,female,age_18_29")


@pytest.mark.django_db
def test_the_template_file_imports_cleanly(client, tecs):
    client.force_login(make_user(Role.ANALYST))
    data = client.get(IMPORT, {"download": "template"}).content
    report = voter_snapshot_import(
        actor=None, file=upload(data), election=tecs["Osh TEC"].election, commit=True
    )
    assert report.committed and report.counts["create"] == 2


@pytest.mark.django_db
def test_admin_saves_through_the_service(client, tecs):
    client.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/voters/voterlistsnapshot/add/",
        {"commission": tecs["Osh TEC"].pk, "stage": "preliminary", "as_of": "2021-06-09",
         "total": "148144"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert VoterListSnapshot.objects.get().total == 148_144
    assert AuditEntry.objects.filter(action="voter_snapshot.create").exists()


@pytest.mark.django_db
def test_admin_refuses_a_breakdown_that_does_not_add_up(client, tecs):
    client.force_login(make_user(Role.ADMIN, is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/voters/voterlistsnapshot/add/",
        {"commission": tecs["Osh TEC"].pk, "stage": "control", "as_of": "2021-06-20",
         "total": "10", "male": "4", "female": "5"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "total" in response.context["adminform"].form.errors
    assert not VoterListSnapshot.objects.exists()
