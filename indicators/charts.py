"""The indicator chart the pages and the status-report PDF both draw: the municipality's
line against the country (and county or KOSTRA group when present), the target as a line of
its own, and figures the source withheld marked with a hollow marker on the x axis.

This module only reads the indicator's data into the arguments of
``plans.charts.line_chart`` — the portal's one chart function, which draws all of it: every
series gets a point (or a gap) for every period so the periods stay in time order, the
target is passed as ``target`` and the suppressed, missing and not computable figures as
``withheld``, which the line leaves as a gap and never draws as a value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from indicators.models import ObservationStatus
from indicators.selectors.figures import IndicatorSeries, Point, subgroup_label, year_label
from plans import charts
from plans.charts import SeriesTable


def withheld_point(series: str, point: Point) -> charts.Withheld:
    """A point without a value as the chart's hollow marker, titled «Solvik kommune,
    2022: skjult av personvernhensyn (:)»."""
    label = str(ObservationStatus(point.status).label).lower()
    symbol = f" ({point.symbol})" if point.symbol else ""
    return charts.Withheld(
        series=series,
        x_label=point.period_label,
        status=point.status,
        text=f"{series}, {point.period_label}: {label}{symbol}",
    )


@dataclass(frozen=True)
class IndicatorChart:
    svg: SafeString | None  # None when no series has a single value to draw
    table: SeriesTable
    # The table's cells with status, in the same shape as ``table.rows``.
    cells: list[tuple[str, list[Point | None]]]
    withheld: list[charts.Withheld]
    target_label: str | None


class YearValue(Protocol):
    """A target's value for a year, as ``indicators.targets.TargetValue`` gives it (None
    when it cannot be computed: that year draws no target, never a guessed one)."""

    @property
    def year(self) -> int: ...

    @property
    def value(self) -> Decimal | None: ...


def target_points(
    periods: Sequence[tuple[str, int]], targets: Sequence[YearValue]
) -> tuple[str, list[tuple[str, Decimal | None]]] | None:
    """The target as a line over ``(period label, year)``: each period takes the target
    for its year, or else the latest earlier one. When that gives fewer than two points
    (the targets are for years after the data, or only its last year), the latest target
    is drawn flat across every period, named with its year."""
    by_year = {target.year: target.value for target in targets}
    if not by_year or not periods:
        return None
    steps: list[tuple[str, Decimal | None]] = []
    for label, year in periods:
        earlier = [y for y in by_year if y <= year]
        steps.append((label, by_year[max(earlier)] if earlier else None))
    if sum(value is not None for _label, value in steps) >= 2:
        return _("Mål"), steps
    latest = max(by_year)
    if by_year[latest] is None:
        return None
    flat: list[tuple[str, Decimal | None]] = [(label, by_year[latest]) for label, _y in periods]
    # Named by its period when the data has one for that year, else as the periods are
    # named («2025/26» beside school years), so the target and the series read alike.
    name = next((label for label, year in periods if year == latest), None) or year_label(
        latest, periods
    )
    return _("Mål for %(period)s") % {"period": name}, flat


def indicator_chart(
    data: IndicatorSeries,
    subgroup: str,
    targets: Sequence[YearValue] = (),
    *,
    title: str | None = None,
    chart_id: str | None = None,
) -> IndicatorChart:
    """The chart, its data table and the withheld points for one subgroup. ``targets`` are
    the values of the municipality's whole-municipality targets for this subgroup, per
    year (``TargetBook.values``)."""
    indicator = data.indicator
    periods = data.periods(subgroup)
    labels = [label for label, _year in periods]
    series: list[tuple[str, list[tuple[str, Decimal | None]]]] = []
    cells: list[tuple[str, list[Point | None]]] = []
    withheld: list[charts.Withheld] = []
    for line in data.lines:
        points = {point.period_label: point for point in line.for_subgroup(subgroup)}
        if not points:
            continue
        series.append(
            (
                line.label,
                [
                    (
                        label,
                        points[label].value
                        if label in points and points[label].has_value
                        else None,
                    )
                    for label in labels
                ],
            )
        )
        cells.append((line.label, [points.get(label) for label in labels]))
        withheld.extend(
            withheld_point(line.label, points[label])
            for label in labels
            if label in points and not points[label].has_value
        )
    target = target_points(periods, targets)
    target_label = target[0] if target is not None else None
    # The target is a line of the table and of the chart's scale, drawn by ``line_chart``.
    every = [*series, target] if target is not None else series
    table = charts.series_table(every)
    values = [value for _label, points in every for _x, value in points if value is not None]
    svg = None
    # Drawn only when a line (not just the target) has a value.
    if any(value is not None for _label, points in series for _x, value in points):
        y_min, y_max = _y_range(values, indicator.unit_of_measure)
        name = title or indicator.name
        description = _(
            "Linjediagram over %(indicator)s (%(subgroup)s) per periode for %(lines)s. "
            "Tallene står i tabellen under diagrammet."
        ) % {
            "indicator": indicator.name,
            "subgroup": subgroup_label(subgroup),
            "lines": ", ".join(label for label, _points in every),
        }
        if withheld:
            description += " " + _(
                "Hule markører nederst i diagrammet viser perioder der verdien er skjult eller "
                "mangler: %(list)s."
            ) % {"list": "; ".join(item.text for item in withheld)}
        svg = charts.line_chart(
            title=name,
            series=series,
            y_min=y_min,
            y_max=y_max,
            y_label=indicator.unit_of_measure or _("Verdi"),
            description=description,
            decimals=indicator.decimals,
            chart_id=chart_id,
            target=target,
            withheld=withheld,
        )
    return IndicatorChart(
        svg=svg, table=table, cells=cells, withheld=withheld, target_label=target_label
    )


def _y_range(values: Sequence[Decimal], unit_of_measure: str) -> tuple[float, float]:
    """Round bounds a little outside the values; never below 0 for values that are all
    positive, never above 100 for a percentage."""
    low, high = float(min(values)), float(max(values))
    span = high - low or abs(high) or 1.0
    low, high = low - span * 0.15, high + span * 0.15
    if float(min(values)) >= 0:
        low = max(low, 0.0)
    magnitude = 10 ** math.floor(math.log10((high - low) / 5))
    low = math.floor(low / magnitude) * magnitude
    high = math.ceil(high / magnitude) * magnitude
    if unit_of_measure.strip().lower() in {"prosent", "%"} and float(max(values)) <= 100:
        high = min(high, 100.0)
    if high <= low:
        high = low + magnitude
    return low, high
