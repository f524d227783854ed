"""Session re-validation for OpenID Connect logins.

The portal cannot see an account being disabled at the municipality's provider, so an
OpenID Connect session holds for ``OIDC_REVALIDATE_SECONDS`` only; then the user is sent
through the provider again. With a live provider session that is a couple of redirects;
a disabled account is refused there, and the groups are read afresh at the callback."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse

from identity.views import OIDC_SESSION_KEY


class OidcRevalidationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            marker = request.session.get(OIDC_SESSION_KEY)
            if marker is not None:
                provider = settings.OIDC_PROVIDERS.get(marker.get("provider"))
                age = int(time.time()) - int(marker.get("at", 0))
                if provider is None or age > settings.OIDC_REVALIDATE_SECONDS:
                    logout(request)
                    if provider is None:
                        return HttpResponseRedirect(reverse("login"))
                    target = reverse("identity:login", args=[provider.key])
                    query = urlencode({"next": request.get_full_path()})
                    return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
