"""Celery adapters for the plans app: they take ids (or nothing) and call ordinary code."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from plans.mail import password_reset_email_send
from plans.services.reminders import reminder_digests_send


@shared_task(name="plans.send_password_reset_email")
def send_password_reset_email(user_id: int, *, domain: str, use_https: bool) -> bool:
    """Send a reset link to one user. Safe to run twice: each run mails a fresh, valid link,
    and the first use of any of them changes the password, invalidating the others."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    password_reset_email_send(user=user, domain=domain, use_https=use_https)
    return True


@shared_task(name="plans.send_weekly_reminders")
def send_weekly_reminders() -> int:
    """The weekly digest (scheduled in CELERY_BEAT_SCHEDULE). Takes no ids: it works out
    who to remind itself, and sends each person at most one mail per ISO week, so a retry
    or a second run in the same week sends nothing more."""
    return reminder_digests_send()
