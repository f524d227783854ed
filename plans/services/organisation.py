"""Every change to the organisation goes through these functions, whether it comes from
the admin, an import or a management command. They validate fully and write atomically."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from plans.access import forget_access
from plans.models import Membership, Municipality, Unit

User = get_user_model()


@transaction.atomic
def municipality_save(*, municipality: Municipality) -> Municipality:
    municipality.full_clean()
    municipality.save()
    return municipality


@transaction.atomic
def unit_save(*, unit: Unit) -> Unit:
    """Create or update a unit after model validation (parent in the same municipality,
    no cycles, a valid organisation number)."""
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def membership_grant(
    *, user, municipality: Municipality, role: str, unit: Unit | None = None
) -> Membership:
    """Give ``user`` a role, idempotently: granting a role twice returns the existing one."""
    existing = Membership.objects.filter(
        user=user, municipality=municipality, unit=unit, role=role
    ).first()
    if existing is not None:
        return existing
    membership = Membership(user=user, municipality=municipality, unit=unit, role=role)
    membership.full_clean()
    membership.save()
    forget_access(user)
    return membership


@transaction.atomic
def membership_save(*, membership: Membership) -> Membership:
    membership.full_clean()
    membership.save()
    forget_access(membership.user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    user = membership.user
    membership.delete()
    forget_access(user)
