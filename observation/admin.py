from django.contrib import admin

from observation.models import (
    AuditEntry,
    Candidate,
    District,
    Election,
    ObserverProfile,
    Party,
    PartyList,
    PartyMeeting,
)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "election_day", "observation_start", "observation_end"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "election", "mandates", "threshold_percent"]
    list_filter = ["election"]


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(PartyList)
class PartyListAdmin(admin.ModelAdmin):
    list_display = ["party", "district", "nominated_count"]
    list_filter = ["district"]
    list_select_related = ["party", "district"]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "party_list", "position", "gender", "status"]
    list_filter = ["status", "gender", "party_list__district"]
    list_select_related = ["party_list__party", "party_list__district"]
    search_fields = ["full_name"]


@admin.register(PartyMeeting)
class PartyMeetingAdmin(admin.ModelAdmin):
    list_display = ["party", "district", "date"]


@admin.register(ObserverProfile)
class ObserverProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["districts"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services, never edited."""

    list_display = ["at", "actor", "action", "object_repr"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
