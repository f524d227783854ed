"""The charts stage: draws the snapshot's charts with the portal's own chart functions
(``indicators.charts.indicator_chart`` for indicators, as on the indicator pages, and
``plans.charts.line_chart`` for the self-assessment trend) and stores the SVG markup and
the data tables in the snapshot, so a published report never redraws them."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from indicators.charts import indicator_chart
from plans import charts
from reports.snapshot import indicator_series_from_json


def chart_count(snapshot: dict) -> int:
    return sum(len(area["indicators"]) + 1 for area in snapshot["areas"]) + sum(
        len(topic["indicators"]) for topic in snapshot.get("law_topics", [])
    )


def add_charts(snapshot: dict, progress: Callable[[int, int], None] | None = None) -> dict:
    """Draw every chart into the snapshot (in place, and returned)."""
    total = max(chart_count(snapshot), 1)
    done = 0
    for topic in snapshot.get("law_topics", []):
        for position, item in enumerate(topic["indicators"], start=1):
            item["chart"] = _indicator(item, f"chart-{topic['anchor']}-{position}")
            done += 1
            if progress:
                progress(done, total)
    for area in snapshot["areas"]:
        for position, item in enumerate(area["indicators"], start=1):
            item["chart"] = _indicator(item, f"chart-{area['number']}-{position}")
            done += 1
            if progress:
                progress(done, total)
        area["unit_plans"]["trend_chart"] = _trend(area)
        done += 1
        if progress:
            progress(done, total)
    return snapshot


def _indicator(item: dict, chart_id: str) -> dict:
    data, targets = indicator_series_from_json(item)
    chart = indicator_chart(data, item["subgroup"], targets, chart_id=chart_id)
    decimals = item["decimals"]
    rows = []
    for label, points in chart.cells:
        rows.append(
            {
                "label": label,
                "cells": [
                    {"text": "", "status": "none"}
                    if point is None
                    else {
                        "text": charts.format_value(point.value, decimals)
                        if point.has_value
                        else _("skjult")
                        if point.status == "skjult"
                        else point.status_label.lower(),
                        "status": point.status,
                    }
                    for point in points
                ],
            }
        )
    if chart.target_label:
        target_row = chart.table.rows[-1]
        rows.append(
            {
                "label": chart.target_label,
                "cells": [
                    {
                        "text": "" if value is None else charts.format_value(value, decimals),
                        "status": "target",
                    }
                    for value in target_row[1]
                ],
            }
        )
    return {
        "svg": str(chart.svg) if chart.svg is not None else "",
        "columns": chart.table.columns,
        "rows": rows,
        "withheld": [item.text for item in chart.withheld],
    }


def _trend(area: dict) -> dict | None:
    trend = area["unit_plans"]["trend"]
    points = [(item["label"], item["average"]) for item in trend]
    if not any(value is not None for _label, value in points):
        return None
    from decimal import Decimal

    series = [
        (_("Gjennomsnitt"), [(label, None if v is None else Decimal(v)) for label, v in points])
    ]
    svg = charts.line_chart(
        title=_("Egenvurdering: %(area)s") % {"area": area["name"]},
        series=series,
        y_min=1,
        y_max=4,
        y_label=_("Poeng (1–4)"),
        description=_(
            "Gjennomsnittlig poeng i enhetenes egenvurderinger for %(area)s per skoleår, på "
            "en skala fra 1 til 4. Tallene står i tabellen under diagrammet."
        )
        % {"area": area["name"]},
        decimals=1,
        chart_id=f"trend-{area['number']}",
    )
    return {"svg": str(svg)}
