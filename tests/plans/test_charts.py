"""The SVG charts read back as XML: points and bars stand where their values say, missing
values are gaps or "ikke vurdert", and the markup is accessible and CSP-safe."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from plans.charts import COLOURS, Withheld, axis_scale, bar_chart, line_chart, series_table

NS = {"svg": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def bokmal():
    with translation.override("nb"):
        yield


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def points_of(polyline: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in polyline.get("points").split()]


def centre_of(path: ET.Element) -> tuple[float, float]:
    x, y = re.match(r"M([-\d.]+) ([-\d.]+)", path.get("d")).groups()
    return float(x), float(y)


def plot_scale(svg: ET.Element, low: float, high: float):
    """Maps a value to its y through the chart's own grid lines (lowest and highest)."""
    grid = svg.findall("svg:g[@class='grid']/svg:line", NS)
    ys = [float(line.get("y1")) for line in grid]
    bottom, top = max(ys), min(ys)
    return lambda value: bottom - (value - low) / (high - low) * (bottom - top)


SERIES = [
    ("Inkluderende miljø", [("01.02.2024", 2), ("01.02.2025", 3.5), ("01.02.2026", 4)]),
    ("Tidlig innsats", [("01.02.2024", 1.5), ("01.02.2025", None), ("01.02.2026", 3)]),
]


def test_line_chart_points_stand_at_their_values():
    svg = parse(
        line_chart(
            title="Utvikling",
            series=SERIES,
            y_min=1,
            y_max=4,
            y_label="Snitt",
            description="To områder over tre år.",
        )
    )
    y_of = plot_scale(svg, 1, 4)
    groups = svg.findall("svg:g[@class='series']", NS)
    assert [group.get("data-series") for group in groups] == [
        "Inkluderende miljø",
        "Tidlig innsats",
    ]
    first_line = groups[0].find("svg:polyline", NS)
    assert [y for _x, y in points_of(first_line)] == pytest.approx([y_of(2), y_of(3.5), y_of(4)])
    xs = [x for x, _y in points_of(first_line)]
    assert xs == sorted(xs)
    assert len(set(xs)) == 3

    markers = groups[0].findall("svg:path[@class='point']", NS)
    assert [centre_of(marker)[1] for marker in markers] == pytest.approx(
        [y_of(2), y_of(3.5), y_of(4)]
    )
    assert [marker.get("data-value") for marker in markers] == ["2", "3.5", "4"]


def test_line_chart_leaves_a_gap_for_a_missing_value():
    svg = parse(
        line_chart(
            title="Utvikling", series=SERIES, y_min=1, y_max=4, y_label="Snitt", description="d"
        )
    )
    second = svg.findall("svg:g[@class='series']", NS)[1]
    # Two lone points around the gap: no line joins them, and no point is drawn at 1 or 0.
    assert second.findall("svg:polyline", NS) == []
    markers = second.findall("svg:path[@class='point']", NS)
    assert [marker.get("data-x") for marker in markers] == ["01.02.2024", "01.02.2026"]


def _gap_chart(**kwargs):
    return line_chart(
        title="Utvikling",
        series=SERIES,
        y_min=1,
        y_max=4,
        y_label="Snitt",
        description="d",
        **kwargs,
    )


def test_a_withheld_point_is_a_hollow_marker_under_its_period_in_its_series_colour():
    gap = Withheld("Tidlig innsats", "01.02.2025", "skjult", "Tidlig innsats, 2025: skjult")
    svg = parse(_gap_chart(withheld=[gap]))
    (marker,) = svg.findall("svg:g[@class='withheld']/svg:circle", NS)
    x_label = next(
        text
        for text in svg.findall("svg:g[@class='x-labels']/svg:text", NS)
        if text.text == "01.02.2025"
    )
    assert float(marker.get("cx")) == float(x_label.get("x"))
    # Inside the plot, just above the x axis (the grid's lowest line), never at a value.
    axis = max(float(line.get("y1")) for line in svg.findall("svg:g[@class='grid']/svg:line", NS))
    assert axis - 30 < float(marker.get("cy")) < axis
    assert marker.get("fill") == "#ffffff"
    assert marker.get("stroke") == COLOURS[1]
    assert marker.get("data-status") == "skjult"
    assert marker.find("svg:title", NS).text == "Tidlig innsats, 2025: skjult"


def test_a_withheld_point_the_chart_does_not_have_is_an_error_not_left_out():
    with pytest.raises(ValueError, match="not charted"):
        _gap_chart(withheld=[Withheld("Tidlig innsats", "01.02.2099", "skjult", "t")])
    with pytest.raises(ValueError, match="not charted"):
        _gap_chart(withheld=[Withheld("Et annet område", "01.02.2025", "skjult", "t")])


def test_the_target_is_a_line_of_its_own_after_the_series():
    target = ("Mål", [("01.02.2024", 3), ("01.02.2026", 3.5)])
    svg = parse(_gap_chart(target=target))
    groups = svg.findall("svg:g[@class='series']", NS)
    assert [group.get("data-series") for group in groups][-1] == "Mål"
    assert groups[-1].find("svg:polyline", NS).get("stroke") == COLOURS[2]
    legend = svg.find("svg:g[@class='legend']", NS)
    assert [text.text for text in legend.findall("svg:text", NS)][-1] == "Mål"


def test_series_differ_by_more_than_colour():
    svg = parse(
        line_chart(
            title="Utvikling", series=SERIES, y_min=1, y_max=4, y_label="Snitt", description="d"
        )
    )
    legend = svg.find("svg:g[@class='legend']", NS)
    lines = legend.findall("svg:line", NS)
    marks = legend.findall("svg:path", NS)
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    # Circle (arcs) versus square (straight corners).
    assert ("a" in marks[0].get("d")) != ("a" in marks[1].get("d"))
    assert [text.text for text in legend.findall("svg:text", NS)] == [
        "Inkluderende miljø",
        "Tidlig innsats",
    ]


def test_chart_is_labelled_accessible_and_free_of_style_attributes():
    markup = str(
        line_chart(
            title="Snitt <over> tid",
            series=SERIES,
            y_min=1,
            y_max=4,
            y_label="Snitt",
            description="Beskrivelse & mer",
            chart_id="enhet-graf",
        )
    )
    svg = parse(markup)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "enhet-graf-title enhet-graf-desc"
    assert svg.find("svg:title", NS).text == "Snitt <over> tid"
    assert svg.find("svg:title", NS).get("id") == "enhet-graf-title"
    assert svg.find("svg:desc", NS).text == "Beskrivelse & mer"
    assert svg.get("width") == "100%"
    assert svg.get("viewBox").startswith("0 0 ")
    assert "style=" not in markup
    assert "<script" not in markup
    assert "&lt;over&gt;" in markup  # escaped, not markup


def test_two_charts_get_different_ids():
    one = parse(bar_chart(title="A", bars=[("x", 1)], max_value=4, description="d"))
    two = parse(bar_chart(title="A", bars=[("x", 1)], max_value=4, description="d"))
    assert one.get("id") != two.get("id")


def test_labels_and_values_are_escaped():
    markup = str(
        bar_chart(
            title="Enheter",
            bars=[('<script>alert("x")</script>', 2)],
            max_value=4,
            description="d",
        )
    )
    assert "<script>" not in markup
    bar = parse(markup).find("svg:g[@class='bar']", NS)
    assert bar.get("data-label") == '<script>alert("x")</script>'


def test_bar_widths_are_proportional_and_missing_is_not_zero():
    svg = parse(
        bar_chart(
            title="Inkluderende miljø",
            bars=[
                ("Solvik barneskole", Decimal("3.25")),
                ("Solbakken barnehage", None),
                ("SFO", 2),
            ],
            max_value=4,
            description="d",
            reference=("Snitt i sektoren", Decimal("2.63")),
        )
    )
    bars = svg.findall("svg:g[@class='bar']", NS)
    assert [bar.get("data-label") for bar in bars] == [
        "Solvik barneskole",
        "Solbakken barnehage",
        "SFO",
    ]
    school, kindergarten, sfo = bars
    school_width = float(school.find("svg:rect", NS).get("width"))
    sfo_width = float(sfo.find("svg:rect", NS).get("width"))
    assert school_width / sfo_width == pytest.approx(3.25 / 2, rel=1e-3)
    # No bar, not even a zero-width one, and the words instead.
    assert kindergarten.find("svg:rect", NS) is None
    texts = [text.text for text in kindergarten.findall("svg:text", NS)]
    assert "ikke vurdert" in texts
    # Values are written the Norwegian way next to the bars.
    assert "3,3" in [text.text for text in school.findall("svg:text", NS)]

    reference = svg.find("svg:g[@class='reference']", NS)
    line = reference.find("svg:line", NS)
    left = float(school.find("svg:rect", NS).get("x"))
    assert (float(line.get("x1")) - left) / school_width == pytest.approx(2.63 / 3.25, rel=1e-3)
    assert line.get("stroke-dasharray")
    assert reference.find("svg:text", NS).text == "Snitt i sektoren: 2,6"


def test_series_table_aligns_values_under_shared_dates():
    table = series_table(SERIES)
    assert table.columns == ["01.02.2024", "01.02.2025", "01.02.2026"]
    assert table.rows[1] == ("Tidlig innsats", [1.5, None, 3])


# --- The axis scale: round bounds that hold every value, target included -------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        # Data up to 47, target 62, axis from 0: up to 70 in tens, not a gap above 60.
        (0, 62, (0, 70, [0, 10, 20, 30, 40, 50, 60, 70])),
        # Bounds already on round steps stay as they are (the 1–4 self-assessment score).
        (1, 4, (1, 4, [1, 2, 3, 4])),
        (0, 100, (0, 100, [0, 20, 40, 60, 80, 100])),
        # A target under the lowest tick of an axis that does not start at 0 moves it down.
        (43, 65, (40, 65, [40, 45, 50, 55, 60, 65])),
        (12.3, 13.1, (12.2, 13.2, [12.2, 12.4, 12.6, 12.8, 13, 13.2])),
        (-3, 8, (-4, 8, [-4, -2, 0, 2, 4, 6, 8])),
        (0, 0.47, (0, 0.5, [0, 0.1, 0.2, 0.3, 0.4, 0.5])),
        (5, 5, (5, 10, [5, 6, 7, 8, 9, 10])),
    ],
)
def test_axis_scale_rounds_bounds_out_to_whole_steps(low, high, expected):
    assert axis_scale(low, high) == expected


def test_axis_scale_refuses_reversed_bounds():
    with pytest.raises(ValueError, match="high must not be below low"):
        axis_scale(5, 4)


def gridline_labels(svg: ET.Element) -> list[float]:
    texts = svg.findall("svg:g[@text-anchor='end']/svg:text", NS)
    return [float(text.text.replace(",", ".").replace("\xa0", "")) for text in texts]


def test_a_target_above_the_highest_tick_extends_the_axis_to_a_round_number():
    svg = parse(
        line_chart(
            title="Trivsel",
            series=[("Kommunen", [("2023", 40), ("2024", 47)])],
            target=("Målverdi", [("2023", None), ("2024", 62)]),
            y_min=0,
            y_max=62,
            y_label="Prosent",
            description="d",
        )
    )
    labels = gridline_labels(svg)
    assert labels[0] == 0
    assert labels[-1] == 70
    # The target's marker lies inside the grid, under the top line.
    grid_ys = [float(line.get("y1")) for line in svg.findall("svg:g[@class='grid']/svg:line", NS)]
    target = svg.findall("svg:g[@class='series']", NS)[-1].find("svg:path[@class='point']", NS)
    assert min(grid_ys) < centre_of(target)[1] < max(grid_ys)


def test_a_value_under_the_lowest_tick_moves_the_axis_down_to_a_round_number():
    svg = parse(
        line_chart(
            title="Poeng",
            series=[("Kommunen", [("2023", 44), ("2024", 47)])],
            target=("Målverdi", [("2023", None), ("2024", 41.5)]),
            y_min=44,
            y_max=47,
            y_label="Poeng",
            description="d",
        )
    )
    labels = gridline_labels(svg)
    assert labels[0] <= 41.5
    assert labels[0] == int(labels[0])
    assert labels[-1] >= 47
