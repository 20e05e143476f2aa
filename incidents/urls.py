"""Pages of incidents (namespace ``incidents``): filing by observers, then head office's
triage and escalation."""

from django.urls import path, re_path

from incidents.views import coordination, filing, triage

app_name = "incidents"

urlpatterns = [
    path("sw.js", filing.service_worker, name="service-worker"),
    path("incidents/new/", filing.choose_form, name="choose"),
    path("incidents/new/<slug:kind>/", filing.file_incident, name="file"),
    path("incidents/mine/", filing.my_reports, name="mine"),
    path("incidents/reference.json", filing.filing_reference, name="reference"),
    path("incidents/<uuid:pk>/", filing.incident_detail, name="detail"),
    path("incidents/<uuid:pk>/evidence/", filing.evidence_upload, name="evidence-add"),
    path("incidents/evidence/<uuid:pk>/", filing.evidence_download, name="evidence-download"),
    path(
        "incidents/evidence/<uuid:pk>/preview.jpg",
        filing.evidence_preview,
        name="evidence-preview",
    ),
    path("incidents/questions/<int:pk>/answer/", filing.answer_question, name="answer"),
    # head-office triage and escalation
    path("triage/", triage.queue, name="triage-queue"),
    path("triage/bulk/", triage.bulk, name="triage-bulk"),
    re_path(r"^triage/export\.(?P<fmt>csv|xlsx)$", triage.queue_export, name="triage-export"),
    path("triage/incidents/<uuid:pk>/", triage.incident_page, name="triage-incident"),
    path("triage/incidents/<uuid:pk>/status/", triage.transition, name="triage-transition"),
    path("triage/incidents/<uuid:pk>/duplicate/", triage.mark_duplicate, name="triage-duplicate"),
    path("triage/incidents/<uuid:pk>/assign/", triage.assign, name="triage-assign"),
    path("triage/incidents/<uuid:pk>/severity/", triage.severity, name="triage-severity"),
    path("triage/incidents/<uuid:pk>/comment/", triage.comment, name="triage-comment"),
    path("triage/incidents/<uuid:pk>/escalate/", triage.escalate, name="triage-escalate"),
    path(
        "triage/incidents/<uuid:pk>/complaints/",
        triage.link_complaints,
        name="triage-complaints",
    ),
    path(
        "triage/escalations/<uuid:pk>/retry/",
        triage.escalation_retry,
        name="triage-escalation-retry",
    ),
    path("triage/alerts/", triage.alert_list, name="triage-alerts"),
    path("districts/incidents/", coordination.incidents, name="districts-incidents"),
    re_path(
        r"^districts/incidents/export\.(?P<fmt>csv|xlsx)$",
        coordination.incidents_export,
        name="districts-export",
    ),
    path("districts/observers/", coordination.observers, name="districts-observers"),
    path("districts/quiet/", coordination.quiet, name="districts-quiet"),
    path("triage/alerts/<int:pk>/dismiss/", triage.alert_dismiss, name="triage-alert-dismiss"),
]
