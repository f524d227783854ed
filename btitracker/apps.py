from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BtitrackerConfig(AppConfig):
    name = "btitracker"
    verbose_name = _("BTI – stafettlogg")

    def ready(self) -> None:
        from btitracker import checks, permissions  # noqa: F401  (registers rules and checks)
        from btitracker.selectors import home_panel
        from btitracker.statistics import report_rows
        from plans import home_panels, navigation
        from reports.bti import register_statistics

        home_panels.register("btitracker/_home_panel.html", home_panel)
        # btitracker may not import reports (docs/architecture.md: reports uses the
        # others); the hook is reports' own registry, filled from here at start-up.
        register_statistics(report_rows)
        entries = [
            navigation.NavEntry(_("BTI"), "bti:home", "btitracker.use_bti", "/bti/"),
            navigation.NavEntry(
                _("BTI-statistikk"), "bti:statistics", "btitracker.view_statistics", "/bti/"
            ),
        ]
        for entry in entries:
            if entry not in navigation.ENTRIES:
                navigation.ENTRIES.insert(-2, entry)
