"""The demo municipality's consultation meetings: this school year's schedules for three
schools and two kindergartens with the PPT, the health station and the child welfare
service, and a held meeting with its protocol at two of them (written in our own words,
anonymous like a real protocol). The texts are data, ``fixtures/demo/consultations.json``;
deleted and made anew on every run, through the services real use goes through."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from btitracker.models import ConsultationMeeting, ConsultationSchedule, ConsultationStatus, Service
from btitracker.services import consultations as services
from plans.demo_data import read_demo_data
from plans.schoolyear import SchoolYear


@dataclass(frozen=True)
class DemoService:
    unit: str
    name: str
    helps_with: str
    for_whom: str
    contact: str


@dataclass(frozen=True)
class DemoMeeting:
    unit: str
    attendance: list[tuple[str, str | None]]  # name, service (None: the unit itself)
    matters: list[tuple[str, str]]  # summary, outcome
    actions: list[tuple[str, str, int, int]]  # text, responsible, days from today, matter


@dataclass(frozen=True)
class ConsultationDemoData:
    coordinator: str
    weekday: int
    week_of_month: int
    units: list[str]
    services: list[DemoService]
    held: list[DemoMeeting]


DATA = read_demo_data("consultations.json", ConsultationDemoData)


def consultations_demo_clear(municipality) -> None:
    for meeting in ConsultationMeeting.objects.filter(schedule__municipality=municipality):
        meeting.actions.all().delete()
        meeting.matters.all().delete()
        meeting.attendance.all().delete()
        meeting.delete()
    ConsultationSchedule.objects.filter(municipality=municipality).delete()


def _services(municipality, units) -> dict[str, Service]:
    """The support services as directory entries of their units (kept if the directory
    already has them), marked as attending the consultation meetings."""
    found = {}
    for demo in DATA.services:
        service, _created = Service.objects.get_or_create(
            unit=units[demo.unit],
            defaults={
                "municipality": municipality,
                "name": demo.name,
                "helps_with": demo.helps_with,
                "for_whom": demo.for_whom,
                "contact": demo.contact,
                "is_public": True,
            },
        )
        if not service.attends_consultations:
            service.attends_consultations = True
            service.save(update_fields=["attends_consultations"])
        found[demo.name] = service
    return found


def consultations_demo_seed(municipality, units, users, today: datetime.date) -> dict[str, int]:
    """``consultations_demo_clear`` has run first."""
    coordinator = users[DATA.coordinator]
    services_by_name = _services(municipality, units)
    year = SchoolYear.current(today)
    schedules = services.consultation_schedules_create(
        actor=coordinator,
        units=[units[name] for name in DATA.units],
        school_year=year,
        weekday=DATA.weekday,
        week_of_month=DATA.week_of_month,
        services=list(services_by_name.values()),
    )
    by_unit = {schedule.unit.name: schedule for schedule in schedules}
    for demo in DATA.held:
        schedule = by_unit[demo.unit]
        # The last meeting up to today; early in the school year, the first one (moved to
        # last week, as a coordinator would for a demo that shows a held meeting).
        meeting = (
            schedule.meetings.filter(planned_on__lte=today).order_by("-planned_on").first()
            or schedule.meetings.order_by("planned_on").first()
        )
        assert meeting is not None  # a schedule has ten meetings
        held_on = min(meeting.planned_on, today)
        if not year.contains(held_on) or meeting.planned_on > today:
            held_on = max(year.start, today - datetime.timedelta(days=7))
            meeting.planned_on = held_on
            meeting.save(update_fields=["planned_on"])
        services.consultation_protocol_record(
            actor=coordinator,
            meeting=meeting,
            held_on=held_on,
            attendance=[
                services.AttendanceInput(
                    name=name, service=services_by_name[service] if service else None
                )
                for name, service in demo.attendance
            ],
            matters=[services.MatterInput(summary, outcome) for summary, outcome in demo.matters],
            actions=[
                services.ConsultationActionInput(
                    description=text,
                    responsible=users[username],
                    follow_up_on=max(held_on, today + datetime.timedelta(days=days)),
                    matter_number=matter,
                )
                for text, username, days, matter in demo.actions
            ],
        )
    return {
        "consultation_schedules": len(schedules),
        "consultation_meetings_held": ConsultationMeeting.objects.filter(
            schedule__municipality=municipality, status=ConsultationStatus.HELD
        ).count(),
    }
