"""The configured OpenID Connect providers (``settings.OIDC_PROVIDERS``) as Authlib
clients: discovery from the issuer, the authorization code flow with PKCE (S256), state
and nonce, and the ID token checked against the provider's JWKS."""

from __future__ import annotations

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import Http404

from config.env import OidcProvider

# One Authlib client per provider configuration, so discovery and the JWKS are fetched
# once per process, not on every login. Keyed by the configuration itself: tests (and a
# changed configuration) get a fresh client.
_clients: dict[OidcProvider, DjangoOAuth2App] = {}


def provider_for(key: str) -> OidcProvider:
    provider = settings.OIDC_PROVIDERS.get(key)
    if provider is None:
        raise Http404
    return provider


def client_for(provider: OidcProvider) -> DjangoOAuth2App:
    client = _clients.get(provider)
    if client is None:
        registry = OAuth()
        client = registry.register(
            # The name keys the state in the session: a callback for one provider never
            # finds the state another provider's login left.
            name=f"oidc_{provider.key}",
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={
                "scope": " ".join(provider.scopes),
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "timeout": 10,
            },
        )
        _clients[provider] = client
    return client
