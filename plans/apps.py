from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    default = True
    name = "plans"
    verbose_name = _("Organisasjon og planer")

    def ready(self) -> None:
        # Registers the rules; each app loads its own permissions.py the same way.
        # `<id:pk>` in every app's urls: an id no row can have is a 404, never a 500.
        from django.urls import register_converter

        # login_guard connects the device-cookie counters to the login signals.
        from plans import (
            home_panels,
            login_guard,  # noqa: F401
            navigation,
            permissions,  # noqa: F401
        )
        from plans.converters import IdConverter

        register_converter(IdConverter, "id")
        navigation.register(*navigation.PLANS_ENTRIES)
        # plans' own panels: the owner's agreed points from leader dialogues, and the
        # group self-assessments waiting for this user's answer.
        from plans.selectors.dialogues import dialogue_home_panel
        from plans.selectors.home import assessment_sessions_panel

        home_panels.register("plans/dialogues/_home_panel.html", dialogue_home_panel)
        home_panels.register("plans/assessment/_home_sessions.html", assessment_sessions_panel)


class PortalAdminConfig(admin_apps.AdminConfig):
    """Replaces Django's default admin site with one that data admins may use."""

    default = False
    default_site = "plans.admin_site.PortalAdminSite"

    def ready(self) -> None:
        # Before the autodiscovery imports import_export.admin, whose list of formats
        # would otherwise import openpyxl at every start-up (documents/tablib_formats.py).
        from documents.tablib_formats import defer_xlsx

        defer_xlsx()
        super().ready()
