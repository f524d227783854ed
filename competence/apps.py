from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompetenceConfig(AppConfig):
    default = True
    name = "competence"
    verbose_name = _("Kompetanse")

    def ready(self) -> None:
        from competence import permissions  # noqa: F401
        from competence.selectors.home import home_panel
        from plans import home_panels, navigation

        home_panels.register("competence/_home_sessions.html", home_panel)
        navigation.register(
            navigation.NavEntry(
                _("Kompetanse"),
                "competence:activity-table",
                "competence.view_activity",
                "/competence/",
                order=90,
            )
        )
