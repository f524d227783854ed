from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default = True
    name = "indicators"
    verbose_name = _("Indikatorer (tellinger)")

    def ready(self) -> None:
        from indicators import checks, permissions  # noqa: F401
        from indicators.selectors.trace import trace_indicators
        from plans import navigation, trace_sections

        # The trace page and the report's area chapter show the areas' indicators.
        trace_sections.register(trace_indicators)

        navigation.register(
            navigation.NavEntry(
                _("Tellinger"),
                "indicators:indicator-list",
                "indicators.view_indicator",
                "/indicators/",
                order=70,
            )
        )
