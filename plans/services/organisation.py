"""Every change to the organisation goes through these functions, whether it comes from
the admin, an import or a management command. They validate fully and write atomically.

Memberships carry the portal's access, so their functions also enforce who may change
whom (nobody their own memberships; a data admin only the users of
``plans.selectors.organisation.users_managed_by``),
hold every grant of a ``CONFIRMED_ROLES`` role as
*pending* until a sector leader other than the grantor and the grantee confirms it, and
write a ``MembershipChange`` for every grant, change, revocation, confirmation and
rejection."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.access import access_for, forget_access
from plans.models import (
    CONFIRMED_ROLES,
    Membership,
    MembershipAction,
    MembershipChange,
    Municipality,
    Role,
    Unit,
)
from plans.selectors.organisation import user_log_name

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


def _unit_name(membership: Membership) -> str:
    unit = membership.unit if membership.unit_id else None
    return unit.name if unit is not None else ""


def _state(membership: Membership) -> dict[str, Any]:
    """A membership as the change log shows it, in words that survive the unit's deletion."""
    return {
        "role": membership.role,
        "unit": _unit_name(membership),
        "municipality": membership.municipality_id,
        "pending": membership.pending,
    }


def _record(
    *,
    action: str,
    membership: Membership,
    actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> MembershipChange:
    return MembershipChange.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=user_log_name(actor),
        subject=membership.user,
        subject_name=user_log_name(membership.user),
        municipality_id=membership.municipality_id,
        membership_pk=membership.pk,
        role=membership.role,
        unit_name=_unit_name(membership),
        before=before or {},
        after=after or {},
    )


def _check_may_manage(*, actor, user, new_user: bool = False) -> None:
    """Nobody changes their own memberships; a data admin reaches only the users of
    ``users_managed_by``, and — when ``new_user`` says the actor has just created the
    account in the same request — that account's first membership. ``actor=None`` is the
    portal's own code (demo loader)."""
    from plans.selectors.organisation import users_managed_by

    if actor is None:
        return
    if user.pk == actor.pk:
        raise PermissionDenied(_("Du kan ikke endre dine egne medlemskap."))
    fresh_account = (
        new_user
        and not user.is_superuser
        and not user.is_staff
        and not Membership.objects.filter(user_id=user.pk).exists()
        and access_for(actor).has_role(Role.DATA_ADMIN)
    )
    if not fresh_account and not users_managed_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied(
            _("Du har ikke tilgang til å endre medlemskapene til denne brukeren.")
        )


@transaction.atomic
def membership_grant(
    *,
    user,
    municipality: Municipality,
    role: str,
    unit: Unit | None = None,
    actor=None,
    confirmed: bool = False,
    on_behalf_of=None,
    confirmed_by=None,
    via: str = "",
) -> Membership:
    """Give ``user`` a role, idempotently: granting a role twice returns the existing one.
    ``confirmed=True`` is for the portal's own trusted code (the demo loader): the grant
    takes effect at once instead of waiting for a sector leader. ``on_behalf_of``: with
    ``actor=None``, the person the portal's code grants for (the data admin who saved an
    identity provider's group mapping); recorded as the grantor, so they cannot confirm
    the grant themselves. ``confirmed_by`` and ``via``: with ``actor=None``, the sector
    leader who already confirmed the rule the grant follows (a confirmed group mapping,
    named in ``via``): the grant is in force at once and the log says through what."""
    if confirmed_by is not None and actor is not None:
        raise ValueError("confirmed_by is for the portal's own code, not for an actor.")
    existing = Membership.objects.filter(
        user=user, municipality=municipality, unit=unit, role=role
    ).first()
    if existing is not None:
        if existing.pending and confirmed_by is not None:
            # Waiting for a per-user confirmation that the confirmed rule now gives.
            before = _state(existing)
            existing.pending = False
            existing.confirmed_by = confirmed_by
            existing.confirmed_at = timezone.now()
            existing.save(update_fields=["pending", "confirmed_by", "confirmed_at"])
            _record(
                action=MembershipAction.CONFIRMED,
                membership=existing,
                actor=None,
                before=before,
                after={**_state(existing), "via": via},
            )
            forget_access(existing.user)
        return existing
    membership = Membership(user=user, municipality=municipality, unit=unit, role=role)
    if actor is None and on_behalf_of is not None:
        membership.granted_by = on_behalf_of
    return membership_save(
        membership=membership, actor=actor, confirmed=confirmed, confirmed_by=confirmed_by, via=via
    )


@transaction.atomic
def membership_save(
    *,
    membership: Membership,
    actor=None,
    confirmed: bool = False,
    new_user: bool = False,
    confirmed_by=None,
    via: str = "",
) -> Membership:
    """Create or change a membership. A new or changed grant of a ``CONFIRMED_ROLES``
    role is pending until confirmed (``membership_confirm``) unless ``confirmed`` is given
    by trusted code; every save is recorded. ``new_user``: the actor created this account
    in the same request (the admin's add-user page), see ``_check_may_manage``.
    ``confirmed_by``/``via``: see ``membership_grant``."""
    if confirmed_by is not None and actor is not None:
        raise ValueError("confirmed_by is for the portal's own code, not for an actor.")
    _check_may_manage(actor=actor, user=membership.user, new_user=new_user)
    previous = (
        Membership.objects.select_related("unit", "user").filter(pk=membership.pk).first()
        if membership.pk
        else None
    )
    if previous is not None and previous.user_id != membership.user_id:
        # Moving a grant to another person is a revocation and a new grant: both people
        # must be within reach, and the log must say so.
        _check_may_manage(actor=actor, user=previous.user)
    before = _state(previous) if previous is not None else None
    what = ("user_id", "municipality_id", "unit_id", "role")
    changed = previous is None or any(
        getattr(previous, name) != getattr(membership, name) for name in what
    )
    if changed:
        needs_confirmation = (
            membership.role in CONFIRMED_ROLES and not confirmed and confirmed_by is None
        )
        membership.pending = needs_confirmation
        membership.confirmed_by = confirmed_by
        membership.confirmed_at = None if needs_confirmation else timezone.now()
        if actor is not None:
            membership.granted_by = actor
    membership.full_clean()
    membership.save()
    if changed:
        _record(
            action=MembershipAction.GRANTED if previous is None else MembershipAction.CHANGED,
            membership=membership,
            actor=actor,
            before=before,
            after={**_state(membership), "via": via} if via else _state(membership),
        )
    forget_access(membership.user)
    if previous is not None:
        forget_access(previous.user)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None) -> None:
    _check_may_manage(actor=actor, user=membership.user)
    user = membership.user
    _record(
        action=MembershipAction.REVOKED,
        membership=membership,
        actor=actor,
        before=_state(membership),
    )
    membership.delete()
    forget_access(user)


def _check_may_confirm(*, membership: Membership, actor) -> None:
    """Four eyes: a sector leader of the membership's municipality (or a superuser, for a
    municipality's first sector leader), never the one who granted it nor the grantee."""
    from plans.selectors.organisation import pending_memberships_for

    if not pending_memberships_for(actor).filter(pk=membership.pk).exists():
        raise PermissionDenied(
            _(
                "Du kan ikke godkjenne dette medlemskapet: det må godkjennes av en "
                "sektorleder som verken har tildelt det eller selv får rollen."
            )
        )


@transaction.atomic
def membership_confirm(*, membership: Membership, actor) -> Membership:
    """Let a pending grant take effect."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("unit", "user")
        .get(pk=membership.pk)
    )
    _check_may_confirm(membership=membership, actor=actor)
    before = _state(membership)
    membership.pending = False
    membership.confirmed_by = actor
    membership.confirmed_at = timezone.now()
    membership.save(update_fields=["pending", "confirmed_by", "confirmed_at"])
    _record(
        action=MembershipAction.CONFIRMED,
        membership=membership,
        actor=actor,
        before=before,
        after=_state(membership),
    )
    forget_access(membership.user)
    return membership


@transaction.atomic
def membership_reject(*, membership: Membership, actor) -> None:
    """Refuse a pending grant: it is removed, and the log says who refused it."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("unit", "user")
        .get(pk=membership.pk)
    )
    _check_may_confirm(membership=membership, actor=actor)
    _record(
        action=MembershipAction.REJECTED,
        membership=membership,
        actor=actor,
        before=_state(membership),
    )
    user = membership.user
    membership.delete()
    forget_access(user)
