"""Small reads other apps show: a person's next sessions on the home page."""

from __future__ import annotations

from django.utils import timezone

from competence.models import Registration, RegistrationStatus


def upcoming_sessions_of(user, *, limit: int = 5) -> list[Registration]:
    """The person's own coming sign-ups (seats and waiting list), soonest first."""
    return list(
        Registration.objects.visible_to(user)
        .filter(user_id=user.pk, session__starts_at__gt=timezone.now())
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session__activity")
        .order_by("session__starts_at")[:limit]
    )


def home_panel(user) -> dict | None:
    """The home page's «Kurs og samlinger du er påmeldt», for those who have any."""
    registrations = upcoming_sessions_of(user) if user.is_authenticated else []
    return {"registrations": registrations} if registrations else None
