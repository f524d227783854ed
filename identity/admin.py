"""The data admin edits their municipality's group mappings here. Django's admin log
records every edit (who, when, what); the memberships the mappings give are granted
through plans.services.organisation, so they are logged as membership changes and roles
that open BTI logs wait for a sector leader's confirmation."""

from __future__ import annotations

from django.contrib import admin

from identity.models import GroupRoleMapping, OidcIdentity
from plans.models import Membership, Municipality, Role, Unit


def _administered(user) -> list[int]:
    """The municipalities ``user`` is data admin of (all for a superuser)."""
    if user.is_superuser:
        return list(Municipality.objects.values_list("pk", flat=True))
    return list(
        Membership.objects.filter(user=user, role=Role.DATA_ADMIN, pending=False)
        .values_list("municipality_id", flat=True)
        .distinct()
    )


@admin.register(GroupRoleMapping)
class GroupRoleMappingAdmin(admin.ModelAdmin):
    list_display = ("group", "role", "unit", "municipality", "provider")
    list_filter = ("provider", "role")
    search_fields = ("group", "unit__name")

    readonly_fields = ("changed_by",)

    def save_model(self, request, obj, form, change):
        obj.changed_by = request.user
        super().save_model(request, obj, form, change)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(municipality__in=_administered(request.user))
            .select_related("unit", "municipality")
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = _administered(request.user)
        if db_field.name == "municipality":
            kwargs["queryset"] = Municipality.objects.filter(pk__in=scope)
        elif db_field.name == "unit":
            kwargs["queryset"] = Unit.objects.filter(municipality__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may(self, request, obj=None) -> bool:
        scope = _administered(request.user)
        return bool(scope) and (obj is None or obj.municipality_id in scope)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, obj)


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
