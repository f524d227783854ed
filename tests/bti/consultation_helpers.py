"""The consultation meetings' cast on top of tests/conftest.py's: the PPT (a unit of
Solvik with its adviser) and the health station's service attend the school's schedule for
this school year; one meeting was held last week with an anonymous matter and an action
the school's staff member answers for; one meeting is planned today. Nabovik has a
schedule of its own with a held meeting."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from btitracker.models import (
    ConsultationAction,
    ConsultationAttendance,
    ConsultationMatter,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    Service,
)
from plans.access import forget_access
from plans.models import Role, UnitKind
from plans.schoolyear import SchoolYear
from tests.factories import MembershipFactory, UnitFactory, UserFactory

MATTER_TEXT = "Fiktiv sak: gutt, 3. trinn, mye fravær siden høstferien."


def service_make(municipality, name, unit=None) -> Service:
    return Service.objects.create(
        municipality=municipality,
        unit=unit,
        name=name,
        helps_with="Fiktiv: hjelper barn og unge.",
        for_whom="Barn og unge",
        contact="Ring sentralbordet.",
        attends_consultations=True,
    )


@dataclass
class ConsultCast:
    ppt_unit: object
    ppt: object  # an adviser of the PPT: a member of an attending service
    ppt_service: object
    health_service: object
    schedule: object
    held: object
    planned: object
    matter: object
    action: object  # the school's staff member answers for it
    other_schedule: object


def _schedule(municipality, unit, services, creator, *, today, held_by, responsible):
    schedule = ConsultationSchedule.objects.create(
        municipality=municipality,
        unit=unit,
        school_year=SchoolYear.current(today).start_year,
        created_by=creator,
    )
    schedule.services.set(services)
    held_on = today - datetime.timedelta(days=7)
    held = ConsultationMeeting.objects.create(
        schedule=schedule,
        planned_on=held_on,
        status=ConsultationStatus.HELD,
        held_on=held_on,
        protocol_by=held_by,
        protocol_at=timezone.now(),
    )
    planned = ConsultationMeeting.objects.create(schedule=schedule, planned_on=today)
    ConsultationAttendance.objects.create(meeting=held, service=services[0], name="Fiktiv Rådgiver")
    matter = ConsultationMatter.objects.create(meeting=held, number=1, summary=MATTER_TEXT)
    action = ConsultationAction.objects.create(
        meeting=held,
        matter=matter,
        description="Fiktivt tiltak: kontaktlærer snakker med foresatte.",
        responsible=responsible,
        follow_up_on=today + datetime.timedelta(days=14),
    )
    return schedule, held, planned, matter, action


def build_consultations(cast) -> ConsultCast:
    found = getattr(cast, "_consult", None)
    if found is not None:
        return found
    today = timezone.localdate()
    ppt_unit = UnitFactory(municipality=cast.municipality, name="Solvik PPT", kind=UnitKind.PPT)
    ppt = UserFactory(username="ppt-radgiver")
    MembershipFactory(user=ppt, municipality=cast.municipality, unit=ppt_unit, role=Role.STAFF)
    forget_access(ppt)
    ppt_service = service_make(cast.municipality, "PPT", ppt_unit)
    health_service = service_make(cast.municipality, "Helsestasjon og skolehelsetjeneste")
    schedule, held, planned, matter, action = _schedule(
        cast.municipality,
        cast.school,
        [ppt_service, health_service],
        cast["bti_coordinator"],
        today=today,
        held_by=cast["unit_leader"],
        responsible=cast["staff"],
    )
    other_service = service_make(cast.other_municipality, "Nabovik PPT")
    other_schedule = _schedule(
        cast.other_municipality,
        cast.other_unit,
        [other_service],
        cast["other_municipality"],
        today=today,
        held_by=cast["other_municipality"],
        responsible=cast["other_municipality"],
    )[0]
    found = ConsultCast(
        ppt_unit,
        ppt,
        ppt_service,
        health_service,
        schedule,
        held,
        planned,
        matter,
        action,
        other_schedule,
    )
    object.__setattr__(cast, "_consult", found)
    return found
