"""Observer identity and witness data never reach an analyst (docs/roles.md): a walk over
every API operation an analyst can read (taken from the schema, so a new endpoint is walked
without editing this test), the report's data and exports, and the staff pages, on the demo
data, where observers filed incidents, answered head office's questions, recorded party
meetings and attended commission meetings."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from PIL import Image
from rest_framework.test import APIClient

from incidents.models import Comment, Incident
from incidents.services import filing, lifecycle
from observation.kernel.roles import FIELD_ROLES
from observation.models import PartyMeeting
from reports import services as report_services
from reports.models import Report

pytestmark = pytest.mark.django_db

WITNESS_KEYS = {"witnesses", "witness", "witness_names", "witness_contacts"}


@pytest.fixture
def demo(settings):
    call_command("load_demo", stdout=io.StringIO())
    # an observer answers one of head office's questions
    User = get_user_model()
    incident = Incident.objects.filter(
        status=Incident.Status.IN_REVIEW, reported_by__observer_profile__role="lto"
    ).first()
    question = lifecycle.incident_comment(
        actor=User.objects.get(username="headoffice"),
        incident=incident,
        body="Which school?",
        visibility=Comment.Visibility.QUESTION_TO_LTO,
    )
    filing.question_answer(actor=incident.reported_by, question=question, body="School 5.")
    # and an analyst has an Excel export of the draft report
    job = report_services.export_job_create(
        actor=User.objects.get(username="analyst"),
        report=Report.objects.get(),
        export_format="xlsx",
    )
    report_services.export_job_run(job_id=job.pk)
    # and a picture in a section (so the report-images detail paths are walked too)
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(picture, format="PNG")
    report_services.section_image_add(
        actor=User.objects.get(username="analyst"),
        report=Report.objects.get(),
        section="campaign",
        caption="A test picture",
        file=SimpleUploadedFile("picture.png", picture.getvalue()),
    )


def _observers():
    User = get_user_model()
    people = User.objects.filter(observer_profile__role__in=[r.value for r in FIELD_ROLES])
    names = set()
    for person in people:
        names.add(person.username)
        if person.get_full_name():
            names.add(person.get_full_name())
    return names


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _read_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if "get" in operations:
            required = [
                p["name"] for p in operations["get"].get("parameters", []) if p.get("required")
            ]
            yield path, required


def test_an_analyst_reads_no_observer_identity_or_witness_anywhere(demo):
    observers = _observers()
    assert "lto-bishkek-1" in observers
    # the demo has what could leak: observer-filed incidents with witnesses, answers
    filed = Incident.objects.filter(reported_by__observer_profile__role="lto").exclude(witnesses="")
    assert filed.exists()
    incident = filed.first()
    answered = Comment.objects.filter(visibility=Comment.Visibility.ANSWER_FROM_LTO).first()
    assert answered is not None
    assert PartyMeeting.objects.filter(recorded_by__isnull=False).exists()

    analyst = get_user_model().objects.get(username="analyst")
    client = APIClient()
    client.force_authenticate(analyst)
    # ids for detail paths: the incident with witnesses and the incident with an answer
    # for the incident sub-resources, the first row of each list for the rest
    ids = {"/api/v1/incidents/": str(incident.pk)}
    bodies = {}
    operations = sorted(_read_operations(), key=lambda op: op[0].count("{"))
    walked = 0
    for path, required in operations:
        prefix = path.split("{")[0]
        urls = []
        if "{id}" not in path:
            urls.append(path)
        else:
            assert prefix in ids, f"no id for {path}"
            urls.append(path.replace("{id}", ids[prefix]))
            if prefix == "/api/v1/incidents/":
                urls.append(path.replace("{id}", str(answered.incident_id)))
        if "format" in required:
            urls = [f"{u}?format={fmt}" for u in urls for fmt in ("html", "xlsx", "docx")]
        for url in urls:
            response = client.get(url)
            assert response.status_code in (200, 404), (url, response.status_code)
            if response.status_code == 404:
                continue
            walked += 1
            if response.get("Content-Type", "").startswith("application/json"):
                data = response.json()
                bodies[url] = response.content.decode()
                assert not WITNESS_KEYS & set(_keys(data)), url
                rows = data.get("results", data) if isinstance(data, dict) else data
                if isinstance(rows, list) and rows and isinstance(rows[0], dict):
                    first = rows[0].get("id")
                    if first is not None and path.endswith("/") and "{" not in path:
                        ids.setdefault(path, str(first))
            else:
                bodies[url] = _text_of(response)
    assert walked >= 40
    assert ids.keys() >= {"/api/v1/reports/", "/api/v1/escalations/", "/api/v1/party-meetings/"}
    for url, body in bodies.items():
        leaked = {name for name in observers if re.search(rf"\b{re.escape(name)}\b", body)}
        assert not leaked, (url, leaked)
    # the answers and the timeline are there, with the observer hidden
    comments = client.get(f"/api/v1/incidents/{answered.incident_id}/comments/").json()
    answers = [c for c in comments if c["visibility"] == Comment.Visibility.ANSWER_FROM_LTO]
    assert answers and all(c["author"] is None for c in answers)
    events = client.get(f"/api/v1/incidents/{incident.pk}/events/").json()
    assert events[0]["kind"] == "created" and events[0]["actor"] is None

    # the staff pages say "An observer" too
    client.force_login(analyst)
    pages = [f"/triage/incidents/{incident.pk}/", f"/triage/incidents/{answered.incident_id}/"]
    for url in [*pages, "/triage/", f"/incidents/{incident.pk}/"]:
        page = client.get(url)
        if page.status_code in (403, 404):
            continue
        assert page.status_code == 200, url
        text = page.content.decode()
        assert not {n for n in observers if re.search(rf"\b{re.escape(n)}\b", text)}, url
        assert incident.witnesses not in text

    # while head office still sees who filed and who answered
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="headoffice"))
    comments = client.get(f"/api/v1/incidents/{answered.incident_id}/comments/").json()
    answer = next(c for c in comments if c["id"] == answered.pk)
    assert answer["author"] == answered.author.username
    events = client.get(f"/api/v1/incidents/{answered.incident_id}/events/").json()
    assert events[0]["actor"] == answered.incident.reported_by.username
    assert Report.objects.exists()


def _text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content))
        return " ".join(
            str(v) for s in book for r in s.iter_rows(values_only=True) for v in r if v is not None
        )
    if "wordprocessingml" in kind:
        from docx import Document

        word = Document(io.BytesIO(content))
        return "\n".join(p.text for p in word.paragraphs) + " ".join(
            c.text for t in word.tables for r in t.rows for c in r.cells
        )
    return content.decode("utf-8", errors="replace")
