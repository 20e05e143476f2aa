from django.urls import include, path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("incidents/new/", views.choose_form, name="choose"),
    path("incidents/new/<slug:kind>/", views.file_incident, name="file"),
    path("incidents/mine/", views.my_reports, name="mine"),
    path("incidents/reference.json", views.filing_reference, name="reference"),
    path("incidents/<uuid:pk>/", views.incident_detail, name="detail"),
    path("incidents/<uuid:pk>/evidence/", views.evidence_upload, name="evidence-add"),
    path("incidents/evidence/<uuid:pk>/", views.evidence_download, name="evidence-download"),
    path("incidents/questions/<int:pk>/answer/", views.answer_question, name="answer"),
    # head-office triage and escalation (issue 5)
    path("", include("incidents.triage_urls")),
]
