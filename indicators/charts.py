"""The indicator chart the pages and the status-report PDF both draw: the municipality's
line against the country (and county or KOSTRA group when present), the target as a line of
its own, and figures the source withheld marked with a hollow marker on the x axis.

It is ``plans.charts.line_chart`` — the portal's one chart function — with two additions
made on its markup: every series gets a point (or a gap) for every period so the periods
stay in time order, and the hollow markers for suppressed, missing and not computable
figures, which the line itself leaves as a gap and never draws as a value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from indicators.models import ObservationStatus, Target
from indicators.selectors import IndicatorSeries, Point, subgroup_label, year_label
from plans import charts
from plans.charts import SeriesTable

# The hollow markers stand this far above the x axis, one row per series.
_MARK_OFFSET = 9
_MARK_STEP = 11


@dataclass(frozen=True)
class Withheld:
    """A period where a series has an observation without a value."""

    series: str
    period_label: str
    status: str
    symbol: str

    @property
    def text(self) -> str:
        label = str(ObservationStatus(self.status).label).lower()
        symbol = f" ({self.symbol})" if self.symbol else ""
        return f"{self.series}, {self.period_label}: {label}{symbol}"


@dataclass(frozen=True)
class IndicatorChart:
    svg: SafeString | None  # None when no series has a single value to draw
    table: SeriesTable
    # The table's cells with status, in the same shape as ``table.rows``.
    cells: list[tuple[str, list[Point | None]]]
    withheld: list[Withheld]
    target_label: str | None


def target_points(
    periods: Sequence[tuple[str, int]], targets: Sequence[Target]
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
    targets: Sequence[Target] = (),
    *,
    title: str | None = None,
    chart_id: str | None = None,
) -> IndicatorChart:
    """The chart, its data table and the withheld points for one subgroup. ``targets`` are
    the municipality's whole-municipality targets for this subgroup."""
    indicator = data.indicator
    periods = data.periods(subgroup)
    labels = [label for label, _year in periods]
    series: list[tuple[str, list[tuple[str, Decimal | None]]]] = []
    cells: list[tuple[str, list[Point | None]]] = []
    withheld: list[Withheld] = []
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
            Withheld(line.label, label, points[label].status, points[label].symbol)
            for label in labels
            if label in points and not points[label].has_value
        )
    target_label = None
    target = target_points(periods, targets)
    if target is not None:
        target_label = target[0]
        series.append(target)
    table = charts.series_table(series)
    values = [value for _label, points in series for _x, value in points if value is not None]
    svg = None
    if values and any(
        value is not None for _label, points in series[: len(cells)] for _x, value in points
    ):
        y_min, y_max = _y_range(values, indicator.unit_of_measure)
        name = title or indicator.name
        description = _(
            "Linjediagram over %(indicator)s (%(subgroup)s) per periode for %(lines)s. "
            "Tallene står i tabellen under diagrammet."
        ) % {
            "indicator": indicator.name,
            "subgroup": subgroup_label(subgroup),
            "lines": ", ".join(label for label, _points in series),
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
        )
        if withheld:
            svg = _mark_withheld(svg, labels, [label for label, _p in series], withheld)
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


_X_LABELS = re.compile(r'<g fill="[^"]*" class="x-labels">(.*?)</g>', re.S)
_LABEL_X = re.compile(r'<text x="([-\d.]+)" y="([-\d.]+)"')


def _mark_withheld(
    svg: SafeString, labels: list[str], series_labels: list[str], withheld: list[Withheld]
) -> SafeString:
    """Hollow markers above the x axis under each withheld period, in the series' colour,
    each titled with what it stands for. Positions are read from the chart's own x
    labels, so they stay right whatever the chart's layout."""
    found = _X_LABELS.search(svg)
    if found is None:
        return svg
    positions = [(float(x), float(y)) for x, y in _LABEL_X.findall(found.group(1))]
    if len(positions) != len(labels):
        return svg
    x_of = {label: x for label, (x, _y) in zip(labels, positions, strict=True)}
    # The x labels stand 20 units under the plot's bottom edge.
    bottom = positions[0][1] - 20
    parts = ['<g class="withheld">']
    for item in withheld:
        index = series_labels.index(item.series)
        colour = charts.COLOURS[index % len(charts.COLOURS)]
        y = bottom - _MARK_OFFSET - _MARK_STEP * index
        parts.append(
            f'<circle class="withheld-point" data-x="{escape(item.period_label)}" '
            f'data-series="{escape(item.series)}" data-status="{escape(item.status)}" '
            f'cx="{_coordinate(x_of[item.period_label])}" cy="{_coordinate(y)}" r="4.5" '
            f'fill="#ffffff" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(item.text)}</title></circle>"
        )
    parts.append("</g>")
    marked = svg.replace('<g class="legend"', "".join(parts) + '<g class="legend"', 1)
    return mark_safe(marked)  # noqa: S308 - the inserted texts are escaped above


def _coordinate(value: float) -> str:
    """At most two decimals, as the rest of the chart writes its coordinates."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
