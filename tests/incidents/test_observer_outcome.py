"""Issue 10 point 5: the observer sees why head office rejected or merged a report, and
answers a question with a photo in one step (docs/guides/observer.md)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from incidents.models import Comment, Evidence, Incident
from incidents.services import lifecycle
from tests.incidents.conftest import file_incident, jpeg_with_gps, png_bytes
from tests.incidents.triage_support import NOTES, S, incident_in

pytestmark = pytest.mark.django_db


def detail(client, world, user, incident):
    client.force_login(world.user(user))
    return client.get(f"/incidents/{incident.pk}/").content.decode()


def test_a_rejected_report_shows_head_offices_reason(world, client):
    incident = incident_in(world, S.REJECTED)
    html = detail(client, world, "lto_bishkek", incident)
    assert "Head office rejected this report" in html and NOTES[S.REJECTED] in html


def test_a_merged_report_names_the_incident_it_joined_when_the_observer_may_see_it(world, client):
    mine_first = file_incident(world)
    merged = file_incident(world)
    lifecycle.incident_transition(
        actor=world.user("headoffice"),
        incident=merged,
        to=S.DUPLICATE,
        duplicate_of=mine_first,
        note="Same event as your earlier report.",
    )
    html = detail(client, world, "lto_bishkek", merged)
    assert "merged this report into another" in html
    assert mine_first.ref in html and f'href="/incidents/{mine_first.pk}/"' in html
    assert "Same event as your earlier report." in html


def test_the_original_of_someone_else_stays_unnamed(world, client):
    theirs = file_incident(world, user="lto_bishkek_2")
    mine = file_incident(world)
    lifecycle.incident_transition(
        actor=world.user("headoffice"), incident=mine, to=S.DUPLICATE, duplicate_of=theirs
    )
    html = detail(client, world, "lto_bishkek", mine)
    assert "a report filed by someone else" in html
    assert theirs.ref not in html and str(theirs.pk) not in html
    assert "Head office gave no reason." in html


def question_for(world) -> Comment:
    incident = incident_in(world, S.IN_REVIEW)
    lifecycle.incident_transition(
        actor=world.user("headoffice"), incident=incident, to=S.NEEDS_INFO, note="Photo?"
    )
    return Comment.objects.get(incident=incident, visibility="question_to_lto")


def test_an_answer_and_its_photo_go_in_one_form(world, client):
    question = question_for(world)
    html = detail(client, world, "lto_bishkek", question.incident)
    form = html.split('class="answer-form"')[1].split("</form>")[0]
    assert 'enctype="multipart/form-data"' in html.split('class="answer-form"')[0][-300:]
    assert 'name="body"' in form and 'name="evidence"' in form and 'type="file"' in form
    photo = SimpleUploadedFile("leaflet.png", png_bytes(), content_type="image/png")
    response = client.post(
        f"/incidents/questions/{question.pk}/answer/", {"body": "Here it is.", "evidence": photo}
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.answered_at is not None
    assert Evidence.objects.filter(incident=question.incident, original_name="leaflet.png").exists()
    assert Incident.objects.get(pk=question.incident_id).status == S.IN_REVIEW


def test_a_refused_photo_keeps_the_answer_unsent_and_the_text_on_the_page(world, client):
    question = question_for(world)
    client.force_login(world.user("lto_bishkek"))
    fake = SimpleUploadedFile("photo.jpg", b"not a picture at all", content_type="image/jpeg")
    response = client.post(
        f"/incidents/questions/{question.pk}/answer/",
        {"body": "My long careful answer.", "evidence": fake},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "photo.jpg" in html and "My long careful answer." in html
    question.refresh_from_db()
    assert question.answered_at is None
    assert not Evidence.objects.filter(incident=question.incident).exists()
    assert not Comment.objects.filter(visibility="answer_from_lto").exists()


def test_the_service_stores_both_or_neither(world, settings):
    from incidents.services import filing

    question = question_for(world)
    settings.EVIDENCE_MAX_FILES = 1
    files = [
        SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
        SimpleUploadedFile("b.png", jpeg_with_gps(), content_type="image/jpeg"),
    ]
    with pytest.raises(Exception) as caught:
        filing.question_answer(
            actor=world.user("lto_bishkek"), question=question, body="Both.", files=files
        )
    assert "b.png" in str(caught.value)
    question.refresh_from_db()
    assert question.answered_at is None
    assert not Evidence.objects.filter(incident=question.incident).exists()
