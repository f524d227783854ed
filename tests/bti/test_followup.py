"""The coordinator's follow-up per unit (/bti/oppfolging/): who reads it, what it counts
from the consultation meetings, the units' counts of concerns and logs as a breakdown of the
published statistics, the home page's flag for units gone quiet, and the unit on the
statistics rows (migration 0007)."""

from __future__ import annotations

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from btitracker.models import (
    ConsultationAction,
    ConsultationActionStatus,
    ConsultationAttendance,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    Service,
    StatEvent,
)
from btitracker.selectors.followup import followup_for, quiet_units
from btitracker.services import cases as services
from plans.models import UnitKind
from plans.schoolyear import SchoolYear
from tests.bti.helpers import VIEWS
from tests.factories import UnitFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
URL = "/bti/oppfolging/"


def service(municipality, name):
    return Service.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={"helps_with": "–", "for_whom": "–", "contact": "–"},
    )[0]


def schedule(unit, user, year=None, services=()):
    plan = ConsultationSchedule.objects.create(
        municipality=unit.municipality,
        unit=unit,
        school_year=year or SchoolYear.current().start_year,
        created_by=user,
    )
    plan.services.set(services)
    return plan


def meeting(plan, day, status=ConsultationStatus.PLANNED, attended=()):
    held = status == ConsultationStatus.HELD
    row = ConsultationMeeting.objects.create(
        schedule=plan, planned_on=day, status=status, held_on=day if held else None
    )
    for svc in attended:
        ConsultationAttendance.objects.create(meeting=row, service=svc, name="Fagperson")
    return row


def action(row, user, follow_up_on, followed_up_at=None, status=ConsultationActionStatus.PLANNED):
    return ConsultationAction.objects.create(
        meeting=row,
        description="Tiltak",
        responsible=user,
        follow_up_on=follow_up_on,
        followed_up_at=followed_up_at,
        status=status,
    )


def events(municipality, unit, n, *, year=None, kind=None, level=0, age=None, first=False):
    year = year or SchoolYear.current().start_year
    StatEvent.objects.bulk_create(
        StatEvent(
            municipality=municipality,
            kind="undring" if level == 0 else "logg",
            level=level,
            unit_kind=kind or unit.kind,
            unit=unit,
            year=year,
            quarter=4,
            school_year=year,
            age_years=age,
            first_for_child=first,
        )
        for _ in range(n)
    )


def row_of(followup, unit):
    return next(row for table in followup["tables"] for row in table.rows if row.unit == unit)


# --- Who reads it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("bti_coordinator", 200),
        ("sector_leader", 200),
        ("elected_official", 403),
        ("unit_leader", 403),
        ("staff", 403),
        ("data_admin", 403),
        ("other_municipality", 403),
        ("no_membership", 403),
        (None, 302),
    ],
)
@pytest.mark.parametrize("url", [URL, URL + "csv/"])
def test_only_the_coordinator_and_the_sector_leader_read_the_follow_up(
    cast, client_for, persona, status, url
):
    client = client_for(cast[persona] if persona else None)
    response = client.get(url)
    assert response.status_code == status
    if status == 200:
        assert "no-store" in response["Cache-Control"]


def test_another_municipalitys_units_and_meetings_are_not_on_the_page(cast, client_for):
    plan = schedule(cast.other_unit, cast["other_municipality"])
    meeting(plan, timezone.localdate(), ConsultationStatus.HELD)
    events(cast.other_municipality, cast.other_unit, 9)
    body = client_for(cast["bti_coordinator"]).get(URL).content.decode()
    assert cast.school.name in body
    assert "Nabovik" not in body


# --- The meetings --------------------------------------------------------------------------


def test_meetings_attendance_and_actions_per_unit(cast):
    today = timezone.localdate()
    year = SchoolYear.current(today)
    ppt = service(cast.municipality, "PPT")
    nurse = service(cast.municipality, "Helsestasjon")
    welfare = service(cast.municipality, "Barnevern")
    plan = schedule(cast.school, cast["bti_coordinator"], services=[ppt, nurse, welfare])
    first = meeting(plan, year.start, ConsultationStatus.HELD, attended=[ppt, nurse, nurse])
    meeting(plan, year.start + datetime.timedelta(days=1), ConsultationStatus.HELD, [ppt])
    meeting(plan, year.start + datetime.timedelta(days=2), ConsultationStatus.CANCELLED)
    meeting(plan, year.end - datetime.timedelta(days=1))  # later this school year
    due = today - datetime.timedelta(days=3)
    user = cast["staff"]
    # On the day (local 23:30) is on time; 00:30 the day after is late, although it is
    # still the day in UTC.
    on_day = datetime.datetime.combine(due, datetime.time(23, 30), tzinfo=OSLO)
    next_day = datetime.datetime.combine(
        due + datetime.timedelta(days=1), datetime.time(0, 30), tzinfo=OSLO
    )
    action(first, user, due, on_day, ConsultationActionStatus.DONE)
    action(first, user, due, next_day, ConsultationActionStatus.DONE)
    action(first, user, due)  # overdue
    action(first, user, today)  # due today: open, not overdue
    action(first, user, due, status=ConsultationActionStatus.STOPPED)
    followup = followup_for(cast["bti_coordinator"], school_year=year.start_year, today=today)
    row = row_of(followup, cast.school)
    assert (row.planned, row.held, row.cancelled) == (4, 2, 1)
    assert row.planned_so_far == (3 if year.end - datetime.timedelta(days=1) > today else 4)
    # Two attendees from one service at one meeting count one meeting.
    assert row.attendance == [("Barnevern", 0), ("Helsestasjon", 1), ("PPT", 2)]
    actions = row.actions
    assert (actions.on_time, actions.late, actions.overdue, actions.open) == (1, 1, 1, 1)
    assert actions.stopped == 1
    assert row_of(followup, cast.kindergarten).has_schedule is False


def test_the_page_and_the_csv_show_the_units_figures(cast, client_for):
    today = timezone.localdate()
    ppt = service(cast.municipality, "PPT")
    plan = schedule(cast.school, cast["bti_coordinator"], services=[ppt])
    meeting(plan, today, ConsultationStatus.HELD, attended=[ppt])
    client = client_for(cast["sector_leader"])
    body = client.get(URL).content.decode()
    assert "PPT: 1 av 1" in body
    assert "Ingen møteplan for skoleåret." in body  # the kindergarten
    # The way on to the meetings themselves and to who has had BTI training.
    assert f'href="{reverse("bti:consultations")}"' in body
    assert f'href="{reverse("competence:bti-training")}"' in body
    csv = client.get(URL + "csv/").content.decode("utf-8-sig")
    assert "Solvik barneskole;1;1;1;0;" in csv


def test_a_wrong_school_year_or_kind_gets_a_norwegian_error_and_the_current_year(cast, client_for):
    client = client_for(cast["bti_coordinator"])
    response = client.get(URL, {"year": "1899", "kind": "sfo"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Velg et skoleår fra listen." in body
    assert "Velg barnehager, skoler eller begge." in body
    assert SchoolYear.current().label in body
    response = client.get(URL, {"year": "x" * 100_000, "kind": "\u202e"})
    assert response.status_code == 200


def test_the_kind_filter_shows_only_that_kind(cast, client_for):
    client = client_for(cast["bti_coordinator"])
    body = client.get(URL, {"kind": UnitKind.KINDERGARTEN}).content.decode()
    assert cast.kindergarten.name in body
    assert cast.school.name not in body
    assert "Solvik SFO" not in client.get(URL).content.decode()


def test_the_page_makes_as_many_queries_for_one_unit_as_for_many(cast, client_for):
    today = timezone.localdate()
    ppt = service(cast.municipality, "PPT")
    client = client_for(cast["bti_coordinator"])

    def add_units(count):
        for number in range(count):
            unit = UnitFactory(municipality=cast.municipality, kind=UnitKind.SCHOOL)
            plan = schedule(unit, cast["bti_coordinator"], services=[ppt])
            held = meeting(plan, today, ConsultationStatus.HELD, attended=[ppt])
            action(held, cast["staff"], today)
            events(cast.municipality, unit, number % 7)

    def queries():
        client.get(URL)  # the session and the access cache warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    add_units(1)
    one = queries()
    add_units(20)
    assert queries() == one
    assert one <= 24


# --- The units' counts about children -------------------------------------------------------


def _cells(followup, kind):
    (table,) = [t for t in followup["tables"] if t.kind == kind]
    return {row.name: row.events["text"] for row in table.rows}, table.total["text"]


def test_the_units_counts_add_up_to_the_kinds_published_cell(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    other_school = UnitFactory(municipality=cast.municipality, name="Nord skole", kind="skole")
    events(cast.municipality, cast.school, 7)
    events(cast.municipality, other_school, 9, level=1)
    events(cast.municipality, cast.kindergarten, 6)
    events(cast.municipality, cast.sfo, 8)
    # The kinds without events are «<5» beside the total; the statistics hide the smallest
    # kind that leaves them five possible values each (here the health station's 10).
    events(cast.municipality, None, 10, kind="helsestasjon")
    followup = followup_for(cast["bti_coordinator"], school_year=SchoolYear.current().start_year)
    assert _cells(followup, "skole") == ({"Solvik barneskole": "7", "Nord skole": "9"}, "16")
    assert _cells(followup, "barnehage") == ({"Solbakken barnehage": "6"}, "6")


def test_a_small_unit_count_is_hidden_with_a_neighbour_beside_the_shown_kind_cell(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    other_school = UnitFactory(municipality=cast.municipality, name="Nord skole", kind="skole")
    third = UnitFactory(municipality=cast.municipality, name="Sør skole", kind="skole")
    events(cast.municipality, cast.school, 2)
    events(cast.municipality, other_school, 9)
    events(cast.municipality, third, 30)
    events(cast.municipality, cast.kindergarten, 20)
    followup = followup_for(cast["bti_coordinator"], school_year=SchoolYear.current().start_year)
    cells, total = _cells(followup, "skole")
    assert total == "41"
    # 41 − 30 = 11 would give «<5» away; the smallest other unit is hidden with it.
    assert cells == {"Solvik barneskole": "<5", "Nord skole": ":", "Sør skole": "30"}


def test_units_are_all_withheld_when_the_statistics_withhold_the_kind(cast, settings):
    """Kindergarten «<5» beside a school cell of 9: the statistics hide the school cell
    too; a school unit shown, or a mark on one, would bound it."""
    settings.SUPPRESSION_THRESHOLD = 5
    events(cast.municipality, cast.school, 9)
    events(cast.municipality, cast.kindergarten, 2)
    events(cast.municipality, cast.sfo, 30)
    followup = followup_for(cast["bti_coordinator"], school_year=SchoolYear.current().start_year)
    assert _cells(followup, "skole") == ({"Solvik barneskole": ":"}, ":")
    assert _cells(followup, "barnehage") == ({"Solbakken barnehage": "<5"}, "<5")


def test_rows_without_a_unit_are_a_row_of_their_kind(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    events(cast.municipality, cast.school, 6)
    events(cast.municipality, None, 7, kind="skole")
    events(cast.municipality, cast.kindergarten, 8)
    events(cast.municipality, None, 10, kind="helsestasjon")
    followup = followup_for(cast["bti_coordinator"], school_year=SchoolYear.current().start_year)
    assert _cells(followup, "skole") == (
        {"Solvik barneskole": "6", "Enhet ikke registrert": "7"},
        "13",
    )


def test_a_units_average_age_is_shown_only_where_it_tells_no_count(cast, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    year = SchoolYear.current().start_year
    events(cast.municipality, cast.school, 5, age=7, first=True)
    events(cast.municipality, cast.school, 5, level=1)
    events(cast.municipality, cast.kindergarten, 6, age=4, first=True)
    events(cast.municipality, cast.kindergarten, 4)
    events(cast.municipality, cast.sfo, 20)
    events(cast.municipality, None, 9, kind="helsestasjon", level=2)
    followup = followup_for(cast["bti_coordinator"], school_year=year)
    assert _cells(followup, "skole")[0] == {"Solvik barneskole": "10"}
    assert _cells(followup, "barnehage")[0] == {"Solbakken barnehage": "10"}
    assert str(row_of(followup, cast.school).first_age) == "7.0"
    # Ten events of which six first concerns: the other four would be bounded below 5.
    assert row_of(followup, cast.kindergarten).first_age is None
    first = StatEvent.objects.filter(unit=cast.school, first_for_child=True).first()
    StatEvent.objects.filter(pk=first.pk).update(first_for_child=False)
    followup = followup_for(cast["bti_coordinator"], school_year=year)
    assert row_of(followup, cast.school).first_age is None  # four children


# --- The home page's flag ---------------------------------------------------------------


def test_a_unit_without_a_held_meeting_in_two_months_is_flagged_on_the_coordinators_home(
    cast, client_for
):
    today = timezone.localdate()
    plan = schedule(cast.school, cast["bti_coordinator"])
    meeting(plan, today - datetime.timedelta(days=80), ConsultationStatus.HELD)
    meeting(plan, today - datetime.timedelta(days=20))  # planned, not held
    quiet_kindergarten = schedule(cast.kindergarten, cast["bti_coordinator"])
    meeting(quiet_kindergarten, today - datetime.timedelta(days=10), ConsultationStatus.HELD)
    body = client_for(cast["bti_coordinator"]).get(reverse("home")).content.decode()
    assert "1 enhet har ikke holdt samarbeidsmøte de siste to månedene" in body
    assert cast.school.name in body
    assert reverse("bti:followup") in body
    page = client_for(cast["bti_coordinator"]).get(URL).content.decode()
    assert page.count("Ingen møte holdt siste to måneder") == 1
    # Only the coordinator's home page.
    body = client_for(cast["sector_leader"]).get(reverse("home")).content.decode()
    assert "samarbeidsmøte de siste to månedene" not in body


def test_a_unit_is_not_flagged_when_its_schedule_had_no_meeting_in_the_window(cast):
    today = timezone.localdate()
    plan = schedule(cast.school, cast["bti_coordinator"])
    meeting(plan, today - datetime.timedelta(days=100))
    meeting(plan, today)  # today's is not late yet
    assert quiet_units(cast.municipality.pk, today=today) == []
    meeting(plan, today - datetime.timedelta(days=1))
    assert [u["name"] for u in quiet_units(cast.municipality.pk, today=today)] == [cast.school.name]
    meeting(plan, today - datetime.timedelta(days=50), ConsultationStatus.HELD)
    assert quiet_units(cast.municipality.pk, today=today) == []


# --- The unit on the statistics rows -------------------------------------------------------


def concern_at_school(cast):
    return services.concern_create(
        actor=cast["staff"],
        unit=cast.school,
        observation="Sliten",
        band=services.concern_bands_ensure(municipality=cast.municipality)[0],
        child_name="Fiktiv Testesen",
        birth_date=datetime.date(2016, 3, 14),
    )


def test_concerns_and_logs_record_their_unit_on_the_statistics_rows(cast):
    concern = concern_at_school(cast)
    assert concern.stat.unit == cast.school
    services.concern_decide(
        actor=cast["unit_leader"],
        concern=concern,
        decision="niva1",
        holder=cast["staff"],
        views=VIEWS,
    )
    log_row = StatEvent.objects.get(kind="logg")
    assert log_row.unit == cast.school


def test_the_migration_fills_the_unit_where_the_source_still_tells_it(cast):
    fill_units = importlib.import_module("btitracker.migrations.0010_followup").fill_units
    concern = concern_at_school(cast)
    services.concern_decide(
        actor=cast["unit_leader"],
        concern=concern,
        decision="niva1",
        holder=cast["staff"],
        views=VIEWS,
    )
    # A log row whose log retention deleted, in the same kind and year: two rows, one log.
    events(cast.municipality, None, 1, kind="skole", level=2)
    StatEvent.objects.update(unit=None)
    fill_units(apps, None)
    assert StatEvent.objects.get(kind="undring").unit == cast.school
    assert list(StatEvent.objects.filter(kind="logg").values_list("unit", flat=True)) == [
        None,
        None,
    ]
    StatEvent.objects.filter(kind="logg", level=2).delete()
    StatEvent.objects.update(unit=None)
    fill_units(apps, None)
    assert StatEvent.objects.get(kind="logg").unit == cast.school
