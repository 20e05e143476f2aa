"""Admin views. Reports and export jobs are read-only: every change to a report goes
through ``reports.services`` (and so into the audit trail), never through the admin. The
publishers (name, address, web site, contact printed on a report's cover) are kept here,
by administrators."""

from django.contrib import admin

from reports.models import ExportJob, Publisher, Report


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


@admin.register(Publisher)
class PublisherAdmin(admin.ModelAdmin):
    list_display = ["name", "website", "contact"]
    search_fields = ["name"]
