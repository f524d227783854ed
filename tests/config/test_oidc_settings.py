"""OpenID Connect providers from the environment (config/env.py): complete or refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env, read_oidc_providers

COMPLETE = {
    "OIDC_PROVIDERS": "nordvik,ansattporten",
    "OIDC_NORDVIK_ISSUER": "https://login.microsoftonline.com/tenant/v2.0",
    "OIDC_NORDVIK_CLIENT_ID": "portal",
    "OIDC_NORDVIK_CLIENT_SECRET": "s3cret",
    "OIDC_NORDVIK_MUNICIPALITY": "9101",
    "OIDC_NORDVIK_SUBJECT_CLAIM": "oid",
    "OIDC_NORDVIK_LABEL": "Nordvik kommune",
    "OIDC_ANSATTPORTEN_ISSUER": "https://ansattporten.no",
    "OIDC_ANSATTPORTEN_CLIENT_ID": "portal",
    "OIDC_ANSATTPORTEN_CLIENT_SECRET": "s3cret",
    "OIDC_ANSATTPORTEN_MUNICIPALITY": "9102",
    "OIDC_ANSATTPORTEN_MFA_ACR": "idporten-loa-high",
    "OIDC_ANSATTPORTEN_ROLES_FROM": "portal",
}


def test_nothing_set_means_no_providers():
    assert read_oidc_providers(Env({})) == {}


def test_complete_providers_are_read_with_their_defaults():
    providers = read_oidc_providers(Env(COMPLETE))
    assert list(providers) == ["nordvik", "ansattporten"]
    nordvik = providers["nordvik"]
    assert nordvik.subject_claim == "oid"
    assert nordvik.label == "Nordvik kommune"
    assert nordvik.metadata_url == (
        "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration"
    )
    assert nordvik.scopes == ("openid", "profile", "email")
    assert nordvik.mfa_amr == ("mfa",)
    assert providers["ansattporten"].mfa_acr == ("idporten-loa-high",)
    assert nordvik.roles_from == "groups"
    assert providers["ansattporten"].roles_from == "portal"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"OIDC_NORDVIK_CLIENT_SECRET": ""}, "OIDC_NORDVIK_CLIENT_SECRET mangler"),
        ({"OIDC_NORDVIK_ISSUER": ""}, "OIDC_NORDVIK_ISSUER mangler"),
        ({"OIDC_PROVIDERS": "nordvik"}, "OIDC_PROVIDERS does not name 'ansattporten'"),
        ({"OIDC_NORDVIK_ISSUER": "http://login.example.no"}, "Forventet en https://-URL"),
        ({"OIDC_NORDVIK_MUNICIPALITY": "91"}, "et kommunenummer med fire sifre"),
        ({"OIDC_NORDVIK_SCOPES": "profile,email"}, "inneholder openid"),
        ({"OIDC_PROVIDERS": "Nord vik"}, "Ugyldig verdi for OIDC_PROVIDERS"),
        ({"OIDC_NORDVIK_ROLES_FROM": "claims"}, "Forventet groups eller portal"),
    ],
)
def test_an_incomplete_or_wrong_provider_stops_the_start(changes, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        read_oidc_providers(Env({**COMPLETE, **changes}))


def test_plain_http_is_allowed_for_a_provider_on_this_machine_only():
    providers = read_oidc_providers(
        Env({**COMPLETE, "OIDC_NORDVIK_ISSUER": "http://127.0.0.1:9000"})
    )
    assert providers["nordvik"].issuer == "http://127.0.0.1:9000"
