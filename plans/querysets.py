"""Scoped reads. Every list, detail, export and statistic of these models starts from
``visible_to(user)``; the predicates in ``permissions.py`` mirror the same scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from plans.access import access_for

if TYPE_CHECKING:
    import datetime

    # Named in the string type arguments below, which ruff does not read.
    from plans.models import (  # noqa: F401
        AgreedPoint,
        Dialogue,
        Measure,
        Membership,
        MembershipChange,
        Municipality,
        ParticipationInput,
        QualityPlan,
        QualityTool,
        SelfAssessment,
        Unit,
        UnitPlan,
        UserJourney,
    )


class _MunicipalityScope(models.QuerySet):
    """``visible_to`` for rows that belong to one municipality: superusers see every row,
    a user without membership none, everyone else their own municipality's rows narrowed
    further by ``narrow``. Each model's scope is written once, here or in ``narrow``."""

    municipality_lookup = "municipality_id"

    def visible_to(self, user):
        access = access_for(user)
        if access.is_superuser:
            return self.all()
        if access.municipality_id is None:
            return self.none()
        own = self.filter(**{self.municipality_lookup: access.municipality_id})
        return self.narrow(own, access, user)

    def narrow(self, own, access, user):
        return own


class MunicipalityQuerySet(_MunicipalityScope, models.QuerySet["Municipality"]):
    municipality_lookup = "pk"


class UnitQuerySet(_MunicipalityScope, models.QuerySet["Unit"]):
    def active(self) -> UnitQuerySet:
        return self.filter(active=True)

    def led_by(self, user) -> UnitQuerySet:
        """The units the user leads (a unit leader's grant in force), within their scope:
        where a unit leader starts a plan, registers participation input or follows sign-ups."""
        from plans.models import Role

        return self.visible_to(user).filter(pk__in=access_for(user).unit_ids(Role.UNIT_LEADER))


class MembershipQuerySet(_MunicipalityScope, models.QuerySet["Membership"]):
    def narrow(self, own, access, user):
        """Data admins and sector leaders see the municipality's memberships, unit leaders
        those of the units they lead, everyone their own."""
        from plans.models import Role

        if access.has_role(Role.DATA_ADMIN) or access.has_role(Role.SECTOR_LEADER):
            return own
        led_units = access.unit_ids(Role.UNIT_LEADER)
        return own.filter(models.Q(user_id=user.pk) | models.Q(unit_id__in=led_units))

    def in_force(self) -> MembershipQuerySet:
        """Memberships that grant their role: not waiting for a sector leader's confirmation.
        Every query that asks who holds a role outside ``access_for`` starts here."""
        return self.filter(pending=False)


class MembershipChangeQuerySet(_MunicipalityScope, models.QuerySet["MembershipChange"]):
    def narrow(self, own, access, user):
        """The record of who was given access is the sector leaders' to follow."""
        from plans.models import Role

        return own if access.has_role(Role.SECTOR_LEADER) else own.none()


def _unit_roles(access) -> frozenset[int]:
    """Units where the user leads or works: they read those units' plans in every state."""
    from plans.models import Role

    return access.unit_ids(Role.UNIT_LEADER) | access.unit_ids(Role.STAFF)


class QualityPlanQuerySet(_MunicipalityScope, models.QuerySet["QualityPlan"]):
    def narrow(self, own, access, user):
        """Everyone in the municipality reads adopted plans; drafts are the sector
        leaders' work in progress."""
        from plans.models import Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        return own.filter(adopted_on__isnull=False)

    def adopted(self) -> QualityPlanQuerySet:
        return self.filter(adopted_on__isnull=False)

    def in_force(self):
        """The latest adopted revision, or None."""
        return self.adopted().order_by("-adopted_on", "-period_start", "-revision").first()


class UnitPlanQuerySet(_MunicipalityScope, models.QuerySet["UnitPlan"]):
    municipality_lookup = "unit__municipality_id"

    def narrow(self, own, access, user):
        """Sector leaders read every plan of the municipality; the unit's leader and staff
        their own unit's plans in any state; every member the approved and evaluated
        plans (elected officials as summaries, which the views enforce)."""
        from plans.models import PUBLISHED_STATES, Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        return own.filter(
            models.Q(status__in=PUBLISHED_STATES) | models.Q(unit_id__in=_unit_roles(access))
        )


class MeasureQuerySet(models.QuerySet["Measure"]):
    def visible_to(self, user) -> MeasureQuerySet:
        from plans.models import UnitPlan

        return self.filter(plan__in=UnitPlan.objects.visible_to(user).values("pk"))

    def overdue(self, today: datetime.date | None = None) -> MeasureQuerySet:
        from plans.models import overdue_measure_q

        return self.filter(overdue_measure_q(today))


class QualityToolQuerySet(_MunicipalityScope, models.QuerySet["QualityTool"]):
    pass


class SelfAssessmentQuerySet(_MunicipalityScope, models.QuerySet["SelfAssessment"]):
    def narrow(self, own, access, user):
        """A unit's self-assessments are its own reflection: the unit and the sector
        leaders read them; a group session's participants read its joint conclusion once
        it is completed; everyone else sees at most aggregates."""
        from plans.models import AssessmentStatus, Role, SessionParticipant

        if access.has_role(Role.SECTOR_LEADER):
            return own
        took_part = SessionParticipant.objects.filter(user_id=user.pk).values("assessment_id")
        return own.filter(
            models.Q(unit_id__in=_unit_roles(access))
            | models.Q(status=AssessmentStatus.COMPLETED, pk__in=took_part)
        )

    def open_sessions_for(self, user) -> SelfAssessmentQuerySet:
        """The group sessions collecting answers that ``user`` is invited to and has not
        answered yet: the participant's own list, outside ``visible_to`` because an
        invitation is not a right to read the assessment."""
        from plans.models import AssessmentStatus

        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        return self.filter(
            municipality_id=access.municipality_id,
            status=AssessmentStatus.COLLECTING,
            session_participants__user_id=user.pk,
            session_participants__has_answered=False,
        )


class _ParticipationScope(_MunicipalityScope):
    def narrow(self, own, access, user):
        """Members of the municipality read its participation input; elected officials
        only what was consented for publishing."""
        from plans.models import Role

        if access.roles() <= {Role.ELECTED_OFFICIAL}:
            return own.filter(publishable=True)
        return own

    def published(self):
        return self.filter(publishable=True)


class ParticipationInputQuerySet(_ParticipationScope, models.QuerySet["ParticipationInput"]):
    pass


class UserJourneyQuerySet(_ParticipationScope, models.QuerySet["UserJourney"]):
    pass


class DialogueQuerySet(_MunicipalityScope, models.QuerySet["Dialogue"]):
    """Leader dialogues are private to their two parties and their superiors. Superusers
    are no exception: a superuser sees a dialogue only through a role that is a party
    (``narrow`` is asked for them too, through ``visible_to`` below)."""

    def visible_to(self, user):
        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        own = self.filter(municipality_id=access.municipality_id)
        return self.narrow(own, access, user)

    def narrow(self, own, access, user):
        """Sector leaders read every dialogue of the municipality; a unit's leaders the
        unit's dialogues (their own with the sector leader and those with their staff);
        a staff member only the team dialogues they took part in."""
        from plans.models import DialogueKind, Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        from plans.models import Dialogue

        through = Dialogue.counterparts.through
        joined = models.Exists(
            through.objects.filter(dialogue_id=models.OuterRef("pk"), user_id=user.pk)
        )
        return own.filter(
            models.Q(unit_id__in=access.unit_ids(Role.UNIT_LEADER))
            | (models.Q(kind=DialogueKind.TEAM) & joined)
        )


class AgreedPointQuerySet(models.QuerySet["AgreedPoint"]):
    def visible_to(self, user) -> AgreedPointQuerySet:
        """A point is read with its dialogue, and by its owner, who follows it up (the
        point's text, never the dialogue's notes)."""
        from plans.models import Dialogue

        access = access_for(user)
        if access.municipality_id is None:
            return self.none()
        return self.filter(
            models.Q(dialogue__in=Dialogue.objects.visible_to(user).values("pk"))
            | models.Q(owner_id=user.pk, dialogue__municipality_id=access.municipality_id)
        )

    def overdue(self, today: datetime.date | None = None) -> AgreedPointQuerySet:
        """Open points whose due date has passed (a point due today is not yet)."""
        from django.utils import timezone

        from plans.models import PointStatus

        return self.filter(status=PointStatus.OPEN, due_on__lt=today or timezone.localdate())
