"""Pages of head-office triage, included by ``incidents.urls`` (namespace ``incidents``)."""

from django.urls import path

from incidents import triage_views as views

urlpatterns = [
    path("triage/", views.queue, name="triage-queue"),
    path("triage/incidents/<uuid:pk>/", views.incident_page, name="triage-incident"),
    path("triage/incidents/<uuid:pk>/status/", views.transition, name="triage-transition"),
    path("triage/incidents/<uuid:pk>/duplicate/", views.mark_duplicate, name="triage-duplicate"),
    path("triage/incidents/<uuid:pk>/assign/", views.assign, name="triage-assign"),
    path("triage/incidents/<uuid:pk>/severity/", views.severity, name="triage-severity"),
    path("triage/incidents/<uuid:pk>/comment/", views.comment, name="triage-comment"),
    path("triage/incidents/<uuid:pk>/escalate/", views.escalate, name="triage-escalate"),
    path(
        "triage/escalations/<uuid:pk>/retry/",
        views.escalation_retry,
        name="triage-escalation-retry",
    ),
    path("triage/alerts/", views.alert_list, name="triage-alerts"),
    path("triage/alerts/<int:pk>/dismiss/", views.alert_dismiss, name="triage-alert-dismiss"),
]
