"""The data admin edits their municipality's group mappings here, through
``identity.services.oidc`` only: each save and deletion is written to the mapping log
(``GroupMappingChange``, read-only below), and a mapping into a role that opens BTI logs
waits for a sector leader's confirmation on /accounts/oidc/mappings/."""

from __future__ import annotations

from django.contrib import admin

from identity.models import GroupMappingChange, GroupRoleMapping, OidcIdentity
from identity.selectors.mappings import municipalities_administered_by
from identity.services.oidc import group_mapping_delete, group_mapping_save
from plans.models import Municipality, Unit


class _MunicipalityScopedAdmin(admin.ModelAdmin):
    """Seen by the data admins of the rows' municipality (and superusers)."""

    def _may(self, request, obj=None) -> bool:
        scope = municipalities_administered_by(request.user)
        return bool(scope) and (obj is None or obj.municipality_id in scope)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(municipality__in=municipalities_administered_by(request.user))
        )

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(_MunicipalityScopedAdmin):
    list_display = ("group", "role", "unit", "municipality", "provider", "status")
    list_filter = ("provider", "role", "status")
    search_fields = ("group", "unit__name")

    readonly_fields = ("status", "changed_by", "confirmed_by", "confirmed_at")

    def save_model(self, request, obj, form, change):
        group_mapping_save(mapping=obj, actor=request.user)

    def delete_model(self, request, obj):
        group_mapping_delete(mapping=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for mapping in queryset.select_related("unit"):
            group_mapping_delete(mapping=mapping, actor=request.user)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "municipality")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = municipalities_administered_by(request.user)
        if db_field.name == "municipality":
            kwargs["queryset"] = Municipality.objects.filter(pk__in=scope)
        elif db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(municipality__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


@admin.register(GroupMappingChange)
class GroupMappingChangeAdmin(_MunicipalityScopedAdmin):
    """The mapping log: read, never written here."""

    list_display = ("at", "action", "actor_name", "group", "role", "unit_name", "municipality")
    list_filter = ("action", "role")
    search_fields = ("group", "actor_name", "unit_name")
    readonly_fields = [field.name for field in GroupMappingChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OidcIdentity)
class OidcIdentityAdmin(admin.ModelAdmin):
    """For support: which account belongs to which subject. Superusers only; links are
    made by the login itself and never edited."""

    list_display = ("user", "provider", "subject", "created", "last_login")
    search_fields = ("user__username", "subject")
    readonly_fields = ("user", "provider", "issuer", "subject", "created", "last_login")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
