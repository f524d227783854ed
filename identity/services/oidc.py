"""Signing in through a municipality's identity provider: find or create the account for
the provider's subject, and make its memberships follow the groups the provider sends.

Group mappings are created, changed, deleted, confirmed and rejected here only, and each
of these writes a ``GroupMappingChange``. Four eyes sit on the rule: a mapping into a
``CONFIRMED_ROLES`` role grants nothing until a sector leader other than its editor
confirms it, and then every membership it gives at sign-in is in force at once, written
through ``plans.services.organisation`` (and so in the ``MembershipChange`` log) with the
mapping's editor as grantor and its confirmer as confirmer."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.env import OidcProvider
from identity.models import (
    GroupMappingChange,
    GroupRoleMapping,
    MappingAction,
    MappingStatus,
    OidcIdentity,
)
from identity.selectors.claims import claim_text, oidc_groups
from identity.selectors.mappings import municipalities_administered_by, pending_group_mappings_for
from plans.models import CONFIRMED_ROLES, Membership, Municipality
from plans.selectors.organisation import user_log_name
from plans.services.organisation import membership_grant, membership_revoke


def _new_username(*, provider: OidcProvider, claims: Mapping[str, Any], subject: str) -> str:
    """A fresh username: never one a local account already has, so a provider user called
    «admin» gets an account of their own instead of someone else's."""
    base = (claim_text(claims, "preferred_username") or subject)[:100]
    candidate = f"{base}@{provider.key}"[:150]
    number = 1
    while User.objects.filter(username=candidate).exists():
        number += 1
        candidate = f"{base}@{provider.key}-{number}"[:150]
    return candidate


@transaction.atomic
def oidc_memberships_sync(
    *, user: User, municipality: Municipality, provider: OidcProvider, groups: Iterable[str]
) -> None:
    """Make ``user``'s memberships exactly those the mapped groups give in the provider's
    municipality. A role whose group is gone is revoked — all of them when no mapped group
    is left — and a membership anywhere else is revoked too: roles of a provider's users
    come from the provider's groups only."""
    mappings = (
        GroupRoleMapping.objects.filter(
            municipality=municipality, provider=provider.key, group__in=set(groups)
        )
        # Only a rule a sector leader confirmed (or one into a role needing none) grants.
        .filter(status=MappingStatus.CONFIRMED)
        # Nobody gives themselves a role: not through a mapping they edited, nor through
        # one they confirmed (their eyes would be the only pair on their own access).
        .exclude(changed_by=user)
        .exclude(confirmed_by=user)
        .select_related("unit", "changed_by")
    )
    wanted = {(mapping.unit_id, mapping.role): mapping for mapping in mappings}
    for membership in Membership.objects.filter(user=user).select_related("unit", "user"):
        place = (membership.unit_id, membership.role)
        if membership.municipality_id != municipality.pk or place not in wanted:
            membership_revoke(membership=membership, actor=None)
    for mapping in wanted.values():
        membership_grant(
            user=user,
            municipality=municipality,
            role=mapping.role,
            unit=mapping.unit,
            actor=None,
            # Four eyes were on the mapping: its editor granted, its confirmer confirmed.
            on_behalf_of=mapping.changed_by,
            confirmed_by=mapping.confirmed_by,
            via=f"{mapping.provider}:{mapping.group}",
        )


@transaction.atomic
def oidc_login_complete(*, provider: OidcProvider, claims: Mapping[str, Any]) -> User:
    """The account for verified ID-token ``claims`` from ``provider``, created at the first
    login, with its memberships brought in line with the groups claim.

    ``claims`` must come from a verified ID token (signature, issuer, audience, expiry and
    nonce checked by the caller); this function trusts them."""
    subject = claim_text(claims, provider.subject_claim)
    if not subject:
        raise PermissionDenied(_("Identitetsleverandøren sendte ingen stabil brukeridentitet."))
    municipality = Municipality.objects.filter(number=provider.municipality_number).first()
    if municipality is None:
        raise PermissionDenied(
            _("Kommunen til denne identitetsleverandøren finnes ikke i portalen.")
        )
    identity = (
        OidcIdentity.objects.select_for_update()
        .select_related("user")
        .filter(provider=provider.key, subject=subject)
        .first()
    )
    if identity is not None and identity.issuer != claim_text(claims, "iss"):
        raise PermissionDenied(
            _("Innloggingen kommer fra en annen utsteder enn kontoen ble opprettet med.")
        )
    if identity is None:
        user = User(username=_new_username(provider=provider, claims=claims, subject=subject))
        # Provider accounts sign in only through the provider.
        user.set_unusable_password()
        user.save()
        identity = OidcIdentity.objects.create(
            user=user, provider=provider.key, issuer=claim_text(claims, "iss"), subject=subject
        )
    user = identity.user
    if not user.is_active:
        raise PermissionDenied(_("Kontoen er deaktivert."))
    user.first_name = (claim_text(claims, "given_name") or claim_text(claims, "name"))[:150]
    user.last_name = claim_text(claims, "family_name")[:150]
    user.email = claim_text(claims, "email")[:254]
    user.save(update_fields=["first_name", "last_name", "email"])
    identity.last_login = timezone.now()
    identity.save(update_fields=["last_login"])
    if provider.roles_from == "groups":
        oidc_memberships_sync(
            user=user,
            municipality=municipality,
            provider=provider,
            groups=oidc_groups(provider=provider, claims=claims),
        )
    return user


# --- group mappings: every write audited, four eyes on the BTI-reading ones ---

_MAPPING_FIELDS = ("municipality_id", "provider", "group", "role", "unit_id")


def _mapping_state(mapping: GroupRoleMapping) -> dict[str, Any]:
    unit = mapping.unit if mapping.unit_id else None
    return {
        "provider": mapping.provider,
        "group": mapping.group,
        "role": mapping.role,
        "unit": unit.name if unit is not None else "",
        "municipality": mapping.municipality_id,
        "status": mapping.status,
    }


def _mapping_record(
    *,
    action: str,
    mapping: GroupRoleMapping,
    actor,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> GroupMappingChange:
    unit = mapping.unit if mapping.unit_id else None
    return GroupMappingChange.objects.create(
        action=action,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=user_log_name(actor),
        municipality_id=mapping.municipality_id,
        mapping_pk=mapping.pk,
        provider=mapping.provider,
        group=mapping.group,
        role=mapping.role,
        unit_name=unit.name if unit is not None else "",
        before=before or {},
        after=after or {},
    )


def _check_may_edit_mapping(*, actor: User, municipality_id: int | None) -> None:
    if municipality_id not in municipalities_administered_by(actor):
        raise PermissionDenied(_("Du kan bare endre gruppekoblingene til din egen kommune."))


@transaction.atomic
def group_mapping_save(*, mapping: GroupRoleMapping, actor: User) -> GroupRoleMapping:
    """Create or change a mapping as ``actor`` (a data admin of its municipality). A new
    mapping, or a change of its group, role, unit, municipality or provider, makes
    ``actor`` its editor and — for a ``CONFIRMED_ROLES`` role — sets it pending again, so
    nothing a sector leader confirmed can be turned into something they did not."""
    previous = (
        GroupRoleMapping.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=mapping.pk)
        .first()
        if mapping.pk
        else None
    )
    _check_may_edit_mapping(actor=actor, municipality_id=mapping.municipality_id)
    if previous is not None:
        _check_may_edit_mapping(actor=actor, municipality_id=previous.municipality_id)
    changed = previous is None or any(
        getattr(previous, name) != getattr(mapping, name) for name in _MAPPING_FIELDS
    )
    if previous is not None and not changed:
        return previous
    mapping.changed_by = actor
    if mapping.role in CONFIRMED_ROLES:
        mapping.status = MappingStatus.PENDING
        mapping.confirmed_at = None
    else:
        mapping.status = MappingStatus.CONFIRMED
        mapping.confirmed_at = timezone.now()
    mapping.confirmed_by = None
    mapping.full_clean()
    mapping.save()
    _mapping_record(
        action=MappingAction.CREATED if previous is None else MappingAction.CHANGED,
        mapping=mapping,
        actor=actor,
        before=_mapping_state(previous) if previous is not None else None,
        after=_mapping_state(mapping),
    )
    return mapping


@transaction.atomic
def group_mapping_delete(*, mapping: GroupRoleMapping, actor: User) -> None:
    """Remove a mapping; the memberships it gave end at each user's next sign-in."""
    _check_may_edit_mapping(actor=actor, municipality_id=mapping.municipality_id)
    _mapping_record(
        action=MappingAction.DELETED, mapping=mapping, actor=actor, before=_mapping_state(mapping)
    )
    mapping.delete()


def _pending_mapping(*, mapping: GroupRoleMapping, actor: User) -> GroupRoleMapping:
    """The mapping locked, if ``actor`` may decide on it (``pending_group_mappings_for``:
    a sector leader of its municipality who did not edit it)."""
    found = (
        pending_group_mappings_for(actor).select_for_update(of=("self",)).filter(pk=mapping.pk)
    ).first()
    if found is None:
        raise PermissionDenied(
            _(
                "Du kan ikke godkjenne denne gruppekoblingen: det må gjøres av en sektorleder "
                "i kommunen som ikke selv har endret den."
            )
        )
    return found


@transaction.atomic
def group_mapping_confirm(*, mapping: GroupRoleMapping, actor: User) -> GroupRoleMapping:
    """Put a pending mapping in force: from the next sign-in its members hold the role."""
    mapping = _pending_mapping(mapping=mapping, actor=actor)
    before = _mapping_state(mapping)
    mapping.status = MappingStatus.CONFIRMED
    mapping.confirmed_by = actor
    mapping.confirmed_at = timezone.now()
    mapping.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _mapping_record(
        action=MappingAction.CONFIRMED,
        mapping=mapping,
        actor=actor,
        before=before,
        after=_mapping_state(mapping),
    )
    return mapping


@transaction.atomic
def group_mapping_reject(*, mapping: GroupRoleMapping, actor: User) -> GroupRoleMapping:
    """Refuse a pending mapping: it stays, granting nothing, until the data admin changes
    it (which asks for confirmation again) or deletes it."""
    mapping = _pending_mapping(mapping=mapping, actor=actor)
    before = _mapping_state(mapping)
    mapping.status = MappingStatus.REJECTED
    mapping.save(update_fields=["status"])
    _mapping_record(
        action=MappingAction.REJECTED,
        mapping=mapping,
        actor=actor,
        before=before,
        after=_mapping_state(mapping),
    )
    return mapping
