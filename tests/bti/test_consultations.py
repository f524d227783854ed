"""Consultation meetings (samarbeidsmøter): the anonymity rule, the school year's dates,
the services that write schedules, protocols and follow-ups, the pages, the link from a
matter into the concern form, and the reminders. Access per persona is in the matrices
(tests/test_access_matrix*.py, rows «consultation …»)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from btitracker.anonymity import anonymity_problem
from btitracker.consultation_calendar import meeting_dates_build, school_breaks
from btitracker.models import (
    Concern,
    ConsultationAction,
    ConsultationAttendance,
    ConsultationMatter,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
)
from btitracker.reminders import reminders_send_daily
from btitracker.services import consultations as services
from plans.models import Role, UnitKind
from plans.schoolyear import SchoolYear
from tests.bti.consultation_helpers import MATTER_TEXT, build_consultations
from tests.bti.helpers import login_verified
from tests.factories import MembershipFactory, UnitFactory, UserFactory

# --- anonymity ---------------------------------------------------------------------------

REFUSED = [
    "01020312345",
    "010203 12345",
    "010203-12345",
    "01.02.03 12345",
    "D-nummer 41020312345 oppgitt",
    "gutt f. 03.04.2017 i 3. trinn",
    "født 3. april 2017",
    "Født: 03.04.17, sliten",
    "fødselsdato 3/4-17",
    "jente, f.dato 12.05.2019",
    "født 3. april",
    "Kari Nordmann 03.04.2017",
    "kari 03.04.2017 har mye fravær",
    "Elev: OLA, 2017-04-03",
    "Ole-Martin Berg, 3. april 2017",
    "emma 3.4.17 uro i friminuttene",
]

ALLOWED = [
    "gutt, 3. trinn, mye fravær siden høstferien",
    "møte 12.03. med foresatte",
    "Kari Nordmann (PPT) observerer i klassen innen 1. april",
    "Kari Nordmann",
    "født 2017, går i 3. trinn",
    "ring 22 33 44 55 eller 99887766",
    "organisasjonsnummer 987654321",
    "saksnummer 2026/1234",
    "per 1. mai 2027 skal tiltaket evalueres",
    "f.eks. samtale med foresatte",
    "jente, 4 år, språkvansker",
    "12345678901 er ikke en dato",  # 12 is a day but 34 no month
]


@pytest.mark.parametrize("text", REFUSED)
def test_identifying_text_is_refused_with_a_message_naming_what_was_found(text):
    problem = anonymity_problem(text)
    assert problem is not None, text
    assert "anonymt" in problem


@pytest.mark.parametrize("text", ALLOWED)
def test_anonymous_text_passes(text):
    assert anonymity_problem(text) is None


def test_the_id_number_is_masked_in_the_message():
    problem = anonymity_problem("010203 12345")
    assert "010203 *****" in problem
    assert "12345" not in problem


@pytest.mark.parametrize("text", ["Elev født 3. april 2017 sliter", "010203 12345"])
def test_the_protocol_form_refuses_identifying_text_itself(text):
    from btitracker.consultation_forms import MatterForm

    form = MatterForm({"summary": text, "outcome": "drøftet"})
    assert not form.is_valid()
    assert "anonymt" in " ".join(form.errors["summary"])


# --- the school year's dates -------------------------------------------------------------


def test_ten_monthly_meetings_none_on_a_holiday_or_in_a_break():
    year = SchoolYear(2026)
    dates = meeting_dates_build(year=year, weekday=3, week_of_month=1)  # first Thursday
    assert [d.month for d in dates.planned] == [9, 10, 11, 12, 1, 2, 3, 4, 5, 6]
    assert all(d.weekday() == 3 for d in dates.planned)
    breaks = school_breaks(year)
    for day in dates.planned:
        assert not any(first <= day <= last for first, last, _name in breaks), day
    skipped = {s.day: s for s in dates.skipped}
    # 1 October 2026 is in the autumn break (week 40), 6 May 2027 is Ascension Day.
    assert skipped[datetime.date(2026, 10, 1)].reason == "høstferie"
    assert skipped[datetime.date(2026, 10, 1)].moved_to == datetime.date(2026, 10, 8)
    assert "Kristi himmelfartsdag" in skipped[datetime.date(2027, 5, 6)].reason


def test_a_month_without_a_free_day_says_so():
    # The fourth Thursday of December 2026 (24th) and the one after (31st) are in the
    # Christmas break: no meeting that month, and the list says why.
    dates = meeting_dates_build(year=SchoolYear(2026), weekday=3, week_of_month=4)
    december = [s for s in dates.skipped if s.day == datetime.date(2026, 12, 24)]
    assert december
    assert december[0].moved_to is None
    assert not any(d.month == 12 for d in dates.planned)


# --- services ----------------------------------------------------------------------------


@pytest.fixture
def consult(cast):
    return build_consultations(cast)


def _action(cast, **overrides):
    data = {
        "description": "Fiktivt tiltak: observasjon i klassen.",
        "responsible": cast["staff"],
        "follow_up_on": timezone.localdate() + datetime.timedelta(days=14),
    }
    data.update(overrides)
    return services.ConsultationActionInput(**data)


def _record(cast, consult, *, actor=None, matters=None, actions=None):
    return services.consultation_protocol_record(
        actor=actor or cast["unit_leader"],
        meeting=consult.planned,
        held_on=timezone.localdate(),
        attendance=[services.AttendanceInput(name="Fiktiv Rådgiver", service=consult.ppt_service)],
        matters=matters if matters is not None else [services.MatterInput(summary=MATTER_TEXT)],
        actions=actions if actions is not None else [_action(cast)],
    )


def _nothing_written(consult):
    consult.planned.refresh_from_db()
    assert consult.planned.status == ConsultationStatus.PLANNED
    assert not ConsultationAttendance.objects.filter(meeting=consult.planned).exists()
    assert not ConsultationMatter.objects.filter(meeting=consult.planned).exists()
    assert not ConsultationAction.objects.filter(meeting=consult.planned).exists()


def test_a_protocol_without_an_action_is_refused_and_nothing_is_written(cast, consult):
    blank = services.ConsultationActionInput(description="", responsible=None, follow_up_on=None)
    with pytest.raises(ValidationError) as refused:
        _record(cast, consult, actions=[blank])
    assert "minst ett tiltak med ansvarlig person" in " ".join(refused.value.messages)
    _nothing_written(consult)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"responsible": None}, "Velg en ansvarlig"),
        ({"follow_up_on": None}, "dato for oppfølging"),
        ({"follow_up_on": datetime.date(2000, 1, 1)}, "kan ikke komme før møtet"),
        ({"description": "Kari Nordmann 03.04.2017 får hjelp"}, "anonymt"),
        ({"matter_number": 5}, "sak som ikke finnes"),
    ],
)
def test_an_incomplete_action_is_refused_numbered(cast, consult, overrides, message):
    with pytest.raises(ValidationError) as refused:
        _record(cast, consult, actions=[_action(cast, **overrides)])
    text = " ".join(refused.value.messages)
    assert "Tiltak 1:" in text
    assert message in text
    _nothing_written(consult)


def test_a_matter_with_a_name_and_birth_date_is_refused_by_the_service(cast, consult):
    with pytest.raises(ValidationError) as refused:
        _record(cast, consult, matters=[services.MatterInput(summary="Kari Nordmann 03.04.2017")])
    assert "Sak 1:" in " ".join(refused.value.messages)
    _nothing_written(consult)


def test_the_responsible_person_must_belong_to_the_meeting(cast, consult):
    for outsider in (cast["other_municipality"], cast["elected_official"]):
        with pytest.raises(ValidationError):
            _record(cast, consult, actions=[_action(cast, responsible=outsider)])
    _nothing_written(consult)
    # The PPT's adviser (an attending service) and the coordinator may answer for one.
    _record(cast, consult, actions=[_action(cast, responsible=consult.ppt)])


def test_a_complete_protocol_is_saved_in_one_piece(cast, consult):
    _record(cast, consult, actions=[_action(cast, matter_number=1)])
    meeting = consult.planned
    meeting.refresh_from_db()
    assert meeting.status == ConsultationStatus.HELD
    assert meeting.protocol_by == cast["unit_leader"]
    action = meeting.actions.get()
    assert action.matter == meeting.matters.get()
    assert action.responsible == cast["staff"]
    # A protocol is written once.
    with pytest.raises(ValidationError):
        _record(cast, consult)


@pytest.mark.parametrize("persona", ["staff", "sector_leader", "elected_official", "data_admin"])
def test_only_the_leader_or_coordinator_writes_the_protocol(cast, consult, persona):
    with pytest.raises(PermissionDenied):
        _record(cast, consult, actor=cast[persona])
    with pytest.raises(PermissionDenied):
        _record(cast, consult, actor=consult.ppt)
    _nothing_written(consult)


def test_schedules_for_many_units_at_once_and_never_twice(cast, consult):
    second = UnitFactory(
        municipality=cast.municipality, name="Solvik ungdomsskole", kind=UnitKind.SCHOOL
    )
    year = SchoolYear.current().next()
    created = services.consultation_schedules_create(
        actor=cast["bti_coordinator"],
        units=[cast.kindergarten, second],
        school_year=year,
        weekday=1,
        week_of_month=2,
        services=[consult.ppt_service],
    )
    assert len(created) == 2
    expected = meeting_dates_build(year=year, weekday=1, week_of_month=2).planned
    for schedule in created:
        assert list(schedule.meetings.values_list("planned_on", flat=True)) == expected
    with pytest.raises(ValidationError) as refused:
        services.consultation_schedules_create(
            actor=cast["bti_coordinator"],
            units=[cast.kindergarten],
            school_year=year,
            weekday=1,
            week_of_month=2,
            services=[consult.ppt_service],
        )
    assert "Solbakken barnehage" in " ".join(refused.value.messages)


@pytest.mark.parametrize("foreign", ["unit", "service", "sfo"])
def test_schedule_refuses_foreign_or_wrong_kind_of_units_and_services(cast, consult, foreign):
    from tests.bti.consultation_helpers import service_make

    units, chosen = [cast.kindergarten], [consult.ppt_service]
    if foreign == "unit":
        units = [cast.other_unit]
    elif foreign == "sfo":
        units = [cast.sfo]
    else:
        chosen = [service_make(cast.other_municipality, "Fremmed tjeneste")]
    before = ConsultationSchedule.objects.count()
    with pytest.raises(ValidationError):
        services.consultation_schedules_create(
            actor=cast["bti_coordinator"],
            units=units,
            school_year=SchoolYear.current(),
            weekday=1,
            week_of_month=2,
            services=chosen,
        )
    assert ConsultationSchedule.objects.count() == before


def test_only_the_coordinator_sets_up_schedules(cast, consult):
    for persona in ("unit_leader", "sector_leader", "staff"):
        with pytest.raises(PermissionDenied):
            services.consultation_schedules_create(
                actor=cast[persona],
                units=[cast.kindergarten],
                school_year=SchoolYear.current(),
                weekday=1,
                week_of_month=2,
                services=[consult.ppt_service],
            )


def test_move_and_cancel_one_meeting(cast, consult):
    meeting = consult.planned
    with pytest.raises(PermissionDenied):
        services.consultation_meeting_cancel(actor=cast["unit_leader"], meeting=meeting, reason="x")
    with pytest.raises(ValidationError):
        services.consultation_meeting_change(
            actor=cast["bti_coordinator"], meeting=meeting, planned_on=consult.held.planned_on
        )
    with pytest.raises(ValidationError):
        services.consultation_meeting_cancel(
            actor=cast["bti_coordinator"], meeting=meeting, reason="Kari Nordmann 03.04.2017 syk"
        )
    services.consultation_meeting_cancel(
        actor=cast["bti_coordinator"], meeting=meeting, reason="Planleggingsdag"
    )
    meeting.refresh_from_db()
    assert meeting.status == ConsultationStatus.CANCELLED
    # A cancelled meeting is no longer moved.
    with pytest.raises(PermissionDenied):
        services.consultation_meeting_change(
            actor=cast["bti_coordinator"], meeting=meeting, planned_on=timezone.localdate()
        )


def test_only_the_responsible_person_follows_an_action_up(cast, consult):
    action = consult.action
    for persona in ("unit_leader", "bti_coordinator"):
        with pytest.raises(PermissionDenied):
            services.consultation_action_complete(
                actor=cast[persona], action=action, status="fulgt_opp", note="Gjort."
            )
    with pytest.raises(ValidationError):
        services.consultation_action_complete(
            actor=cast["staff"], action=action, status="fulgt_opp", note=""
        )
    services.consultation_action_complete(
        actor=cast["staff"], action=action, status="avbrutt", note="Ikke lenger aktuelt."
    )
    action.refresh_from_db()
    assert action.status == "avbrutt"
    assert action.followed_up_at is not None


def test_late_actions_are_marked(cast, consult):
    ConsultationAction.objects.filter(pk=consult.action.pk).update(
        follow_up_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    consult.action.refresh_from_db()
    assert consult.action.is_late
    assert list(ConsultationAction.objects.late()) == [consult.action]


# --- pages -------------------------------------------------------------------------------


def test_schedule_page_shows_the_dates_and_the_skipped_ones_before_saving(cast, consult, client):
    client.force_login(cast["bti_coordinator"])
    url = reverse("bti:consultation-schedule-create")
    data = {
        "step": "preview",
        "units": [str(cast.kindergarten.pk)],
        "school_year": str(SchoolYear.current().start_year),
        "weekday": "3",
        "week_of_month": "1",
        "services": [str(consult.ppt_service.pk)],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hoppet over" in body
    assert "Lagre møteplanen" in body
    assert 'name="step" value="save"' in body
    assert not ConsultationSchedule.objects.filter(unit=cast.kindergarten).exists()
    response = client.post(url, {**data, "step": "save"})
    assert response.status_code == 302
    assert ConsultationSchedule.objects.get(unit=cast.kindergarten).meetings.count() == 10


def test_protocol_page_refuses_identifying_text_in_norwegian(cast, consult, client):
    login_verified(client, cast["unit_leader"])
    url = reverse("bti:consultation-protocol", args=[consult.planned.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "held_on": timezone.localdate().isoformat(),
        "deltaker-TOTAL_FORMS": "1",
        "deltaker-INITIAL_FORMS": "0",
        "deltaker-0-name": "Fiktiv Rådgiver",
        "sak-TOTAL_FORMS": "1",
        "sak-INITIAL_FORMS": "0",
        "sak-0-summary": "Elev født 3. april 2017 sliter",
        "sak-0-outcome": "drøftet",
        "tiltak-TOTAL_FORMS": "1",
        "tiltak-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "fødselsdato" in body
    response = client.post(url, {**data, "sak-0-summary": "jente, 2. trinn"})
    assert response.status_code == 400
    assert "minst ett tiltak med ansvarlig person" in response.content.decode()
    _nothing_written(consult)


def test_a_matter_goes_on_as_a_concern_that_remembers_it(cast, consult, client):
    from btitracker.services.cases import concern_bands_ensure

    bands = concern_bands_ensure(municipality=cast.municipality)
    login_verified(client, cast["unit_leader"])
    url = reverse("bti:concern-create") + f"?sak={consult.matter.pk}"
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="consultation_matter" value="{consult.matter.pk}"' in page.content.decode()
    response = client.post(
        url,
        {
            "unit": str(cast.school.pk),
            "observation": "Fiktiv: fravær.",
            "band": str(bands[0].pk),
            "consultation_matter": str(consult.matter.pk),
        },
    )
    assert response.status_code == 302
    assert Concern.objects.get().consultation_matter == consult.matter
    # The meeting's page never shows the concern or who wrote it.
    client.force_login(cast["bti_coordinator"])
    body = client.get(reverse("bti:consultation-meeting", args=[consult.held.pk])).content.decode()
    assert "Fiktiv: fravær." not in body


def test_a_matter_the_user_cannot_read_is_refused_in_the_concern_form(cast, consult, client):
    from btitracker.services.cases import concern_bands_ensure

    bands = concern_bands_ensure(municipality=cast.municipality)
    # The school's staff member answers for the action, so reads the held meeting: the
    # SFO is not the unit the matter was discussed for.
    login_verified(client, cast["staff"])
    response = client.post(
        reverse("bti:concern-create"),
        {
            "unit": str(cast.sfo.pk),
            "observation": "Fiktiv: fravær.",
            "band": str(bands[0].pk),
            "consultation_matter": str(consult.matter.pk),
        },
    )
    assert response.status_code == 400
    other = ConsultationMatter.objects.filter(meeting__schedule=consult.other_schedule).get()
    response = client.post(
        reverse("bti:concern-create"),
        {
            "unit": str(cast.school.pk),
            "observation": "Fiktiv: fravær.",
            "band": str(bands[0].pk),
            "consultation_matter": str(other.pk),
        },
    )
    assert response.status_code == 400
    assert "finnes ikke" in response.content.decode()
    assert not Concern.objects.exists()


def _list_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("bti:consultations"))  # the first request warms per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("bti:consultations")).status_code == 200
    return len(queries)


def test_the_overview_needs_the_same_queries_for_one_and_many_units(cast, consult, client):
    coordinator = cast["bti_coordinator"]
    one = _list_queries(client, coordinator)
    for number in range(4):
        unit = UnitFactory(
            municipality=cast.municipality, name=f"Skole {number}", kind=UnitKind.SCHOOL
        )
        services.consultation_schedules_create(
            actor=coordinator,
            units=[unit],
            school_year=SchoolYear.current(),
            weekday=1,
            week_of_month=2,
            services=[consult.ppt_service],
        )
    assert _list_queries(client, coordinator) == one
    body = client.get(reverse("bti:consultations")).content.decode()
    assert "Skole 3" in body
    assert "Solvik barneskole" in body


def test_the_unit_leader_sees_their_own_schedule_only(cast, consult, client):
    other_school = UnitFactory(
        municipality=cast.municipality, name="Annen skole", kind=UnitKind.SCHOOL
    )
    services.consultation_schedules_create(
        actor=cast["bti_coordinator"],
        units=[other_school],
        school_year=SchoolYear.current(),
        weekday=1,
        week_of_month=2,
        services=[consult.health_service],
    )
    login_verified(client, cast["unit_leader"])
    body = client.get(reverse("bti:consultations")).content.decode()
    assert "Solvik barneskole" in body
    assert "Annen skole" not in body
    # The PPT's adviser attends the school's meetings, not the other school's.
    client.force_login(consult.ppt)
    body = client.get(reverse("bti:consultations")).content.decode()
    assert "Solvik barneskole" in body
    assert "Annen skole" not in body


# --- reminders ---------------------------------------------------------------------------


def test_reminders_to_the_leader_and_the_responsible_once(cast, consult, settings):
    settings.BTI_REMINDER_DAYS_AHEAD = 3
    today = timezone.localdate()
    ConsultationAction.objects.filter(pk=consult.action.pk).update(
        follow_up_on=today + datetime.timedelta(days=2)
    )
    cast["unit_leader"].email = "leder@example.org"
    cast["unit_leader"].save()
    cast["staff"].email = "ansatt@example.org"
    cast["staff"].save()
    mail.outbox.clear()
    reminders_send_daily(today=today)
    to = sorted(message.to[0] for message in mail.outbox)
    assert to == ["ansatt@example.org", "leder@example.org"]
    for message in mail.outbox:
        assert "/bti/samarbeidsmoter/" in message.body
        assert MATTER_TEXT not in message.body
        assert "Fiktivt tiltak" not in message.body
    mail.outbox.clear()
    reminders_send_daily(today=today)
    reminders_send_daily(today=today + datetime.timedelta(days=1))
    assert mail.outbox == []


def test_a_member_of_an_attending_service_reads_the_meetings(cast, consult):
    visible = ConsultationMeeting.objects.visible_to(consult.ppt)
    assert set(visible) == {consult.held, consult.planned}
    # The school's other staff member reads only the meeting with their action.
    assert set(ConsultationMeeting.objects.visible_to(cast["staff"])) == {consult.held}
    newcomer = UserFactory(username="ny-ansatt")
    MembershipFactory(
        user=newcomer, municipality=cast.municipality, unit=cast.school, role=Role.STAFF
    )
    assert not ConsultationMeeting.objects.visible_to(newcomer).exists()
    solvik = ConsultationMeeting.objects.filter(schedule__municipality=cast.municipality)
    for persona in ("elected_official", "data_admin", "sector_leader", "other_municipality"):
        assert not solvik.visible_to(cast[persona]).exists(), persona
