"""The dates of a school year's consultation meetings: one a month on a chosen weekday
(«second Tuesday»), moved a week on when that day is a public holiday or in a school break,
and the months without a school day left out. Pure: nothing here reads the database, so the
preview the coordinator sees is exactly what is saved.

Public holidays come from the ``holidays`` package (Norway). The school breaks are the
common defaults in eastern Norway (Asker, Solvik); a municipality with other breaks moves
or cancels the single meetings afterwards:

- summer: from 20 June to the third Monday of August (school starts mid-August);
- autumn break (høstferie): ISO week 40;
- Christmas: 21 December to 2 January;
- winter break (vinterferie): ISO week 8;
- Easter (påskeferie): Monday of Holy Week to Easter Monday (the three school days before
  Maundy Thursday are off in most municipalities; the holidays themselves come from
  ``holidays``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import holidays
from django.utils.translation import gettext as _

from plans.schoolyear import SchoolYear

WEEKDAYS = (0, 1, 2, 3, 4)  # Monday–Friday
# September to June: August is the school's first weeks (and mostly summer break), July
# is summer. Ten meetings a year.
MEETING_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)
AUTUMN_BREAK_WEEK = 40
WINTER_BREAK_WEEK = 8


@dataclass(frozen=True)
class Skipped:
    day: datetime.date
    reason: str
    moved_to: datetime.date | None


@dataclass(frozen=True)
class MeetingDates:
    planned: list[datetime.date]
    skipped: list[Skipped]


def _iso_week(year: int, week: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date.fromisocalendar(year, week, 1), datetime.date.fromisocalendar(
        year, week, 7
    )


def _easter_sunday(holiday_days: holidays.HolidayBase, year: int) -> datetime.date | None:
    for day, name in holiday_days.items():
        if day.year == year and day.weekday() == 6 and "påske" in name.lower():
            return day
    return None


def school_breaks(year: SchoolYear) -> list[tuple[datetime.date, datetime.date, str]]:
    """The school year's breaks as (first day, last day, name), both days included."""
    first, second = year.start_year, year.start_year + 1
    august = datetime.date(first, 8, 1)
    third_monday = august + datetime.timedelta(days=(7 - august.weekday()) % 7 + 14)
    breaks = [
        (year.start, third_monday - datetime.timedelta(days=1), _("sommerferie")),
        (*_iso_week(first, AUTUMN_BREAK_WEEK), _("høstferie")),
        (datetime.date(first, 12, 21), datetime.date(second, 1, 2), _("juleferie")),
        (*_iso_week(second, WINTER_BREAK_WEEK), _("vinterferie")),
        (datetime.date(second, 6, 20), year.last_day, _("sommerferie")),
    ]
    easter = _easter_sunday(holidays.Norway(years=second, language="no"), second)
    if easter is not None:
        breaks.append(
            (
                easter - datetime.timedelta(days=6),
                easter + datetime.timedelta(days=1),
                _("påskeferie"),
            )
        )
    return sorted(breaks)


def _why_not(day: datetime.date, public: holidays.HolidayBase, breaks) -> str | None:
    name = public.get(day)
    if name:
        return _("%(name)s (helligdag)") % {"name": name}
    for first, last, label in breaks:
        if first <= day <= last:
            return str(label)
    return None


def meeting_dates_build(*, year: SchoolYear, weekday: int, week_of_month: int) -> MeetingDates:
    """One meeting a month (``MEETING_MONTHS``) of ``year`` on the ``week_of_month``-th
    (1–4) ``weekday`` (0 = Monday), or the first school day on that weekday after it in the
    same month."""
    if weekday not in WEEKDAYS or not 1 <= week_of_month <= 4:
        raise ValueError("weekday 0–4 and week_of_month 1–4")
    public = holidays.Norway(years=[year.start_year, year.start_year + 1], language="no")
    breaks = school_breaks(year)
    planned: list[datetime.date] = []
    skipped: list[Skipped] = []
    for month in MEETING_MONTHS:
        first = year.first_of(month)
        offset = (weekday - first.weekday()) % 7
        day = first + datetime.timedelta(days=offset + 7 * (week_of_month - 1))
        passed: list[tuple[datetime.date, str]] = []
        while day.month == first.month:
            reason = _why_not(day, public, breaks)
            if reason is None:
                break
            passed.append((day, reason))
            day += datetime.timedelta(days=7)
        found = day if day.month == first.month else None
        skipped += [Skipped(d, reason, found) for d, reason in passed]
        if found is not None:
            planned.append(found)
    return MeetingDates(planned=planned, skipped=skipped)
