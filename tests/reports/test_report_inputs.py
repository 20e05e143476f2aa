"""What an analyst enters around the computed tables (issue 11): confirmed incidents by
default, context figures, images, a report started from the previous one, footnotes,
the election calendar; and the dashboard and chart fixes that came with it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from incidents.models import Incident
from observation.kernel.roles import Role
from observation.models import CalendarEntry
from reports import compute, queries, services
from reports.charts import BarChart, Series, _nice_step, layout
from reports.markdown import render_with_footnotes
from reports.models import Abbreviation, ContextFigure, Recommendation, SectionImage
from tests.factories import make_district, make_election, make_party, make_user
from tests.reports.factories import build_world, make_incident, make_report

pytestmark = pytest.mark.django_db


# --- confirmed incidents --------------------------------------------------------------


def test_a_report_counts_confirmed_incidents_unless_the_analyst_includes_the_rest():
    world = build_world(districts=1, incidents_per_district=2)  # two verified
    district = world.districts[0]
    for status in ("submitted", "in_review", "needs_info"):
        make_incident(election=world.election, district=district, status=status)
    make_incident(election=world.election, district=district, status="rejected")
    report = make_report(world.election)
    v = compute.report_data(report)["violations"]
    assert (v["total"], v["confirmed"], v["under_review"]) == (2, 2, 3)
    assert v["includes_under_review"] is False
    services.report_update(actor=None, report=report, include_under_review=True)
    report.refresh_from_db()
    v = compute.report_data(report)["violations"]
    assert (v["total"], v["confirmed"], v["under_review"]) == (5, 2, 3)
    document = queries.report_document(queries.report_with_parts().get(pk=report.pk))
    section = next(s for s in document.sections if s.key == "violations")
    said = " ".join(b.text for b in section.blocks if type(b).__name__ == "Paragraph")
    assert "3 still under review, which the analyst chose to include" in said


def test_dashboard_counts_confirmed_and_follows_the_election_period(client):
    world = build_world(districts=1, parties=20, incidents_per_district=20)
    make_incident(election=world.election, district=world.districts[0], status="submitted")
    client.force_login(make_user(Role.ANALYST))
    data = queries.dashboard_data(world.election)
    days = [day for day, _counts in data["timeline"]]
    # observation start to election day, whatever days have incidents
    assert (days[0], days[-1]) == (dt.date(2021, 6, 21), dt.date(2021, 7, 11))
    assert (data["total"], data["under_review"]) == (20, 1)
    assert queries.dashboard_data(world.election, include_under_review=True)["total"] == 21
    html = client.get(f"/dashboard/?election={world.election.pk}").content.decode()
    assert all(party.name in html for party in world.parties)  # not cut at 15
    assert "1 still under review" in html


def test_dashboard_says_how_many_of_its_confirmed_incidents_the_report_counts(client):
    world = build_world(districts=1, parties=2, incidents_per_district=3)
    election = world.election  # observed 21 June to 4 July, election day 11 July
    make_incident(
        election=election,
        district=world.districts[0],
        status="verified",
        occurred_at=dt.datetime(2021, 7, 9, 12, tzinfo=dt.UTC),
    )
    data = queries.dashboard_data(election)
    assert (data["total"], data["in_period"]) == (4, 3)
    client.force_login(make_user(Role.ANALYST))
    html = client_get_dashboard(client, election)
    assert "4 incidents confirmed by head office" in html
    assert "3 of them dated in the observation period" in html
    # when every counted incident is in the period, the page says nothing more
    Incident.objects.filter(occurred_at__date=dt.date(2021, 7, 9)).delete()
    html = client_get_dashboard(client, election)
    assert "of them dated in the observation period" not in html


def client_get_dashboard(client, election) -> str:
    return client.get(f"/dashboard/?election={election.pk}").content.decode()


# --- charts ---------------------------------------------------------------------------


@pytest.mark.parametrize("peak", [1, 2, 3, 4, 7, 13])
def test_count_axes_have_whole_distinct_ticks(peak):
    chart = BarChart("c", "Counts", ["a", "b"], [Series("n", [peak, 1])])
    ticks = [item.text for item in layout(chart).items if getattr(item, "anchor", "") == "end"]
    assert len(ticks) == len(set(ticks)) >= 2
    assert all(t.replace("\u00a0", "").isdigit() for t in ticks)
    assert _nice_step(4, whole=True) == 1


# --- context figures and images -------------------------------------------------------


def test_context_figures_are_numbered_with_the_other_charts():
    world = build_world(districts=1)
    report = make_report(world.election)
    services.context_figure_create(
        actor=None,
        report=report,
        title="COVID-19 cases",
        source="Ministry of Health",
        rows=[["Total", 132070], ["New", 1432]],
        chart="bar",
    )
    document = queries.report_document(queries.report_with_parts().get(pk=report.pk))
    titles = [c.chart.title for c in document.charts()]
    assert titles[0] == "Chart 1. COVID-19 cases"
    assert titles[1].startswith("Chart 2. Voters by gender")


@pytest.mark.parametrize(
    "rows", [[], [["Total"]], [["", 1]], [["Total", "many"]], [["Total", True]], "x"]
)
def test_bad_context_figures_are_refused_and_change_nothing(rows):
    report = make_report()
    with pytest.raises(ValidationError):
        services.context_figure_create(actor=None, report=report, title="T", source="S", rows=rows)
    assert not ContextFigure.objects.exists()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_image_is_checked_like_evidence_and_printed_with_its_caption(client):
    report = make_report()
    analyst = make_user(Role.ANALYST)
    client.force_login(analyst)
    url = f"/reports/{report.pk}/figures/"
    fake = SimpleUploadedFile("photo.png", b"<script>not a picture</script>")
    response = client.post(
        url, {"action": "image", "section": "summary", "caption": "Queue", "file": fake}
    )
    assert response.status_code == 200 and "JPEG or PNG" in response.content.decode()
    assert not SectionImage.objects.exists()
    png = SimpleUploadedFile("whatever.bin", _png())
    client.post(url, {"action": "image", "section": "summary", "caption": "Queue", "file": png})
    image = SectionImage.objects.get()
    assert image.content_type == "image/png" and image.file.name.endswith(".png")
    preview = client.get(f"/reports/{report.pk}/preview/").content.decode()
    assert "data:image/png;base64," in preview and "<figcaption>Queue</figcaption>" in preview


# --- a new report from the previous one -----------------------------------------------


def test_a_new_report_starts_from_the_previous_ones_lists():
    previous = make_report()
    services.abbreviation_create(actor=None, report=previous, short="CEC", meaning="Commission")
    services.recommendation_create(
        actor=None, report=previous, addressee="law_enforcement", text="Act fast."
    )
    report = make_report(make_election(), start_from=previous)
    assert list(Abbreviation.objects.filter(report=report).values_list("short", flat=True)) == [
        "CEC"
    ]
    assert Recommendation.objects.get(report=report).text == "Act fast."
    assert Abbreviation.objects.filter(report=previous).count() == 1  # copied, not moved


# --- footnotes ------------------------------------------------------------------------


def test_footnotes_are_numbered_across_the_report():
    report = make_report()
    services.report_section_update(
        actor=None, report=report, key="introduction", body="A[^a].\n\n[^a]: First."
    )
    services.report_section_update(
        actor=None, report=report, key="socio_political", body="B[^b].\n\n[^b]: Second."
    )
    document = queries.report_document(queries.report_with_parts().get(pk=report.pk))
    notes = [
        b.items for s in document.sections for b in s.blocks if type(b).__name__ == "Footnotes"
    ]
    assert notes == [[(1, "First.")], [(2, "Second.")]]
    rendered = render_with_footnotes("x[^n] <script>y</script>\n\n[^n]: <b onclick=z>n</b>")
    assert "<script>" not in rendered.html and "onclick" not in rendered.notes[0][1]


# --- the election calendar ------------------------------------------------------------


def test_calendar_entered_through_the_api():
    election = make_election()
    api = APIClient()
    api.force_login(make_user(Role.ANALYST))
    entry = {"election": election.pk, "date": "2021-05-27", "kind": "called",
             "reference": "Decree No. 231"}  # fmt: skip
    assert api.post("/api/v1/calendar/", entry, format="json").status_code == 201
    again = api.post("/api/v1/calendar/", entry, format="json")
    assert again.status_code == 400 and "kind" in again.json()
    bad = api.post("/api/v1/calendar/", {**entry, "kind": "party"}, format="json")
    assert bad.status_code == 400
    assert CalendarEntry.objects.count() == 1
    lto = APIClient()
    lto.force_login(make_user(Role.LTO))
    assert lto.post("/api/v1/calendar/", {**entry, "kind": "other", "label": "x"},
                    format="json").status_code == 403  # fmt: skip


def test_the_team_is_counted_from_the_observer_accounts():
    election = make_election()
    osh, tokmok = make_district(election, name="Osh"), make_district(election, name="Tokmok")
    make_user(Role.LTO, districts=[osh])
    make_user(Role.LTO, districts=[osh, tokmok])  # covers two: once in the total
    make_user(Role.LTO, districts=[osh], is_active=False)  # left the mission
    make_user(Role.LEGAL)
    make_party()
    report = make_report(election)
    observers = compute.report_data(report)["observers"]
    assert observers["total"] == 2
    assert observers["by_district"] == {"Osh": 2, "Tokmok": 1}
    assert observers["legal_experts"] == 1


def test_the_publishers_logo_is_checked_and_printed_on_the_cover():
    from django.core.files.base import ContentFile
    from docx import Document as WordDocument

    from reports.exports import render_export
    from reports.models import Publisher

    bad = Publisher(name="Bad logo")
    bad.logo.save("logo.png", ContentFile(b"%PDF-1.4 not a picture"), save=False)
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert "logo" in refused.value.message_dict
    publisher = Publisher(name="Common Cause Public Foundation", website="https://example.org/")
    publisher.logo.save("logo.png", ContentFile(_png()), save=False)
    publisher.full_clean()
    publisher.save()
    report = make_report(publisher=publisher, issued_on=dt.date(2021, 7, 5))
    document = queries.report_document(queries.report_with_parts().get(pk=report.pk))
    html = render_export(document, "html").decode()
    cover = html[html.index('<header class="cover">') : html.index("</header>")]
    assert 'class="logo" src="data:image/png;base64,' in cover
    assert "Common Cause Public Foundation" in cover and "July 2021" in cover
    word = WordDocument(io.BytesIO(render_export(document, "docx")))
    assert len(word.inline_shapes) >= 1
