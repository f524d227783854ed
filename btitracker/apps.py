from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BtitrackerConfig(AppConfig):
    name = "btitracker"
    verbose_name = _("BTI – stafettlogg")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from btitracker import checks, permissions  # noqa: F401  (registers rules and checks)
        from btitracker.selectors.followup import followup_home_panel
        from btitracker.selectors.overview import home_panel
        from btitracker.signals import membership_deleted, membership_saved
        from btitracker.statistics import report_rows
        from plans import home_panels, navigation, report_statistics
        from plans.models import Membership

        post_save.connect(membership_saved, sender=Membership, dispatch_uid="bti-membership")
        post_delete.connect(membership_deleted, sender=Membership, dispatch_uid="bti-membership")
        home_panels.register("btitracker/_home_panel.html", home_panel)
        home_panels.register("btitracker/_followup_panel.html", followup_home_panel)
        # btitracker may not import reports (docs/architecture.md: reports uses the
        # others); the status report reads its BTI figures from this registry.
        report_statistics.register(report_statistics.BTI, report_rows)
        navigation.register(
            navigation.NavEntry(_("BTI"), "bti:home", "btitracker.use_bti", "/bti/", order=110),
            # Every member: «alle vet hvor de kan få hjelp» (no second factor, no child).
            navigation.NavEntry(
                _("Tjenester"),
                "directory:list",
                "btitracker.view_directory",
                "/tjenester/",
                order=116,
            ),
            navigation.NavEntry(
                _("Samarbeidsmøter"),
                "bti:consultations",
                "btitracker.view_consultations",
                "/bti/samarbeidsmoter/",
                order=112,
            ),
            navigation.NavEntry(
                _("BTI-statistikk"),
                "bti:statistics",
                "btitracker.view_statistics",
                "/bti/",
                order=120,
            ),
            # The handbook: every member of the municipality (routines, not children).
            navigation.NavEntry(
                _("Handlingsveileder"),
                "bti:handbook",
                "btitracker.view_handbook",
                "/bti/veileder/",
                order=114,
            ),
        )
