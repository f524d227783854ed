"""Idle and absolute limits on a logged-in session."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils.cache import cc_delim_re, patch_cache_control
from django.utils.translation import gettext as _

STARTED_KEY = "_portal_session_started"
SEEN_KEY = "_portal_session_seen"
# Writing the session on every request would cost a database write per page; refreshing the
# idle clock once a minute is precise enough for a 30-minute limit.
TOUCH_INTERVAL = 60


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(STARTED_KEY)
            seen = request.session.get(SEEN_KEY)
            if started is None or seen is None:
                request.session[STARTED_KEY] = started = now
                request.session[SEEN_KEY] = seen = now
            expired = (now - seen > settings.SESSION_IDLE_TIMEOUT) or (
                now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            )
            if expired:
                logout(request)
                messages.info(request, _("Økten din er utløpt. Logg inn på nytt."))
                return redirect_to_login(request.get_full_path())
            if now - seen >= TOUCH_INTERVAL:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


class PrivateCacheMiddleware:
    """One rule for every page with internal data: a response to a logged-in user is
    ``Cache-Control: private, no-store``, so neither a shared proxy nor the browser's disk
    keeps a draft plan, a report, a PDF or an export after the user has gone.

    A view that serves the same public content to everyone opts out by marking its own
    response ``public`` (the open indicator API does). Anonymous responses are left as the
    view made them: the login page is already ``never_cache`` in Django, static files are
    served by WhiteNoise before this runs, and the calendar feeds (a secret URL, no session)
    set ``private, no-store`` themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if "public" in cc_delim_re.split(response.get("Cache-Control", "").lower()):
            return response
        patch_cache_control(response, private=True, no_store=True)
        return response
