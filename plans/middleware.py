"""Idle and absolute limits on a logged-in session."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
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
