"""The attacker of the disclosure audit: reads published tables as text, turns every
published figure into a linear constraint on unknown non-negative whole counts, and asks
an integer programme (``scipy.optimize.milp``, HiGHS) for the smallest and the largest
value every withheld figure can have given all of them at once.

What a mark tells, as docs/privacy.md publishes the rule (the attacker knows it):
«<5» is 0…4; «:» on a breakdown cell beside a shown total is 5 or more (it was withheld
to protect others, so it is not small); «:» on a sum, or on any cell of a group whose
total is «:», says nothing. A figure is safe when at least
``threshold`` whole numbers remain possible for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html.parser import HTMLParser

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import lil_matrix

SMALL = "small"  # «<5»
FLOOR = "floor"  # «:» on a breakdown cell
FREE = "free"  # «:» on a sum


@dataclass
class Figure:
    name: str
    coeffs: dict[int, int]
    mark: str  # SMALL, FLOOR, FREE, or "" when shown
    value: int | None = None


@dataclass
class Attacker:
    threshold: int
    variables: int = 0
    constraints: list[tuple[dict[int, int], float, float]] = field(default_factory=list)
    hidden: dict[tuple, Figure] = field(default_factory=dict)
    shown: dict[tuple, int] = field(default_factory=dict)
    small_shown: list[str] = field(default_factory=list)

    def new_variables(self, count: int) -> list[int]:
        start = self.variables
        self.variables += count
        return list(range(start, self.variables))

    def relate(self, coeffs: dict[int, int], low: float, high: float) -> None:
        self.constraints.append((coeffs, low, high))

    def read(self, name: str, coeffs: dict[int, int], text: str, *, sum_cell: bool) -> None:
        """One published figure, as its text («12», «<5», «:»)."""
        text = text.strip()
        key = tuple(sorted(coeffs.items()))
        if text.isdigit():
            self.shown[key] = int(text)
            if int(text) < self.threshold:
                self.small_shown.append(f"{name}: {text}")
            self.relate(coeffs, int(text), int(text))
            return
        if text == f"<{self.threshold}":
            mark = SMALL
            self.relate(coeffs, 0, self.threshold - 1)
        elif text == ":":
            mark = FREE if sum_cell else FLOOR
            if mark == FLOOR:
                self.relate(coeffs, self.threshold, math.inf)
        else:
            raise AssertionError(f"{name}: unreadable figure {text!r}")
        self.hidden.setdefault(key, Figure(name=name, coeffs=coeffs, mark=mark))

    def _system(self) -> LinearConstraint:
        matrix = lil_matrix((len(self.constraints), self.variables))
        lows, highs = [], []
        for row, (cons, low, high) in enumerate(self.constraints):
            for index, weight in cons.items():
                matrix[row, index] = weight
            lows.append(low)
            highs.append(high)
        return LinearConstraint(matrix.tocsr(), lows, highs)

    def _solve(self, system: LinearConstraint, coeffs: dict[int, int], sense: int) -> float:
        objective = np.zeros(self.variables)
        for index, weight in coeffs.items():
            objective[index] = sense * weight
        result = milp(
            objective,
            integrality=np.ones(self.variables),
            bounds=Bounds(0, np.inf),
            constraints=system,
        )
        if result.status == 3 or (result.status != 0 and sense == -1):
            return math.inf
        assert result.status == 0, result.message
        return round(sense * result.fun) + 0

    def ranges(self) -> list[tuple[Figure, float, float]]:
        system = self._system()
        return [
            (figure, self._solve(system, figure.coeffs, 1), self._solve(system, figure.coeffs, -1))
            for figure in self.hidden.values()
        ]

    def breaches(self) -> list[str]:
        """Every count shown below ``threshold``, and every withheld figure with fewer
        than ``threshold`` possible values."""
        found = list(self.small_shown)
        for figure, low, high in self.ranges():
            if high - low + 1 < self.threshold:
                found.append(f"{figure.name} ({figure.mark}): {low:g}…{high:g}")
        return found


# --- Reading pages ----------------------------------------------------------------------


@dataclass
class Table:
    caption: str
    classes: str
    header: list[str]
    rows: list[list[str]]


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: list[Table] = []
        self._stack: list[Table] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._stack.append(Table("", dict(attrs).get("class") or "", [], []))
        elif not self._stack:
            return
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self._stack:
            return
        table = self._stack[-1]
        if tag == "table":
            self.tables.append(self._stack.pop())
        elif tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                table.header = self._row
            else:
                table.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._in_caption and self._stack:
            self._stack[-1].caption += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> list[Table]:
    parser = _TableParser()
    parser.feed(html)
    for table in parser.tables:
        table.caption = " ".join(table.caption.split())
    return parser.tables
