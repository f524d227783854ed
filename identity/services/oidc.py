"""Signing in through a municipality's identity provider: find or create the account for
the provider's subject, and make its memberships follow the groups the provider sends.

The memberships are written through ``plans.services.organisation`` like every other
grant, so each grant and revocation lands in the ``MembershipChange`` log and a grant of a
``CONFIRMED_ROLES`` role waits for a sector leader's confirmation (four eyes, issue 8)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.env import OidcProvider
from identity.models import GroupRoleMapping, OidcIdentity
from identity.selectors.claims import claim_text, oidc_groups
from plans.models import Membership, Municipality
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
        # Nobody gives themselves a role: not through a mapping they edited either.
        .exclude(changed_by=user)
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
            # Four eyes: whoever saved the mapping granted the role, and cannot confirm it.
            on_behalf_of=mapping.changed_by,
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
    oidc_memberships_sync(
        user=user,
        municipality=municipality,
        provider=provider,
        groups=oidc_groups(provider=provider, claims=claims),
    )
    return user
