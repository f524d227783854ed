"""Indicators in the admin.

Sources and places are the installation's: installation administrators (superusers)
change them, a data admin reads them. An indicator is the installation's or one
municipality's: a data admin sees the installation's and their own municipality's, and
changes the settings of their own only (``indicators.change_indicator``), through the same
service as the indicator page. Links to development areas are made on the indicator page,
where they are limited to the municipality's own plan.

Imports are read-only and for superusers, for support. Files are imported on the portal's
import page or with ``manage.py import_indicators``, through the service that previews,
commits and rolls back."""

from django.contrib import admin
from django.db import models

from indicators.models import ImportBatch, Indicator, Place, Source
from indicators.services.indicators import SETTINGS_FIELDS, indicator_update
from plans.access import access_for
from plans.admin import ReadOnlyAdminMixin


def _is_superuser(request) -> bool:
    return access_for(request.user).is_superuser


class InstallationAdmin(admin.ModelAdmin):
    """Rows shared by the whole installation: a data admin may look, only an installation
    administrator changes."""

    def has_module_permission(self, request):
        return request.user.has_perm("plans.access_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("plans.access_admin")

    def has_add_permission(self, request):
        return _is_superuser(request)

    def has_change_permission(self, request, obj=None):
        return _is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request)


@admin.register(Source)
class SourceAdmin(InstallationAdmin):
    list_display = ("name", "code", "url")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    search_fields = ("name", "code")


@admin.register(Place)
class PlaceAdmin(InstallationAdmin):
    list_display = ("code", "name", "level", "valid_from", "valid_to", "successor", "unit")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("successor", "unit")
    raw_id_fields = ("successor", "parent", "unit")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "source", "municipality", "decimals", "published")
    list_filter = ("source", "published")
    search_fields = ("name", "code")
    list_select_related = ("source", "municipality")
    # Links to development areas belong to each municipality's plan: the indicator page.
    exclude = ("areas", "components")
    # What identifies an indicator and who owns it: the installation administrator's.
    owner_fields = ("source", "code", "name", "municipality")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=Indicator.objects.visible_to(request.user).values("pk"))
        )

    def get_readonly_fields(self, request, obj=None):
        if _is_superuser(request):
            return ()
        if obj is not None and not request.user.has_perm("indicators.change_indicator", obj):
            return (*self.owner_fields, *SETTINGS_FIELDS)
        return self.owner_fields

    def has_module_permission(self, request):
        return request.user.has_perm("plans.access_admin")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("plans.access_admin") and request.user.has_perm(
            "indicators.view_indicator", obj
        )

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.has_perm("plans.access_admin")
        return request.user.has_perm("indicators.change_indicator", obj)

    def has_add_permission(self, request):
        return _is_superuser(request)

    def has_delete_permission(self, request, obj=None):
        return _is_superuser(request)

    def save_model(self, request, obj, form, change):
        indicator_update(
            indicator=obj,
            data={name: getattr(obj, name) for name in SETTINGS_FIELDS},
            municipality=None,
            plan=None,
            actor=request.user,
        )


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
        "rows_skipped",
    )
    list_filter = ("status", "municipality", "source")
    list_select_related = ("uploaded_by", "municipality")
    search_fields = ("file_name", "sha256", "uploaded_by__username")
    date_hierarchy = "created_at"
    # The stored file may hold data from other sources; support sees its name and checksum.
    exclude = ("stored_file",)
