"""The two ends of an OpenID Connect login: the municipality's button sends the browser
to its provider, and the provider sends it back to the callback with a code."""

from __future__ import annotations

import logging
import time

from authlib.common.errors import AuthlibBaseError
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import ListView
from joserfc.errors import JoseError
from requests import RequestException

from config.env import OidcProvider
from identity.models import MappingAction
from identity.providers import client_for, provider_for
from identity.selectors.claims import oidc_asserts_mfa
from identity.selectors.mappings import group_mapping_changes_for, pending_group_mappings_for
from identity.services.oidc import group_mapping_confirm, group_mapping_reject, oidc_login_complete
from plans.models import Role
from plans.second_factor import IDP_MFA_SESSION_KEY
from plans.views.memberships import ChangeLogReviewMixin, ReviewerRequiredMixin

logger = logging.getLogger(__name__)

# {"provider": key, "at": epoch seconds of the provider's verification}; read by
# identity.middleware to send the session back to the provider in time.
OIDC_SESSION_KEY = "_portal_oidc"
NEXT_KEY = "_portal_oidc_next"


def _safe_next(request: HttpRequest, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return reverse("home")


def _claims_options(config: OidcProvider, metadata: dict) -> dict:
    """What the ID token must say, checked by Authlib's (joserfc's) claims registry: issued
    by this provider — the issuer discovery reported, which must be the configured one —
    to this client. Authlib's default checks the issuer but tests the audience only through
    ``azp``; the portal asks for the audience outright."""
    issuer = str(metadata.get("issuer", ""))
    if issuer.rstrip("/") != config.issuer.rstrip("/"):
        raise PermissionDenied(_("Identitetsleverandøren oppgir en annen utsteder enn oppsatt."))
    return {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": config.client_id},
    }


class OidcLoginView(View):
    """Start the authorization code flow: Authlib stores state, nonce and the PKCE
    verifier in the session under this provider's name and redirects to the provider."""

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        config = provider_for(provider)
        request.session[NEXT_KEY] = _safe_next(request, request.GET.get("next"))
        redirect_uri = request.build_absolute_uri(reverse("identity:callback", args=[config.key]))
        try:
            return client_for(config).authorize_redirect(request, redirect_uri)
        except RequestException:
            logger.warning("OpenID Connect discovery failed for %s", config.key, exc_info=True)
            messages.error(request, _("Identitetsleverandøren svarer ikke. Prøv igjen senere."))
            return redirect("login")


class OidcCallbackView(View):
    """Finish the flow. Authlib checks the state against the session (and forgets it, so a
    replayed callback fails), exchanges the code with the PKCE verifier, and verifies the
    ID token: signature against the provider's JWKS, issuer, audience, expiry and nonce.
    Any failure is a refused login; nothing from an unverified token is used."""

    def get(self, request: HttpRequest, provider: str) -> HttpResponse:
        config = provider_for(provider)
        try:
            client = client_for(config)
            token = client.authorize_access_token(
                request, claims_options=_claims_options(config, client.load_server_metadata())
            )
            claims = token.get("userinfo")
            if not claims:
                # Without a verified ID token there is nobody to log in.
                raise PermissionDenied
            user = oidc_login_complete(provider=config, claims=claims)
        except (
            AuthlibBaseError,
            JoseError,
            RequestException,
            PermissionDenied,
            ValueError,
        ) as error:
            logger.warning("OpenID Connect login refused for %s: %r", config.key, error)
            message = str(error) if isinstance(error, PermissionDenied) and str(error) else ""
            messages.error(
                request, message or _("Innloggingen ble avvist. Prøv å logge inn på nytt.")
            )
            return redirect("login")
        next_url = request.session.pop(NEXT_KEY, None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[OIDC_SESSION_KEY] = {"provider": config.key, "at": int(time.time())}
        if oidc_asserts_mfa(provider=config, claims=claims):
            request.session[IDP_MFA_SESSION_KEY] = True
        return HttpResponseRedirect(_safe_next(request, next_url))


# --- four eyes on group mappings: the sibling of plans:membership-review ---


class GroupMappingChangeFilterForm(forms.Form):
    q = forms.CharField(label=_lazy("Gruppe eller navn"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_lazy("Handling"),
        required=False,
        choices=[("", _lazy("Alle handlinger")), *MappingAction.choices],
    )
    role = forms.ChoiceField(
        label=_lazy("Rolle"), required=False, choices=[("", _lazy("Alle roller")), *Role.choices]
    )


class GroupMappingReviewView(ReviewerRequiredMixin, ChangeLogReviewMixin, ListView):
    """Mappings awaiting confirmation, then the mapping log with a filter."""

    template_name = "identity/mappings/review.html"
    filter_form_class = GroupMappingChangeFilterForm
    search_fields = ("group", "actor_name")

    def changes(self):
        return group_mapping_changes_for(self.request.user)

    def pending(self):
        return pending_group_mappings_for(self.request.user)


class GroupMappingDecisionView(ReviewerRequiredMixin, View):
    """POST only: confirm or reject one pending mapping."""

    http_method_names = ["post"]
    decision = "confirm"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        # Another municipality's mapping and one the reviewer edited are not offered.
        mapping = get_object_or_404(pending_group_mappings_for(request.user), pk=pk)
        label = {"group": mapping.group, "role": mapping.get_role_display()}
        if self.decision == "confirm":
            group_mapping_confirm(mapping=mapping, actor=request.user)
            messages.success(request, _("Gruppen %(group)s gir nå rollen %(role)s.") % label)
        else:
            group_mapping_reject(mapping=mapping, actor=request.user)
            messages.success(
                request, _("Koblingen fra gruppen %(group)s til rollen %(role)s er avvist.") % label
            )
        return redirect("identity:mapping-review")
