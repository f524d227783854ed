"""Celery adapters for the organisation: they take ids and call ordinary code."""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth import get_user_model

from plans.mail import password_reset_email_send


@shared_task(name="plans.send_password_reset_email")
def send_password_reset_email(user_id: int, *, domain: str, use_https: bool) -> bool:
    """Send a reset link to one user. Safe to run twice: each run mails a fresh, valid link,
    and the first use of any of them changes the password, invalidating the others."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return False
    password_reset_email_send(user=user, domain=domain, use_https=use_https)
    return True
