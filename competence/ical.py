"""Calendar entries as RFC 5545 text for subscriptions in Outlook, Google and Apple
Calendar.

A feed URL is a bearer secret that ends up in other people's calendar software, so a feed
holds the sector's plan and the subscriber's own sessions only: never who else signed up,
who organises or who wrote an event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration

from competence.calendar import Entry

PRODID = "-//Kvalitetsportalen//Årshjul//NB"
UID_DOMAIN = "kvalitetsportalen"
# Calendar clients poll; an hour keeps changes to the wheel reasonably fresh.
REFRESH = datetime.timedelta(hours=1)


def absolute_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def entry_uid(entry: Entry) -> str:
    return f"{entry.key}@{UID_DOMAIN}"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _summary(entry: Entry) -> str:
    if entry.waiting:
        return _("Venteliste: %(title)s") % {"title": entry.title}
    return entry.title


def _description(entry: Entry) -> str:
    lines = [entry.kind_label]
    if entry.waiting:
        lines.append(_("Du står på venteliste til denne samlingen."))
    if entry.organising:
        lines.append(_("Du er arrangør for dette tiltaket."))
    if entry.leaders_only:
        lines.append(_("For ledere."))
    if entry.description:
        lines += ["", entry.description]
    return "\n".join(lines)


def _vevent(entry: Entry, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", entry_uid(entry))
    event.add("dtstamp", stamp)
    start, end = entry.start, entry.end
    if isinstance(start, datetime.datetime):
        event.add("dtstart", _utc(start))
        event.add("dtend", _utc(end if isinstance(end, datetime.datetime) else start))
    else:
        # DTEND of an all-day event is the day after the last one (RFC 5545 3.6.1).
        event.add("dtstart", start)
        event.add("dtend", (end or start) + datetime.timedelta(days=1))
    event.add("summary", _summary(entry))
    if entry.location:
        event.add("location", entry.location)
    event.add("description", _description(entry))
    event.add("categories", [entry.kind_label])
    event.add("url", absolute_url(entry.url))
    if entry.waiting:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.all_day else "OPAQUE")
    return event


def calendar_ical(
    entries: Iterable[Entry], *, name: str, stamp: datetime.datetime | None = None
) -> bytes:
    """The entries as one VCALENDAR named ``name``."""
    stamp = _utc(stamp or timezone.now()).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Outlook's older name for the same; an unknown property, so written out by hand.
    calendar.add("x-published-ttl", vDuration(REFRESH).to_ical().decode())
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp))
    return calendar.to_ical()
