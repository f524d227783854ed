"""Reads of a verified ID token's claims: the groups a provider says the user is in, and
whether the login used more than one factor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from config.env import OidcProvider


def claim_text(claims: Mapping[str, Any], name: str) -> str:
    value = claims.get(name)
    return value.strip() if isinstance(value, str) else ""


def oidc_groups(*, provider: OidcProvider, claims: Mapping[str, Any]) -> set[str]:
    """The group ids in the provider's groups claim; anything but a list of text is none."""
    value = claims.get(provider.groups_claim)
    if not isinstance(value, list):
        return set()
    return {item for item in value if isinstance(item, str) and item}


def oidc_asserts_mfa(*, provider: OidcProvider, claims: Mapping[str, Any]) -> bool:
    """Whether the provider says the login used more than one factor: an ``amr`` value in
    ``OIDC_<KEY>_MFA_AMR`` (RFC 8176 ``mfa`` by default) or an ``acr`` in ``…_MFA_ACR``."""
    amr = claims.get("amr")
    amr_values = {item for item in amr if isinstance(item, str)} if isinstance(amr, list) else set()
    if amr_values & set(provider.mfa_amr):
        return True
    return claim_text(claims, "acr") in set(provider.mfa_acr)
