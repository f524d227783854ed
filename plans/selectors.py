"""Read-side helpers for the organisation pages; all start from ``visible_to``."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from plans.access import access_for
from plans.models import Membership, Role, Unit, UnitKind, UnitPlan, current_school_year


def units_by_kind(user) -> list[dict]:
    """Active units of the user's municipality counted per kind, in the fixed kind order."""
    counts = dict(
        Unit.objects.visible_to(user)
        .active()
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [
        {"kind": kind, "label": label, "count": counts.get(kind, 0)}
        for kind, label in UnitKind.choices
    ]


def units_for_role(user, role: str) -> QuerySet[Unit]:
    return (
        Unit.objects.visible_to(user)
        .filter(memberships__user=user, memberships__role=role)
        .select_related("parent")
        .distinct()
    )


def unit_members(user, unit: Unit) -> QuerySet[Membership]:
    return (
        Membership.objects.visible_to(user)
        .filter(unit=unit)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def units_without_leader(user) -> QuerySet[Unit]:
    return (
        Unit.objects.visible_to(user)
        .active()
        .annotate(leaders=Count("memberships", filter=Q(memberships__role=Role.UNIT_LEADER)))
        .filter(leaders=0)
        .order_by("name")
    )


def memberships_by_role(user) -> list[dict]:
    counts = dict(
        Membership.objects.visible_to(user)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    return [
        {"role": role, "label": label, "count": counts.get(role, 0)} for role, label in Role.choices
    ]


def current_plans_of_my_units(user) -> list[tuple[Unit, UnitPlan | None]]:
    """The units the user leads or works in, each with its plan for the current school
    year (None when not started). Two queries whatever the number of units."""
    access = access_for(user)
    unit_ids = access.unit_ids(Role.UNIT_LEADER) | access.unit_ids(Role.STAFF)
    units = list(Unit.objects.visible_to(user).active().filter(pk__in=unit_ids))
    plans = {
        plan.unit_id: plan
        for plan in UnitPlan.objects.visible_to(user).filter(
            unit__in=units, school_year=current_school_year()
        )
    }
    return [(unit, plans.get(unit.pk)) for unit in units]
