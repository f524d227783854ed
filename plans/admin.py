"""The admin for the organisation. Superusers see everything; a municipality's data admins
see and change only their own municipality's rows, through the same ``visible_to`` and
rules as the rest of the portal, and saves go through ``plans.services``."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from rules.contrib.admin import ObjectPermissionsModelAdminMixin

from plans.access import access_for
from plans.forms import PortalUserChangeForm, PortalUserCreationForm
from plans.models import (
    AssessmentAnswer,
    DevelopmentArea,
    JourneyStep,
    Measure,
    Membership,
    MembershipChange,
    Municipality,
    ParticipationInput,
    PlanChange,
    QualityPlan,
    QualityTool,
    ReminderDigest,
    SelfAssessment,
    ToolStatement,
    Unit,
    UnitPlan,
    UserJourney,
)
from plans.resources import MembershipResource, ParticipationInputResource, UnitResource
from plans.selectors.organisation import users_managed_by
from plans.services import organisation, participation, self_assessment

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
        organisation.municipality_save(municipality=obj)


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
        organisation.unit_save(unit=obj)


MEMBERSHIP_REVIEW_FIELDS = ("pending", "granted_by", "confirmed_by", "confirmed_at")


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    """Memberships of the users the admin user may manage (``users_managed_by``): never a
    superuser's, a staff user's or their own. Grants of roles that open BTI logs wait for a
    sector leader's confirmation in the portal; this admin cannot confirm them."""

    resource_classes = [MembershipResource]
    list_display = ("user", "role", "unit", "municipality", "pending")
    list_filter = ("role", "pending")
    search_fields = ("user__username", "user__first_name", "user__last_name", "unit__name")
    list_select_related = ("user", "unit", "municipality")
    autocomplete_fields = ("unit",)
    readonly_fields = MEMBERSHIP_REVIEW_FIELDS

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user__in=users_managed_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_managed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        organisation.membership_save(membership=obj, actor=request.user)

    def delete_model(self, request, obj):
        organisation.membership_revoke(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        # The bulk action too goes through the service, so every revocation is recorded.
        for membership in queryset.select_related("user", "unit"):
            organisation.membership_revoke(membership=membership, actor=request.user)


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 1
    fields = ("municipality", "unit", "role", "pending")
    readonly_fields = ("pending",)
    autocomplete_fields = ("unit",)

    def get_min_num(self, request, obj=None, **kwargs):
        # A data admin's new user must land in their municipality, or it would vanish
        # from their view the moment it was saved.
        return 0 if access_for(request.user).is_superuser else 1

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_foreign_key_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _allowed(self, request, action, obj) -> bool:
        # ``obj`` is the user being edited: nobody changes their own memberships.
        if obj is not None and obj.pk == request.user.pk:
            return False
        return request.user.has_perm(f"plans.{action}_membership")

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "add", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete", obj)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("plans.view_membership")


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(ObjectPermissionsModelAdminMixin, UserAdmin):
    # The portal's name rules (no control or text-direction characters) on both forms.
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    inlines = [MembershipInline]
    limited_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personopplysninger"), {"fields": ("first_name", "last_name", "email")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        return users_managed_by(request.user)

    def get_fieldsets(self, request, obj=None):
        # Only superusers hand out staff, superuser or model permissions; a data admin
        # cannot raise anyone, including themselves, above the portal's roles.
        if obj is not None and not access_for(request.user).is_superuser:
            return self.limited_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if access_for(request.user).is_superuser:
            return super().get_readonly_fields(request, obj)
        if obj is not None and not request.user.has_perm("auth.set_credentials_user", obj):
            # The e-mail address receives password resets and the BTI enrolment code.
            return ("last_login", "date_joined", "email")
        return ("last_login", "date_joined")

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, unquote(id))
        if user is not None and not request.user.has_perm("auth.set_credentials_user", user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    def has_add_permission(self, request):
        return request.user.has_perm("auth.add_user")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for removed in formset.deleted_objects:
            organisation.membership_revoke(membership=removed, actor=request.user)
        for membership in instances:
            organisation.membership_save(
                membership=membership, actor=request.user, new_user=not change
            )


# --- Quality tools, self-assessment and fortellinger ----------------------------------------


def scope_plan_content_choices(db_field, request, kwargs) -> None:
    """Areas and components only from plans the user may see (their municipality's)."""
    from plans.models import CoreComponent, DevelopmentArea, QualityPlan

    plans = QualityPlan.objects.visible_to(request.user)
    if db_field.related_model is DevelopmentArea:
        kwargs["queryset"] = DevelopmentArea.objects.filter(plan__in=plans)
    elif db_field.related_model is CoreComponent:
        kwargs["queryset"] = CoreComponent.objects.filter(area__plan__in=plans).select_related(
            "area"
        )


def _own_or_chosen_municipality(request, obj) -> Municipality:
    if obj.municipality_id:
        return obj.municipality
    return Municipality.objects.get(pk=access_for(request.user).municipality_id)


class ParentPermissionInline:
    """An inline edited as part of its parent: the parent's rules decide."""

    parent_model_name: str = ""

    def _allowed(self, request, action: str, obj=None) -> bool:
        return request.user.has_perm(f"plans.{action}_{self.parent_model_name}", obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_plan_content_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ParticipationInput)
class ParticipationInputAdmin(ScopedAdminMixin, ImportExportModelAdmin):
    resource_classes = [ParticipationInputResource]
    list_display = (
        "short_quote",
        "descriptor",
        "group",
        "setting",
        "given_on",
        "unit",
        "publishable",
    )
    list_filter = ("group", "setting", "publishable")
    search_fields = ("quote", "descriptor", "unit__name")
    list_select_related = ("unit",)
    date_hierarchy = "given_on"
    filter_horizontal = ("areas", "components")

    def get_exclude(self, request, obj=None):
        # A data admin's rows belong to their municipality; only a superuser chooses.
        if access_for(request.user).is_superuser:
            return ("created_by",)
        return ("municipality", "created_by")

    @admin.display(description=_("sitat"))
    def short_quote(self, obj):
        return str(obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_plan_content_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope_plan_content_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        municipality = _own_or_chosen_municipality(request, obj)
        data = {
            name: form.cleaned_data[name]
            for name in participation.INPUT_FIELDS
            if name in form.cleaned_data
        }
        participation.participation_input_save(
            municipality=municipality, data=data, actor=request.user, instance=obj
        )

    def save_related(self, request, form, formsets, change):
        # participation_input_save has set the areas and components.
        pass

    def delete_model(self, request, obj):
        participation.participation_input_delete(instance=obj, actor=request.user)


class JourneyStepInline(ParentPermissionInline, admin.TabularInline):
    model = JourneyStep
    parent_model_name = "userjourney"
    fields = ("order", "service", "what_happened", "assessment")
    extra = 1


@admin.register(UserJourney)
class UserJourneyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "carried_out_on", "publishable")
    list_filter = ("publishable",)
    search_fields = ("title", "description", "findings")
    filter_horizontal = ("areas",)

    def get_exclude(self, request, obj=None):
        return () if access_for(request.user).is_superuser else ("municipality",)

    inlines = [JourneyStepInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        scope_plan_content_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        municipality = _own_or_chosen_municipality(request, obj)
        data = {
            name: form.cleaned_data[name]
            for name in participation.JOURNEY_FIELDS
            if name in form.cleaned_data
        }
        participation.user_journey_save(
            municipality=municipality, data=data, steps=None, actor=request.user, instance=obj
        )

    def save_related(self, request, form, formsets, change):
        steps = []
        for formset in formsets:
            for step_form in formset.forms:
                cleaned = getattr(step_form, "cleaned_data", None) or {}
                if not cleaned or cleaned.get("DELETE"):
                    continue
                steps.append(
                    {name: cleaned.get(name) for name in ("order", *participation.STEP_FIELDS)}
                )
        created = participation.journey_steps_save(
            journey=form.instance, steps=steps, actor=request.user
        )
        # The admin's change message reads what a formset's save() would have recorded;
        # the steps were replaced as a whole.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []

    def delete_model(self, request, obj):
        participation.user_journey_delete(instance=obj, actor=request.user)


class ToolStatementInline(ParentPermissionInline, admin.TabularInline):
    model = ToolStatement
    parent_model_name = "qualitytool"
    fields = ("area", "component", "order", "text")
    extra = 0


@admin.register(QualityTool)
class QualityToolAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "service_field", "quality_plan")
    list_filter = ("service_field",)
    list_select_related = ("quality_plan",)
    inlines = [ToolStatementInline]

    def get_readonly_fields(self, request, obj=None):
        # The plan and field are fixed once the tool exists; units' assessments refer to it.
        return ("municipality", "quality_plan", "service_field") if obj else ("municipality",)

    def has_add_permission(self, request):
        return request.user.has_perm("plans.change_qualitytool")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            self_assessment.quality_tool_update(
                tool=obj,
                data={name: form.cleaned_data[name] for name in ("title", "introduction")},
                actor=request.user,
            )
            return
        tool = self_assessment.quality_tool_create(
            quality_plan=form.cleaned_data["quality_plan"],
            service_field=form.cleaned_data["service_field"],
            title=form.cleaned_data["title"],
            introduction=form.cleaned_data["introduction"],
            actor=request.user,
        )
        obj.pk = tool.pk
        obj.municipality_id = tool.municipality_id

    def save_formset(self, request, form, formset, change):
        tool = form.instance
        # What formset.save() would have recorded, for the admin's change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for statement_form in formset.forms:
            cleaned = getattr(statement_form, "cleaned_data", None) or {}
            if not cleaned:
                continue
            instance = statement_form.instance if statement_form.instance.pk else None
            if cleaned.get("DELETE"):
                if instance is not None:
                    self_assessment.tool_statement_delete(statement=instance, actor=request.user)
                    formset.deleted_objects.append(instance)
                continue
            if instance is not None and not statement_form.has_changed():
                continue
            saved = self_assessment.tool_statement_save(
                tool=tool,
                data={name: cleaned.get(name) for name in self_assessment.STATEMENT_FIELDS},
                actor=request.user,
                instance=instance,
            )
            if instance is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, statement_form.changed_data))


class AssessmentAnswerInline(admin.TabularInline):
    model = AssessmentAnswer
    fields = ("statement", "score", "reflection")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("plans.view_selfassessment", obj)


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Read-only: assessments are the units' own record, written in the portal."""

    # The anonymous scores of a group session (ScoreTally) and who was invited
    # (SessionParticipant) are not in the admin at all: the distribution is read only
    # through plans.disclosure on the assessment's page.
    list_display = ("unit", "group", "tool", "conducted_on", "status")
    list_filter = ("status", "group")
    list_select_related = ("unit", "tool")
    search_fields = ("unit__name",)
    readonly_fields = (
        "unit",
        "group",
        "tool",
        "conducted_on",
        "participants",
        "status",
        "created_by",
    )
    fields = readonly_fields
    inlines = [AssessmentAnswerInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdminMixin:
    """Plans are written in the portal, where the services keep their state rules, lock
    and history; the admin shows them to superusers for support and never changes them."""

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DevelopmentAreaInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DevelopmentArea
    fields = ("order", "name", "goal", "owner")
    readonly_fields = fields
    extra = 0


@admin.register(QualityPlan)
class QualityPlanAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "municipality", "period_label", "revision", "adopted_on")
    list_select_related = ("municipality",)
    fields = (
        "municipality",
        "title",
        "period_start",
        "period_end",
        "revision",
        "previous",
        "adopted_on",
        "council_case",
        "owner",
        "purpose",
    )
    readonly_fields = fields
    inlines = [DevelopmentAreaInline]


class MeasureInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Measure
    fields = ("description", "component", "responsible", "start", "end", "status")
    readonly_fields = fields
    extra = 0


@admin.register(UnitPlan)
class UnitPlanAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("unit", "school_year_label", "status", "updated_at")
    list_filter = ("status", "school_year")
    list_select_related = ("unit",)
    search_fields = ("unit__name",)
    fields = (
        "unit",
        "quality_plan",
        "school_year",
        "status",
        "owner",
        "summary",
        "review_comment",
    )
    readonly_fields = fields
    inlines = [MeasureInline]


@admin.register(PlanChange)
class PlanChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The history, for superusers' support work; the portal shows it per plan."""

    list_display = ("at", "actor", "action", "subject")
    list_select_related = ("actor",)
    fields = ("at", "actor", "quality_plan", "unit_plan", "action", "subject", "fields")
    readonly_fields = fields


@admin.register(MembershipChange)
class MembershipChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The record of every membership change, for superusers' support work; sector
    leaders read it in the portal. Appended to by the services only."""

    list_display = ("at", "action", "actor_name", "subject_name", "role", "unit_name")
    list_filter = ("action", "role")
    search_fields = ("actor_name", "subject_name", "unit_name")
    fields = (
        "at",
        "action",
        "actor_name",
        "subject_name",
        "municipality",
        "role",
        "unit_name",
        "before",
        "after",
    )
    readonly_fields = fields


@admin.register(ReminderDigest)
class ReminderDigestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("week", "user", "sent_at", "overdue_measures", "unsubmitted_plans")
    list_select_related = ("user",)
    fields = list_display
    readonly_fields = list_display
