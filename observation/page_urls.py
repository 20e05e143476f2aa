from django.urls import path

from observation import import_views, views

urlpatterns: list = [
    # Reference data of an election (observation.views)
    path("elections/", views.election_list, name="election-list"),
    path("elections/new/", views.election_create, name="election-create"),
    path("elections/<int:pk>/", views.election_overview, name="election-overview"),
    path("elections/<int:pk>/edit/", views.election_edit, name="election-edit"),
    path(
        "elections/<int:election_pk>/districts/new/",
        views.district_create,
        name="district-create",
    ),
    path("districts/<int:pk>/", views.district_detail, name="district-detail"),
    path("districts/<int:pk>/edit/", views.district_edit, name="district-edit"),
    path(
        "districts/<int:district_pk>/lists/new/",
        views.party_list_create,
        name="party-list-create",
    ),
    path("calendar/", views.calendar, name="calendar"),
    path(
        "elections/<int:election_pk>/calendar/new/",
        views.calendar_entry_create,
        name="calendar-entry-create",
    ),
    path("calendar/<int:pk>/edit/", views.calendar_entry_edit, name="calendar-entry-edit"),
    path("calendar/<int:pk>/delete/", views.calendar_entry_delete, name="calendar-entry-delete"),
    path("parties/", views.party_index, name="party-index"),
    path("parties/new/", views.party_create, name="party-create"),
    path("parties/<int:pk>/", views.party_detail, name="party-detail"),
    path("parties/<int:pk>/edit/", views.party_edit, name="party-edit"),
    path("party-lists/<int:pk>/", views.party_list_detail, name="party-list-detail"),
    path("party-lists/<int:pk>/edit/", views.party_list_edit, name="party-list-edit"),
    path(
        "party-lists/<int:party_list_pk>/candidates/new/",
        views.candidate_create,
        name="candidate-create",
    ),
    path("candidates/<int:pk>/edit/", views.candidate_edit, name="candidate-edit"),
    path("candidates/import/", import_views.candidate_import_page, name="candidate-import"),
    path("party-meetings/", views.party_meeting_list, name="party-meeting-list"),
    path("party-meetings/new/", views.party_meeting_create, name="party-meeting-create"),
    path("party-meetings/<int:pk>/edit/", views.party_meeting_edit, name="party-meeting-edit"),
]
