"""Who may do what with the organisation, as django-rules predicates.

The object predicates mirror ``plans.querysets``: an object is visible exactly when the
matching ``visible_to(user)`` queryset contains it. ``tests/plans/test_permissions.py``
checks the two against each other for every persona.
"""

from __future__ import annotations

import rules

from plans.access import access_for
from plans.models import Municipality, Role


def has_role(role: str) -> rules.Predicate:
    @rules.predicate(name=f"has_role:{role}")
    def predicate(user) -> bool:
        return access_for(user).has_role(role)

    return predicate


is_sector_leader = has_role(Role.SECTOR_LEADER)
is_unit_leader = has_role(Role.UNIT_LEADER)
is_staff_member = has_role(Role.STAFF)
is_bti_coordinator = has_role(Role.BTI_COORDINATOR)
is_elected_official = has_role(Role.ELECTED_OFFICIAL)
is_data_admin = has_role(Role.DATA_ADMIN)


@rules.predicate
def is_superuser(user) -> bool:
    return access_for(user).is_superuser


@rules.predicate
def is_portal_member(user) -> bool:
    return access_for(user).municipality_id is not None or access_for(user).is_superuser


def _municipality_id_of(obj) -> int | None:
    if isinstance(obj, Municipality):
        return obj.pk
    return getattr(obj, "municipality_id", None)


@rules.predicate
def in_own_municipality(user, obj) -> bool:
    """True for objects of the user's municipality; ``None`` (a model-level check) passes,
    since model-level access is then scoped by ``visible_to``."""
    if obj is None:
        return True
    access = access_for(user)
    return access.is_superuser or (
        access.municipality_id is not None and _municipality_id_of(obj) == access.municipality_id
    )


@rules.predicate
def is_own_membership(user, membership) -> bool:
    return membership is not None and membership.user_id == user.pk


@rules.predicate
def leads_membership_unit(user, membership) -> bool:
    if membership is None or membership.unit_id is None:
        return False
    return membership.unit_id in access_for(user).unit_ids(Role.UNIT_LEADER)


manages_organisation = is_superuser | is_data_admin
views_all_memberships = is_superuser | is_data_admin | is_sector_leader

rules.add_perm("plans", is_superuser | is_data_admin)  # the admin's "Organisasjon" section
rules.add_perm("plans.view_municipality", is_portal_member & in_own_municipality)
rules.add_perm("plans.change_municipality", is_superuser | (is_data_admin & in_own_municipality))
rules.add_perm("plans.add_municipality", is_superuser)
rules.add_perm("plans.delete_municipality", is_superuser)

rules.add_perm("plans.view_unit", is_portal_member & in_own_municipality)
for action in ("add", "change", "delete"):
    rules.add_perm(f"plans.{action}_unit", manages_organisation & in_own_municipality)

rules.add_perm(
    "plans.view_membership",
    is_portal_member
    & in_own_municipality
    & (views_all_memberships | is_own_membership | leads_membership_unit),
)
for action in ("add", "change", "delete"):
    rules.add_perm(f"plans.{action}_membership", manages_organisation & in_own_municipality)

# Users are managed by data admins of the municipality they belong to; the admin's
# queryset limits which users that is.
rules.add_perm("auth", manages_organisation)
for action in ("view", "add", "change"):
    rules.add_perm(f"auth.{action}_user", manages_organisation)
rules.add_perm("auth.delete_user", is_superuser)

# The portal's own pages.
rules.add_perm("plans.access_admin", manages_organisation)
