"""The observer's pages: choose, fill, send (without JavaScript), My reports, answers."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents.models import Comment, Evidence, Incident, IncidentEvent
from tests.incidents.conftest import file_incident, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def lto(client, world):
    client.force_login(world.user("lto_bishkek"))
    return client


def form_data(world, **overrides):
    data = {
        "id": str(uuid.uuid4()),
        "district": world.bishkek.pk,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "location": "Market, Chui avenue",
        "pec": "",
        "party": world.emgek.pk,
        "description": "Leaflets without imprint on the fence.",
        "source": "direct_observation",
        "witnesses": "",
        "type": "unmarked_materials",
        "medium": "outdoor",
    }
    data.update(overrides)
    return data


def test_choose_page_offers_the_three_forms(lto):
    page = lto.get("/incidents/new/").content.decode()
    for kind in ("admin_resource", "vote_buying", "campaign_rules"):
        assert f"/incidents/new/{kind}/" in page


def test_form_page_carries_a_fresh_id_and_only_the_users_districts(lto, world):
    response = lto.get("/incidents/new/campaign_rules/", follow=True)
    draft = response.redirect_chain[0][0].split("?draft=")[1]
    page = response.content.decode()
    assert f'name="id" value="{draft}"' in page
    assert f'<option value="{world.bishkek.pk}" selected>Bishkek</option>' in page
    assert ">Osh<" not in page


def test_party_choices_are_those_with_a_list_in_the_district(lto, world):
    response = lto.get("/incidents/new/vote_buying/", follow=True)
    choices = [label for _, label in response.context["form"].fields["party"].choices]
    assert [str(c) for c in choices] == ["Not known", "Ata-Jurt", "Emgek"]


def test_without_javascript_the_district_button_refreshes_the_lists(client, world):
    client.force_login(world.user("headoffice"))
    data = form_data(world, district=world.osh.pk, refresh="1")
    response = client.post("/incidents/new/campaign_rules/", data)
    assert response.status_code == 200
    choices = [str(label) for _, label in response.context["form"].fields["party"].choices]
    assert choices == ["Not known", "Ata-Jurt", "Nur"]
    assert Incident.objects.count() == 0
    assert b"errorlist" not in response.content


@pytest.mark.parametrize("kind, details", [
    ("admin_resource", {"type": "pressure_on_employees", "official": "Director",
                        "official_position": "School head", "people_affected": "30"}),
    ("vote_buying", {"offered": "goods", "value": "Food parcel", "offered_by": "party_agent",
                     "voters_approached": "12"}),
    ("campaign_rules", {"type": "unmarked_materials", "medium": "outdoor"}),
])  # fmt: skip
def test_each_form_files_an_incident_and_shows_it(lto, world, kind, details):
    data = form_data(world, **details)
    response = lto.post(f"/incidents/new/{kind}/", data)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert str(incident.pk) == data["id"]
    assert incident.kind == kind
    for name, value in details.items():
        expected = int(value) if name in ("people_affected", "voters_approached") else value
        assert incident.details[name] == expected
    page = lto.get(response["Location"]).content.decode()
    assert incident.ref in page


@pytest.mark.parametrize("kind, missing", [
    ("admin_resource", "type"),
    ("vote_buying", "offered_by"),
    ("campaign_rules", "medium"),
])  # fmt: skip
def test_each_form_names_its_missing_field(lto, world, kind, missing):
    data = form_data(world, type="threats", offered="money", offered_by="unknown", medium="print")
    data.pop(missing)
    if kind == "campaign_rules":
        data["type"] = "black_pr"
    response = lto.post(f"/incidents/new/{kind}/", data)
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert b"error-summary" in response.content
    assert Incident.objects.count() == 0


def test_double_submit_files_one_incident(lto, world):
    data = form_data(world)
    first = lto.post("/incidents/new/campaign_rules/", data)
    second = lto.post("/incidents/new/campaign_rules/", data)
    assert first["Location"] == second["Location"]
    assert Incident.objects.count() == 1


def test_party_of_another_district_is_refused_on_the_page(lto, world):
    response = lto.post("/incidents/new/campaign_rules/", form_data(world, party=world.nur.pk))
    assert response.status_code == 200
    assert "party" in response.context["form"].errors
    assert Incident.objects.count() == 0


def test_osh_observer_cannot_file_in_bishkek_on_the_page(client, world):
    client.force_login(world.user("lto_osh"))
    response = client.post("/incidents/new/campaign_rules/", form_data(world, party=""))
    assert response.status_code == 200
    assert "district" in response.context["form"].errors
    assert Incident.objects.count() == 0


def test_evidence_sent_with_the_form_is_attached(lto, world):
    data = form_data(world)
    data["evidence"] = [SimpleUploadedFile("photo.jpg", jpeg_with_gps(), "image/jpeg")]
    lto.post("/incidents/new/campaign_rules/", data)
    incident = Incident.objects.get()
    assert incident.evidence.count() == 1
    assert incident.evidence_expected == 1


def test_a_disguised_file_refuses_the_form_and_stores_nothing(lto, world):
    data = form_data(world)
    data["evidence"] = [SimpleUploadedFile("photo.jpg", b"<html>hi</html>", "image/jpeg")]
    response = lto.post("/incidents/new/campaign_rules/", data)
    assert response.status_code == 200
    assert "evidence" in response.context["form"].errors
    assert Incident.objects.count() == 0 and Evidence.objects.count() == 0


@pytest.mark.parametrize("role, status", [
    ("lto_bishkek", 200), ("coordinator_bishkek", 200), ("headoffice", 200), ("admin", 200),
    ("legal", 403), ("analyst", 403),
])  # fmt: skip
def test_who_may_open_the_form(client, world, role, status):
    client.force_login(world.user(role))
    assert client.get("/incidents/new/vote_buying/", follow=True).status_code == status
    assert client.get("/incidents/new/").status_code == status


def test_unknown_form_is_a_404(lto):
    assert lto.get("/incidents/new/riot/").status_code == 404


def test_pages_need_sign_in(client):
    assert client.get("/incidents/new/").status_code == 302
    assert client.get("/incidents/mine/").status_code == 302


@pytest.mark.parametrize("role, status", [
    ("lto_bishkek", 200), ("lto_osh", 404), ("lto_bishkek_2", 404),
    ("coordinator_bishkek", 200), ("headoffice", 200), ("legal", 200), ("analyst", 200),
])  # fmt: skip
def test_who_may_open_an_incident_page(client, world, role, status):
    incident = file_incident(world, witnesses="Secret witness")
    client.force_login(world.user(role))
    response = client.get(f"/incidents/{incident.pk}/")
    assert response.status_code == status
    if status == 200:
        shown = "Secret witness" in response.content.decode()
        assert shown is (role in ("lto_bishkek", "headoffice", "legal"))


# --- My reports, questions and answers ---------------------------------------------------


def ask(world, incident, body="Which school exactly?"):
    return Comment.objects.create(
        incident=incident,
        author=world.user("headoffice"),
        body=body,
        visibility=Comment.Visibility.QUESTION_TO_LTO,
    )


def test_my_reports_lists_only_mine_with_ref_status_and_question(lto, world):
    mine = file_incident(world)
    other = file_incident(world, user="lto_bishkek_2")
    ask(world, mine)
    Comment.objects.create(
        incident=mine, author=world.user("headoffice"), body="Internal only", visibility="internal"
    )
    page = lto.get("/incidents/mine/").content.decode()
    assert mine.ref in page and other.ref not in page
    assert "Submitted" in page
    assert "Which school exactly?" in page
    assert "Internal only" not in page
    assert "Send answer" in page


def test_a_report_card_links_the_report_and_escapes_the_place(lto, world):
    """The head of each card is drawn in Python (incidents/templatetags/incident_rows.py)."""
    mine = file_incident(world, location="<script>alert(1)</script> School No. 5")
    page = lto.get("/incidents/mine/").content.decode()
    assert f'<a href="/incidents/{mine.pk}/"><strong>{mine.ref}</strong></a>' in page
    assert '<span class="badge status-submitted">Submitted</span>' in page
    assert "<script>alert(1)</script>" not in page
    assert '<p class="muted">&lt;script&gt;alert(1)&lt;/script&gt; School No. 5</p>' in page
    assert "Vote buying · Bishkek · " in page


def test_answering_a_question_records_an_answer_and_an_event(lto, world):
    incident = file_incident(world)
    question = ask(world, incident)
    response = lto.post(
        f"/incidents/questions/{question.pk}/answer/",
        {"body": "School No. 5", "next": "/incidents/mine/"},
    )
    assert response["Location"] == "/incidents/mine/"
    answer = Comment.objects.get(visibility="answer_from_lto")
    assert (answer.reply_to, answer.body, answer.author) == (
        question,
        "School No. 5",
        world.user("lto_bishkek"),
    )
    question.refresh_from_db()
    assert question.answered_at is not None
    assert IncidentEvent.objects.filter(incident=incident, kind="answer").count() == 1
    assert "Send answer" not in lto.get("/incidents/mine/").content.decode()


def test_a_question_is_answered_once(lto, world):
    question = ask(world, file_incident(world))
    lto.post(f"/incidents/questions/{question.pk}/answer/", {"body": "One"})
    lto.post(f"/incidents/questions/{question.pk}/answer/", {"body": "Two"})
    assert Comment.objects.filter(visibility="answer_from_lto").count() == 1


def test_only_the_reporter_answers(client, world):
    question = ask(world, file_incident(world))
    client.force_login(world.user("coordinator_bishkek"))
    response = client.post(f"/incidents/questions/{question.pk}/answer/", {"body": "Me"})
    assert response.status_code == 403
    client.force_login(world.user("lto_osh"))
    response = client.post(f"/incidents/questions/{question.pk}/answer/", {"body": "Me"})
    assert response.status_code == 404
    assert not Comment.objects.filter(visibility="answer_from_lto").exists()


def test_answer_redirect_stays_on_this_site(lto, world):
    question = ask(world, file_incident(world))
    response = lto.post(
        f"/incidents/questions/{question.pk}/answer/",
        {"body": "Ok", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/incidents/{question.incident_id}/"


def test_my_reports_query_count_does_not_grow(lto, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ask(world, file_incident(world))
    with CaptureQueriesContext(connection) as few:
        assert lto.get("/incidents/mine/").status_code == 200
    for _ in range(8):
        ask(world, file_incident(world, party=world.emgek))
    with django_assert_max_num_queries(len(few)):
        assert lto.get("/incidents/mine/").status_code == 200


def test_home_panel_shows_recent_reports_and_open_questions(lto, world):
    incident = file_incident(world)
    ask(world, incident, body="Please send a photo.")
    page = lto.get("/").content.decode()
    assert incident.ref in page
    assert "Please send a photo." in page
    assert "Report an incident" in page


def test_navigation_entries_for_filers_only(client, world):
    client.force_login(world.user("lto_bishkek"))
    assert "/incidents/mine/" in client.get("/").content.decode()
    client.force_login(world.user("analyst"))
    assert "/incidents/new/" not in client.get("/").content.decode()


# --- offline support ---------------------------------------------------------------------


def test_service_worker_is_served_from_the_root_uncached(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "/incidents/new/vote_buying/" in body and "/incidents/reference.json" in body


def test_reference_lists_give_the_users_districts_parties_and_pecs(lto, world):
    data = lto.get("/incidents/reference.json").json()
    assert [d["code"] for d in data["districts"]] == ["BSK"]
    bishkek = data["districts"][0]
    assert [p["name"] for p in bishkek["parties"]] == ["Ata-Jurt", "Emgek"]
    assert [p["name"] for p in bishkek["pecs"]] == ["PEC 1001"]


def test_reference_lists_query_count_is_constant(client, world, django_assert_max_num_queries):
    client.force_login(world.user("headoffice"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/incidents/reference.json")
    from tests.factories import make_commission, make_district, make_party, make_party_list

    for n in range(4):
        district = make_district(world.election, name=f"Extra {n}", code=f"EX{n}")
        make_party_list(make_party(), district)
        make_commission("PEC", election=world.election, district=district, parent=world.tec_bishkek)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get("/incidents/reference.json").json()["districts"]) == 6


def test_the_form_address_carries_its_id_and_shows_sent_once_filed(lto, world):
    """Back after sending (or a reload) asks for the same ``?draft=`` address: once filed,
    it shows "sent" instead of a sendable form with a new id (issue 10, point 1)."""
    first = lto.get("/incidents/new/campaign_rules/")
    assert first.status_code == 302
    address = first["Location"]
    draft = address.split("?draft=")[1]
    page = lto.get(address)
    assert "no-store" in page["Cache-Control"]
    assert f'value="{draft}"' in page.content.decode()
    assert lto.get(address).context["form"].initial["id"] == uuid.UUID(draft)  # reload: same id
    sent = lto.post(address, form_data(world, id=draft))
    assert sent.status_code == 302
    incident = Incident.objects.get()
    back = lto.get(address)
    body = back.content.decode()
    assert "This report was sent" in body and incident.ref in body
    assert 'name="id"' not in body and '<form method="post" enctype' not in body
    # A restored copy of the filled form sends the same id again: still one incident.
    lto.post(address, form_data(world, id=draft))
    assert Incident.objects.count() == 1


def test_a_bad_draft_id_gets_a_fresh_one(lto):
    response = lto.get("/incidents/new/vote_buying/?draft=not-a-uuid")
    assert response.status_code == 302
    uuid.UUID(response["Location"].split("?draft=")[1])


def test_the_form_time_is_read_in_the_phones_zone(lto, world):
    """A phone on Tokyo time sends its own wall-clock time and its zone: stored as that
    instant, not refused as "in the future" (issue 10, point 8)."""
    tokyo_now = timezone.now().astimezone(ZoneInfo("Asia/Tokyo")).replace(second=0, microsecond=0)
    data = form_data(world, occurred_at=tokyo_now.strftime("%Y-%m-%dT%H:%M"), tz="Asia/Tokyo")
    response = lto.post("/incidents/new/campaign_rules/", data)
    assert response.status_code == 302, response.context["form"].errors
    assert Incident.objects.get().occurred_at == tokyo_now


def test_a_phone_behind_bishkek_stores_the_right_instant(lto, world):
    london = timezone.now().astimezone(ZoneInfo("Europe/London")).replace(second=0, microsecond=0)
    london -= dt.timedelta(hours=1)
    data = form_data(world, occurred_at=london.strftime("%Y-%m-%dT%H:%M"), tz="Europe/London")
    assert lto.post("/incidents/new/campaign_rules/", data).status_code == 302
    assert Incident.objects.get().occurred_at == london


def test_without_a_zone_the_form_reads_baikoos_time_and_says_so(lto, world):
    page = lto.get("/incidents/new/campaign_rules/", follow=True).content.decode()
    assert "Time zone" in page and "Asia/Bishkek" in page
