"""Celery adapters for the competence app: they take ids and call ordinary code."""

from __future__ import annotations

from celery import shared_task

from competence.mail import waitlist_promotion_send


@shared_task(name="competence.send_waitlist_promotion")
def send_waitlist_promotion(registration_id: int) -> bool:
    """Tell someone a seat opened up for them. Sends nothing if the registration is no
    longer confirmed by the time the worker runs (cancelled again in the meantime)."""
    from competence.models import Registration, RegistrationStatus

    registration = (
        Registration.objects.select_related("user", "session__activity")
        .filter(pk=registration_id, status=RegistrationStatus.CONFIRMED)
        .first()
    )
    if registration is None or not registration.user.email:
        return False
    waitlist_promotion_send(registration=registration)
    return True
