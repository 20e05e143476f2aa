"""Read-only admin views: every change to a report goes through ``reports.services``
(and so into the audit trail), never through the admin."""

from django.contrib import admin

from reports.models import ExportJob, Report


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "election", "period_start", "period_end", "language", "status"]
    list_filter = ["status", "language", "election"]
    search_fields = ["title"]


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ["report", "format", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status", "format"]
