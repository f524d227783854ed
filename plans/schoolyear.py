"""The school year (barnehage- og skoleår): the one place that knows it starts 1 August.

Everything in the portal that counts, files, filters or labels by school year goes through
``SchoolYear``: unit plans, competence activities and grants, the yearly wheel, BTI
statistics, indicator periods, status reports. The rows store the year it starts as an
integer (2025 for 2025/26), so ``SchoolYear(row.school_year)`` turns a stored year into the
value and ``.start_year`` turns it back.

The range is half-open: ``start`` is 1 August (included), ``end`` is 1 August the year
after (not included), so a moment at 31 July 23:59 and one at 1 August 00:00 never land in
the same year, whether the field holds a date or a datetime. ``last_day`` (31 July) is for
the one store that keeps inclusive end dates: indicator periods (``period_end``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, When
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

# The month the school year turns: the rule this module exists to say once.
FIRST_MONTH = 8
# Its twelve months in order, August first (the annual wheel, the month lists).
MONTHS_IN_ORDER = tuple((FIRST_MONTH - 1 + step) % 12 + 1 for step in range(12))

# «2025/26», «2025-26», «2025–26» (en dash, as typeset) or «2025/2026»; «2025-2026» is a
# span of two calendar years in indicator files, so it is not a school year here.
_PATTERN = re.compile(r"(?P<start>\d{4})(?:[/\-–](?P<short>\d{2})|/(?P<long>\d{4}))", re.ASCII)


@dataclass(frozen=True, order=True)
class SchoolYear:
    """One school year, named by the year it starts: ``SchoolYear(2025)`` is 2025/26."""

    start_year: int

    def __post_init__(self) -> None:
        if not isinstance(self.start_year, int) or isinstance(self.start_year, bool):
            raise TypeError(f"SchoolYear needs its start year as an int, not {self.start_year!r}")

    # --- Finding one ----------------------------------------------------------------------

    @classmethod
    def containing(cls, moment: datetime.date | datetime.datetime) -> SchoolYear:
        """The school year a day or a moment falls in. An aware datetime counts by its
        local (Europe/Oslo) day: 1 August 00:30 in Oslo is the new year although it is
        still 31 July in UTC."""
        day = _local_day(moment)
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls, today: datetime.date | None = None) -> SchoolYear:
        """The school year today (the local day): November 2026 and March 2027 are both in
        2026/27."""
        return cls.containing(today or timezone.localdate())

    @classmethod
    def parse(cls, text: str) -> SchoolYear:
        """«2025/26», «2025-26», «2025–26» or «2025/2026» → 2025/26. Anything else, a lone
        year included, raises ValueError with a message a user can act on."""
        stripped = str(text).strip()
        match = _PATTERN.fullmatch(stripped)
        if match:
            start = int(match["start"])
            if match["short"] is not None:
                follows = int(match["short"]) == (start + 1) % 100
            else:
                follows = int(match["long"]) == start + 1
            if follows:
                return cls(start)
            raise ValueError(
                _(
                    "«%(value)s» er ikke et skoleår: det andre året må følge rett etter det "
                    "første (%(example)s)."
                )
                % {"value": text, "example": cls(start).label}
            )
        raise ValueError(
            _("«%(value)s» er ikke et skoleår. Skriv det som «2025/26».") % {"value": text}
        )

    # --- What it is -----------------------------------------------------------------------

    @property
    def label(self) -> str:
        """«2025/26»: the one way pages, charts, exports and PDFs write a school year."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def slug(self) -> str:
        """«2025-26»: the label where «/» cannot stand, in a file name."""
        return self.label.replace("/", "-")

    @property
    def start(self) -> datetime.date:
        """1 August: the first day, included."""
        return datetime.date(self.start_year, FIRST_MONTH, 1)

    @property
    def end(self) -> datetime.date:
        """1 August the year after: the first day after the year, not included."""
        return datetime.date(self.start_year + 1, FIRST_MONTH, 1)

    @property
    def last_day(self) -> datetime.date:
        """31 July: the last day, for stores whose end dates are inclusive (indicator
        periods). Use ``end`` with ``<`` everywhere else."""
        return self.end - datetime.timedelta(days=1)

    @property
    def starts_at(self) -> datetime.datetime:
        """Local midnight starting 1 August, for datetime fields."""
        return _local_midnight(self.start)

    @property
    def ends_at(self) -> datetime.datetime:
        """Local midnight starting 1 August the year after (not included)."""
        return _local_midnight(self.end)

    def contains(self, moment: datetime.date | datetime.datetime) -> bool:
        return self.start <= _local_day(moment) < self.end

    def first_of(self, month: int) -> datetime.date:
        """The first day of ``month`` (1–12) within this school year: for 2025/26, October
        is 1 October 2025 and March is 1 March 2026."""
        return datetime.date(self.start_year + (month < FIRST_MONTH), month, 1)

    def previous(self) -> SchoolYear:
        return SchoolYear(self.start_year - 1)

    def next(self) -> SchoolYear:
        return SchoolYear(self.start_year + 1)

    # --- Queries and forms ----------------------------------------------------------------

    def q(self, field: str, *, until: SchoolYear | None = None) -> Q:
        """``field`` (a DateField) within this school year, or from this one to ``until``
        inclusive."""
        last = until or self
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": last.end})

    def q_datetime(self, field: str, *, until: SchoolYear | None = None) -> Q:
        """``field`` (a DateTimeField) within this school year in local time, or from this
        one to ``until`` inclusive."""
        last = until or self
        return Q(**{f"{field}__gte": self.starts_at, f"{field}__lt": last.ends_at})

    @staticmethod
    def of_field(field: str) -> Case:
        """A database expression for the school year (its start year) of a DateField, for
        grouping in SQL: from August it is the new year."""
        return Case(
            When(**{f"{field}__month__gte": FIRST_MONTH}, then=ExtractYear(F(field))),
            default=ExtractYear(F(field)) - 1,
            output_field=IntegerField(),
        )

    @staticmethod
    def choices(
        years: Iterable[int | SchoolYear], *, newest_first: bool = True
    ) -> list[tuple[int, str]]:
        """``(start year, label)`` pairs for a choice field over stored years, each once."""
        distinct = {year if isinstance(year, SchoolYear) else SchoolYear(year) for year in years}
        return [(year.start_year, year.label) for year in sorted(distinct, reverse=newest_first)]


def _local_day(moment: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        if timezone.is_aware(moment):
            return timezone.localtime(moment).date()
        return moment.date()  # a naive datetime is already local time
    return moment


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
