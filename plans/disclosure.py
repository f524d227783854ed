"""The one statistics layer: every published count or average about people goes through
here, so the BTI statistics (page, status report), the competence evaluation (page, CSV,
XLSX, PDF, status report) and the self-assessment averages suppress by the same rules.

It lives in ``plans``, the lowest app, because every other app may import ``plans`` and
``plans`` imports none of them; this module imports nothing from any app.

The model (see docs/privacy.md):

* A **population** is a set of people or events (the BTI events of a municipality, the
  confirmed sign-ups to the competence activities of a school year). Each published
  cell counts the members of one population that fall in one group.
* The **grid** is fixed: one *total* per group (a school year, say) and one-way
  *breakdowns* of that total by a dimension (level, unit kind, age band; activity). Every
  table, export and report shows cells of this grid and nothing else, so a report's
  figures are the page's row for that school year and different cuts cannot be subtracted
  from each other. The totals are the only figures breakdowns share.
* **Primary suppression**: a count below ``SUPPRESSION_THRESHOLD`` is shown as «<5»,
  zero included (an empty cell says "nobody here", which is as telling as "two here").
* **Secondary suppression**: with the total shown, a breakdown is the equation
  ``sum(hidden cells) = total − sum(shown cells)``. Cells are added to the hidden ones
  (shown as «:», the mark SSB uses for figures withheld for confidentiality) until every
  hidden cell's feasible range, given that equation and the marks, still holds at least
  ``threshold`` whole numbers, and the hidden remainder is itself at least the threshold.
  For a single equation with bounded unknowns that range is exact (:func:`feasible_range`),
  and because breakdowns of one total share nothing else (any set of one-way breakdowns
  with equal sums can be realised by some cross-table) the check per breakdown is the
  check of the whole grid. When no choice works the total is hidden as well — and with it
  every breakdown of that group, in every table, since any fully shown breakdown would
  give the total back; then every cell of the group is «:», which says nothing.

``tests/test_disclosure_audit.py`` checks the result as an attacker would: it reads every
page, export and report a role can open, builds the linear system the published figures
imply and asks an integer programme for each hidden cell's range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict

from django.conf import settings

#: The mark of a count withheld to protect another (secondary suppression); it says
#: nothing about the size of the count. SSB's symbol for «vises ikke av
#: konfidensialitetshensyn».
PROTECTED_MARK = ":"


class Cell(TypedDict):
    """A published figure: ``value`` is None when suppressed, so nothing downstream (page,
    export, PDF, a report's frozen JSON) can hold the real number."""

    value: int | None
    text: str
    suppressed: bool
    small: bool


def threshold() -> int:
    return int(settings.SUPPRESSION_THRESHOLD)


def small_text() -> str:
    return f"<{threshold()}"


def is_small(value: int) -> bool:
    """Below the threshold, zero included."""
    return value < threshold()


def shown(value: int) -> Cell:
    return {"value": value, "text": str(value), "suppressed": False, "small": False}


def small() -> Cell:
    return {"value": None, "text": small_text(), "suppressed": True, "small": True}


def protected() -> Cell:
    return {"value": None, "text": PROTECTED_MARK, "suppressed": True, "small": False}


def count_cell(value: int) -> Cell:
    """A count on its own, in no equation with other published cells."""
    return small() if is_small(value) else shown(value)


def _bounds(value: int, limit: int) -> tuple[int, float]:
    """What the mark of a hidden cell tells: «<5» is 0…4, «:» is 5 or more."""
    return (0, limit - 1) if value < limit else (limit, float("inf"))


def feasible_range(values: Sequence[int], index: int, limit: int) -> tuple[float, float]:
    """The values hidden cell ``index`` can take when the hidden cells ``values`` are
    known only by their sum and their marks. Exact for one equation with bounded integer
    unknowns: every whole number between the two ends is reachable."""
    bounds = [_bounds(value, limit) for value in values]
    remainder = sum(values)
    lows = sum(low for low, _high in bounds) - bounds[index][0]
    highs = sum(high for _low, high in bounds) - bounds[index][1]
    low, high = bounds[index]
    return max(low, remainder - highs), min(high, remainder - lows)


def is_protected(values: Sequence[int], limit: int) -> bool:
    """Whether hiding cells with these values, beside a shown total, keeps every one of
    them at least ``limit`` whole numbers wide (a «<5» cell: all of 0…4) and the hidden
    remainder at least ``limit`` (so an average over the shown total minus the shown cells
    describes no fewer people)."""
    if not values:
        return True
    if sum(values) < limit:
        return False
    for index in range(len(values)):
        low, high = feasible_range(values, index, limit)
        if high - low + 1 < limit:
            return False
    return True


def choose_hidden(values: Sequence[int], limit: int, *, secondary: bool = True) -> set[int] | None:
    """The cells of a breakdown to hide beside a shown total: the small ones, and — with
    ``secondary`` — the fewest and smallest others that make them safe. None when no
    choice protects them: the total must be hidden then."""
    hidden = {index for index, value in enumerate(values) if value < limit}
    if is_protected([values[i] for i in hidden], limit):
        return hidden
    if not secondary:
        return None
    candidates = sorted(
        (index for index in range(len(values)) if index not in hidden),
        key=lambda index: (values[index], index),
    )
    while candidates:
        for index in candidates:
            if is_protected([values[i] for i in hidden | {index}], limit):
                return hidden | {index}
        # No single cell is enough: hide the largest (the most slack) and try again.
        hidden.add(candidates.pop())
    return None


@dataclass
class GroupCells:
    """One group of a grid (one school year, one activity list): its total and its
    breakdowns, every cell already suppressed."""

    key: object
    total: Cell
    breakdowns: dict[str, list[Cell]] = field(default_factory=dict)


def protect_group(
    key: object,
    total: int,
    breakdowns: Mapping[str, Sequence[int]],
    *,
    secondary: bool = True,
    hide_total: bool = False,
    limit: int | None = None,
) -> GroupCells:
    """Suppress one group: a total and its one-way breakdowns (each summing to it).
    ``secondary=False`` hides the total rather than any count that is not small;
    ``hide_total`` hides it whatever (a linked figure's total is hidden, say)."""
    limit = threshold() if limit is None else limit
    choices = {
        name: choose_hidden(values, limit, secondary=secondary)
        for name, values in breakdowns.items()
    }
    if total < limit or hide_total:
        choices = dict.fromkeys(breakdowns)
    if len(breakdowns) == 1 and any(choice is None for choice in choices.values()):
        # One breakdown: with its total hidden it is in no equation, so only the small
        # counts need hiding.
        ((name, values),) = breakdowns.items()
        return GroupCells(
            key=key,
            total=protected(),
            breakdowns={name: [small() if value < limit else shown(value) for value in values]},
        )
    if any(choice is None for choice in choices.values()):
        # The total is hidden, so every breakdown is too: a fully shown one would sum to
        # the total and put it back. Every cell gets «:» whatever its size, so no mark
        # bounds anything: with «<5» and «5 or more» marks, breakdowns of one hidden
        # total would still cap and floor it together (all-small levels 3, 4, 4, 4 beside
        # three unit kinds of 5 or more pin each level to 3…4).
        return GroupCells(
            key=key,
            total=protected(),
            breakdowns={name: [protected() for _ in values] for name, values in breakdowns.items()},
        )
    cells: dict[str, list[Cell]] = {}
    for name, values in breakdowns.items():
        chosen = choices[name] or set()
        cells[name] = [
            (_hidden_cell(value, limit) if index in chosen else shown(value))
            for index, value in enumerate(values)
        ]
    return GroupCells(key=key, total=shown(total), breakdowns=cells)


def aggregate(group: GroupCells, breakdown: str, members: Sequence[int], value: int) -> Cell:
    """A sum over some cells of a breakdown (an area's activities, say) that is not itself
    in the grid. It is shown when it is known already — every member is shown, or the
    total is shown and the sum takes in every hidden cell (it is then the total minus
    shown cells, and at least the hidden remainder) — and otherwise «:», whatever its
    size, so it adds no equation and no bound on the hidden members."""
    cells = group.breakdowns[breakdown]
    hidden = {index for index, cell in enumerate(cells) if cell["suppressed"]}
    if not hidden & set(members):
        return shown(value)
    if not group.total["suppressed"] and hidden <= set(members):
        return shown(value)
    return protected()


def _hidden_cell(value: int, limit: int) -> Cell:
    return small() if value < limit else protected()


def average(total: Decimal | int, count_of: Cell, places: str = "0.01") -> Decimal | None:
    """An average is published only beside a shown count: never over fewer than the
    threshold, and never over a count that is itself withheld."""
    if count_of["suppressed"] or not count_of["value"]:
        return None
    value = Decimal(total) / Decimal(count_of["value"])
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def share(part: Cell, whole: Cell, places: str = "0.1") -> Decimal | None:
    """``part`` as a percentage of ``whole``, only when both are shown."""
    if part["suppressed"] or whole["suppressed"] or not whole["value"]:
        return None
    value = Decimal((part["value"] or 0) * 100) / Decimal(whole["value"])
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def legend() -> dict:
    """What a page needs to explain its marks."""
    return {"threshold": threshold(), "small_text": small_text(), "protected_mark": PROTECTED_MARK}
