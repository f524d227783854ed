"""Membership and role changes on the BTI access log.

Who can read a child's log follows from memberships (``plans.Membership``), so every
grant, change and removal is evidence the log must hold, however it was made (the admin,
an import, a service, the shell). The event's actor is the person whose request made the
change (empty from the shell or a job); its object is ``membership:<role>`` with the
member's user id."""

from __future__ import annotations

from contextvars import ContextVar

from btitracker import audit

_request: ContextVar = ContextVar("bti_request", default=None)


class RequestMiddleware:
    """Keeps the current request where a model signal can find who acts and from where."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _record(instance, action: str) -> None:
    request = _request.get()
    audit.record(
        actor=getattr(request, "user", None),
        action=action,
        object_type=f"membership:{instance.role}"[:40],
        object_id=instance.user_id,
        ip_address=audit.client_ip(request),
    )


def membership_saved(sender, instance, created, **kwargs) -> None:
    from btitracker.services.cases import Act

    _record(instance, Act.MEMBERSHIP_SAVED)


def membership_deleted(sender, instance, **kwargs) -> None:
    from btitracker.services.cases import Act

    _record(instance, Act.MEMBERSHIP_DELETED)
