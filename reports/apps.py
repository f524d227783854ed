from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default = True
    name = "reports"
    verbose_name = _("Tilstandsrapporter")

    def ready(self) -> None:
        from plans import navigation
        from reports import permissions  # noqa: F401

        navigation.register(
            navigation.NavEntry(
                _("Tilstandsrapporter"),
                "reports:report-list",
                "reports.view_statusreport",
                "/reports/",
                order=100,
            )
        )
