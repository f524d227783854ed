"""Reads of the law's three topics (opplæringslova § 17-12): which indicators the
municipality reports under each, and what the report would lack for a year."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from indicators.models import Indicator
from indicators.selectors.figures import (
    MUNICIPALITY,
    IndicatorSeries,
    figure_in_year,
    municipality_places,
    series_for,
)
from plans.models import Municipality
from plans.schoolyear import SchoolYear
from reports.models import LawTopic, LawTopicIndicator


def law_topics_for(*, user, municipality: Municipality) -> dict[str, list[Indicator]]:
    """Each topic's indicators in order (every topic present, perhaps empty): only rows
    the user sees, and only indicators the municipality sees. Two queries at most."""
    found: dict[str, list[Indicator]] = {topic: [] for topic in LawTopic.values}
    links = (
        LawTopicIndicator.objects.visible_to(user)
        .filter(
            municipality=municipality,
            indicator__in=Indicator.objects.visible_to(user)
            .for_municipality(municipality.pk)
            .values("pk"),
        )
        .select_related("indicator__source")
        .order_by("topic", "order", "pk")
    )
    for link in links:
        found[link.topic].append(link.indicator)
    return found


def has_figure_for_year(data: IndicatorSeries, year: int) -> bool:
    """Whether the municipality has a figure for the year in the indicator's main
    subgroup: the figure a target for the year is judged by (``figure_in_year``), so the
    report and its warnings agree."""
    subgroup = data.main_subgroup
    if subgroup is None:
        return False
    return figure_in_year(data.points(MUNICIPALITY, subgroup), year) is not None


@dataclass
class LawTopicWarning:
    """A topic the report would have no figures for: no indicator at all (``indicators``
    empty), or none of its ``indicators`` with a figure for ``year_label``."""

    topic: str
    label: str
    indicators: list[str] = field(default_factory=list)
    year_label: str = ""

    @property
    def text(self) -> str:
        if not self.indicators:
            return _(
                "Temaet «%(topic)s» har ingen indikator. Rapporten sier at temaet mangler tall."
            ) % {"topic": self.label}
        return _("Ingen av indikatorene under «%(topic)s» har tall for %(year)s: %(names)s.") % {
            "topic": self.label,
            "year": self.year_label,
            "names": ", ".join(self.indicators),
        }


def law_topic_warnings(*, user, municipality: Municipality, year: int) -> list[LawTopicWarning]:
    """What a report for the school year starting in ``year`` would lack under the law: a
    topic with no indicator, or one where none of its indicators has a figure for the year
    (naming them). Warnings, not refusals: the report says so itself. A fixed number of
    queries however many indicators."""
    topics = law_topics_for(user=user, municipality=municipality)
    indicators = {i.pk: i for chosen in topics.values() for i in chosen}
    series = (
        series_for(
            list(indicators.values()),
            municipality,
            places=municipality_places(municipality),
            until_year=year,
        )
        if indicators
        else {}
    )
    with_figure: dict[int, bool] = defaultdict(bool)
    for pk, data in series.items():
        with_figure[pk] = has_figure_for_year(data, year)
    warnings = []
    for topic, chosen in topics.items():
        label = str(LawTopic(topic).label)
        if not chosen:
            warnings.append(LawTopicWarning(topic=topic, label=label))
        elif not any(with_figure[i.pk] for i in chosen):
            warnings.append(
                LawTopicWarning(
                    topic=topic,
                    label=label,
                    indicators=[i.name for i in chosen],
                    year_label=SchoolYear(year).label,
                )
            )
    return warnings
