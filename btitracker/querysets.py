"""Who reads BTI rows: one ``visible_to(user)`` per model, used by every list, detail,
search, export and by the rules in ``btitracker.permissions``.

- A level-0 concern: its author and the leader of the author's unit.
- A log (levels 1–3): the relay holder always; active team members and the leader of the
  holding unit only while a valid consent names their service (or the log is flagged for
  suspected violence or abuse, where consent is not sought).
- Nobody else: not the BTI coordinator, not elected officials, not sector leaders, not
  superusers, not another municipality. There is no browsing by unit or municipality.

The handbook (``Handbook*``) is the exception: it is about routines, not children, so it
has the plans' municipality scope.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from plans.access import access_for
from plans.models import Role
from plans.querysets import _MunicipalityScope

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def valid_consent_covering(case_ref: str, unit_ref: str) -> Exists:
    """A valid consent of the case (``OuterRef(case_ref)``) naming the unit
    (``OuterRef(unit_ref)``)."""
    from btitracker.models import Consent

    today = timezone.localdate()
    return Exists(
        Consent.objects.filter(
            case=OuterRef(case_ref),
            withdrawn_at__isnull=True,
            superseded_at__isnull=True,
            services=OuterRef(unit_ref),
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )


class ConcernQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConcernQuerySet:
        access = access_for(user)
        if access.municipality_id is None or user is None:
            return self.none()
        led = access.unit_ids(Role.UNIT_LEADER)
        return self.filter(municipality_id=access.municipality_id).filter(
            Q(author_id=user.pk) | Q(unit_id__in=led)
        )

    def decidable_by(self, user) -> ConcernQuerySet:
        access = access_for(user)
        return self.visible_to(user).filter(unit_id__in=access.unit_ids(Role.UNIT_LEADER))

    def pending(self) -> ConcernQuerySet:
        from btitracker.models import Decision

        return self.filter(decision=Decision.PENDING)

    def overdue(self, today=None) -> ConcernQuerySet:
        return self.filter(overdue_decision_q(today))

    def with_overdue(self, today=None) -> ConcernQuerySet:
        """Each concern with ``overdue`` (True/False) for lists that mark the late ones."""
        return self.annotate(
            overdue=ExpressionWrapper(overdue_decision_q(today), output_field=BooleanField())
        )


def overdue_decision_q(today=None) -> Q:
    """The one definition of an overdue level-0 decision: still pending and due before
    ``today`` (the local date unless given), so a decision due today is not yet late. The
    home panel counts with it, the BTI overview marks its list with it and
    ``Concern.is_overdue`` asks it."""
    from btitracker.models import Decision

    return Q(decision=Decision.PENDING, decision_due__lt=today or timezone.localdate())


class ConcernCaseQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConcernCaseQuerySet:
        from btitracker.models import TeamMember

        access = access_for(user)
        if access.municipality_id is None or user is None:
            return self.none()
        led = access.unit_ids(Role.UNIT_LEADER)
        consented_member = TeamMember.objects.filter(
            case=OuterRef("pk"), user_id=user.pk, active=True
        ).filter(Q(case__violence_suspected=True) | valid_consent_covering("case", "unit"))
        leader_with_consent = Q(holder_unit_id__in=led) & (
            Q(violence_suspected=True) | valid_consent_covering("pk", "holder_unit")
        )
        return self.filter(municipality_id=access.municipality_id).filter(
            Q(holder_id=user.pk) | Exists(consented_member) | leader_with_consent
        )

    def writable_by(self, user) -> ConcernCaseQuerySet:
        """Holder, or an active read/write team member with consent; open logs only."""
        from btitracker.models import CaseStatus, TeamAccess, TeamMember

        writer = TeamMember.objects.filter(
            case=OuterRef("pk"), user_id=user.pk, active=True, access=TeamAccess.WRITE
        )
        return (
            self.visible_to(user)
            .filter(status=CaseStatus.OPEN)
            .filter(Q(holder_id=user.pk) | Exists(writer))
        )

    def held_by(self, user) -> ConcernCaseQuerySet:
        """Open logs the user holds the relay for: only the holder changes the team, the
        consent and the level, hands the log over and closes it. The one holder rule: the
        views, ``btitracker.hold_concerncase`` and the services all ask it."""
        from btitracker.models import CaseStatus

        if user is None:
            return self.none()
        return self.visible_to(user).filter(holder_id=user.pk, status=CaseStatus.OPEN)

    def led_by(self, user) -> ConcernCaseQuerySet:
        access = access_for(user)
        return self.visible_to(user).filter(holder_unit_id__in=access.unit_ids(Role.UNIT_LEADER))

    def exportable_by(self, user) -> ConcernCaseQuerySet:
        """Logs the user may take out as PDF for the pupil file: the holder's, open or
        closed (the archive copy), and those of the unit they lead."""
        if user is None:
            return self.none()
        access = access_for(user)
        return self.visible_to(user).filter(
            Q(holder_id=user.pk) | Q(holder_unit_id__in=access.unit_ids(Role.UNIT_LEADER))
        )


class HandoverQuerySet(models.QuerySet):
    def visible_to(self, user) -> HandoverQuerySet:
        """A handover is seen by whoever reads its log, and by the proposed new holder
        while it waits (who sees the handover, not the log)."""
        from btitracker.models import ConcernCase, HandoverStatus

        access = access_for(user)
        if access.municipality_id is None or user is None:
            return self.none()
        return self.filter(case__municipality_id=access.municipality_id).filter(
            Q(to_holder_id=user.pk, status=HandoverStatus.PENDING)
            | Q(case__in=ConcernCase.objects.visible_to(user))
        )

    def awaiting(self, user) -> HandoverQuerySet:
        """Handovers proposed to the user, still waiting for their answer: only they
        accept or decline them."""
        from btitracker.models import HandoverStatus

        if user is None:
            return self.none()
        return self.visible_to(user).filter(to_holder_id=user.pk, status=HandoverStatus.PENDING)


class AccessEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Tilgangsloggen kan ikke endres.")

    def delete(self):
        raise PermissionError("Tilgangsloggen kan ikke slettes.")

    def visible_to(self, user) -> AccessEventQuerySet:
        """The access history of logs the user leads (unit leader of the holding unit)."""
        from btitracker.models import ConcernCase

        case_ids = ConcernCase.objects.led_by(user).values("pk")
        return self.filter(case_id__in=case_ids)


class HandbookStepQuerySet(_MunicipalityScope):
    """The handbook (handlingsveileder) holds routines, nothing about a child: every
    member of the municipality reads all of it (``btitracker.view_handbookstep``)."""

    def for_level(self, level: int, unit_kind: str | None = None) -> HandbookStepQuerySet:
        """The steps of ``level`` for ``unit_kind`` (and those for every service)."""
        steps = self.filter(level=level)
        if unit_kind:
            steps = steps.filter(unit_kind__in=["", unit_kind])
        return steps


class HandbookToolQuerySet(_MunicipalityScope):
    pass


class HandbookChangeQuerySet(_MunicipalityScope):
    pass


# --- Consultation meetings (samarbeidsmøter) ------------------------------------------------
# No child is named in these rows (btitracker.anonymity), so the circle is wider than a
# log's: the coordinator of the municipality, the leader of the unit the meetings are for,
# the members of the support services that attend (the units behind the schedule's Service
# rows), and, for one meeting, whoever answers for one of its actions. Not elected
# officials, not the data admin, not the unit's other staff, not another municipality.


def _consultation_readers(user, prefix: str) -> Q | None:
    """Schedules (reached through ``prefix``) the user reads as coordinator, unit leader
    or member of an attending service; None for a user outside every municipality."""
    from btitracker.models import Service

    access = access_for(user)
    if access.municipality_id is None or user is None:
        return None
    in_municipality = Q(**{f"{prefix}municipality_id": access.municipality_id})
    if access.has_role(Role.BTI_COORDINATOR):
        return in_municipality
    member_units = access.unit_ids(Role.STAFF) | access.unit_ids(Role.UNIT_LEADER)
    attending = Service.objects.filter(
        consultation_schedules=OuterRef(prefix.removesuffix("__") or "pk"),
        unit_id__in=member_units,
    )
    led = Q(**{f"{prefix}unit_id__in": access.unit_ids(Role.UNIT_LEADER)})
    return in_municipality & (led | Q(Exists(attending)))


class ConsultationScheduleQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConsultationScheduleQuerySet:
        readers = _consultation_readers(user, "")
        return self.none() if readers is None else self.filter(readers)

    def writable_by(self, user: AbstractBaseUser | None) -> ConsultationScheduleQuerySet:
        """The coordinator of the municipality sets schedules up, moves and cancels their
        meetings."""
        access = access_for(user)
        if access.municipality_id is None or not access.has_role(Role.BTI_COORDINATOR):
            return self.none()
        return self.filter(municipality_id=access.municipality_id)


class ConsultationMeetingQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConsultationMeetingQuerySet:
        from btitracker.models import ConsultationAction

        readers = _consultation_readers(user, "schedule__")
        if readers is None:
            return self.none()
        access = access_for(user)
        responsible = ConsultationAction.objects.filter(
            meeting=OuterRef("pk"), responsible_id=getattr(user, "pk", None)
        )
        return self.filter(
            readers | (Q(schedule__municipality_id=access.municipality_id) & Exists(responsible))
        )

    def writable_by(self, user: AbstractBaseUser | None) -> ConsultationMeetingQuerySet:
        """The protocol is written by the unit's leader or the coordinator."""
        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        mine = self.filter(schedule__municipality_id=access.municipality_id)
        if access.has_role(Role.BTI_COORDINATOR):
            return mine
        return mine.filter(schedule__unit_id__in=access.unit_ids(Role.UNIT_LEADER))

    def movable_by(self, user: AbstractBaseUser | None) -> ConsultationMeetingQuerySet:
        """Planned meetings of the schedules the user sets up (the coordinator)."""
        from btitracker.models import ConsultationSchedule, ConsultationStatus

        schedules = ConsultationSchedule.objects.writable_by(user)
        return self.filter(schedule__in=schedules, status=ConsultationStatus.PLANNED)


class ConsultationMatterQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConsultationMatterQuerySet:
        from btitracker.models import ConsultationMeeting

        return self.filter(meeting__in=ConsultationMeeting.objects.visible_to(user))


class ConsultationActionQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ConsultationActionQuerySet:
        from btitracker.models import ConsultationMeeting

        return self.filter(meeting__in=ConsultationMeeting.objects.visible_to(user))

    def followable_by(self, user: AbstractBaseUser | None) -> ConsultationActionQuerySet:
        """Open actions the user answers for: only they mark them followed up or stopped."""
        from btitracker.models import ConsultationActionStatus

        if user is None or not user.is_authenticated:
            return self.none()
        return self.visible_to(user).filter(
            responsible=user, status=ConsultationActionStatus.PLANNED
        )

    def late(self, today=None) -> ConsultationActionQuerySet:
        """Still open after their follow-up date (a date today is not yet late)."""
        from btitracker.models import ConsultationActionStatus

        return self.filter(
            status=ConsultationActionStatus.PLANNED,
            follow_up_on__lt=today or timezone.localdate(),
        )


# --- The directory of services (tjenesteoversikt) -----------------------------------------
# Nothing about a person: an entry describes a service. Members read their municipality's
# active entries, the coordinator also the inactive ones they are writing; without login
# only ``published`` ones. The rules in ``btitracker.permissions`` mirror these.


class ServiceQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ServiceQuerySet:
        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        own = self.filter(municipality_id=access.municipality_id)
        if access.has_role(Role.BTI_COORDINATOR):
            return own
        return own.filter(active=True)

    def editable_by(self, user: AbstractBaseUser | None) -> ServiceQuerySet:
        """The coordinator's municipality's entries: the only ones they change."""
        access = access_for(user)
        if access.municipality_id is None or not access.has_role(Role.BTI_COORDINATOR):
            return self.none()
        return self.filter(municipality_id=access.municipality_id)

    def published(self, municipality_id: int) -> ServiceQuerySet:
        """What anyone, logged in or not, reads of a municipality's directory: its active
        entries marked public. The one scope of every page without login."""
        return self.filter(municipality_id=municipality_id, active=True, is_public=True)


class ServiceNeedQuerySet(models.QuerySet):
    def visible_to(self, user: AbstractBaseUser | None) -> ServiceNeedQuerySet:
        """A municipality's needs are its members' (a need names a topic, not a person)."""
        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        return self.filter(municipality_id=access.municipality_id)

    def editable_by(self, user: AbstractBaseUser | None) -> ServiceNeedQuerySet:
        access = access_for(user)
        if access.municipality_id is None or not access.has_role(Role.BTI_COORDINATOR):
            return self.none()
        return self.filter(municipality_id=access.municipality_id)
