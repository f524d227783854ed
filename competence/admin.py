"""Competence data in the admin: read-only and for superusers, for support. The portal's
pages write it, through services that keep the waiting list and attendance rules."""

from django.contrib import admin

from competence.models import (
    Activity,
    CalendarEvent,
    CompetenceNeed,
    Feedback,
    FeedToken,
    FundingGrant,
    FundingScheme,
    NeedSurvey,
    Registration,
    Session,
    Theme,
)
from plans.admin import ReadOnlyAdminMixin


class FundingGrantInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FundingGrant
    extra = 0


@admin.register(FundingScheme)
class FundingSchemeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "municipality", "active")
    list_filter = ("municipality",)
    inlines = [FundingGrantInline]


@admin.register(Theme)
class ThemeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "municipality")
    list_filter = ("municipality",)


class SessionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Session
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "form", "school_year", "municipality", "funding_scheme")
    list_filter = ("municipality", "school_year", "form")
    search_fields = ("title", "content")
    inlines = [SessionInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "session", "status", "attended")
    list_filter = ("status",)
    list_select_related = ("user", "session__activity")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("registration", "score")


class CompetenceNeedInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CompetenceNeed
    extra = 0


@admin.register(NeedSurvey)
class NeedSurveyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "municipality", "conducted_on", "school_year")
    inlines = [CompetenceNeedInline]


@admin.register(CalendarEvent)
class CalendarEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "kind", "starts_on", "municipality")
    list_filter = ("municipality", "kind")


@admin.register(FeedToken)
class FeedTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The token itself is a credential: the admin shows who has a feed, never the secret.
    list_display = ("user", "scope", "municipality", "created_at", "last_used_at", "revoked_at")
    exclude = ("token",)
