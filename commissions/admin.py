"""Admin of commissions. Saves go through the same services as pages and API, so the
rules and the audit trail hold here too; records are corrected, never deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin

from commissions import services
from commissions.forms import CommissionMemberForm
from commissions.models import (
    Commission,
    CommissionDecision,
    CommissionMeeting,
    CommissionMember,
    Complaint,
)


class ServiceAdmin(admin.ModelAdmin):
    create: Callable[..., Any]
    update: Callable[..., Any]
    instance_kwarg: str
    fixed_fields: tuple[str, ...] = ("commission",)

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        fixed = self.fixed_fields if obj is not None else ()
        return (*super().get_readonly_fields(request, obj), *fixed)

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        if change:
            original = type(obj).objects.get(pk=obj.pk)
            # A form-only field (the member form's "first day not known") is not data.
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in form.cleaned_data
            }
            type(self).update(actor=request.user, **{self.instance_kwarg: original}, **changes)
        else:
            created = type(self).create(actor=request.user, **form.cleaned_data)
            obj.pk = created.pk
            obj._state.adding = False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class MemberInline(admin.TabularInline):
    """Terms are listed here; they are added and changed on their own admin page, where
    the service checks them."""

    model = CommissionMember
    fields = ["full_name", "role", "nominated_by", "party", "party_label", "term_start", "term_end"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Commission)
class CommissionAdmin(ServiceAdmin):
    create = staticmethod(services.commission_create)
    update = staticmethod(services.commission_update)
    instance_kwarg = "commission"
    fixed_fields = ("election", "level")
    list_display = ["name", "level", "election", "district", "parent", "pec_count"]
    list_filter = ["level", "election"]
    list_select_related = ["election", "district", "parent"]
    search_fields = ["name"]
    inlines = [MemberInline]


@admin.register(CommissionMember)
class CommissionMemberAdmin(ServiceAdmin):
    create = staticmethod(services.commission_member_add)
    update = staticmethod(services.commission_member_update)
    instance_kwarg = "member"
    form = CommissionMemberForm
    fields = ["commission", *CommissionMemberForm.Meta.fields]
    list_display = ["full_name", "commission", "role", "nominated_by", "term_start", "term_end"]
    list_filter = ["role", "nominated_by", "commission__level"]
    list_select_related = ["commission"]
    search_fields = ["full_name", "party_label"]


@admin.register(CommissionMeeting)
class CommissionMeetingAdmin(ServiceAdmin):
    create = staticmethod(services.commission_meeting_record)
    update = staticmethod(services.commission_meeting_update)
    instance_kwarg = "meeting"
    list_display = ["commission", "date", "mode", "quorum", "sanitary_rules"]
    list_filter = ["mode", "sanitary_rules"]
    list_select_related = ["commission"]
    raw_id_fields = ["observer"]


@admin.register(CommissionDecision)
class CommissionDecisionAdmin(ServiceAdmin):
    create = staticmethod(services.commission_decision_record)
    update = staticmethod(services.commission_decision_update)
    instance_kwarg = "decision"
    list_display = ["commission", "date", "kind", "party", "candidate_name"]
    list_filter = ["kind"]
    list_select_related = ["commission", "party"]
    raw_id_fields = ["candidate", "meeting", "complaint"]


@admin.register(Complaint)
class ComplaintAdmin(ServiceAdmin):
    create = staticmethod(services.complaint_record)
    update = staticmethod(services.complaint_update)
    instance_kwarg = "complaint"
    list_display = ["commission", "complainant", "received_on", "deadline", "status"]
    list_filter = ["status"]
    list_select_related = ["commission"]
    search_fields = ["complainant", "subject"]
