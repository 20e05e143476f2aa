from django.urls import path

from commissions import views

app_name = "commissions"

urlpatterns = [
    path("commissions/", views.commission_list, name="list"),
    path("commissions/add/", views.commission_add, name="add"),
    path("commissions/pecs/import/", views.pec_import_page, name="pec-import"),
    path("commissions/<int:pk>/", views.commission_detail, name="detail"),
    path("commissions/<int:pk>/edit/", views.commission_edit, name="edit"),
    path("commissions/<int:pk>/members/add/", views.member_add, name="member-add"),
    path("commissions/members/<int:pk>/edit/", views.member_edit, name="member-edit"),
    path("commissions/members/<int:pk>/end-term/", views.member_end_term, name="member-end-term"),
    path("commissions/<int:pk>/meetings/add/", views.meeting_add, name="meeting-add"),
    path("commissions/meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("commissions/<int:pk>/decisions/add/", views.decision_add, name="decision-add"),
    path("commissions/decisions/<int:pk>/edit/", views.decision_edit, name="decision-edit"),
    path("commissions/<int:pk>/complaints/add/", views.complaint_add, name="complaint-add"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/<int:pk>/edit/", views.complaint_edit, name="complaint-edit"),
    path("complaints/<int:pk>/decide/", views.complaint_decide, name="complaint-decide"),
]
