"""The admin for the organisation. Superusers see everything; a municipality's data admins
see and change only their own municipality's rows, through the same ``visible_to`` and
rules as the rest of the portal, and saves go through ``plans.services``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from plans import services
from plans.access import access_for
from plans.models import Membership, Municipality, Unit
from plans.resources import MembershipResource, UnitResource

User = get_user_model()


def scope_foreign_key_choices(db_field, request, kwargs) -> None:
    """Offer only rows the user may see as choices for a foreign key."""
    related = db_field.related_model
    if hasattr(related.objects, "visible_to"):
        kwargs["queryset"] = related.objects.visible_to(request.user)


class ScopedAdminMixin(ObjectPermissionsModelAdminMixin):
    """Rows, foreign-key choices and import/export limited to the user's municipality."""

    def get_queryset(self, request):
        return self.model.objects.visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_foreign_key_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        codename = f"{self.opts.app_label}.add_{self.opts.model_name}"
        return request.user.has_perm(codename)

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**super().get_resource_kwargs(request, *args, **kwargs), "user": request.user}


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "number")
    search_fields = ("name", "number")

    def save_model(self, request, obj, form, change):
        services.municipality_save(municipality=obj)


class ChildUnitInline(admin.TabularInline):
    model = Unit
    fk_name = "parent"
    fields = ("name", "kind", "active")
    extra = 0
    show_change_link = True
    can_delete = False
    verbose_name_plural = _("underordnede enheter")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [UnitResource]
    list_display = ("name", "kind", "parent", "organisation_number", "active")
    list_filter = ("kind", "active")
    search_fields = ("name", "organisation_number")
    list_select_related = ("parent",)
    inlines = [ChildUnitInline]

    def get_list_filter(self, request):
        if access_for(request.user).is_superuser:
            return ("municipality", *self.list_filter)
        return self.list_filter

    def save_model(self, request, obj, form, change):
        services.unit_save(unit=obj)


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [MembershipResource]
    list_display = ("user", "role", "unit", "municipality")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    list_select_related = ("user", "unit", "municipality")
    autocomplete_fields = ("unit",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = scoped_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj)

    def delete_model(self, request, obj):
        services.membership_revoke(membership=obj)


def scoped_users(user):
    """Users a data admin may manage: those with a membership in their municipality."""
    access = access_for(user)
    if access.is_superuser:
        return User.objects.all()
    return User.objects.filter(memberships__municipality_id=access.municipality_id).distinct()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ("municipality", "unit", "role")
    autocomplete_fields = ("unit",)

    def get_min_num(self, request, obj=None, **kwargs):
        # A data admin's new user must land in their municipality, or it would vanish
        # from their view the moment it was saved.
        return 0 if access_for(request.user).is_superuser else 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_foreign_key_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("plans.add_membership")

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("plans.change_membership")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("plans.delete_membership")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("plans.view_membership")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(ObjectPermissionsModelAdminMixin, UserAdmin):
    inlines = [MembershipInline]
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personopplysninger"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        return scoped_users(request.user)

    def get_fieldsets(self, request, obj=None):
        # Only superusers hand out staff, superuser or model permissions; a data admin
        # cannot raise anyone, including themselves, above the portal's roles.
        if obj is not None and not access_for(request.user).is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if access_for(request.user).is_superuser:
            return super().get_readonly_fields(request, obj)
        return ("last_login", "date_joined")

    def has_add_permission(self, request):
        return request.user.has_perm("auth.add_user")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            services.membership_revoke(membership=removed)
        for membership in instances:
            services.membership_save(membership=membership)
