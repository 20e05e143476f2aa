from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report_list, name="list"),
    path("reports/new/", views.report_create, name="create"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/settings/", views.report_settings, name="settings"),
    path("reports/<int:pk>/sections/<slug:key>/", views.section_edit, name="section"),
    path(
        "reports/<int:pk>/sections/<slug:key>/preview/",
        views.section_preview,
        name="section-preview",
    ),
    path("reports/<int:pk>/recommendations/", views.recommendations, name="recommendations"),
    path(
        "reports/<int:pk>/recommendations/<int:item>/",
        views.recommendation_edit,
        name="recommendation",
    ),
    path("reports/<int:pk>/abbreviations/", views.abbreviations, name="abbreviations"),
    path(
        "reports/<int:pk>/abbreviations/<int:item>/", views.abbreviation_edit, name="abbreviation"
    ),
    path("reports/<int:pk>/figures/", views.figures, name="figures"),
    path("reports/<int:pk>/preview/", views.report_preview, name="preview"),
    path("reports/<int:pk>/download/<str:export_format>/", views.report_download, name="download"),
    path("reports/<int:pk>/exports/", views.export_create, name="export-create"),
    path("reports/<int:pk>/exports/<int:job>/", views.export_status, name="export-status"),
    path(
        "reports/<int:pk>/exports/<int:job>/download/",
        views.export_download,
        name="export-download",
    ),
    path("reports/<int:pk>/publish/", views.report_publish, name="publish"),
]
