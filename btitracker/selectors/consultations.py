"""Reads for the consultation meetings: the coordinator's and unit leader's overview, the
people who may answer for an action, the choices of a schedule form."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from btitracker.models import (
    ConsultationAction,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    Service,
)
from plans.access import access_for
from plans.models import Membership, Role, Unit, UnitKind

# The units that hold consultation meetings with the support services.
MEETING_UNIT_KINDS = (UnitKind.KINDERGARTEN, UnitKind.SCHOOL)


def consultation_units(user) -> QuerySet[Unit]:
    """Kindergartens and schools of the user's municipality (the schedule form's choice)."""
    municipality_id = access_for(user).municipality_id
    if municipality_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        municipality_id=municipality_id, kind__in=MEETING_UNIT_KINDS, active=True
    ).order_by("kind", "name")


def consultation_services(user) -> QuerySet[Service]:
    """The support services of the user's municipality that attend consultation meetings."""
    municipality_id = access_for(user).municipality_id
    if municipality_id is None:
        return Service.objects.none()
    return Service.objects.filter(
        municipality_id=municipality_id,
        attends_consultations=True,
        active=True,
    )


def responsible_candidates(meeting: ConsultationMeeting):
    """Who may answer for an action of ``meeting``: staff and leaders of the unit and of
    the attending services' units, and the municipality's BTI coordinators."""
    schedule = meeting.schedule
    units = [
        schedule.unit_id,
        *schedule.services.exclude(unit=None).values_list("unit_id", flat=True),
    ]
    memberships = Membership.objects.in_force().filter(municipality_id=schedule.municipality_id)
    chosen = memberships.filter(
        Q(unit_id__in=units, role__in=[Role.STAFF, Role.UNIT_LEADER]) | Q(role=Role.BTI_COORDINATOR)
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=chosen.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


def schedules_overview(user, *, school_year: int) -> list[ConsultationSchedule]:
    """The user's schedules of ``school_year`` with each one's counts and next meeting,
    in a fixed number of queries however many there are."""
    today = timezone.localdate()
    return list(
        ConsultationSchedule.objects.visible_to(user)
        .filter(school_year=school_year)
        .select_related("unit")
        .annotate(
            held=Count("meetings", filter=Q(meetings__status=ConsultationStatus.HELD)),
            planned=Count("meetings", filter=~Q(meetings__status=ConsultationStatus.CANCELLED)),
            next_on=Min(
                "meetings__planned_on",
                filter=Q(
                    meetings__status=ConsultationStatus.PLANNED, meetings__planned_on__gte=today
                ),
            ),
        )
        .order_by("unit__kind", "unit__name")
    )


def my_consultation_actions(user):
    """The open actions the user answers for, the late ones first."""
    return (
        ConsultationAction.objects.followable_by(user)
        .select_related("meeting__schedule__unit")
        .order_by("follow_up_on", "pk")
    )


def meetings_to_record(user, today: datetime.date | None = None):
    """Planned meetings up to today whose protocol the user writes and has not yet."""
    return (
        ConsultationMeeting.objects.writable_by(user)
        .filter(status=ConsultationStatus.PLANNED, planned_on__lte=today or timezone.localdate())
        .select_related("schedule__unit")
        .order_by("planned_on")
    )
