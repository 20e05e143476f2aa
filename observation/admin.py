from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from observation.kernel.audit import audit_log
from observation.models import (
    AuditEntry,
    CalendarEntry,
    Candidate,
    District,
    Election,
    ObserverProfile,
    Party,
    PartyList,
    PartyMeeting,
)


class ReferenceDataAdmin(admin.ModelAdmin):
    """Read-only: reference data is edited on the app's pages or through the API, whose
    services check the rules and write the audit trail; the admin would bypass both."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Election)
class ElectionAdmin(ReferenceDataAdmin):
    list_display = ["name", "kind", "election_day", "observation_start", "observation_end"]


@admin.register(District)
class DistrictAdmin(ReferenceDataAdmin):
    list_display = ["name", "code", "election", "mandates", "threshold_percent"]
    list_filter = ["election"]
    list_select_related = ["election"]


@admin.register(Party)
class PartyAdmin(ReferenceDataAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(PartyList)
class PartyListAdmin(ReferenceDataAdmin):
    list_display = ["party", "district", "nominated_count"]
    list_filter = ["district"]
    list_select_related = ["party", "district"]


@admin.register(Candidate)
class CandidateAdmin(ReferenceDataAdmin):
    list_display = ["full_name", "party_list", "position", "gender", "status", "is_demo"]
    list_filter = ["status", "gender", "is_demo", "party_list__district"]
    list_select_related = ["party_list__party", "party_list__district"]
    search_fields = ["full_name"]


@admin.register(PartyMeeting)
class PartyMeetingAdmin(ReferenceDataAdmin):
    list_display = ["party", "district", "date"]
    list_filter = ["district", "party"]
    list_select_related = ["party", "district"]


@admin.register(CalendarEntry)
class CalendarEntryAdmin(ReferenceDataAdmin):
    list_display = ["date", "kind", "label", "reference", "election"]
    list_filter = ["election", "kind"]
    list_select_related = ["election"]


@admin.register(ObserverProfile)
class ObserverProfileAdmin(admin.ModelAdmin):
    """Role and districts are what decide what a person sees: every change made here is
    in the audit trail (``observer_profile.create`` / ``observer_profile.update``)."""

    list_display = ["user", "role"]
    list_filter = ["role"]
    filter_horizontal = ["districts"]

    def save_model(self, request, obj, form, change):
        before = ObserverProfile.objects.filter(pk=obj.pk).first() if change else None
        request._profile_before = (
            (before.role, sorted(before.districts.values_list("pk", flat=True)))
            if before
            else (None, [])
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        profile = form.instance
        old_role, old_districts = getattr(request, "_profile_before", (None, []))
        new_districts = sorted(profile.districts.values_list("pk", flat=True))
        changes = {}
        if old_role != profile.role:
            changes["role"] = [old_role, profile.role]
        if old_districts != new_districts:
            changes["districts"] = [old_districts, new_districts]
        if changes or not change:
            audit_log(
                actor=request.user,
                action="observer_profile.update" if change else "observer_profile.create",
                target=profile,
                data={"user": profile.user.get_username(), **changes},
            )


User = get_user_model()

# What decides what an account may do: every change of these made in the admin is audited.
USER_POWERS = ("is_active", "is_staff", "is_superuser")


def _user_powers(user) -> dict:
    return {
        **{flag: getattr(user, flag) for flag in USER_POWERS},
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    """Django's user admin, with the account's powers (active, staff, superuser, groups,
    permissions) audited when they change (``user.create``, ``user.update``,
    ``user.delete``; see docs/roles.md). Passwords are never written to the trail."""

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).first() if change else None
        request._user_powers_before = _user_powers(before) if before else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before = getattr(request, "_user_powers_before", None)
        after = _user_powers(user)
        if before is None:
            audit_log(
                actor=request.user,
                action="user.create",
                target=user,
                data={"user": user.get_username(), **after},
            )
            return
        changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
        if changes:
            audit_log(
                actor=request.user,
                action="user.update",
                target=user,
                data={"user": user.get_username(), **changes},
            )

    def delete_model(self, request, obj):
        audit_log(
            actor=request.user,
            action="user.delete",
            target=obj,
            data={"user": obj.get_username(), **_user_powers(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            audit_log(
                actor=request.user,
                action="user.delete",
                target=user,
                data={"user": user.get_username(), **_user_powers(user)},
            )
        super().delete_queryset(request, queryset)


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
