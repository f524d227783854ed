"""BTI statistics: counts from the non-personal ``StatEvent``/``ActionStat`` rows only,
suppressed by the one statistics layer (``plans.disclosure``) before they leave here.

One grid per municipality: per school year (1 August – 31 July) the number of new
concerns and logs, broken down by level, by unit kind and by age band. The page shows
the three breakdowns as tables with the school-year total as their last column; the
status report shows the level breakdown of its school year — the very same cells, so
nothing published anywhere can be subtracted from anything else. There are no sums over
school years and no quarters: a quarter's cell would be the year's minus three others.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils.translation import gettext_lazy as _

from btitracker.models import ActionStat, AgeBand, StatEvent, StatEventKind
from plans import disclosure
from plans.access import access_for
from plans.models import UnitKind
from plans.schoolyear import SchoolYear

LEVELS = [0, 1, 2, 3]


def _level_labels() -> list[str]:
    return [str(label) for label in (_("Nivå 0"), _("Nivå 1"), _("Nivå 2"), _("Nivå 3"))]


def _dimensions() -> list[tuple[str, object, list, list[str]]]:
    """(name, table title, values, column labels) of the grid's breakdowns."""
    return [
        (
            "level",
            _("Nye undringer (nivå 0) og stafettlogger per skoleår etter nivå"),
            LEVELS,
            _level_labels(),
        ),
        (
            "unit_kind",
            _("Nye undringer og stafettlogger per skoleår etter type enhet"),
            [kind for kind, _label in UnitKind.choices],
            [str(label) for _kind, label in UnitKind.choices],
        ),
        (
            "age_band",
            _("Nye undringer og stafettlogger per skoleår etter aldersgruppe"),
            [band for band, _label in AgeBand.choices],
            [str(label) for _band, label in AgeBand.choices],
        ),
    ]


@dataclass
class Table:
    """One breakdown of the grid: a row per school year, the breakdown's cells and the
    school year's total last."""

    title: str
    column_labels: list[str]
    rows: list[tuple[str, list[disclosure.Cell]]]


def _school_years(first: int | None) -> list[int]:
    if first is None:
        return []
    return list(range(first, max(first, SchoolYear.current().start_year) + 1))


def grid_for_municipality(
    municipality_id: int, *, limit: int | None = None
) -> dict[int, disclosure.GroupCells]:
    """Every school year's suppressed cells, from the first school year with an event
    to the current one (a year without events is in the grid too, all of it «<5»)."""
    events = StatEvent.objects.filter(municipality_id=municipality_id)
    dimensions = _dimensions()
    counts: dict[str, dict[int, dict]] = {
        name: defaultdict(lambda: defaultdict(int)) for name, *_rest in dimensions
    }
    for name, *_rest in dimensions:
        for row in events.values("school_year", name).annotate(n=Count("pk")).order_by():
            counts[name][row["school_year"]][row[name]] += row["n"]
    totals = dict(events.values_list("school_year").annotate(n=Count("pk")).order_by())
    years = _school_years(min(totals) if totals else None)
    return {
        year: disclosure.protect_group(
            year,
            totals.get(year, 0),
            {
                name: [counts[name][year][value] for value in values]
                for name, _title, values, _labels in dimensions
            },
            limit=limit,
        )
        for year in years
    }


def tables_for_municipality(municipality_id: int, *, limit: int | None = None) -> dict:
    """Every BTI statistic of one municipality, suppressed. The only inputs are the
    non-personal statistics rows."""
    limit = disclosure.threshold() if limit is None else limit
    grid = grid_for_municipality(municipality_id, limit=limit)
    tables = [
        Table(
            title=str(title),
            column_labels=[*labels, str(_("Sum"))],
            rows=[
                (SchoolYear(year).label, [*group.breakdowns[name], group.total])
                for year, group in grid.items()
            ],
        )
        for name, title, _values, labels in _dimensions()
    ]
    return {
        "tables": tables,
        "first_age": first_age_averages(municipality_id, limit),
        "on_time": _on_time(municipality_id, limit),
        "threshold": limit,
        "small_text": f"<{limit}",
        "protected_mark": disclosure.PROTECTED_MARK,
    }


def first_age_averages(municipality_id: int, limit: int) -> list[dict]:
    """The average age at a child's first concern per school year, over at least
    ``limit`` children. The number of children is not published: it would be one more
    cut of the level-0 count."""
    return [
        {
            "year": SchoolYear(row["school_year"]).label,
            "average": round(row["average"], 1) if row["n"] >= limit else None,
        }
        for row in StatEvent.objects.filter(
            municipality_id=municipality_id,
            kind=StatEventKind.CONCERN,
            first_for_child=True,
            age_years__isnull=False,
        )
        .values("school_year")
        .annotate(n=Count("pk"), average=Avg("age_years"))
        .order_by("school_year")
    ]


def _on_time(municipality_id: int, limit: int) -> list[dict]:
    """Evaluated actions per school year, split into on time and late: a grid of its own
    (actions are another population), suppressed the same way. The share is shown only
    when both parts are, since with the total it gives them back."""
    rows = []
    for row in (
        ActionStat.objects.filter(municipality_id=municipality_id)
        .values("school_year")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
        .order_by("school_year")
    ):
        group = disclosure.protect_group(
            row["school_year"],
            row["n"],
            {"on_time": [row["on_time"], row["n"] - row["on_time"]]},
            limit=limit,
        )
        on_time, _late = group.breakdowns["on_time"]
        share = disclosure.share(on_time, group.total, "1")
        rows.append(
            {
                "year": SchoolYear(row["school_year"]).label,
                "count": group.total,
                "share": None if share is None or _late["suppressed"] else int(share),
            }
        )
    return rows


def statistics_for(user) -> dict | None:
    """The statistics of the user's municipality, for those allowed to see them."""
    if not user.has_perm("btitracker.view_statistics"):
        return None
    access = access_for(user)
    if access.municipality_id is None:
        return None
    return tables_for_municipality(access.municipality_id)


def report_rows(user, quality_plan, year: int) -> dict:
    """The status report's BTI figures (registered as ``BTI`` in
    ``plans.report_statistics``, read by ``reports.bti``): the
    statistics page's level row for the report's school year, cell for cell."""
    grid = grid_for_municipality(quality_plan.municipality_id)
    group = grid.get(year) or disclosure.protect_group(
        year, 0, {name: [0] * len(values) for name, _t, values, _l in _dimensions()}
    )
    labels = [
        _("Nye undringer (nivå 0)"),
        _("Nye stafettlogger på nivå 1"),
        _("Nye stafettlogger på nivå 2"),
        _("Nye stafettlogger på nivå 3"),
    ]
    return {
        "rows": [
            {"label": str(label), "count": cell}
            for label, cell in zip(labels, group.breakdowns["level"], strict=True)
        ],
        "total": group.total,
    }
