from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default = True
    name = "indicators"
    verbose_name = _("Indikatorer (tellinger)")

    def ready(self) -> None:
        from indicators import checks, permissions  # noqa: F401
        from indicators.selectors.dialogues import dialogue_agenda_section
        from indicators.selectors.trace import trace_indicators
        from plans import dialogue_agenda, navigation, trace_sections

        dialogue_agenda.register("indicators", dialogue_agenda_section)
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
