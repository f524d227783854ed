"""Login lockout that stops guessing without locking the real user out (django-axes).

Five wrong passwords for one name from an office behind NAT used to lock that name out of
the whole office, right password or not. The rules now (docs/settings.md, «Innlogging»):

- **The address** that keeps failing is locked (``AXES_LOCKOUT_PARAMETERS`` has
  ``ip_address``), and each further lockout of it lasts twice as long (``cool_off``).
- **The username** is locked at each address that failed it (``username`` with
  ``ip_address``), and throttled across addresses (``is_throttled``): once a name has
  failed the limit in all, every address that has itself failed for it is refused at once,
  so spreading guesses over many addresses buys one guess per fresh address and cool-off.
  A client that has not failed for the name is never refused for other clients' failures.
- **A known device is never refused for someone else's failures.** A successful login
  leaves a signed *device cookie* naming the user (OWASP «device cookies»). A login for
  that user from a browser that carries it is exempt from the address and username locks
  (``is_known_device``, axes' whitelist), until that device itself has failed the limit.
  So the user logs in with the right password from the shared address, or from anywhere
  else, while the attacker beside them is locked. A browser the user has never logged in
  with, at the attacker's own address, waits out the cool-off like the attacker.
- **The client address** is ``REMOTE_ADDR`` unless a trusted proxy header is configured
  (``client_ip``): a client cannot choose its address by sending ``X-Forwarded-For``.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

DEVICE_COOKIE = "kp_device"
DEVICE_COOKIE_AGE = timedelta(days=180)
_SALT = "plans.login_guard.device"


# --- The client's address ----------------------------------------------------------------


def client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the address to count failures against.

    Without ``TRUSTED_PROXY_HEADER`` it is the socket's peer, ``REMOTE_ADDR``; a header the
    client sends is ignored. With it, the entry ``TRUSTED_PROXY_COUNT`` places from the
    right of that header — the one the outermost trusted proxy wrote — so entries a client
    puts in front are skipped. A missing, short or malformed header falls back to
    ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR") or None
    header = settings.TRUSTED_PROXY_HEADER
    if not header:
        return remote
    hops = [hop.strip() for hop in request.META.get(header, "").split(",") if hop.strip()]
    count = settings.TRUSTED_PROXY_COUNT
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote


# --- Progressive cool-off ----------------------------------------------------------------


def _failures(**lookup: Any) -> int:
    return (
        AccessAttempt.objects.filter(**lookup).aggregate(total=Sum("failures_since_start"))["total"]
        or 0
    )


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """``AXES_COOLOFF_TIME``: the base cool-off for the first lockout, doubled for each
    further limit's worth of failures from the address or for the username, up to
    ``AXES_COOLOFF_MAX``. Failures during a lockout count, so an attacker who keeps
    trying keeps pushing the end of the lockout away."""
    base: timedelta = settings.AXES_COOLOFF_BASE
    if request is None:
        return base
    address = getattr(request, "axes_ip_address", None)
    username = request.POST.get("username") if request.method == "POST" else None
    failures = max(
        _failures(ip_address=address) if address else 0,
        _failures(username=username) if username else 0,
    )
    lockouts = max(failures // settings.AXES_FAILURE_LIMIT, 1)
    return min(base * 2 ** min(lockouts - 1, 16), settings.AXES_COOLOFF_MAX)


def is_throttled(request: HttpRequest, username: Any) -> bool:
    """The name has failed the limit across all addresses, and this address has failed it
    too: refuse this address at once. A fresh address, or the user's known device, is let
    through, so the real user is not locked out by a distributed guesser."""
    if not username or is_known_device(request, {"username": username}):
        return False
    # Only failures inside the current cool-off count, as for axes' own locks.
    since = timezone.now() - cool_off(request)
    if _failures(username=username, attempt_time__gte=since) < settings.AXES_FAILURE_LIMIT:
        return False
    address = client_ip(request)
    return address is not None and (
        _failures(username=username, ip_address=address, attempt_time__gte=since) > 0
    )


# --- Device cookies ----------------------------------------------------------------------


def _device(request: HttpRequest) -> tuple[str, str] | None:
    """(username, device id) from a valid, unexpired device cookie, else None."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        username, device_id = signing.loads(value, salt=_SALT, max_age=DEVICE_COOKIE_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return str(username), str(device_id)


def _failures_key(device_id: str) -> str:
    return f"login-guard:device-failures:{device_id}"


def _device_for(request: HttpRequest, username: Any) -> str | None:
    """The device id when the browser's device cookie belongs to ``username``."""
    device = _device(request)
    if not username or device is None or device[0].casefold() != str(username).casefold():
        return None
    return device[1]


def _device_failures(device_id: str) -> int:
    return int(cache.get(_failures_key(device_id), 0))


def is_known_device(request: HttpRequest, credentials: dict | None = None) -> bool:
    """``AXES_WHITELIST_CALLABLE``: the browser carries this user's device cookie and the
    device has not itself failed the limit, so other clients' failures do not lock it."""
    device_id = _device_for(request, (credentials or {}).get("username"))
    return device_id is not None and _device_failures(device_id) < settings.AXES_FAILURE_LIMIT


def is_locked_device(request: HttpRequest, username: Any) -> bool:
    """The browser's own cookie for ``username`` has failed the limit. Axes does not count
    a known device's failures (it is exempt), so the login view refuses it itself."""
    device_id = _device_for(request, username)
    return device_id is not None and _device_failures(device_id) >= settings.AXES_FAILURE_LIMIT


def remember_device(request: HttpRequest, response: HttpResponse, user) -> None:
    """Give the browser a device cookie for ``user`` after a successful login."""
    device = _device(request)
    device_id = device[1] if device and device[0] == user.get_username() else None
    value = signing.dumps([user.get_username(), device_id or secrets.token_urlsafe(16)], salt=_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=int(DEVICE_COOKIE_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@receiver(user_login_failed, dispatch_uid="login_guard_device_failure")
def _count_device_failure(sender, credentials: dict, request: HttpRequest | None = None, **kw):
    """A known device's own failures are counted, so a stolen cookie gives no free
    guesses: past the limit the device is treated like any other browser."""
    if request is None:
        return
    device_id = _device_for(request, credentials.get("username"))
    if device_id is None:
        return
    # The device's lock lasts the base cool-off from its last failure.
    timeout = int(settings.AXES_COOLOFF_BASE.total_seconds())
    cache.set(_failures_key(device_id), _device_failures(device_id) + 1, timeout)


@receiver(user_logged_in, dispatch_uid="login_guard_device_success")
def _forget_device_failures(sender, request: HttpRequest | None = None, user=None, **kw):
    if request is None:
        return
    device = _device(request)
    if device is not None:
        cache.delete(_failures_key(device[1]))
