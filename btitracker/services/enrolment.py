"""The e-mailed code that must come before the TOTP secret is shown.

Without it, whoever has only a user's password could set up their own authenticator for a
user who has not set one up yet, and the second factor would protect nothing. So the set-up
page first sends a one-time code to the address registered on the account, and only the
right code, unexpired, unused, for this user and entered in the session that asked for it,
shows the QR code and the secret.

Rules: a code of ``CODE_DIGITS`` digits lives ``BTI_ENROL_CODE_MINUTES`` minutes and is
locked after ``MAX_ATTEMPTS`` tries; a new one can be asked for once a minute and
``MAX_CODES_PER_DAY`` times a day. The database holds only an HMAC of the code (keyed with
SECRET_KEY, salted per row) and of a random value kept in the session. Every step goes to
the access log; the code never does.
"""

from __future__ import annotations

import datetime
import enum
import logging
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django_otp.plugins.otp_totp.models import TOTPDevice

from btitracker import audit
from btitracker.models import EnrolCode
from btitracker.selectors.enrolment import (
    SESSION_KEY,
    enrol_code_latest,
    enrol_code_minutes,
    enrol_secret_visible,
    enrolment_session_hash,
    enrolment_state,
)
from btitracker.services.cases import Act
from plans.mail import bti_enrol_code_email_send
from plans.services.common import model_update

logger = logging.getLogger(__name__)

CODE_DIGITS = 8
MAX_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_CODES_PER_DAY = 10
# The salt keeps the module's old dotted name: changing it would void codes signed before
# the move to btitracker/services/.
_CODE_SALT = "btitracker.enrolment.code"


class Sent(enum.Enum):
    OK = "ok"
    NO_EMAIL = "no_email"
    TOO_SOON = "too_soon"
    TOO_MANY = "too_many"
    FAILED = "failed"


class Checked(enum.Enum):
    OK = "ok"
    NONE = "none"  # no code asked for in this session
    WRONG = "wrong"
    LOCKED = "locked"
    EXPIRED = "expired"
    USED = "used"


class Confirmed(enum.Enum):
    OK = "ok"
    NOT_ALLOWED = "not_allowed"  # no right e-mailed code in this session
    ALREADY = "already"  # the user has a confirmed device already
    NOT_YOURS = "not_yours"  # the device is another user's, or gone
    WRONG = "wrong"  # the app's code does not match


@dataclass
class SendResult:
    status: Sent
    wait_seconds: int = 0


@dataclass
class ConfirmResult:
    status: Confirmed
    device: TOTPDevice | None = None


def _code_hash(salt: str, user_id: int, code: str) -> str:
    return salted_hmac(_CODE_SALT, f"{salt}:{user_id}:{code}", algorithm="sha256").hexdigest()


def _state(session, user) -> dict:
    """This session's enrolment state for this user, created with a fresh random binding."""
    state = enrolment_state(session=session, user=user)
    if state is None:
        state = {"user": user.pk, "nonce": secrets.token_urlsafe(32), "accepted": None}
        session[SESSION_KEY] = state
    return state


def _session_hash(session, user) -> str:
    return enrolment_session_hash(user=user, nonce=_state(session, user)["nonce"])


def _normalise(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


def code_send(*, user, session, ip_address: str | None) -> SendResult:
    """Create a new code, e-mail it, and log that it was sent (not the code)."""
    if not user.email:
        return SendResult(Sent.NO_EMAIL)
    now = timezone.now()
    session_hash = _session_hash(session, user)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    with transaction.atomic():
        # One request at a time per user (PostgreSQL; SQLite has a single writer anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        mine = EnrolCode.objects.filter(user=user)
        last = mine.order_by("-created_at").first()
        if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((now - last.created_at).total_seconds())
            return SendResult(Sent.TOO_SOON, max(wait, 1))
        if mine.filter(created_at__gte=now - datetime.timedelta(days=1)).count() >= (
            MAX_CODES_PER_DAY
        ):
            return SendResult(Sent.TOO_MANY)
        # Rows older than the daily limit's window serve no purpose any more.
        mine.filter(created_at__lt=now - datetime.timedelta(days=2)).delete()
        # Only the newest code counts: older unused ones end now.
        mine.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        row = EnrolCode.objects.create(
            user=user,
            salt=salt,
            code_hash=_code_hash(salt, user.pk, code),
            session_hash=session_hash,
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=enrol_code_minutes()),
        )
    # Sent here, not through Celery: the person is waiting for it, and the code would
    # otherwise lie in clear text in the broker.
    try:
        bti_enrol_code_email_send(user=user, code=code, minutes=enrol_code_minutes())
    except Exception:
        logger.exception("Koden for totrinnsoppsett til bruker %s ble ikke sendt", user.pk)
        EnrolCode.objects.filter(pk=row.pk).update(expires_at=now, created_at=now - _a_minute())
        return SendResult(Sent.FAILED)
    _state(session, user)["accepted"] = None
    session.modified = True
    audit.record(
        actor=user,
        action=Act.OTP_CODE_SENT,
        object_type="enrolcode",
        object_id=row.pk,
        ip_address=ip_address,
    )
    return SendResult(Sent.OK)


def _a_minute() -> datetime.timedelta:
    return datetime.timedelta(seconds=RESEND_SECONDS)


def code_check(*, user, session, code: str, ip_address: str | None) -> Checked:
    """Check an entered code against this session's newest code for this user. Every try
    counts (an atomic increment, so parallel guesses cannot pass the limit); the right
    code marks the row used and the session allowed to see the secret."""
    result, row = _check(user, session, _normalise(code))
    audit.record(
        actor=user,
        action=Act.OTP_CODE_OK if result is Checked.OK else Act.OTP_CODE_WRONG,
        object_type="enrolcode",
        object_id=row.pk if row is not None else None,
        ip_address=ip_address,
        outcome=audit.Outcome.OK if result is Checked.OK else audit.Outcome.DENIED,
    )
    return result


def _check(user, session, code: str) -> tuple[Checked, EnrolCode | None]:
    row = enrol_code_latest(session=session, user=user)
    now = timezone.now()
    if row is None:
        return Checked.NONE, None
    if row.used_at is not None:
        return Checked.USED, row
    if row.expires_at <= now:
        return Checked.EXPIRED, row
    counted = EnrolCode.objects.filter(
        pk=row.pk, attempts__lt=MAX_ATTEMPTS, used_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if not counted:
        return Checked.LOCKED, row
    if len(code) != CODE_DIGITS or not constant_time_compare(
        _code_hash(row.salt, user.pk, code), row.code_hash
    ):
        row.refresh_from_db(fields=["attempts"])
        return (Checked.LOCKED if row.attempts >= MAX_ATTEMPTS else Checked.WRONG), row
    if not EnrolCode.objects.filter(pk=row.pk, used_at__isnull=True).update(used_at=now):
        return Checked.USED, row
    state = _state(session, user)
    state["accepted"] = row.pk
    session.modified = True
    return Checked.OK, row


def enrolment_finish(*, session) -> None:
    session.pop(SESSION_KEY, None)


class AlreadyEnrolled(Exception):
    """The user has a confirmed device; a new one would be a second way in."""


def _enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def otp_device_enrol(*, user) -> TOTPDevice:
    """A new unconfirmed device for ``user``, with a key nobody has seen: any earlier
    unconfirmed device (and its secret, which may have been shown) is dropped."""
    if _enrolled(user):
        raise AlreadyEnrolled
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="BTI", confirmed=False)


def otp_device_ensure(*, user) -> TOTPDevice:
    """The user's device waiting to be confirmed, enrolled new if there is none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or otp_device_enrol(user=user)


@transaction.atomic
def otp_device_confirm(
    *, user, device: TOTPDevice, token: str, session, ip_address: str | None
) -> ConfirmResult:
    """Confirm ``device`` with a code from the user's app and log it. Only the user's
    own unconfirmed device, only after a right e-mailed code in this session, and only
    while the user has no confirmed device; the set-up state in the session ends here."""
    if not enrol_secret_visible(session=session, user=user):
        return ConfirmResult(Confirmed.NOT_ALLOWED)
    # Locked, so two requests with the same code cannot both confirm.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if _enrolled(user):
        return ConfirmResult(Confirmed.ALREADY)
    current = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device.pk, user=user, confirmed=False)
        .first()
    )
    if current is None:
        return ConfirmResult(Confirmed.NOT_YOURS)
    if not current.verify_token(token):
        return ConfirmResult(Confirmed.WRONG)
    current, _updated = model_update(
        instance=current, fields=["confirmed"], data={"confirmed": True}, clean=False
    )
    enrolment_finish(session=session)
    audit.record(
        actor=user,
        action=Act.OTP_ENROLLED,
        object_type="totpdevice",
        object_id=current.pk,
        ip_address=ip_address,
    )
    return ConfirmResult(Confirmed.OK, current)
