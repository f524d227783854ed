"""The annual wheel (årshjul): the school year as a ring of twelve months, August at the top
and running clockwise, each month showing how many dated things it holds. Drawn on the
server as SVG in the style of the framework wheel (``plans/wheel.py``).

Each month is a link to its section of the list below the drawing, so Tab moves from
month to month and Enter jumps to what happens then; the list is the text alternative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.schoolyear import MONTHS_IN_ORDER, SchoolYear
from plans.wheel import CENTRE_FILL, CENTRE_TEXT, FILLS, LABEL_COLOUR, annular_sector

SIZE = 400
CENTRE = SIZE / 2
OUTER_RADIUS = 195
INNER_RADIUS = 92
GAP_DEGREES = 1.2
SPAN = 360 / len(MONTHS_IN_ORDER)

# Months with something in them take the framework wheel's dark fills (white labels at
# 7:1 or more); empty months are pale with dark labels, so a glance finds the busy ones
# while the count in each segment says the same in words.
EMPTY_FILL = "#eef1f5"
EMPTY_LABEL = "#1b1b1b"


def _point(radius: float, degrees: float) -> tuple[float, float]:
    """A point on a circle around the centre; 0° is straight up, angles run clockwise."""
    radians = math.radians(degrees - 90)
    return CENTRE + radius * math.cos(radians), CENTRE + radius * math.sin(radians)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def month_colours(index: int, count: int) -> tuple[str, str]:
    """(fill, label colour) of the ``index``-th month of the wheel holding ``count``."""
    if count:
        return FILLS[index % len(FILLS)], LABEL_COLOUR
    return EMPTY_FILL, EMPTY_LABEL


def events_label(count: int) -> str:
    return ngettext("%(count)s hendelse", "%(count)s hendelser", count) % {"count": count}


def _anchor(month: int) -> str:
    return f"#maned-{month}"


def annual_wheel_svg(
    *,
    school_year: int,
    counts: Mapping[int, int],
    title: str,
    centre_label: str,
    href_for: Callable[[int], str] = _anchor,
    element_id: str = "arshjul",
) -> SafeString:
    """The wheel as inline SVG markup: a ``role="group"`` titled by ``title`` holding one
    link per month. ``counts`` maps month numbers (1–12) to how many entries each has."""
    title_id = f"{element_id}-title"
    desc_id = f"{element_id}-desc"
    parts: list[str] = [
        format_html(
            '<svg class="annual-wheel" id="{}" viewBox="0 0 {} {}" role="group" '
            'aria-labelledby="{}" aria-describedby="{}" xmlns="http://www.w3.org/2000/svg">',
            element_id,
            SIZE,
            SIZE,
            title_id,
            desc_id,
        ),
        format_html('<title id="{}">{}</title>', title_id, title),
        format_html(
            '<desc id="{}">{}</desc>',
            desc_id,
            _(
                "Årets tolv måneder med august øverst og videre med klokka. Hver måned viser "
                "antall hendelser og er en lenke til månedens hendelser i listen."
            ),
        ),
    ]
    label_radius = (OUTER_RADIUS + INNER_RADIUS) / 2
    for index, month in enumerate(MONTHS_IN_ORDER):
        count = counts.get(month, 0)
        year = SchoolYear(school_year).first_of(month).year
        start = index * SPAN + GAP_DEGREES / 2
        end = (index + 1) * SPAN - GAP_DEGREES / 2
        x, y = _point(label_radius, (start + end) / 2)
        fill, colour = month_colours(index, count)
        # The name starts with the text the segment shows («sep. 1 hendelse»), so speech
        # input users can say what they see (WCAG 2.5.3), then says month and year in full.
        label = _("%(short)s %(events)s – %(month)s %(year)s") % {
            "short": MONTHS_3[month],
            "events": events_label(count),
            "month": MONTHS[month],
            "year": year,
        }
        parts.append(
            format_html(
                '<a href="{}" aria-label="{}" class="annual-wheel-segment{}" data-month="{}">'
                '<path d="{}" fill="{}"></path>'
                '<text class="annual-wheel-label" text-anchor="middle" fill="{}">'
                '<tspan x="{}" y="{}" font-size="13">{}</tspan> '
                '<tspan x="{}" y="{}" font-size="20" class="annual-wheel-count">{}</tspan>'
                "</text></a>",
                href_for(month),
                label,
                "" if count else " annual-wheel-segment--empty",
                month,
                annular_sector(start, end, OUTER_RADIUS, INNER_RADIUS),
                fill,
                colour,
                _fmt(x),
                _fmt(y - 6),
                str(MONTHS_3[month]),
                _fmt(x),
                _fmt(y + 14),
                count,
            )
        )
    total = sum(counts.get(month, 0) for month in MONTHS_IN_ORDER)
    parts.append(
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}"></circle>'
            '<text class="annual-wheel-centre" text-anchor="middle" fill="{}">'
            '<tspan x="{}" y="{}" font-size="24" font-weight="700">{}</tspan> '
            '<tspan x="{}" y="{}" font-size="13">{}</tspan></text>',
            _fmt(CENTRE),
            _fmt(CENTRE),
            _fmt(INNER_RADIUS - 4),
            CENTRE_FILL,
            CENTRE_TEXT,
            _fmt(CENTRE),
            _fmt(CENTRE - 4),
            centre_label,
            _fmt(CENTRE),
            _fmt(CENTRE + 18),
            events_label(total),
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 — parts are escaped
