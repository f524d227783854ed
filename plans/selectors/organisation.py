"""Read-side helpers for the organisation pages; all start from ``visible_to``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from plans.access import access_for
from plans.models import (
    CONFIRMED_ROLES,
    Membership,
    MembershipChange,
    Role,
    Unit,
    UnitKind,
    UnitPlan,
)
from plans.schoolyear import SchoolYear


def users_managed_by(actor) -> QuerySet:
    """The accounts ``actor`` may manage in the admin and by import: every account for a
    superuser; for a data admin the users with a membership in their municipality, but
    never a superuser, a staff user or the data admin's own account (nobody changes their
    own memberships or raises themselves). Everyone else: none."""
    User = get_user_model()
    access = access_for(actor)
    if access.is_superuser:
        return User.objects.all()
    if access.municipality_id is None or not access.has_role(Role.DATA_ADMIN):
        return User.objects.none()
    members = Membership.objects.filter(municipality_id=access.municipality_id)
    return User.objects.filter(
        pk__in=members.values("user_id"), is_superuser=False, is_staff=False
    ).exclude(pk=actor.pk)


def users_with_credentials_managed_by(actor) -> QuerySet:
    """Whose password and e-mail ``actor`` may set. A data admin who could set the password
    of someone holding (or waiting for) a role that opens BTI logs or confirms such roles
    could log in as them and walk around the four eyes; those people reset their own
    password by e-mail. Superusers may set anyone's."""
    users = users_managed_by(actor)
    if access_for(actor).is_superuser:
        return users
    return users.exclude(memberships__role__in=CONFIRMED_ROLES)


def pending_memberships_for(user) -> QuerySet[Membership]:
    """Grants waiting for confirmation that ``user`` may confirm or reject: a sector
    leader's municipality's (a superuser's everywhere), never ones they granted or hold."""
    access = access_for(user)
    if not (access.is_superuser or access.has_role(Role.SECTOR_LEADER)):
        return Membership.objects.none()
    return (
        Membership.objects.visible_to(user)
        .filter(pending=True)
        .exclude(user=user)
        .exclude(granted_by=user)
        .select_related("user", "unit", "municipality", "granted_by")
        .order_by("pk")
    )


def pending_roles_of(user) -> list[Membership]:
    """The user's own grants that wait for a sector leader, for their home page."""
    return list(
        Membership.objects.filter(user_id=user.pk, pending=True)
        .select_related("unit", "municipality")
        .order_by("role", "unit__name")
    )


def membership_changes_for(user) -> QuerySet[MembershipChange]:
    return MembershipChange.objects.visible_to(user).select_related("municipality")


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
        .filter(pk__in=access_for(user).unit_ids(role))
        .select_related("parent")
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
        .annotate(
            leaders=Count(
                "memberships",
                filter=Q(memberships__role=Role.UNIT_LEADER, memberships__pending=False),
            )
        )
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
            unit__in=units, school_year=SchoolYear.current().start_year
        )
    }
    return [(unit, plans.get(unit.pk)) for unit in units]


def user_log_name(user) -> str:
    """A person as change logs name them (also identity's mapping log)."""
    if user is None:
        return ""
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username
