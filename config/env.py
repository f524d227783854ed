"""Typed readers for settings taken from the environment.

Each reader refuses a malformed value with an ``ImproperlyConfigured`` that names the
variable, the value it got and what it expects, so a typo in a deployment fails at start
instead of turning into odd behaviour later.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# The readers are named after the types they return; these aliases keep the builtin types
# reachable inside the class, where the method names shadow them.
Text = str
Integer = int
Boolean = bool
TextList = list[str]

_TRUE = {"1", "true", "yes", "on", "ja"}
_FALSE = {"0", "false", "no", "off", "nei"}


class Env:
    """Reads variables from a mapping (``os.environ`` unless a test passes another)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def raw(self, name: Text) -> Text | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def is_set(self, name: Text) -> Boolean:
        return self.raw(name) is not None

    def fail(self, name: Text, value: Text, expected: Text) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Ugyldig verdi for {name}: {value!r}. Forventet {expected}.")

    def str(self, name: Text, default: Text | None = None) -> Text | None:
        value = self.raw(name)
        return default if value is None else value

    def bool(self, name: Text, default: Boolean) -> Boolean:
        value = self.raw(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self.fail(name, value, "true eller false (også 1/0, yes/no, on/off, ja/nei)")

    def int(self, name: Text, default: Integer, *, minimum: Integer | None = None) -> Integer:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = Integer(value)
        except ValueError:
            raise self.fail(name, value, "et heltall") from None
        if minimum is not None and number < minimum:
            raise self.fail(name, value, f"et heltall på minst {minimum}")
        return number

    def list(self, name: Text, default: TextList) -> TextList:
        value = self.raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            raise self.fail(name, value, "en kommaseparert liste uten tomme elementer")
        return items

    def header(self, name: Text) -> Text | None:
        """An HTTP request header name (``X-Forwarded-For``) as Django's ``request.META``
        key (``HTTP_X_FORWARDED_FOR``), or None when unset."""
        value = self.raw(name)
        if value is None:
            return None
        if not re.fullmatch(r"[A-Za-z0-9]+(-[A-Za-z0-9]+)*", value):
            raise self.fail(name, value, "et HTTP-hodenavn, for eksempel X-Forwarded-For")
        return "HTTP_" + value.upper().replace("-", "_")

    def choice(self, name: Text, default: Text, choices: tuple[Text, ...]) -> Text:
        value = self.raw(name)
        if value is None:
            return default
        if value.lower() not in choices:
            raise self.fail(name, value, "én av " + ", ".join(choices))
        return value.lower()

    def url(
        self, name: Text, schemes: tuple[Text, ...], default: Text | None = None
    ) -> Text | None:
        value = self.raw(name)
        if value is None:
            return default
        parts = urlsplit(value)
        if parts.scheme not in schemes:
            raise self.fail(
                name,
                value,
                "en URL som begynner med " + " eller ".join(f"{scheme}://" for scheme in schemes),
            )
        if parts.scheme != "sqlite" and not parts.hostname:
            raise self.fail(name, value, f"en URL med vertsnavn, f.eks. {schemes[0]}://127.0.0.1/")
        return value


# --- OpenID Connect providers (identity/, docs/deployment.md) ------------------------------

_OIDC_FIELDS = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "MUNICIPALITY")
_OIDC_VARIABLE = re.compile(r"OIDC_([A-Z0-9_]+?)_(" + "|".join(_OIDC_FIELDS) + r")")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class OidcProvider:
    """One municipality's identity provider, as ``OIDC_<KEY>_*`` configures it."""

    key: Text
    label: Text
    issuer: Text
    client_id: Text
    client_secret: Text
    municipality_number: Text
    scopes: tuple[Text, ...]
    subject_claim: Text
    groups_claim: Text
    # amr values (RFC 8176) and acr values that count as a second factor.
    mfa_amr: tuple[Text, ...]
    mfa_acr: tuple[Text, ...]
    # "groups": memberships follow the mapped groups at every login; "portal": the provider
    # only signs people in and roles are granted in the portal, four eyes as for local
    # accounts (Ansattporten, which sends no groups).
    roles_from: Text = "groups"

    @property
    def metadata_url(self) -> Text:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def _incomplete(message: Text, english: Text) -> ImproperlyConfigured:
    # Read by whoever deploys, who may not read Norwegian: both languages.
    return ImproperlyConfigured(f"{message} / {english}")


def read_oidc_providers(env: Env) -> dict[Text, OidcProvider]:
    """The providers ``OIDC_PROVIDERS`` names, each complete, or ``ImproperlyConfigured``.

    A provider named without its issuer, client or municipality, and an ``OIDC_<KEY>_*``
    variable for a key ``OIDC_PROVIDERS`` does not name, both stop the start: half a
    configuration would otherwise show a login button that cannot work, or silently
    ignore the provider the deployer meant to switch on."""
    keys = [key.lower() for key in env.list("OIDC_PROVIDERS", default=[])]
    for key in keys:
        if not re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", key):
            raise env.fail("OIDC_PROVIDERS", key, "nøkler av små bokstaver, sifre og _")
    for name in sorted(env.environ):
        match = _OIDC_VARIABLE.fullmatch(name)
        if match and env.is_set(name) and match.group(1).lower() not in keys:
            raise _incomplete(
                f"{name} er satt, men OIDC_PROVIDERS nevner ikke {match.group(1).lower()!r}.",
                f"{name} is set but OIDC_PROVIDERS does not name {match.group(1).lower()!r}.",
            )
    providers: dict[Text, OidcProvider] = {}
    for key in keys:
        prefix = f"OIDC_{key.upper()}_"
        missing = [prefix + field for field in _OIDC_FIELDS if not env.is_set(prefix + field)]
        if missing:
            raise _incomplete(
                f"OIDC_PROVIDERS nevner {key!r}, men {', '.join(missing)} mangler.",
                f"OIDC_PROVIDERS names {key!r} but {', '.join(missing)} is not set.",
            )
        issuer = env.url(prefix + "ISSUER", schemes=("https", "http")) or ""
        parts = urlsplit(issuer)
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            # Tokens and the client secret must not cross a network in clear text; plain
            # http is for a provider on this machine (the tests') only.
            raise env.fail(prefix + "ISSUER", issuer, "en https://-URL")
        number = env.str(prefix + "MUNICIPALITY") or ""
        if not re.fullmatch(r"\d{4}", number):
            raise env.fail(prefix + "MUNICIPALITY", number, "et kommunenummer med fire sifre")
        scopes = env.list(prefix + "SCOPES", default=["openid", "profile", "email"])
        if "openid" not in scopes:
            raise env.fail(prefix + "SCOPES", ",".join(scopes), "en liste som inneholder openid")
        roles_from = env.str(prefix + "ROLES_FROM") or "groups"
        if roles_from not in ("groups", "portal"):
            raise env.fail(prefix + "ROLES_FROM", roles_from, "groups eller portal")
        providers[key] = OidcProvider(
            key=key,
            label=env.str(prefix + "LABEL") or key,
            issuer=issuer,
            client_id=env.str(prefix + "CLIENT_ID") or "",
            client_secret=env.str(prefix + "CLIENT_SECRET") or "",
            municipality_number=number,
            scopes=tuple(scopes),
            subject_claim=env.str(prefix + "SUBJECT_CLAIM") or "sub",
            groups_claim=env.str(prefix + "GROUPS_CLAIM") or "groups",
            mfa_amr=tuple(env.list(prefix + "MFA_AMR", default=["mfa"])),
            mfa_acr=tuple(env.list(prefix + "MFA_ACR", default=[])),
            roles_from=roles_from,
        )
    return providers
