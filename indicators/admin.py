"""Indicator imports in the admin: read-only and for superusers, for support. Files are
imported on the portal's import page or with ``manage.py import_indicators``, through the
service that previews, commits and rolls back."""

from django.contrib import admin

from indicators.models import ImportBatch
from plans.admin import ReadOnlyAdminMixin


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "file_name",
        "created_at",
        "uploaded_by",
        "municipality",
        "detected_format",
        "status",
        "rows_new",
        "rows_changed",
        "rows_unchanged",
        "rows_rejected",
    )
    list_filter = ("status", "municipality", "source")
    list_select_related = ("uploaded_by", "municipality")
    search_fields = ("file_name", "sha256", "uploaded_by__username")
    date_hierarchy = "created_at"
    # The stored file may hold data from other sources; support sees its name and checksum.
    exclude = ("stored_file",)
