"""The annual wheel: the wheel and its month list, events on it, and the iCal feeds."""

from __future__ import annotations

import datetime
import re
import zoneinfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from competence.calendar import Entry, municipality_calendar, personal_calendar
from competence.ical import calendar_ical
from competence.models import (
    CalendarEvent,
    EventAudience,
    EventKind,
    FeedScope,
    FeedToken,
    RegistrationStatus,
)
from competence.wheel import EMPTY_FILL, EMPTY_LABEL, annual_wheel_svg, month_colours
from plans.models import Membership, Role
from plans.schoolyear import SchoolYear
from plans.wheel import FILLS, LABEL_COLOUR, contrast_ratio
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

YEAR = 2030  # a school year of its own, so the fixture's session stays out of the wheel
SEGMENT = re.compile(
    r'<a href="#maned-(\d+)" aria-label="([^"]+)" class="annual-wheel-segment[^"]*" '
    r'data-month="(\d+)">.*?class="annual-wheel-count">(\d+)</tspan>',
    re.S,
)
BASE_URL = "https://kvalitet.solvik.example"


def _event(municipality, title, day, **fields):
    fields.setdefault("kind", EventKind.OTHER)
    return CalendarEvent.objects.create(
        municipality=municipality, title=title, starts_on=day, **fields
    )


def _at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, 0, tzinfo=datetime.UTC)


def _session(activity, start, hours=3):
    return SessionFactory(
        activity=activity, starts_at=start, ends_at=start + datetime.timedelta(hours=hours)
    )


def _month_section(body: str, month: int) -> str:
    start = body.index(f'id="maned-{month}"')
    end = body.find('<section class="annual-month"', start)
    return body[start : end if end != -1 else len(body)]


@pytest.fixture
def wheel_year(competence_cast):
    """Events and a session in school year 2030/31, and things that must stay out."""
    cc = competence_cast
    events = {
        "plans_due": _event(
            cc.municipality,
            "Utviklingsplanene leveres",
            datetime.date(YEAR, 9, 15),
            kind=EventKind.UNIT_PLAN_DUE,
        ),
        "bti": _event(
            cc.municipality,
            "BTI-nettverk for skolene",
            datetime.date(YEAR + 1, 1, 8),
            kind=EventKind.BTI_NETWORK,
        ),
        "council": _event(
            cc.municipality,
            "Tilstandsrapporten i kommunestyret",
            datetime.date(YEAR + 1, 1, 30),
            kind=EventKind.COUNCIL,
            audience=EventAudience.LEADERS,
        ),
        "next_year": _event(
            cc.municipality, "Neste års planleggingsdag", datetime.date(YEAR + 1, 8, 12)
        ),
        "neighbour": _event(
            cc.other_municipality, "Nabovik-møte i hemmelighet", datetime.date(YEAR, 9, 20)
        ),
    }
    session = _session(cc.activity, _at(YEAR + 1, 3, 2, 8))
    neighbour_session = _session(cc.other_activity, _at(YEAR + 1, 3, 3, 8))
    return events, session, neighbour_session


# --- The wheel and its list ---------------------------------------------------------------


def test_wheel_has_twelve_months_from_august_with_the_year_counted_in_place(
    competence_cast, wheel_year, client_for
):
    response = client_for(competence_cast["staff"]).get(
        reverse("competence:wheel"), {"year": str(YEAR)}
    )
    assert response.status_code == 200
    body = response.content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert 'role="group"' in svg
    assert '<title id="arshjul-title">Årshjul for 2030/31</title>' in svg
    segments = SEGMENT.findall(svg)
    assert [int(month) for month, _label, _data, _count in segments] == [
        8,
        9,
        10,
        11,
        12,
        1,
        2,
        3,
        4,
        5,
        6,
        7,
    ]
    counts = {int(month): int(count) for month, _label, _data, count in segments}
    assert counts == {8: 0, 9: 1, 10: 0, 11: 0, 12: 0, 1: 2, 2: 0, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0}
    labels = {int(month): label for month, label, _data, _count in segments}
    assert labels[9] == "sep 1 hendelse – september 2030"
    assert labels[1] == "jan 2 hendelser – januar 2031"
    assert labels[7] == "jul 0 hendelser – juli 2031"
    assert "4 hendelser" in svg  # the centre's total
    assert f'<option value="{YEAR}" selected>2030/31</option>' in body
    # Segments are links, so each can be reached with Tab.
    assert svg.count("<a ") == 12


def test_month_list_holds_each_event_under_its_month_and_nothing_from_elsewhere(
    competence_cast, wheel_year, client_for
):
    events, session, _neighbour = wheel_year
    body = (
        client_for(competence_cast["staff"])
        .get(reverse("competence:wheel"), {"year": "2030/31"})
        .content.decode()
    )
    for month in (8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7):
        assert body.count(f'id="maned-{month}"') == 1
    assert "Utviklingsplanene leveres" in _month_section(body, 9)
    january = _month_section(body, 1)
    assert "BTI-nettverk for skolene" in january
    assert "Tilstandsrapporten i kommunestyret" in january
    assert january.index("BTI-nettverk") < january.index("Tilstandsrapporten")
    assert "For ledere" in january
    march = _month_section(body, 3)
    assert "Fagdag om skolefravær" in march
    assert f'id="samling-{session.pk}"' in march
    assert reverse("competence:activity-detail", args=[competence_cast.activity.pk]) in march
    assert f'id="hendelse-{events["plans_due"].pk}"' in body
    assert "Ingen hendelser." in _month_section(body, 8)
    assert "Neste års planleggingsdag" not in body
    assert "Nabovik" not in body
    # Staff read the wheel but do not edit it.
    assert reverse("competence:event-add") not in body
    assert reverse("competence:event-edit", args=[events["plans_due"].pk]) not in body


def test_kind_filter_shows_one_kind_on_the_wheel_and_in_the_list(
    competence_cast, wheel_year, client_for
):
    body = (
        client_for(competence_cast["staff"])
        .get(reverse("competence:wheel"), {"year": str(YEAR), "kind": "bti"})
        .content.decode()
    )
    assert "BTI-nettverk for skolene" in body
    assert "Utviklingsplanene leveres" not in body
    assert "Fagdag om skolefravær" not in body
    counts = {int(m): int(c) for m, _l, _d, c in SEGMENT.findall(body)}
    assert sum(counts.values()) == 1
    assert counts[1] == 1
    sessions_only = (
        client_for(competence_cast["staff"])
        .get(reverse("competence:wheel"), {"year": str(YEAR), "kind": "kompetanse"})
        .content.decode()
    )
    assert "Fagdag om skolefravær" in sessions_only
    assert "BTI-nettverk for skolene" not in sessions_only


def test_wrong_year_falls_back_to_the_current_year_with_an_error(competence_cast, client_for):
    response = client_for(competence_cast["staff"]).get(
        reverse("competence:wheel"), {"year": "om lenge"}
    )
    assert response.status_code == 200
    assert response.context["year"] == SchoolYear.current().start_year
    assert "Velg et barnehage- og skoleår fra listen." in response.content.decode()
    plain = client_for(competence_cast["staff"]).get(reverse("competence:wheel"))
    year = SchoolYear.current().start_year
    assert plain.context["year"] == year
    assert f'<option value="{year}" selected>' in plain.content.decode()


def test_other_municipality_sees_only_its_own_wheel(competence_cast, wheel_year, client_for):
    _events, _session, _neighbour_session = wheel_year
    body = (
        client_for(competence_cast["other_municipality"])
        .get(reverse("competence:wheel"), {"year": str(YEAR)})
        .content.decode()
    )
    assert "Nabovik-møte i hemmelighet" in body
    assert "Nabovik-kurs i hemmelighet" in body
    assert "Utviklingsplanene leveres" not in body
    assert "Fagdag om skolefravær" not in body


def test_wheel_needs_login_and_membership(competence_cast, client_for):
    url = reverse("competence:wheel")
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert client_for(competence_cast["no_membership"]).get(url).status_code == 403


def test_wheel_page_query_count_does_not_grow_with_the_events(
    competence_cast, client_for, django_assert_max_num_queries
):
    cc = competence_cast
    client = client_for(cc["sector_leader"])
    url = reverse("competence:wheel")

    def add(count, offset):
        for n in range(count):
            day = datetime.date(YEAR, 8, 1) + datetime.timedelta(days=(offset + n) * 11)
            _event(cc.municipality, f"Hendelse {offset + n}", day)
            activity = ActivityFactory(municipality=cc.municipality, title=f"Kurs {offset + n}")
            _session(activity, _at(day.year, day.month, day.day))

    add(3, 0)
    client.get(url, {"year": str(YEAR)})  # warm up: session, content types, caches
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"year": str(YEAR)})
    assert response.status_code == 200
    assert response.context["entry_count"] == 6
    add(27, 3)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"year": str(YEAR)})
    assert response.status_code == 200
    assert response.context["entry_count"] == 60


# --- Events on the wheel --------------------------------------------------------------------


def test_sector_leader_adds_changes_and_deletes_an_event(competence_cast, client_for):
    leader = competence_cast["sector_leader"]
    client = client_for(leader)
    response = client.post(
        reverse("competence:event-add"),
        {
            "kind": EventKind.PARENT_MEETING,
            "title": "Foreldremøte: skjermbruk",
            "starts_on": "2030-10-07",
            "ends_on": "",
            "audience": EventAudience.EVERYONE,
            "description": "Tema for alle skolene.",
        },
    )
    event = CalendarEvent.objects.get(title="Foreldremøte: skjermbruk")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('competence:wheel')}?year=2030#hendelse-{event.pk}"
    assert event.municipality == competence_cast.municipality
    assert event.created_by == leader
    assert event.starts_on == datetime.date(2030, 10, 7)
    assert event.ends_on is None

    wheel = client.get(reverse("competence:wheel"), {"year": "2030"}).content.decode()
    assert reverse("competence:event-edit", args=[event.pk]) in wheel
    assert "Foreldremøte: skjermbruk" in _month_section(wheel, 10)

    edit_url = reverse("competence:event-edit", args=[event.pk])
    assert 'type="date"' in client.get(edit_url).content.decode()
    client.post(
        edit_url,
        {
            "kind": EventKind.PARENT_MEETING,
            "title": "Foreldremøte: skjerm og søvn",
            "starts_on": "2030-10-07",
            "ends_on": "2030-10-09",
            "audience": EventAudience.LEADERS,
            "description": "",
        },
    )
    event.refresh_from_db()
    assert event.title == "Foreldremøte: skjerm og søvn"
    assert event.ends_on == datetime.date(2030, 10, 9)
    assert event.audience == EventAudience.LEADERS

    delete_url = reverse("competence:event-delete", args=[event.pk])
    confirm = client.get(delete_url)
    assert confirm.status_code == 200
    assert "Foreldremøte: skjerm og søvn" in confirm.content.decode()
    assert CalendarEvent.objects.filter(pk=event.pk).exists()
    response = client.post(delete_url)
    assert response.status_code == 302
    assert not CalendarEvent.objects.filter(pk=event.pk).exists()


def test_an_event_ending_before_it_starts_is_refused_in_norwegian(competence_cast, client_for):
    response = client_for(competence_cast["sector_leader"]).post(
        reverse("competence:event-add"),
        {
            "kind": EventKind.OTHER,
            "title": "Baklengs",
            "starts_on": "2030-10-07",
            "ends_on": "2030-10-01",
            "audience": EventAudience.EVERYONE,
        },
    )
    assert response.status_code == 200
    assert "Sluttdatoen kan ikke være før startdatoen." in response.content.decode()
    assert not CalendarEvent.objects.filter(title="Baklengs").exists()


@pytest.mark.parametrize("persona", ["staff", "unit_leader", "elected_official", "data_admin"])
def test_only_sector_leaders_manage_events(competence_cast, wheel_year, client_for, persona):
    events, _session, _neighbour = wheel_year
    event = events["plans_due"]
    client = client_for(competence_cast[persona])
    assert client.get(reverse("competence:event-add")).status_code == 403
    response = client.post(
        reverse("competence:event-add"),
        {"kind": "annet", "title": "Snikinnlegg", "starts_on": "2030-10-07", "audience": "alle"},
    )
    assert response.status_code == 403
    assert client.get(reverse("competence:event-edit", args=[event.pk])).status_code == 403
    assert client.post(reverse("competence:event-delete", args=[event.pk])).status_code == 403
    assert not CalendarEvent.objects.filter(title="Snikinnlegg").exists()
    assert CalendarEvent.objects.filter(pk=event.pk).exists()


def test_another_municipalitys_event_is_not_found(competence_cast, wheel_year, client_for):
    events, _session, _neighbour = wheel_year
    client = client_for(competence_cast["sector_leader"])
    neighbour = events["neighbour"]
    assert client.get(reverse("competence:event-edit", args=[neighbour.pk])).status_code == 404
    assert client.post(reverse("competence:event-delete", args=[neighbour.pk])).status_code == 404
    assert CalendarEvent.objects.filter(pk=neighbour.pk).exists()


# --- Feeds --------------------------------------------------------------------------------


def _create_feed(client, scope) -> FeedToken:
    before = set(FeedToken.objects.values_list("pk", flat=True))
    response = client.post(reverse("competence:feeds"), {"scope": scope})
    assert response.status_code == 302
    (token,) = FeedToken.objects.exclude(pk__in=before)
    return token


def _fetch(token: FeedToken):
    return Client().get(reverse("competence:ical", args=[token.token]))


def _parse(response) -> Calendar:
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _events_by_uid(calendar: Calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def this_year(competence_cast):
    """Sessions and events inside the feeds' window (this and next school year)."""
    cc = competence_cast
    year = SchoolYear.current().start_year
    staff = cc["staff"]
    waiting_session = _session(cc.activity, cc.session.starts_at + datetime.timedelta(days=7))
    unregistered = _session(cc.activity, cc.session.starts_at + datetime.timedelta(days=14))
    cancelled = _session(cc.activity, cc.session.starts_at + datetime.timedelta(days=21))
    RegistrationFactory(session=cc.session, user=staff, status=RegistrationStatus.CONFIRMED)
    RegistrationFactory(session=waiting_session, user=staff, status=RegistrationStatus.WAITING)
    RegistrationFactory(session=cancelled, user=staff, status=RegistrationStatus.CANCELLED)
    colleague = UserFactory(username="kollega", first_name="Kari", last_name="Kollegasen")
    MembershipFactory(user=colleague, municipality=cc.municipality, unit=cc.school, role=Role.STAFF)
    RegistrationFactory(session=unregistered, user=colleague)
    everyone = _event(
        cc.municipality,
        "Evalueringen av utviklingsplanene",
        datetime.date(year + 1, 6, 1),
        kind=EventKind.EVALUATION_DUE,
        ends_on=datetime.date(year + 1, 6, 3),
    )
    leaders = _event(
        cc.municipality,
        "Ledermøte om budsjett",
        datetime.date(year + 1, 2, 10),
        kind=EventKind.REPORT,
        audience=EventAudience.LEADERS,
    )
    neighbour = _event(cc.other_municipality, "Nabovik-frist", datetime.date(year + 1, 2, 10))
    return {
        "confirmed": cc.session,
        "waiting": waiting_session,
        "unregistered": unregistered,
        "cancelled": cancelled,
        "everyone": everyone,
        "leaders": leaders,
        "neighbour": neighbour,
        "colleague": colleague,
    }


def test_personal_feed_is_created_shown_and_fetched_as_ical(
    competence_cast, this_year, client_for, settings
):
    settings.PORTAL_BASE_URL = BASE_URL + "/"
    staff = competence_cast["staff"]
    client = client_for(staff)
    token = _create_feed(client, FeedScope.PERSONAL)
    assert token.user == staff
    assert token.municipality == competence_cast.municipality
    assert token.scope == FeedScope.PERSONAL
    assert token.revoked_at is None
    assert len(token.token) >= 40

    page = client.get(reverse("competence:feeds"))
    assert f"{BASE_URL}/competence/ical/{token.token}.ics" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    response = _fetch(token)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith("inline")
    assert not response.cookies
    calendar = _parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert "Kvalitetsportalen" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Min kalender – Kvalitetsportalen"
    events = _events_by_uid(calendar)
    confirmed = this_year["confirmed"]
    session = events[f"session-{confirmed.pk}@kvalitetsportalen"]
    assert str(session["SUMMARY"]) == "Fagdag om skolefravær"
    assert session.decoded("DTSTART") == confirmed.starts_at.replace(microsecond=0)
    assert session.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert session.decoded("DTEND") == confirmed.ends_at.replace(microsecond=0)
    assert str(session["LOCATION"]) == "Kulturhuset"
    assert str(session["URL"]) == BASE_URL + reverse(
        "competence:activity-detail", args=[competence_cast.activity.pk]
    )
    assert "DTSTAMP" in session
    deadline = events[f"event-{this_year['everyone'].pk}@kvalitetsportalen"]
    assert str(deadline["SUMMARY"]) == "Evalueringen av utviklingsplanene"
    start = this_year["everyone"].starts_on
    assert deadline.decoded("DTSTART") == start
    assert not isinstance(deadline.decoded("DTSTART"), datetime.datetime)
    assert deadline.decoded("DTEND") == datetime.date(start.year, 6, 4)  # exclusive end
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_personal_feed_holds_own_sessions_only_and_leader_events_for_leaders(
    competence_cast, this_year, client_for
):
    cc = competence_cast
    staff_feed = _events_by_uid(_parse(_fetch(_create_feed(client_for(cc["staff"]), "personlig"))))
    assert f"session-{this_year['confirmed'].pk}@kvalitetsportalen" in staff_feed
    waiting = staff_feed[f"session-{this_year['waiting'].pk}@kvalitetsportalen"]
    assert str(waiting["SUMMARY"]) == "Venteliste: Fagdag om skolefravær"
    assert str(waiting["STATUS"]) == "TENTATIVE"
    assert f"session-{this_year['unregistered'].pk}@kvalitetsportalen" not in staff_feed
    assert f"session-{this_year['cancelled'].pk}@kvalitetsportalen" not in staff_feed
    assert f"event-{this_year['everyone'].pk}@kvalitetsportalen" in staff_feed
    assert f"event-{this_year['leaders'].pk}@kvalitetsportalen" not in staff_feed
    assert f"event-{this_year['neighbour'].pk}@kvalitetsportalen" not in staff_feed

    for leader in ("unit_leader", "sector_leader"):
        feed = _events_by_uid(_parse(_fetch(_create_feed(client_for(cc[leader]), "personlig"))))
        assert f"event-{this_year['leaders'].pk}@kvalitetsportalen" in feed
        assert f"session-{this_year['confirmed'].pk}@kvalitetsportalen" not in feed

    organiser_feed = _events_by_uid(
        _parse(_fetch(_create_feed(client_for(cc.organiser), "personlig")))
    )
    # The organiser sees every session of their activity, not who signed up for them.
    for name in ("confirmed", "waiting", "unregistered", "cancelled"):
        assert f"session-{this_year[name].pk}@kvalitetsportalen" in organiser_feed


def test_municipality_feed_holds_the_whole_wheel_and_no_names(
    competence_cast, this_year, client_for
):
    cc = competence_cast
    response = _fetch(_create_feed(client_for(cc["staff"]), FeedScope.MUNICIPALITY))
    calendar = _parse(response)
    assert str(calendar["X-WR-CALNAME"]) == "Årshjul – Solvik kommune"
    events = _events_by_uid(calendar)
    for name in ("confirmed", "waiting", "unregistered", "cancelled"):
        assert f"session-{this_year[name].pk}@kvalitetsportalen" in events
    assert f"event-{this_year['leaders'].pk}@kvalitetsportalen" in events
    assert f"event-{this_year['neighbour'].pk}@kvalitetsportalen" not in events
    assert f"session-{cc.other_session.pk}@kvalitetsportalen" not in events
    body = response.content.decode()
    for personal in ("Kollegasen", "kollega", "ansatt", "arrangor", "sektorleder"):
        assert personal not in body


def test_unknown_and_revoked_tokens_are_not_found(competence_cast, client_for):
    client = client_for(competence_cast["staff"])
    token = _create_feed(client, FeedScope.PERSONAL)
    assert _fetch(token).status_code == 200
    assert Client().get(reverse("competence:ical", args=["ikke-en-nokkel"])).status_code == 404
    assert client.get(reverse("competence:feed-revoke", args=[token.pk])).status_code == 405
    response = client.post(reverse("competence:feed-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _fetch(token).status_code == 404
    page = client.get(reverse("competence:feeds")).content.decode()
    assert token.token not in page
    assert "Trukket tilbake" in page


def test_nobody_else_lists_or_revokes_your_feed(competence_cast, client_for):
    token = _create_feed(client_for(competence_cast["staff"]), FeedScope.PERSONAL)
    for persona in ("sector_leader", "unit_leader", "other_municipality"):
        client = client_for(competence_cast[persona])
        assert token.token not in client.get(reverse("competence:feeds")).content.decode()
        response = client.post(reverse("competence:feed-revoke", args=[token.pk]))
        assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _fetch(token).status_code == 200


def test_feed_stops_when_its_owner_leaves_the_municipality_or_is_deactivated(
    competence_cast, client_for
):
    cc = competence_cast
    staff = cc["staff"]
    token = _create_feed(client_for(staff), FeedScope.MUNICIPALITY)
    assert _fetch(token).status_code == 200
    Membership.objects.filter(user=staff).delete()
    assert _fetch(token).status_code == 404
    MembershipFactory(
        user=staff, municipality=cc.other_municipality, unit=cc.other_unit, role=Role.STAFF
    )
    assert _fetch(token).status_code == 404  # a member again, but of another municipality

    leader = cc["unit_leader"]
    leader_token = _create_feed(client_for(leader), FeedScope.PERSONAL)
    leader.is_active = False
    leader.save()
    assert _fetch(leader_token).status_code == 404


def test_feed_creation_refuses_an_unknown_scope_and_users_without_membership(
    competence_cast, client_for
):
    client = client_for(competence_cast["staff"])
    response = client.post(reverse("competence:feeds"), {"scope": "alt"})
    assert response.status_code == 200
    assert "Velg hva kalenderen skal vise." in response.content.decode()
    assert not FeedToken.objects.exists()
    no_member = client_for(competence_cast["no_membership"])
    assert no_member.post(reverse("competence:feeds"), {"scope": "personlig"}).status_code == 403
    assert not FeedToken.objects.exists()


def test_feed_needs_no_csrf_token_and_sets_no_cookie(competence_cast, client_for):
    token = _create_feed(client_for(competence_cast["staff"]), FeedScope.PERSONAL)
    client = Client(enforce_csrf_checks=True)
    response = client.get(reverse("competence:ical", args=[token.token]))
    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert client.head(reverse("competence:ical", args=[token.token])).status_code == 200


# --- The drawing and the text -------------------------------------------------------------


def test_wheel_labels_are_readable_and_escaped():
    svg = str(
        annual_wheel_svg(
            school_year=2030,
            counts={9: 2, 1: 1},
            title="Årshjul <2030/31>",
            centre_label="2030/31",
        )
    )
    assert svg.count("<path ") == 12
    assert "Årshjul &lt;2030/31&gt;" in svg
    assert "<2030/31>" not in svg
    for index in range(12):
        for count in (0, 3):
            fill, colour = month_colours(index, count)
            assert contrast_ratio(colour, fill) >= 4.5
    assert contrast_ratio(EMPTY_LABEL, EMPTY_FILL) >= 4.5
    assert all(contrast_ratio(LABEL_COLOUR, fill) >= 4.5 for fill in FILLS)
    fills = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})"', svg)
    busy = [fills[index] for index in range(12) if fills[index] != EMPTY_FILL]
    assert len(busy) == 2
    # August's segment starts straight above the centre.
    first_path = re.search(r'<path d="M ([\d.]+) ([\d.]+) ', svg)
    assert abs(float(first_path.group(1)) - 200) < 3
    assert float(first_path.group(2)) < 10


def test_ical_entries_without_place_or_end_are_still_valid():
    entry = Entry(
        key="event-9",
        start=datetime.date(2030, 11, 1),
        end=None,
        title="Frist",
        kind="annet",
        kind_label="Annet",
        url="/competence/wheel/?year=2030#hendelse-9",
    )
    calendar = Calendar.from_ical(calendar_ical([entry], name="Test"))
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == datetime.date(2030, 11, 1)
    assert event.decoded("DTEND") == datetime.date(2030, 11, 2)
    assert "LOCATION" not in event


def test_personal_calendar_queries_stay_constant(competence_cast, django_assert_max_num_queries):
    cc = competence_cast
    staff = cc["staff"]
    for n in range(10):
        session = _session(cc.activity, timezone.now() + datetime.timedelta(days=40 + n))
        RegistrationFactory(session=session, user=staff)
        _event(cc.municipality, f"Frist {n}", timezone.localdate() + datetime.timedelta(days=n))
    personal_calendar(
        staff, school_year=SchoolYear.current().start_year, years=2
    )  # warm the access
    with django_assert_max_num_queries(2):
        entries = personal_calendar(staff, school_year=SchoolYear.current().start_year, years=2)
    assert len([entry for entry in entries if entry.kind == "kompetanse"]) == 10


def test_a_two_year_calendar_runs_from_one_oslo_1_august_to_the_one_two_years_later(
    competence_cast,
):
    cc = competence_cast
    oslo = zoneinfo.ZoneInfo("Europe/Oslo")
    activity = ActivityFactory(municipality=cc.municipality, title="Kurs")
    for title, moment in (
        ("før", datetime.datetime(YEAR, 7, 31, 23, 30, tzinfo=oslo)),
        ("første", datetime.datetime(YEAR, 8, 1, 0, 0, tzinfo=oslo)),
        ("andre", datetime.datetime(YEAR + 1, 8, 1, 0, 30, tzinfo=oslo)),
        ("siste", datetime.datetime(YEAR + 2, 7, 31, 23, 30, tzinfo=oslo)),
        ("etter", datetime.datetime(YEAR + 2, 8, 1, 0, 0, tzinfo=oslo)),
    ):
        _session(activity, moment)
        _event(cc.municipality, title, moment.date())
    entries = municipality_calendar(cc["sector_leader"], school_year=YEAR, years=2)
    sessions = [entry.start for entry in entries if not entry.all_day]
    events = [entry.title for entry in entries if entry.all_day]
    assert events == ["første", "andre", "siste"]
    assert [timezone.localtime(start).date() for start in sessions] == [
        datetime.date(YEAR, 8, 1),
        datetime.date(YEAR + 1, 8, 1),
        datetime.date(YEAR + 2, 7, 31),
    ]
