"""BTI statistics: counts from the non-personal ``StatEvent``/``ActionStat`` rows only,
every table suppressed before it leaves this module.

Primary suppression hides every count below ``SUPPRESSION_THRESHOLD`` (zero included:
whether a cell is empty is itself a count). Secondary suppression then works on the table
with its totals — each row and each column with its total is an equation — until no
equation has exactly one hidden value, so no hidden cell can be worked out by subtraction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from btitracker.models import ActionStat, AgeBand, StatEvent, StatEventKind
from plans.access import access_for
from plans.models import UnitKind


@dataclass
class Table:
    """Counts with totals, and which of them are hidden. ``cells[r][c]``; the last row
    and the last column are the totals once built with :func:`suppress`."""

    title: str
    row_labels: list[str]
    column_labels: list[str]
    cells: list[list[int]]
    hidden: list[list[bool]] = field(default_factory=list)

    def shown(self) -> list[list[int | None]]:
        return [
            [None if self.hidden[r][c] else value for c, value in enumerate(row)]
            for r, row in enumerate(self.cells)
        ]

    def rows(self) -> list[tuple[str, list[int | None]]]:
        return list(zip(self.row_labels, self.shown(), strict=True))


def with_totals(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    table = [[*list(row), sum(row)] for row in counts]
    columns = len(table[0]) if table else 1
    table.append([sum(row[c] for row in table) for c in range(columns)])
    return table


def _lines(n_rows: int, n_cols: int) -> list[list[tuple[int, int]]]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    columns = [[(r, c) for r in range(n_rows)] for c in range(n_cols)]
    return rows + columns


def suppress(
    table: list[list[int]], threshold: int, forced_row_totals: frozenset[int] = frozenset()
) -> list[list[bool]]:
    """Which cells of ``table`` (totals in the last row and column) to hide.
    ``forced_row_totals`` hides those rows' totals too (tables sharing their totals)."""
    n_rows, n_cols = len(table), len(table[0])
    hidden = [[table[r][c] < threshold for c in range(n_cols)] for r in range(n_rows)]
    for r in forced_row_totals:
        hidden[r][n_cols - 1] = True
    lines = _lines(n_rows, n_cols)
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_here = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(hidden_here) != 1:
                continue
            # Hide the smallest visible partner: the least information lost. Prefer inner
            # cells to totals, so the totals stay readable where possible.
            candidates = [cell for cell in line if not hidden[cell[0]][cell[1]]]
            candidates.sort(
                key=lambda cell: (
                    cell[0] == n_rows - 1 or cell[1] == n_cols - 1,
                    table[cell[0]][cell[1]],
                )
            )
            r, c = candidates[0]
            hidden[r][c] = True
            changed = True
    return hidden


def build(title, row_labels, column_labels, counts, threshold=None) -> Table:
    threshold = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    cells = with_totals(counts) if counts else [[0]]
    return Table(
        title=str(title),
        row_labels=[*map(str, row_labels), str(_("Sum"))],
        column_labels=[*map(str, column_labels), str(_("Sum"))],
        cells=cells,
        hidden=suppress(cells, threshold),
    )


def align_shared_totals(tables: list[Table], threshold: int) -> None:
    """Tables of the same rows share their row totals (the last column): a total hidden
    in one must be hidden in all, or it could be read from another table. Re-suppress
    until the hidden totals agree."""
    while True:
        forced = frozenset(r for table in tables for r, row in enumerate(table.hidden) if row[-1])
        changed = False
        for table in tables:
            hidden = suppress(table.cells, threshold, forced)
            if hidden != table.hidden:
                table.hidden = hidden
                changed = True
        if not changed:
            return


def _quarter_label(year: int, quarter: int) -> str:
    return f"{year} K{quarter}"


def _crosstab(rows, row_key, column_values, column_key):
    counts: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row_key(row)][row[column_key]] += row["n"]
    keys = sorted(counts)
    return keys, [[counts[key][value] for value in column_values] for key in keys]


def tables_for_municipality(municipality_id: int, *, threshold: int | None = None) -> dict:
    """Every BTI statistic of one municipality, suppressed. The only inputs are the
    non-personal statistics rows."""
    events = StatEvent.objects.filter(municipality_id=municipality_id)
    by_level = list(events.values("year", "quarter", "level").annotate(n=Count("pk")).order_by())
    quarter_key = lambda row: (row["year"], row["quarter"])  # noqa: E731
    keys, counts = _crosstab(by_level, quarter_key, [0, 1, 2, 3], "level")
    level_table = build(
        _("Nye undringer (nivå 0) og stafettlogger per kvartal etter nivå"),
        [_quarter_label(*key) for key in keys],
        [_("Nivå 0"), _("Nivå 1"), _("Nivå 2"), _("Nivå 3")],
        counts,
        threshold,
    )
    kinds = [kind for kind, _label in UnitKind.choices]
    by_kind = list(events.values("year", "quarter", "unit_kind").annotate(n=Count("pk")).order_by())
    keys, counts = _crosstab(by_kind, quarter_key, kinds, "unit_kind")
    kind_table = build(
        _("Nye undringer og stafettlogger per kvartal etter type enhet"),
        [_quarter_label(*key) for key in keys],
        [label for _kind, label in UnitKind.choices],
        counts,
        threshold,
    )
    bands = [band for band, _label in AgeBand.choices]
    by_band = list(events.values("year", "quarter", "age_band").annotate(n=Count("pk")).order_by())
    keys, counts = _crosstab(by_band, quarter_key, bands, "age_band")
    band_table = build(
        _("Nye undringer og stafettlogger per kvartal etter aldersgruppe"),
        [_quarter_label(*key) for key in keys],
        [label for _band, label in AgeBand.choices],
        counts,
        threshold,
    )
    limit = settings.SUPPRESSION_THRESHOLD if threshold is None else threshold
    align_shared_totals([level_table, kind_table, band_table], limit)
    first_age = []
    for row in (
        events.filter(kind=StatEventKind.CONCERN, first_for_child=True, age_years__isnull=False)
        .values("year")
        .annotate(n=Count("pk"), average=Avg("age_years"))
        .order_by("year")
    ):
        shown = row["n"] >= limit
        first_age.append(
            {
                "year": row["year"],
                "count": row["n"] if shown else None,
                "average": round(row["average"], 1) if shown else None,
            }
        )
    on_time = []
    for action_row in (
        ActionStat.objects.filter(municipality_id=municipality_id)
        .values("year")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by("year")
    ):
        shown = action_row["n"] >= limit
        on_time.append(
            {
                "year": action_row["year"],
                "count": action_row["n"] if shown else None,
                "share": round(100 * action_row["on_time"] / action_row["n"]) if shown else None,
            }
        )
    return {
        "tables": [level_table, kind_table, band_table],
        "first_age": first_age,
        "on_time": on_time,
        "threshold": limit,
    }


def statistics_for(user) -> dict | None:
    """The statistics of the user's municipality, for those allowed to see them."""
    if not user.has_perm("btitracker.view_statistics"):
        return None
    access = access_for(user)
    if access.municipality_id is None:
        return None
    return tables_for_municipality(access.municipality_id)


def report_rows(user, quality_plan, year: int) -> list[dict]:
    """The status report's BTI rows (``reports.bti.register_statistics``): new concerns
    and new logs of the plan's municipality in ``year`` by level. The report suppresses
    them; the counts come from the non-personal statistics rows only."""
    counts = dict(
        StatEvent.objects.filter(municipality_id=quality_plan.municipality_id, year=year)
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = [
        (0, _("Nye undringer (nivå 0)")),
        (1, _("Nye stafettlogger på nivå 1")),
        (2, _("Nye stafettlogger på nivå 2")),
        (3, _("Nye stafettlogger på nivå 3")),
    ]
    return [{"label": str(label), "count": counts.get(level, 0)} for level, label in labels]
