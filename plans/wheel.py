"""The framework wheel: the plan's purpose in the centre and one segment per development
area around it, drawn on the server as SVG.

Each segment is a link, so Tab moves from area to area and Enter opens one; the page puts
a text alternative (the areas as an ordered list) beside the drawing.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

SIZE = 400
CENTRE = SIZE / 2
OUTER_RADIUS = 195
INNER_RADIUS = 82
GAP_DEGREES = 1.2

# Dark fills, each at least 7:1 against the white label text (WCAG AAA for small text),
# and neighbours differ in hue so the segments stay apart; meaning is in the labels.
FILLS = (
    "#1f4e79",  # blue
    "#8a3a0f",  # rust
    "#1e5e3b",  # green
    "#5b2a86",  # purple
    "#7a1f35",  # wine
    "#0b5563",  # teal
    "#5c4b00",  # olive
    "#3b4452",  # slate
)
LABEL_COLOUR = "#ffffff"
CENTRE_FILL = "#f3f6fa"
CENTRE_TEXT = "#1b1b1b"


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Segment:
    """One area on the wheel."""

    name: str
    goal: str
    href: str


def _point(radius: float, degrees: float) -> tuple[float, float]:
    """A point on a circle around the centre; 0° is straight up, angles run clockwise."""
    radians = math.radians(degrees - 90)
    return CENTRE + radius * math.cos(radians), CENTRE + radius * math.sin(radians)


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def annular_sector(start: float, end: float, outer: float, inner: float) -> str:
    """The SVG path of a ring segment from ``start`` to ``end`` degrees."""
    large = 1 if end - start > 180 else 0
    ox1, oy1 = _point(outer, start)
    ox2, oy2 = _point(outer, end)
    ix2, iy2 = _point(inner, end)
    ix1, iy1 = _point(inner, start)
    f = _fmt
    return (
        f"M {f(ox1)} {f(oy1)} "
        f"A {f(outer)} {f(outer)} 0 {large} 1 {f(ox2)} {f(oy2)} "
        f"L {f(ix2)} {f(iy2)} "
        f"A {f(inner)} {f(inner)} 0 {large} 0 {f(ix1)} {f(iy1)} Z"
    )


def _wrap(text: str, width: int, max_lines: int) -> list[str]:
    # Words are not broken: the font shrinks to fit a long word instead.
    lines = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(" ,.;:") + "…"
    return lines


def _text_block(
    lines: Sequence[str], x: float, y: float, *, size: float, colour: str, css: str
) -> SafeString:
    """Centred lines of text, the block's middle at (x, y)."""
    line_height = size * 1.2
    first = y - line_height * (len(lines) - 1) / 2
    # The space between lines keeps the words apart in the text a screen reader (and the
    # link's accessible name check) reads out of the tspans.
    tspans = format_html_join(
        " ",
        '<tspan x="{}" y="{}">{}</tspan>',
        ((_fmt(x), _fmt(first + i * line_height), line) for i, line in enumerate(lines)),
    )
    return format_html(
        '<text class="{}" text-anchor="middle" dominant-baseline="middle" '
        'font-size="{}" fill="{}">{}</text>',
        css,
        _fmt(size),
        colour,
        tspans,
    )


def wheel_svg(
    *, purpose: str, segments: Sequence[Segment], title: str, element_id: str = "wheel"
) -> SafeString:
    """The wheel as inline SVG markup (a ``role="group"`` of links, with a title)."""
    count = len(segments)
    title_id = f"{element_id}-title"
    desc_id = f"{element_id}-desc"
    parts: list[str] = [
        format_html(
            '<svg class="wheel" id="{}" viewBox="0 0 {} {}" role="group" '
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
            _("Formålet står i midten, utviklingsområdene rundt. Hvert område er en lenke."),
        ),
    ]
    if count:
        span = 360 / count
        # Narrow segments get narrower labels.
        label_radius = (OUTER_RADIUS + INNER_RADIUS) / 2
        arc = math.radians(span) * label_radius
        width = max(8, min(14, int(arc / 7.5)))
        # The widest line must fit between the segment's edges: shrink the type for long
        # words (Norwegian compounds) rather than clip them. Bold type is ~0.62 em a char.
        max_label_px = min(arc * 0.8, 118)
        base_font = 13 if count <= 6 else 11
        for index, segment in enumerate(segments):
            start = index * span + GAP_DEGREES / 2
            end = (index + 1) * span - GAP_DEGREES / 2
            path = annular_sector(start, end, OUTER_RADIUS, INNER_RADIUS)
            x, y = _point(label_radius, (start + end) / 2)
            if count == 1:
                # One area fills the whole ring: put its label at the top.
                x, y = _point(label_radius, 0)
            label = (
                _("%(name)s. Mål: %(goal)s") % {"name": segment.name, "goal": segment.goal}
                if segment.goal
                else segment.name
            )
            parts.append(
                format_html(
                    '<a href="{}" aria-label="{}" class="wheel-segment">'
                    '<path d="{}" fill="{}"></path>{}</a>',
                    segment.href,
                    label,
                    path,
                    FILLS[index % len(FILLS)],
                    _text_block(
                        (lines := _wrap(segment.name, width, 5)),
                        x,
                        y,
                        size=max(
                            9.0,
                            min(base_font, max_label_px / (0.62 * max(map(len, lines)))),
                        ),
                        colour=LABEL_COLOUR,
                        css="wheel-label",
                    ),
                )
            )
    parts.append(
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="{}"></circle>',
            _fmt(CENTRE),
            _fmt(CENTRE),
            _fmt(INNER_RADIUS - 4),
            CENTRE_FILL,
        )
    )
    parts.append(
        _text_block(
            _wrap(purpose, 20, 7),
            CENTRE,
            CENTRE,
            size=10.5,
            colour=CENTRE_TEXT,
            css="wheel-purpose",
        )
    )
    parts.append(mark_safe("</svg>"))
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 — parts are escaped


def framework_wheel(
    plan, areas: Sequence, href_for: Callable[[object], str], element_id: str = "wheel"
) -> SafeString:
    """The wheel for a plan's areas."""
    return wheel_svg(
        purpose=plan.purpose or plan.title,
        segments=[Segment(area.name, area.goal, href_for(area)) for area in areas],
        title=_("Rammeverket i %(plan)s") % {"plan": plan.title},
        element_id=element_id,
    )
