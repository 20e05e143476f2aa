from django.urls import path

from voters import views

app_name = "voters"

urlpatterns = [
    path("voters/", views.registration, name="registration"),
    path("voters/import/", views.snapshot_import, name="import"),
    path("voters/snapshots/new/", views.snapshot_create, name="snapshot-create"),
    path("voters/snapshots/<int:pk>/edit/", views.snapshot_edit, name="snapshot-edit"),
    path("voters/snapshots/<int:pk>/delete/", views.snapshot_delete, name="snapshot-delete"),
]
