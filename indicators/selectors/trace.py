"""The indicators of development areas for the trace page and the report's area chapter
(``plans.trace_sections``, registered in ``IndicatorsConfig.ready``): each area's
indicators with the municipality's latest value, its target and what the findings say
about the trend and the target. The reading is ``indicators.findings``' — nothing about
targets is decided here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django.utils.translation import gettext as _

from indicators.findings import amount, reading_for_main
from indicators.models import Indicator
from indicators.selectors.figures import main_series, municipality_places, year_label
from indicators.targets import municipality_target_book
from plans.models import DevelopmentArea, Municipality
from plans.trace_sections import TraceIndicator


def trace_indicators(user, areas: Sequence[DevelopmentArea]) -> dict[int, list[TraceIndicator]]:
    """By area id: the indicators linked to the area (by key, across revisions) that the
    user sees. A fixed number of queries for any number of areas and indicators."""
    if not areas:
        return {}
    municipality = Municipality.objects.filter(pk=areas[0].plan.municipality_id).first()
    by_key = {area.key: area.pk for area in areas}
    links = list(
        Indicator.areas.through.objects.filter(
            indicator__in=Indicator.objects.visible_to(user).values("pk"),
            developmentarea__key__in=list(by_key),
        )
        .select_related("indicator__source", "developmentarea")
        .order_by("indicator__name", "indicator_id")
    )
    indicators = {link.indicator_id: link.indicator for link in links}
    ids = list(indicators)
    places = municipality_places(municipality)
    mains = main_series(ids, municipality, places)
    targets = municipality_target_book(ids, municipality, places=places)
    read: dict[int, TraceIndicator] = {}
    for pk, indicator in indicators.items():
        main = mains.get(pk)
        latest = main.latest if main is not None else None
        target = targets.latest(pk, main.subgroup) if main is not None else None
        reading = (
            reading_for_main(indicator, main, target, municipality.name)
            if main is not None and municipality is not None
            else None
        )
        target_text = ""
        if target is not None and main is not None:
            periods = [(point.period_label, point.year) for point in main.municipality]
            # A target that cannot be computed says why, never a made-up value.
            target_text = _("Målverdi for %(year)s: %(value)s") % {
                "year": year_label(target.year, periods),
                "value": amount(target.value, indicator)
                if target.value is not None
                else target.unresolved_text,
            }
        read[pk] = TraceIndicator(
            id=pk,
            name=indicator.name,
            source=indicator.source.name,
            latest=amount(latest.value, indicator)
            if latest is not None and latest.value is not None
            else "",
            latest_period=latest.period_label if latest is not None else "",
            target=target_text,
            positive=list(reading.positive) if reading else [],
            attention=list(reading.attention) if reading else [],
        )
    found: dict[int, list[TraceIndicator]] = defaultdict(list)
    for link in links:
        area_id = by_key[link.developmentarea.key]
        if all(item.id != link.indicator_id for item in found[area_id]):
            found[area_id].append(read[link.indicator_id])
    return dict(found)
