"""Small counts in an aggregate shown to elected officials: below
``settings.SUPPRESSION_THRESHOLD`` a count of people is shown as «<5», never as its value,
and a total beside suppressed cells must not let one of them be worked out by subtraction.

The snapshot stores only what may be shown: a suppressed cell carries its text («<5»)
and no value, so neither the page, the PDF nor the JSON holds the real number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from django.conf import settings


class Cell(TypedDict):
    value: int | None
    text: str
    suppressed: bool


def threshold() -> int:
    return int(settings.SUPPRESSION_THRESHOLD)


def suppressed_text() -> str:
    return f"<{threshold()}"


def shown(value: int) -> Cell:
    return {"value": value, "text": str(value), "suppressed": False}


def hidden() -> Cell:
    return {"value": None, "text": suppressed_text(), "suppressed": True}


def is_small(value: int) -> bool:
    """1 … threshold-1 is small. Zero names nobody and is shown as it is."""
    return 0 < value < threshold()


def count_cell(value: int) -> Cell:
    return hidden() if is_small(value) else shown(value)


def suppress_column(values: Sequence[int], total: int | None = None) -> tuple[list[Cell], Cell]:
    """Cells for a column of counts and its total.

    Primary suppression hides every small count (and a small total). When the total is
    shown and exactly one cell is hidden, the total minus the shown cells would give it
    away, so the smallest other cell is hidden too (secondary suppression)."""
    total_value = sum(values) if total is None else total
    small = [is_small(value) for value in values]
    total_cell = count_cell(total_value)
    if not total_cell["suppressed"] and sum(small) == 1 and len(values) > 1:
        candidates = [index for index, is_hidden in enumerate(small) if not is_hidden]
        partner = min(candidates, key=lambda index: (values[index], index))
        small[partner] = True
    cells = [
        hidden() if is_hidden else shown(value)
        for value, is_hidden in zip(values, small, strict=True)
    ]
    return cells, total_cell
