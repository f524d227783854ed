"""Who a user is in the portal: their municipality and their roles, read once per request.

Every permission predicate and every ``visible_to`` queryset starts here, so the rules and
the querysets cannot disagree about a user's municipality or roles.
"""

from __future__ import annotations

from dataclasses import dataclass

_CACHE_ATTR = "_portal_access"


@dataclass(frozen=True)
class Access:
    municipality_id: int | None
    # (role, unit id or None for the whole municipality)
    grants: frozenset[tuple[str, int | None]]
    is_superuser: bool = False
    # Grants waiting for a sector leader's confirmation: shown to the user, granting nothing.
    pending: frozenset[tuple[str, int | None]] = frozenset()

    def has_role(self, role: str) -> bool:
        return any(granted == role for granted, _unit in self.grants)

    def unit_ids(self, role: str) -> frozenset[int]:
        return frozenset(unit for granted, unit in self.grants if granted == role and unit)

    def roles(self) -> frozenset[str]:
        return frozenset(role for role, _unit in self.grants)


NO_ACCESS = Access(municipality_id=None, grants=frozenset())


def access_for(user) -> Access:
    """The user's municipality and grants, cached on the user object for the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ACCESS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    from plans.models import Membership

    rows = list(
        Membership.objects.filter(user_id=user.pk).values_list(
            "municipality_id", "unit_id", "role", "pending"
        )
    )
    municipality_ids = {municipality for municipality, _unit, _role, _pending in rows}
    # Memberships are validated to one municipality; should two ever exist, refuse both
    # rather than guess which one the user belongs to.
    municipality_id = municipality_ids.pop() if len(municipality_ids) == 1 else None
    if municipality_id is None:
        rows = []
    # A pending membership places the user in the municipality (so the home page can say
    # what awaits confirmation) but grants no role until a sector leader confirms it.
    grants = frozenset((role, unit) for _m, unit, role, pending in rows if not pending)
    waiting = frozenset((role, unit) for _m, unit, role, pending in rows if pending)
    access = Access(
        municipality_id=municipality_id,
        grants=grants,
        is_superuser=user.is_superuser,
        pending=waiting,
    )
    setattr(user, _CACHE_ATTR, access)
    return access


def forget_access(user) -> None:
    """Drop the cached access, e.g. after a membership of this user changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
