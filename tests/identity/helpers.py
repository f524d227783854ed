"""Providers and claims for the sign-in tests."""

from __future__ import annotations

from config.env import OidcProvider


def make_provider(key: str, number: str, issuer: str = "", **changes) -> OidcProvider:
    values = {
        "key": key,
        "label": f"{key.title()} kommune",
        "issuer": issuer or f"https://login.{key}.example.no",
        "client_id": f"portal-{key}",
        "client_secret": f"secret-{key}",
        "municipality_number": number,
        "scopes": ("openid", "profile", "email", "groups"),
        "subject_claim": "sub",
        "groups_claim": "groups",
        "mfa_amr": ("mfa",),
        "mfa_acr": (),
    }
    values.update(changes)
    return OidcProvider(**values)


def claims_for(provider: OidcProvider, sub: str, groups=(), **extra) -> dict:
    return {
        "iss": provider.issuer,
        "aud": provider.client_id,
        "sub": sub,
        "name": f"Navn {sub}",
        "preferred_username": sub,
        "groups": list(groups),
        **extra,
    }
