"""One rule for «has this session passed a second factor?»: the portal's own TOTP
(django-otp), or an OpenID Connect login whose provider asserted multi-factor
authentication (``identity.views`` sets the session key; issue 17)."""

from __future__ import annotations

from django.http import HttpRequest

# Set only by the OpenID Connect callback, after the ID token's signature and claims
# were verified; a session that began with a password login never carries it.
IDP_MFA_SESSION_KEY = "_portal_idp_mfa"


def has_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated:
        return False
    if getattr(user, "is_verified", lambda: False)():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) is True
