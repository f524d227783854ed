"""The sector's year as plain dated entries: competence sessions and the wheel's own events.

``municipality_calendar`` is what the annual wheel, its list and the municipality's iCal
feed show; ``personal_calendar`` is one person's share of it (their sessions and the
deadlines meant for them). Both read through ``visible_to`` and cost two queries however
many rows there are. The writes behind these pages are in ``services_calendar``.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from competence.models import (
    Activity,
    CalendarEvent,
    EventAudience,
    EventKind,
    Registration,
    RegistrationStatus,
    Session,
)
from plans.access import access_for
from plans.models import Municipality, Role
from plans.schoolyear import MONTHS_IN_ORDER, SchoolYear

# Sessions share the wheel's kind filter with the events' kinds; no EventKind uses it.
SESSION_KIND = "kompetanse"
SESSION_KIND_LABEL = gettext_lazy("Kompetansesamling")


def kind_choices() -> list[tuple[str, str]]:
    """Sessions and the event kinds, for the wheel's filter (labels in the active language)."""
    return [
        (SESSION_KIND, str(SESSION_KIND_LABEL)),
        *((kind, str(label)) for kind, label in EventKind.choices),
    ]


@dataclass(frozen=True)
class Entry:
    """One dated thing. ``start``/``end`` are dates for all-day events (``end`` inclusive,
    or None for a single day) and aware datetimes for sessions."""

    key: str  # "session-12", "event-5": stable across requests, the base of iCal UIDs
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime | None
    title: str
    kind: str
    kind_label: str
    url: str  # a path; the feed makes it absolute
    description: str = ""
    location: str = ""
    event_pk: int | None = None  # set for CalendarEvent rows, which the wheel can edit
    leaders_only: bool = False
    waiting: bool = False  # on the waiting list for the session
    organising: bool = False  # the person organises the session's activity

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime.datetime)

    @property
    def start_date(self) -> datetime.date:
        if isinstance(self.start, datetime.datetime):
            return timezone.localtime(self.start).date()
        return self.start

    @property
    def anchor(self) -> str:
        """The id of the entry's line in the wheel's list."""
        if self.event_pk is not None:
            return f"hendelse-{self.event_pk}"
        return self.key.replace("session-", "samling-")

    @property
    def ends_another_day(self) -> bool:
        if self.end is None:
            return False
        end = self.end
        if isinstance(end, datetime.datetime):
            end = timezone.localtime(end).date()
        return end != self.start_date

    @property
    def month(self) -> int:
        return self.start_date.month

    @property
    def sort_key(self) -> tuple:
        if isinstance(self.start, datetime.datetime):
            return (self.start_date, 1, timezone.localtime(self.start).time(), self.title)
        return (self.start, 0, datetime.time.min, self.title)


def _wheel_url(school_year: int, anchor: str) -> str:
    return f"{reverse('competence:wheel')}?year={school_year}#{anchor}"


def _event_entry(event: CalendarEvent) -> Entry:
    return Entry(
        key=f"event-{event.pk}",
        start=event.starts_on,
        end=event.ends_on if event.ends_on and event.ends_on != event.starts_on else None,
        title=event.title,
        kind=event.kind,
        kind_label=str(event.get_kind_display()),
        url=_wheel_url(SchoolYear.containing(event.starts_on).start_year, f"hendelse-{event.pk}"),
        description=event.description,
        event_pk=event.pk,
        leaders_only=event.audience == EventAudience.LEADERS,
    )


def _session_entry(session: Session, *, waiting: bool = False, organising: bool = False) -> Entry:
    activity = session.activity
    return Entry(
        key=f"session-{session.pk}",
        start=session.starts_at,
        end=session.ends_at,
        title=activity.title,
        kind=SESSION_KIND,
        kind_label=str(SESSION_KIND_LABEL),
        url=reverse("competence:activity-detail", args=[activity.pk]),
        description=activity.content,
        location=session.where,
        waiting=waiting,
        organising=organising,
    )


def _sorted(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda entry: entry.sort_key)


def _wanted(kinds: Collection[str] | None) -> tuple[bool, list[str] | None]:
    """Whether sessions are wanted, and which event kinds (None: all)."""
    if not kinds:
        return True, None
    return SESSION_KIND in kinds, [kind for kind in kinds if kind != SESSION_KIND]


def municipality_calendar(
    user,
    *,
    school_year: int,
    years: int = 1,
    municipality: Municipality | None = None,
    kinds: Collection[str] | None = None,
) -> list[Entry]:
    """Every session and event of the school year(s) that ``user`` may see, in date order.

    ``municipality`` narrows a superuser's view (or a feed) to one municipality; ``kinds``
    to some of the kinds in ``kind_choices()``. Events count by the day they start."""
    first, last = SchoolYear(school_year), SchoolYear(school_year + years - 1)
    with_sessions, event_kinds = _wanted(kinds)
    entries: list[Entry] = []
    if with_sessions:
        sessions = Session.objects.visible_to(user).filter(
            first.q_datetime("starts_at", until=last)
        )
        if municipality is not None:
            sessions = sessions.filter(activity__municipality=municipality)
        entries += [_session_entry(s) for s in sessions.select_related("activity")]
    if event_kinds is None or event_kinds:
        events = CalendarEvent.objects.visible_to(user).filter(first.q("starts_on", until=last))
        if municipality is not None:
            events = events.filter(municipality=municipality)
        if event_kinds:
            events = events.filter(kind__in=event_kinds)
        entries += [_event_entry(event) for event in events]
    return _sorted(entries)


def is_leader(user) -> bool:
    access = access_for(user)
    return access.has_role(Role.UNIT_LEADER) or access.has_role(Role.SECTOR_LEADER)


def personal_calendar(
    user,
    *,
    school_year: int,
    years: int = 1,
    municipality: Municipality | None = None,
) -> list[Entry]:
    """One person's calendar: sessions they are signed up for (confirmed or on the waiting
    list), sessions of activities they organise, and the events meant for everyone —
    or for leaders, when they lead a unit or the sector."""
    first, last = SchoolYear(school_year), SchoolYear(school_year + years - 1)
    own_status = Registration.objects.filter(session=OuterRef("pk"), user_id=user.pk).values(
        "status"
    )[:1]
    organised = Activity.organisers.through.objects.filter(user_id=user.pk).values("activity_id")
    sessions = (
        Session.objects.visible_to(user)
        .filter(first.q_datetime("starts_at", until=last))
        .annotate(own_status=Subquery(own_status))
        .annotate(
            organising=ExpressionWrapper(Q(activity_id__in=organised), output_field=BooleanField())
        )
        .filter(
            Q(own_status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING])
            | Q(activity_id__in=organised)
        )
        .select_related("activity")
    )
    audiences = [EventAudience.EVERYONE]
    if is_leader(user):
        audiences.append(EventAudience.LEADERS)
    events = CalendarEvent.objects.visible_to(user).filter(
        first.q("starts_on", until=last), audience__in=audiences
    )
    if municipality is not None:
        sessions = sessions.filter(activity__municipality=municipality)
        events = events.filter(municipality=municipality)
    entries = [
        _session_entry(
            session,
            waiting=session.own_status == RegistrationStatus.WAITING,
            organising=session.organising,
        )
        for session in sessions
    ]
    entries += [_event_entry(event) for event in events]
    return _sorted(entries)


def by_month(entries: list[Entry], school_year: int) -> list[dict[str, Any]]:
    """The school year's twelve months, August first, each with its entries."""
    from django.utils.dates import MONTHS

    grouped: dict[int, list[Entry]] = {month: [] for month in MONTHS_IN_ORDER}
    for entry in entries:
        grouped[entry.month].append(entry)
    return [
        {
            "number": month,
            "year": SchoolYear(school_year).first_of(month).year,
            "name": str(MONTHS[month]),
            "anchor": f"maned-{month}",
            "entries": grouped[month],
        }
        for month in MONTHS_IN_ORDER
    ]
