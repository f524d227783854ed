"""The indicators section of a leader dialogue's agenda (``plans.dialogue_agenda``,
registered in ``IndicatorsConfig.ready``): the municipality's indicators tied to the
development areas the unit works on, each with its latest value, the target and what
``indicators.findings`` reads in it against the country, its trend and its target —
the same reading the findings page gives, not a second one."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.utils.translation import gettext as _

from indicators.findings import amount, reading_for_main
from indicators.models import Indicator
from indicators.selectors.figures import main_series, municipality_places
from indicators.targets import TargetValue, municipality_target_book
from plans.models import Municipality, Unit


def _target_text(target: TargetValue | None, indicator: Indicator) -> str:
    # A target that cannot be computed says why, never a made-up value.
    if target is None:
        return ""
    if target.value is None:
        return target.unresolved_text
    return amount(target.value, indicator)


def dialogue_agenda_section(
    *, unit: Unit, school_year: int, area_keys: Sequence[uuid.UUID], user
) -> dict | None:
    """JSON-ready rows for the agenda, or None when no indicator is tied to the areas.
    Areas are matched by key, so indicators linked to an earlier plan revision's area
    count too. A fixed number of queries."""
    if not area_keys:
        return None
    municipality = Municipality.objects.get(pk=unit.municipality_id)
    indicators = list(
        Indicator.objects.for_municipality(municipality.pk)
        .filter(areas__key__in=list(area_keys))
        .select_related("source")
        .distinct()
        .order_by("name", "pk")
    )
    if not indicators:
        return None
    ids = [indicator.pk for indicator in indicators]
    places = municipality_places(municipality)
    mains = main_series(ids, municipality, places)
    targets = municipality_target_book(ids, municipality, places=places)
    rows = []
    for indicator in indicators:
        row: dict = {"name": indicator.name, "source": indicator.source.name}
        main = mains.get(indicator.pk)
        latest = main.latest if main else None
        if main is None or latest is None or latest.value is None:
            row["value"] = ""
            rows.append(row)
            continue
        target = targets.latest(indicator.pk, main.subgroup)
        reading = reading_for_main(indicator, main, target, municipality.name)
        row |= {
            "value": amount(latest.value, indicator),
            "period": latest.period_label,
            "target": _target_text(target, indicator),
            "target_year": target.year if target else "",
            "positive": list(reading.positive),
            "attention": list(reading.attention),
        }
        rows.append(row)
    return {"title": _("Indikatorer for enhetens utviklingsområder"), "rows": rows}
