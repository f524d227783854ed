"""Scoped reads for the competence app, on the same municipality scope as the plans.

The activity table, sessions, needs and the annual wheel are the sector's shared plan:
every member of the municipality reads them. Who signed up for what is narrower — the
participant, the activity's organisers, the leaders of the participant's unit and the
sector leaders — and elected officials only ever see counts."""

from __future__ import annotations

from django.db import models

from plans.access import access_for
from plans.querysets import _MunicipalityScope


class FundingSchemeQuerySet(_MunicipalityScope):
    pass


class ThemeQuerySet(_MunicipalityScope):
    pass


class ActivityQuerySet(_MunicipalityScope):
    def for_year(self, school_year: int):
        return self.filter(school_year=school_year)

    def meant_for(self, user):
        """Activities whose target group includes the user: one of their units, their
        units' kinds or their roles; an activity without targets is for everyone.

        Filtered in Python because SQLite cannot look inside JSON lists; a municipality
        plans tens of activities a year, so this reads one small list."""
        from plans.models import Unit

        access = access_for(user)
        unit_ids = {unit for _role, unit in access.grants if unit}
        kinds = set(Unit.objects.filter(pk__in=unit_ids).values_list("kind", flat=True))
        roles = set(access.roles())
        from competence.models import Activity

        through = Activity.target_units.through
        targeted_units: dict[int, set[int]] = {}
        for activity_id, unit_id in through.objects.filter(
            activity__in=self.values("pk")
        ).values_list("activity_id", "unit_id"):
            targeted_units.setdefault(activity_id, set()).add(unit_id)
        matching = []
        for pk, target_kinds, target_roles in self.values_list(
            "pk", "target_kinds", "target_roles"
        ):
            units = targeted_units.get(pk, set())
            untargeted = not (target_kinds or target_roles or units)
            if (
                untargeted
                or units & unit_ids
                or kinds & set(target_kinds)
                or roles & set(target_roles)
            ):
                matching.append(pk)
        return self.filter(pk__in=matching)


class SessionQuerySet(_MunicipalityScope):
    municipality_lookup = "activity__municipality_id"

    def upcoming(self, now=None):
        from django.utils import timezone

        return self.filter(starts_at__gt=now or timezone.now())


class RegistrationQuerySet(_MunicipalityScope):
    municipality_lookup = "session__activity__municipality_id"

    def narrow(self, own, access, user):
        from plans.models import Membership, Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        led_units = access.unit_ids(Role.UNIT_LEADER)
        led_people = Membership.objects.filter(unit_id__in=led_units).values("user_id")
        return own.filter(
            models.Q(user_id=user.pk)
            | models.Q(session__activity__organisers=user.pk)
            | models.Q(user_id__in=led_people)
        ).distinct()

    def active(self):
        from competence.models import RegistrationStatus

        return self.exclude(status=RegistrationStatus.CANCELLED)

    def confirmed(self):
        from competence.models import RegistrationStatus

        return self.filter(status=RegistrationStatus.CONFIRMED)

    def waiting(self):
        from competence.models import RegistrationStatus

        return self.filter(status=RegistrationStatus.WAITING)


class TrainingRequirementQuerySet(_MunicipalityScope):
    """A training requirement is part of the competence plan: every member reads it; who
    has completed it is read through ``competence.selectors.training``."""

    def in_force(self):
        return self.filter(active=True)


class NeedSurveyQuerySet(_MunicipalityScope):
    pass


class CalendarEventQuerySet(_MunicipalityScope):
    pass


class FeedTokenQuerySet(_MunicipalityScope):
    def narrow(self, own, access, user):
        # A feed's secret URL is its owner's alone; nobody else lists or revokes it.
        return own.filter(user_id=user.pk)

    def active(self):
        return self.filter(revoked_at__isnull=True)
