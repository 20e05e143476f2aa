from __future__ import annotations

from typing import Any

from django.contrib import admin

from voters.models import VoterListSnapshot
from voters.services import SNAPSHOT_FIELDS, voter_snapshot_delete, voter_snapshot_save


@admin.register(VoterListSnapshot)
class VoterListSnapshotAdmin(admin.ModelAdmin):
    """Saves and deletes go through the services, so the admin writes the audit trail
    and applies the same rules as the pages and the API."""

    list_display = ["commission", "stage", "as_of", "total", "male", "female"]
    list_filter = ["stage", "commission__election", "commission__level"]
    list_select_related = ["commission"]
    search_fields = ["commission__name"]
    actions = None  # bulk delete would bypass the service

    def save_model(self, request: Any, obj: VoterListSnapshot, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) for name in SNAPSHOT_FIELDS}
        saved = voter_snapshot_save(actor=request.user, snapshot=obj if change else None, **values)
        obj.pk = saved.pk

    def delete_model(self, request: Any, obj: VoterListSnapshot) -> None:
        voter_snapshot_delete(actor=request.user, snapshot=obj)
