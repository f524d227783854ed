"""Celery adapters for BTI: they take nothing or ids, and call the services."""

from __future__ import annotations

from celery import shared_task

from btitracker.audit import checkpoint_write
from btitracker.reminders import reminders_send_daily
from btitracker.services.cases import retention_apply


@shared_task(name="btitracker.send_reminders")
def send_reminders() -> int:
    """Daily (CELERY_BEAT_SCHEDULE). Idempotent: one mail per person, object and day."""
    return reminders_send_daily()


@shared_task(name="btitracker.apply_retention")
def apply_retention() -> dict:
    """Daily (CELERY_BEAT_SCHEDULE). Deleting what is already deleted does nothing."""
    return retention_apply()


@shared_task(name="btitracker.audit_checkpoint")
def audit_checkpoint() -> int:
    """Nightly (CELERY_BEAT_SCHEDULE): the access log's row count and head hash, appended
    outside the database. Running twice only adds an identical line."""
    point = checkpoint_write()
    return point.count if point else 0
