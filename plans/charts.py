"""The portal's one chart module: pure functions that return inline SVG markup.

The same markup serves the pages and the PDF reports, so it carries no script, no ``style``
attributes (the Content-Security-Policy forbids them) and no classes it depends on: every
colour, stroke and dash is a presentation attribute. The SVG scales to the width of its
container through a fixed ``viewBox`` and inherits the page's font.

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``;
series differ by colour *and* by marker shape and dash pattern, and a missing value is
drawn as a gap (line) or as "ikke vurdert" (bar), never as zero. Pages put a data table
beside each chart as its text alternative (``series_table`` gives the rows).

Everything a chart shows comes in as an argument — a target line, hollow markers for
values a source withheld — and is drawn here, in one pass: no caller edits the markup.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | float | Decimal
Point = tuple[str, Number | None]
Series = tuple[str, Sequence[Point]]

# Okabe–Ito: told apart by people with the common colour-vision deficiencies, and each
# series also has its own marker and dash, so colour never carries meaning alone.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#7A5A00", "#3B3B98", "#000000")
DASHES = ("", "8 4", "2 4", "10 4 2 4", "4 4", "12 3 3 3 3 3", "1 3")
MARKERS = ("circle", "square", "triangle", "diamond", "triangle-down", "cross", "plus")

TEXT = "#212529"
AXIS = "#495057"
GRID = "#dee2e6"
BAR = "#0b5394"
REFERENCE = "#212529"
# A white outline behind value labels keeps them readable where a reference line crosses.
HALO = ' stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke"'

WIDTH = 720
FONT_SIZE = 13
# Withheld points' hollow markers stand this far above the x axis, one row per series.
_WITHHELD_OFFSET = 9
_WITHHELD_STEP = 11


@dataclass(frozen=True)
class Withheld:
    """A point a series has no value for (suppressed, missing, not computable): drawn as a
    hollow marker above the x axis in the series' colour, titled with ``text``."""

    series: str
    x_label: str
    status: str
    text: str


@dataclass(frozen=True)
class SeriesTable:
    """A line chart's data as rows of a table: one row per series, one column per x."""

    columns: list[str]
    rows: list[tuple[str, list[Number | None]]]


def format_value(value: Number | None, decimals: int = 1) -> str:
    """A value as the pages write it (decimal comma in Norwegian), or "ikke vurdert"."""
    if value is None:
        return str(_("ikke vurdert"))
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number_format(rounded, decimal_pos=decimals, use_l10n=True)


def series_table(series: Sequence[Series]) -> SeriesTable:
    """The line chart's data for a visible table: x labels in order of first appearance,
    each series' value per x label (None where it has none)."""
    columns = _x_labels(series)
    rows = []
    for label, points in series:
        values = dict(points)
        rows.append((label, [values.get(column) for column in columns]))
    return SeriesTable(columns=columns, rows=rows)


def line_chart(
    *,
    title: str,
    series: Sequence[Series],
    y_min: Number,
    y_max: Number,
    y_label: str,
    description: str,
    decimals: int = 1,
    chart_id: str | None = None,
    target: Series | None = None,
    withheld: Sequence[Withheld] = (),
) -> SafeString:
    """A line chart of one or more series over shared x labels (e.g. dates).

    ``series`` is ``[(label, [(x_label, value or None), …]), …]``. A None value leaves a
    gap in the line. Each series has its own colour, dash pattern and marker shape; every
    point carries a ``<title>`` with its series, x label and value. ``target`` is a line
    drawn after the series, in the next style, and named in the legend. ``withheld``
    marks the gaps a source explains; one that names a series or an x label the chart
    does not have is an error, never left out."""
    if y_max <= y_min:
        raise ValueError("y_max must be greater than y_min")
    chart_id = chart_id or _new_id()
    series = [*series, target] if target is not None else list(series)
    # The axis ends on gridlines: a target (or value) above the highest tick, or below the
    # lowest, would otherwise float over the grid with no number to read it against.
    values = [value for _label, points in series for _x, value in points if value is not None]
    y_min, y_max, ticks = axis_scale(min([y_min, *values]), max([y_max, *values]))
    x_labels = _x_labels(series)
    series_labels = [label for label, _points in series]
    for item in withheld:
        if item.series not in series_labels or item.x_label not in x_labels:
            raise ValueError(f"withheld point {item.series!r}, {item.x_label!r} is not charted")
    left, right, top, plot_h = 72, 24, 20, 240
    plot_w = WIDTH - left - right
    rotate = len(x_labels) > 6
    x_axis_h = 70 if rotate else 44
    legend_top = top + plot_h + x_axis_h
    legend_h = 24 * len(series) + 8
    height = legend_top + legend_h

    def x_at(index: int) -> float:
        if len(x_labels) <= 1:
            return left + plot_w / 2
        inset = 28
        return left + inset + index * (plot_w - 2 * inset) / (len(x_labels) - 1)

    def y_at(value: Number) -> float:
        share = (float(value) - float(y_min)) / (float(y_max) - float(y_min))
        return top + plot_h - share * plot_h

    parts = [_open_svg(chart_id, height, title, description)]
    # Grid and y axis.
    parts.append(f'<g class="grid" stroke="{GRID}" stroke-width="1">')
    for tick in ticks:
        y = _n(y_at(tick))
        parts.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}"/>')
    parts.append("</g>")
    parts.append(f'<g fill="{TEXT}" text-anchor="end">')
    for tick in ticks:
        parts.append(
            f'<text x="{left - 8}" y="{_n(y_at(tick) + 4)}">'
            f"{escape(format_value(tick, 0 if float(tick).is_integer() else 1))}</text>"
        )
    parts.append("</g>")
    mid_y = _n(top + plot_h / 2)
    parts.append(
        f'<text x="16" y="{mid_y}" fill="{TEXT}" text-anchor="middle" '
        f'transform="rotate(-90 16 {mid_y})">{escape(y_label)}</text>'
    )
    parts.append(
        f'<g stroke="{AXIS}" stroke-width="1.5">'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>'
        "</g>"
    )
    # X labels.
    parts.append(f'<g fill="{TEXT}" class="x-labels">')
    base = top + plot_h + 20
    for index, x_label in enumerate(x_labels):
        x = _n(x_at(index))
        if rotate:
            parts.append(
                f'<text x="{x}" y="{base}" text-anchor="end" '
                f'transform="rotate(-35 {x} {base})">{escape(x_label)}</text>'
            )
        else:
            parts.append(f'<text x="{x}" y="{base}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append("</g>")
    # Series.
    position = {x_label: index for index, x_label in enumerate(x_labels)}
    for number, (label, points) in enumerate(series):
        colour, dash, marker = _style(number)
        parts.append(f'<g class="series" data-series="{escape(label)}">')
        for segment in _segments(points):
            coordinates = " ".join(
                f"{_n(x_at(position[x_label]))},{_n(y_at(value))}" for x_label, value in segment
            )
            if len(segment) > 1:
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" stroke="{colour}" '
                    f'stroke-width="2.5"{_dash_attr(dash)}/>'
                )
        for x_label, value in points:
            if value is None:
                continue
            point_x, point_y = x_at(position[x_label]), y_at(value)
            parts.append(
                f'<path class="point" data-x="{escape(x_label)}" '
                f'data-value="{escape(str(value))}" '
                f'd="{_marker_path(marker, point_x, point_y, 5)}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(label)}, {escape(x_label)}: "
                f"{escape(format_value(value, decimals))}</title></path>"
            )
        parts.append("</g>")
    if withheld:
        # Hollow markers, one row per series, just above the x axis: a gap explained.
        bottom = top + plot_h
        parts.append('<g class="withheld">')
        for item in withheld:
            index = series_labels.index(item.series)
            colour = COLOURS[index % len(COLOURS)]
            parts.append(
                f'<circle class="withheld-point" data-x="{escape(item.x_label)}" '
                f'data-series="{escape(item.series)}" data-status="{escape(item.status)}" '
                f'cx="{_n(x_at(position[item.x_label]))}" '
                f'cy="{_n(bottom - _WITHHELD_OFFSET - _WITHHELD_STEP * index)}" r="4.5" '
                f'fill="#ffffff" stroke="{colour}" stroke-width="2">'
                f"<title>{escape(item.text)}</title></circle>"
            )
        parts.append("</g>")
    # Legend: the sample line shows the dash, the marker the shape.
    parts.append(f'<g class="legend" fill="{TEXT}">')
    for number, (label, _points) in enumerate(series):
        colour, dash, marker = _style(number)
        row_y = legend_top + 12 + 24 * number
        parts.append(
            f'<line x1="{left}" y1="{row_y}" x2="{left + 40}" y2="{row_y}" stroke="{colour}" '
            f'stroke-width="2.5"{_dash_attr(dash)}/>'
            f'<path d="{_marker_path(marker, left + 20, row_y, 5)}" fill="{colour}" '
            f'stroke="#ffffff" stroke-width="1"/>'
            f'<text x="{left + 50}" y="{row_y + 4}">{escape(label)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def bar_chart(
    *,
    title: str,
    bars: Sequence[tuple[str, Number | None]],
    max_value: Number,
    description: str,
    reference: tuple[str, Number] | None = None,
    decimals: int = 1,
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars from zero to ``max_value``, one per ``(label, value or None)``.

    A None value is written as "ikke vurdert" where its bar would be, not drawn as zero.
    ``reference`` (label, value), e.g. the sector's average, is a dashed vertical line
    named in the chart."""
    if max_value <= 0:
        raise ValueError("max_value must be positive")
    chart_id = chart_id or _new_id()
    longest = max((len(label) for label, _value in bars), default=10)
    label_w = min(max(longest * 7.4 + 16, 120), 300)
    max_chars = int((label_w - 16) / 7.4)
    left, right = label_w, 72
    top = 40 if reference else 16
    bar_h, gap = 22, 10
    plot_w = WIDTH - left - right
    plot_h = len(bars) * (bar_h + gap) + gap
    height = top + plot_h + 40

    def x_at(value: Number) -> float:
        return left + float(value) / float(max_value) * plot_w

    parts = [_open_svg(chart_id, height, title, description)]
    ticks = _ticks(0, max_value)
    parts.append(f'<g class="grid" stroke="{GRID}" stroke-width="1">')
    for tick in ticks:
        x = _n(x_at(tick))
        parts.append(f'<line x1="{x}" y1="{top}" x2="{x}" y2="{top + plot_h}"/>')
    parts.append("</g>")
    parts.append(f'<g fill="{TEXT}" text-anchor="middle">')
    for tick in ticks:
        parts.append(
            f'<text x="{_n(x_at(tick))}" y="{top + plot_h + 20}">'
            f"{escape(format_value(tick, 0 if float(tick).is_integer() else 1))}</text>"
        )
    parts.append("</g>")
    # Behind the bars' value labels, whose white outline keeps them readable.
    if reference is not None:
        ref_label, ref_value = reference
        x = _n(x_at(ref_value))
        parts.append(
            f'<g class="reference" data-value="{_attr(ref_value)}">'
            f'<line x1="{x}" y1="{top - 6}" x2="{x}" y2="{top + plot_h}" stroke="{REFERENCE}" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{x}" y="{top - 12}" fill="{TEXT}" text-anchor="middle">'
            f"{escape(ref_label)}: {escape(format_value(ref_value, decimals))}</text></g>"
        )
    for index, (label, value) in enumerate(bars):
        y = top + gap + index * (bar_h + gap)
        mid = _n(y + bar_h / 2 + 4)
        shown = label if len(label) <= max_chars else label[: max_chars - 1] + "…"
        parts.append(f'<g class="bar" data-label="{escape(label)}" data-value="{_attr(value)}">')
        parts.append(
            f"<title>{escape(label)}: {escape(format_value(value, decimals))}</title>"
            f'<text x="{_n(left - 8)}" y="{mid}" fill="{TEXT}" text-anchor="end">'
            f"{escape(shown)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{_n(left + 8)}" y="{mid}" fill="{TEXT}" font-style="italic"{HALO}>'
                f"{escape(_('ikke vurdert'))}</text>"
            )
        else:
            width = max(x_at(value) - left, 0)
            parts.append(
                f'<rect x="{_n(left)}" y="{y}" width="{_n(width)}" height="{bar_h}" '
                f'fill="{BAR}"/>'
                f'<text x="{_n(left + width + 6)}" y="{mid}" fill="{TEXT}"{HALO}>'
                f"{escape(format_value(value, decimals))}</text>"
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{_n(left)}" y1="{top}" x2="{_n(left)}" y2="{top + plot_h}" '
        f'stroke="{AXIS}" stroke-width="1.5"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


# --- helpers ------------------------------------------------------------------------------


def _new_id() -> str:
    return f"chart-{uuid.uuid4().hex[:10]}"


def _open_svg(chart_id: str, height: float, title: str, description: str) -> str:
    chart_id = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id="{chart_id}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="inherit" '
        f'font-size="{FONT_SIZE}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )


def _x_labels(series: Sequence[Series]) -> list[str]:
    labels: list[str] = []
    for _label, points in series:
        for x_label, _value in points:
            if x_label not in labels:
                labels.append(x_label)
    return labels


def _segments(points: Sequence[Point]) -> list[list[tuple[str, Number]]]:
    """Runs of consecutive points with a value; a None ends a run (a gap in the line)."""
    runs: list[list[tuple[str, Number]]] = [[]]
    for x_label, value in points:
        if value is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((x_label, value))
    return [run for run in runs if run]


def axis_scale(low: Number, high: Number) -> tuple[Number, Number, list[Number]]:
    """The axis bounds and gridlines for values from ``low`` to ``high``: both bounds are
    moved out to whole steps of 1, 2, 2.5 or 5 times a power of ten, so the highest and
    lowest gridline carry a round number and nothing is drawn beyond them (data up to 47
    with a target of 62 on an axis from 0 gives 0–70 in tens). Bounds that already lie on
    such steps (a 1–4 score) are kept. Returns ``(low, high, ticks)``.

    At most five intervals, as the charts always had, unless that leaves more than one
    finer step of empty room above or below the data; then up to seven finer ones."""
    low_f, high_f = float(low), float(high)
    if high_f < low_f:
        raise ValueError("high must not be below low")
    if high_f == low_f:
        high_f = low_f + (abs(low_f) or 1.0)
    coarse = _round_out(low_f, high_f, 5)
    fine = _round_out(low_f, high_f, 7)
    waste = (low_f - coarse[0]) + (coarse[1] - high_f)
    start, end, step = fine if waste > fine[2] + 1e-9 else coarse
    ticks: list[Number] = []
    for index in range(round((end - start) / step) + 1):
        value = round(float(start + index * step), 9)
        ticks.append(int(value) if value.is_integer() else value)
    return ticks[0], ticks[-1], ticks


def _round_out(low: float, high: float, max_intervals: int) -> tuple[float, float, float]:
    """The smallest round step with at most ``max_intervals`` whole steps covering
    ``low``–``high``, and the bounds rounded out to it."""
    magnitude = 10 ** math.floor(math.log10((high - low) / max_intervals))
    for multiple in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = multiple * magnitude
        start = math.floor(round(low / step, 9)) * step
        end = math.ceil(round(high / step, 9)) * step
        if round((end - start) / step) <= max_intervals:
            return start, end, step
    raise AssertionError("a step of 100 magnitudes always fits")  # pragma: no cover


def _ticks(low: Number, high: Number) -> list[Number]:
    """At most about six gridlines: a step of 1, 2, 2.5 or 5 times a power of ten, so kroner
    in the hundred thousands get as few lines as percentages do."""
    span = float(high) - float(low)
    step: float = 1
    if span > 0:
        magnitude = 10 ** math.floor(math.log10(span / 5))
        for multiple in (1, 2, 2.5, 5, 10):
            step = multiple * magnitude
            if span / step <= 5:
                break
    ticks: list[Number] = []
    index = 0
    while (value := round(float(low) + index * step, 6)) <= float(high) + 1e-9:
        ticks.append(int(value) if value.is_integer() else value)
        index += 1
    return ticks


def _style(number: int) -> tuple[str, str, str]:
    return (
        COLOURS[number % len(COLOURS)],
        DASHES[number % len(DASHES)],
        MARKERS[number % len(MARKERS)],
    )


def _dash_attr(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


# Marker outlines as vertices around the centre, in units of the marker's radius.
_POLYGONS: dict[str, tuple[tuple[float, float], ...]] = {
    "square": ((-1, -1), (1, -1), (1, 1), (-1, 1)),
    "triangle": ((0, -1.25), (1.15, 0.85), (-1.15, 0.85)),
    "diamond": ((0, -1.35), (1.35, 0), (0, 1.35), (-1.35, 0)),
    "triangle-down": ((0, 1.25), (1.15, -0.85), (-1.15, -0.85)),
    "cross": (
        (-1, -0.5),
        (-0.5, -1),
        (0, -0.5),
        (0.5, -1),
        (1, -0.5),
        (0.5, 0),
        (1, 0.5),
        (0.5, 1),
        (0, 0.5),
        (-0.5, 1),
        (-1, 0.5),
        (-0.5, 0),
    ),
    "plus": (
        (-0.4, -1),
        (0.4, -1),
        (0.4, -0.4),
        (1, -0.4),
        (1, 0.4),
        (0.4, 0.4),
        (0.4, 1),
        (-0.4, 1),
        (-0.4, 0.4),
        (-1, 0.4),
        (-1, -0.4),
        (-0.4, -0.4),
    ),
}


def _marker_path(shape: str, x: float, y: float, r: float) -> str:
    """A marker centred on (x, y); every path starts with ``M x y`` at the centre, so the
    point a marker stands for can be read back from its markup."""
    start = f"M{_n(x)} {_n(y)}"
    if shape == "circle":
        arc = f"a{_n(r)} {_n(r)} 0 1 0"
        return f"{start}m{_n(-r)} 0{arc} {_n(2 * r)} 0{arc} {_n(-2 * r)} 0z"
    (dx, dy), *rest = _POLYGONS[shape]
    corners = "".join(f"L{_n(x + vx * r)} {_n(y + vy * r)}" for vx, vy in rest)
    return f"{start}m{_n(dx * r)} {_n(dy * r)}{corners}z"


def _n(value: float) -> str:
    """A coordinate with at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"


def _attr(value: Number | None) -> str:
    return "" if value is None else escape(str(value))
