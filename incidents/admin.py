"""Read-only admin for incidents. Every change goes through the services (filing,
lifecycle, escalation), which check the rules and write the timeline and audit trail;
the admin would bypass all three, so it only shows."""

from __future__ import annotations

from django.contrib import admin

from incidents.models import (
    Comment,
    Escalation,
    EscalationAttempt,
    Evidence,
    Incident,
    IncidentEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = IncidentEvent
    fields = ["at", "actor", "kind", "from_status", "to_status", "note"]


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "location_data", "uploaded_at"]


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["ref", "kind", "district", "party", "status", "occurred_at", "reported_at"]
    list_filter = ["status", "kind", "election", "district", "is_demo"]
    list_select_related = ["district", "party"]
    search_fields = ["ref", "location", "description"]
    date_hierarchy = "occurred_at"
    inlines = [EvidenceInline, EventInline]


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    list_display = ["incident", "visibility", "author", "created_at", "answered_at"]
    list_filter = ["visibility"]
    list_select_related = ["incident", "author"]


class AttemptInline(ReadOnlyInline):
    model = EscalationAttempt
    fields = ["started_at", "finished_at", "outcome", "response_code", "error"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["incident", "status", "created_at", "attempt_count", "delivered_at"]
    list_filter = ["status"]
    list_select_related = ["incident"]
    inlines = [AttemptInline]
