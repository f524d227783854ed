"""Scoped reads. Every list, detail, export and statistic of these models starts from
``visible_to(user)``; the predicates in ``permissions.py`` mirror the same scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from plans.access import access_for

if TYPE_CHECKING:
    # Named in the string type arguments below, which ruff does not read.
    from plans.models import Membership, Municipality, Unit  # noqa: F401


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def visible_to(self, user) -> MunicipalityQuerySet:
        access = access_for(user)
        if access.is_superuser:
            return self.all()
        if access.municipality_id is None:
            return self.none()
        return self.filter(pk=access.municipality_id)


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user) -> UnitQuerySet:
        access = access_for(user)
        if access.is_superuser:
            return self.all()
        if access.municipality_id is None:
            return self.none()
        return self.filter(municipality_id=access.municipality_id)

    def active(self) -> UnitQuerySet:
        return self.filter(active=True)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def visible_to(self, user) -> MembershipQuerySet:
        """Data admins and sector leaders see the municipality's memberships, unit leaders
        those of the units they lead, everyone their own."""
        from plans.models import Role

        access = access_for(user)
        if access.is_superuser:
            return self.all()
        if access.municipality_id is None:
            return self.none()
        in_municipality = self.filter(municipality_id=access.municipality_id)
        if access.has_role(Role.DATA_ADMIN) or access.has_role(Role.SECTOR_LEADER):
            return in_municipality
        led_units = access.unit_ids(Role.UNIT_LEADER)
        return in_municipality.filter(models.Q(user_id=user.pk) | models.Q(unit_id__in=led_units))
