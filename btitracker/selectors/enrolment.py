"""Reads for the second-factor set-up pages: how long an e-mailed code lives, the address
it went to (masked), and what this session has done so far — read without writing: the
session's random binding is made by the services (``btitracker.services.enrolment``) when
a code is sent, and a session without one has sent nothing and may see nothing."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from btitracker.models import EnrolCode

SESSION_KEY = "bti_enrol"
# The salt keeps the module's old dotted name: changing it would void sessions bound before
# the move to btitracker/services/ and selectors/.
_SESSION_SALT = "btitracker.enrolment.session"


def enrol_code_minutes() -> int:
    return settings.BTI_ENROL_CODE_MINUTES


def enrolment_email_mask(*, address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:2]}…@{domain}" if domain else "…"


def enrolment_state(*, session, user) -> dict | None:
    """This session's enrolment state for this user, or None when it has none."""
    state = session.get(SESSION_KEY)
    if not isinstance(state, dict) or state.get("user") != user.pk or not state.get("nonce"):
        return None
    return state


def enrolment_session_hash(*, user, nonce: str) -> str:
    """What binds a code to the session that asked for it (an HMAC of the session's nonce)."""
    return salted_hmac(_SESSION_SALT, f"{user.pk}:{nonce}", algorithm="sha256").hexdigest()


def enrol_code_latest(*, session, user) -> EnrolCode | None:
    """The newest code sent to this user in this session."""
    state = enrolment_state(session=session, user=user)
    if state is None:
        return None
    session_hash = enrolment_session_hash(user=user, nonce=state["nonce"])
    return (
        EnrolCode.objects.filter(user=user, session_hash=session_hash)
        .order_by("-created_at", "-pk")
        .first()
    )


def enrol_code_waiting(*, session, user) -> bool:
    """A code was sent in this session and can still be entered."""
    row = enrol_code_latest(session=session, user=user)
    return row is not None and row.used_at is None and row.expires_at > timezone.now()


def enrol_secret_visible(*, session, user) -> bool:
    """Whether this session entered a right code for this user in the last
    ``BTI_ENROL_CODE_MINUTES`` minutes (and has not finished the set-up since)."""
    state = enrolment_state(session=session, user=user)
    if state is None or not state.get("accepted"):
        return False
    since = timezone.now() - datetime.timedelta(minutes=enrol_code_minutes())
    return EnrolCode.objects.filter(
        pk=state["accepted"],
        user=user,
        session_hash=enrolment_session_hash(user=user, nonce=state["nonce"]),
        used_at__gte=since,
    ).exists()
