"""The BTI coordinator's follow-up (/bti/oppfolging/): per kindergarten and school and per
school year, whether the consultation meetings are held, who comes, whether the actions are
followed up, and how many concerns and logs each unit starts (Asker: «en kommunal
koordinator følger opp at systemet brukes og lager statistikk fra protokollene»).

Two kinds of figures, kept apart:

* **About the services' work** — meetings planned, held and cancelled, attendance per
  service, actions on time, late and overdue. They count meetings and actions, not
  children (the matters are anonymous), so they are shown as they are.
* **About children** — new concerns and logs per unit, the average age at first concern.
  These go through ``plans.disclosure``: a unit's count is a cell of a breakdown whose total
  is the unit kind's cell of the published statistics (/bti/statistikk/, the status
  report), which is treated as the margin it is (:func:`_unit_cells`). The units of a kind
  always add up to that cell, rows without a unit included.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Avg, Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from btitracker.models import (
    ConsultationAction,
    ConsultationActionStatus,
    ConsultationAttendance,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    StatEvent,
    StatEventKind,
)
from btitracker.statistics import first_age_averages, grid_for_municipality
from plans import disclosure
from plans.access import access_for
from plans.models import Unit, UnitKind
from plans.permissions import is_bti_coordinator
from plans.schoolyear import SchoolYear

#: The unit kinds that have consultation meetings (issue 19: «hver skole og barnehage»).
FOLLOWED_KINDS = [UnitKind.KINDERGARTEN, UnitKind.SCHOOL]

#: How long a unit may go without a held meeting before the coordinator's home page says so.
QUIET_MONTHS = 2


@dataclass
class ActionFigures:
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    open: int = 0
    stopped: int = 0

    @property
    def followed_up(self) -> int:
        return self.on_time + self.late


@dataclass
class UnitRow:
    """One unit's line. ``unit`` is None for the statistics rows of the kind whose unit
    was not recorded (before migration 0007) or no longer exists."""

    unit: Unit | None
    has_schedule: bool = False
    planned: int = 0
    planned_so_far: int = 0
    held: int = 0
    cancelled: int = 0
    last_held: datetime.date | None = None
    quiet: bool = False
    attendance: list[tuple[str, int]] = field(default_factory=list)
    actions: ActionFigures = field(default_factory=ActionFigures)
    events: disclosure.Cell = field(default_factory=disclosure.small)
    first_age: Decimal | None = None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else str(_("Enhet ikke registrert"))


@dataclass
class KindTable:
    kind: str
    label: str
    rows: list[UnitRow]
    total: disclosure.Cell


def followup_for(user, *, school_year: int, kind: str = "", today=None) -> dict | None:
    """The follow-up of the user's municipality for one school year (one kind, or both),
    for those allowed to see it; None for anyone else."""
    if not user.has_perm("btitracker.follow_up_units"):
        return None
    municipality_id = access_for(user).municipality_id
    if municipality_id is None:
        return None
    today = today or timezone.localdate()
    kinds: list[str] = [str(k) for k in FOLLOWED_KINDS if not kind or k == kind]
    limit = disclosure.threshold()
    year = SchoolYear(school_year)
    units = list(
        Unit.objects.filter(municipality_id=municipality_id, kind__in=kinds).order_by("name", "pk")
    )
    rows = {unit.pk: UnitRow(unit=unit) for unit in units}
    _add_meetings(rows, year, today)
    _add_last_held(rows)
    if year == SchoolYear.current(today):
        for quiet in quiet_units(municipality_id, today=today):
            if quiet["unit_id"] in rows:
                rows[quiet["unit_id"]].quiet = True
    grid = grid_for_municipality(municipality_id, limit=limit)
    group = grid.get(school_year)
    events = _events(municipality_id, school_year, kinds)
    ages = _first_ages(municipality_id, school_year, kinds)
    level_zero = group.breakdowns["level"][0] if group else disclosure.small()
    kind_values = [value for value, _label in UnitKind.choices]
    tables = []
    for unit_kind in kinds:
        kind_rows = [row for row in rows.values() if row.unit and row.unit.kind == unit_kind]
        unrecorded = UnitRow(unit=None)
        counts = [events.pop((unit_kind, row.unit.pk), 0) for row in kind_rows if row.unit]
        # Rows of this kind whose unit is unknown, gone or of another kind now.
        rest = sum(n for (k, _unit), n in events.items() if k == unit_kind)
        members = [*kind_rows, unrecorded] if rest else kind_rows
        values = [*counts, rest] if rest else counts
        total = (
            group.breakdowns["unit_kind"][kind_values.index(unit_kind)]
            if group
            else disclosure.small()
        )
        for row, cell in zip(members, _unit_cells(values, total, limit), strict=True):
            row.events = cell
        for row, value in zip(members, values, strict=True):
            if row.unit is not None:
                n, average = ages.get((unit_kind, row.unit.pk), (0, None))
                row.first_age = _average_shown(row.events, level_zero, value, n, average, limit)
        tables.append(
            KindTable(
                kind=unit_kind,
                label=str(UnitKind(unit_kind).label),
                rows=members,
                total=total,
            )
        )
    return {
        "school_year": year,
        "today": today,
        "tables": tables,
        "municipality_first_age": first_age_averages(municipality_id, limit),
        "threshold": limit,
        "small_text": disclosure.small_text(),
        "protected_mark": disclosure.PROTECTED_MARK,
    }


def _unit_cells(values: list[int], total: disclosure.Cell, limit: int) -> list[disclosure.Cell]:
    """A kind's count per unit, as a breakdown of the kind's published cell.

    * The kind's cell is shown: the units are one equation with it, so the small ones and
      as many others as it takes are hidden (``choose_hidden``, the statistics' own rule;
      «:» then means 5 or more). If no choice protects them, every unit is «:», which then
      says nothing (the kind's count bounds each unit, and it is at least the threshold).
    * The kind's cell is «<5»: each unit is below it, so «<5» on every unit adds nothing.
    * The kind's cell is «:»: any unit shown, and any mark, would bound the kind's count
      that the statistics withhold, so every unit is «:» and says nothing.
    """
    if not total["suppressed"]:
        hidden = disclosure.choose_hidden(values, limit)
        if hidden is None:
            return [disclosure.protected() for _value in values]
        return [
            (disclosure.small() if value < limit else disclosure.protected())
            if index in hidden
            else disclosure.shown(value)
            for index, value in enumerate(values)
        ]
    if total["small"]:
        return [disclosure.small() for _value in values]
    return [disclosure.protected() for _value in values]


def _average_shown(
    cell: disclosure.Cell,
    level_zero: disclosure.Cell,
    events: int,
    first: int,
    average: float | None,
    limit: int,
) -> Decimal | None:
    """A unit's average age at first concern, only where it tells no count: over at least
    ``limit`` children, beside a shown count of the unit's events of which the other events
    are at least ``limit`` too (so neither part is bounded below the threshold), and in a
    year whose level-0 count is shown (so that the units' averages, each over at least
    ``limit`` children, put no floor under a withheld level-0 count)."""
    if average is None or cell["suppressed"] or level_zero["suppressed"]:
        return None
    if first < limit or events - first < limit:
        return None
    return Decimal(str(average)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _events(municipality_id: int, school_year: int, kinds: list[str]) -> dict[tuple, int]:
    """New concerns and logs per (unit kind, unit id) — the kind as recorded on the row, so
    the units of a kind add up to the kind's published cell."""
    return {
        (row["unit_kind"], row["unit_id"]): row["n"]
        for row in StatEvent.objects.filter(
            municipality_id=municipality_id, school_year=school_year, unit_kind__in=kinds
        )
        .values("unit_kind", "unit_id")
        .annotate(n=Count("pk"))
        .order_by()
    }


def _first_ages(municipality_id: int, school_year: int, kinds: list[str]) -> dict[tuple, tuple]:
    """(number of first concerns, average age) per (unit kind, unit id); the number is
    never published, only used to decide whether the average may be."""
    return {
        (row["unit_kind"], row["unit_id"]): (row["n"], row["average"])
        for row in StatEvent.objects.filter(
            municipality_id=municipality_id,
            school_year=school_year,
            unit_kind__in=kinds,
            kind=StatEventKind.CONCERN,
            first_for_child=True,
            age_years__isnull=False,
        )
        .values("unit_kind", "unit_id")
        .annotate(n=Count("pk"), average=Avg("age_years"))
        .order_by()
    }


def _add_meetings(rows: dict[int, UnitRow], year: SchoolYear, today: datetime.date) -> None:
    """Meetings, attendance and actions of each unit's schedule for the school year: one
    query each, whatever the number of units."""
    schedules = dict(
        ConsultationSchedule.objects.filter(
            unit_id__in=list(rows), school_year=year.start_year
        ).values_list("pk", "unit_id")
    )
    for unit_id in schedules.values():
        rows[unit_id].has_schedule = True
    meetings = (
        ConsultationMeeting.objects.filter(schedule_id__in=list(schedules))
        .values("schedule_id")
        .annotate(
            planned=Count("pk"),
            so_far=Count("pk", filter=Q(planned_on__lte=today)),
            held=Count("pk", filter=Q(status=ConsultationStatus.HELD)),
            cancelled=Count("pk", filter=Q(status=ConsultationStatus.CANCELLED)),
        )
        .order_by()
    )
    for counts in meetings:
        target = rows[schedules[counts["schedule_id"]]]
        target.planned = counts["planned"]
        target.planned_so_far = counts["so_far"]
        target.held = counts["held"]
        target.cancelled = counts["cancelled"]
    attendance: dict[int, dict[str, int]] = defaultdict(dict)
    for seen in (
        ConsultationAttendance.objects.filter(
            meeting__schedule_id__in=list(schedules),
            meeting__status=ConsultationStatus.HELD,
            service__isnull=False,
        )
        .values("meeting__schedule_id", "service__name")
        .annotate(meetings=Count("meeting_id", distinct=True))
        .order_by("service__name")
    ):
        attendance[seen["meeting__schedule_id"]][seen["service__name"]] = seen["meetings"]
    # The services the schedule expects, at 0 when they never came.
    for schedule_id, name in ConsultationSchedule.services.through.objects.filter(
        consultationschedule_id__in=list(schedules)
    ).values_list("consultationschedule_id", "service__name"):
        attendance[schedule_id].setdefault(name, 0)
    for schedule_id, by_service in attendance.items():
        rows[schedules[schedule_id]].attendance = sorted(by_service.items())
    for schedule_id, follow_up_on, followed_up_at, status in ConsultationAction.objects.filter(
        meeting__schedule_id__in=list(schedules)
    ).values_list("meeting__schedule_id", "follow_up_on", "followed_up_at", "status"):
        _count_action(
            rows[schedules[schedule_id]].actions, follow_up_on, followed_up_at, status, today
        )


def _count_action(
    figures: ActionFigures,
    follow_up_on: datetime.date,
    followed_up_at: datetime.datetime | None,
    status: str,
    today: datetime.date,
) -> None:
    """On time when followed up on or before its date (the local day: followed up at
    00:30 on the day after is late), late after it; not followed up: overdue once its date
    has passed, open before. A stopped action counts apart."""
    if followed_up_at is not None:
        if timezone.localtime(followed_up_at).date() <= follow_up_on:
            figures.on_time += 1
        else:
            figures.late += 1
    elif status == ConsultationActionStatus.STOPPED:
        figures.stopped += 1
    elif follow_up_on < today:
        figures.overdue += 1
    else:
        figures.open += 1


def _add_last_held(rows: dict[int, UnitRow]) -> None:
    for unit_id, last in (
        ConsultationMeeting.objects.filter(
            schedule__unit_id__in=list(rows), status=ConsultationStatus.HELD
        )
        .values("schedule__unit_id")
        .annotate(last=Max("held_on"))
        .values_list("schedule__unit_id", "last")
    ):
        rows[unit_id].last_held = last


def quiet_units(municipality_id: int, *, today: datetime.date | None = None) -> list[dict]:
    """Kindergartens and schools whose schedule planned a meeting in the last
    ``QUIET_MONTHS`` months (up to yesterday) and that held none in that time: the
    coordinator's home page names them. Units without a schedule are not flagged here
    (the follow-up page shows them without one)."""
    today = today or timezone.localdate()
    since = today - relativedelta(months=QUIET_MONTHS)
    window = Q(planned_on__gte=since, planned_on__lt=today)
    held = Q(status=ConsultationStatus.HELD, held_on__gte=since, held_on__lte=today)
    units = (
        ConsultationMeeting.objects.filter(
            schedule__municipality_id=municipality_id,
            schedule__unit__kind__in=FOLLOWED_KINDS,
            schedule__unit__active=True,
        )
        .values("schedule__unit_id", "schedule__unit__name")
        .annotate(
            due=Count("pk", filter=window),
            held=Count("pk", filter=held),
            last=Max("held_on", filter=Q(status=ConsultationStatus.HELD)),
        )
        .filter(due__gt=0, held=0)
        .order_by("schedule__unit__name")
    )
    return [
        {
            "unit_id": row["schedule__unit_id"],
            "name": row["schedule__unit__name"],
            "last": row["last"],
        }
        for row in units
    ]


def followup_home_panel(user) -> dict | None:
    """The coordinator's home page: the units that have gone quiet, with a link to the
    follow-up. Only for BTI coordinators (the ones who follow the system up)."""
    if not is_bti_coordinator(user):
        return None
    municipality_id = access_for(user).municipality_id
    if municipality_id is None:
        return None
    return {"quiet_units": quiet_units(municipality_id), "quiet_months": QUIET_MONTHS}


def school_years(municipality_id: int | None, *, extra: Iterable[int] = ()) -> list[int]:
    """School years the follow-up has something for: schedules, statistics, this one."""
    years = {SchoolYear.current().start_year, *extra}
    if municipality_id is not None:
        years |= set(
            ConsultationSchedule.objects.filter(municipality_id=municipality_id).values_list(
                "school_year", flat=True
            )
        )
        years |= set(
            StatEvent.objects.filter(municipality_id=municipality_id)
            .values_list("school_year", flat=True)
            .distinct()
        )
    return sorted(years, reverse=True)
