"""The weekly reminder digest: one e-mail per person and ISO week with their overdue
measures and, for unit leaders, the plans of their units that are not yet submitted or
still wait for the year's evaluation.

The job may run twice (a retried Celery task, two beat processes): a ``ReminderDigest``
row per (user, week), guarded by its unique constraint, is claimed inside the same
transaction that sends the mail, so the second run finds it sent and stays quiet. A row
left unsent by a failed delivery is retried by the next run, under a row lock that a
concurrent run skips rather than waits for.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans.models import (
    ReminderDigest,
)
from plans.selectors.reminders import Digest, iso_week, portal_url, reminder_digests_collect
from plans.services.common import model_update

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)


def reminder_email_build(*, digest: Digest, week: str) -> EmailMultiAlternatives:
    context = {
        "user": digest.user,
        "week": week,
        "overdue": digest.overdue,
        "unsubmitted": digest.unsubmitted,
        "to_evaluate": digest.to_evaluate,
        "overdue_points": digest.overdue_points,
        "portal_url": portal_url(path=reverse("home")),
    }
    # The worker has no request: the digest is written in the portal's default language.
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Kvalitetsportalen: ukens påminnelser")
        text = loader.render_to_string("plans/email/reminder_digest.txt", context)
        html = loader.render_to_string("plans/email/reminder_digest.html", context)
    message = EmailMultiAlternatives(subject, text, to=[digest.user.email])
    message.attach_alternative(html, "text/html")
    return message


def _send_digest(digest: Digest, *, week: str) -> bool:
    """Claim the (user, week) row and send, in one transaction. True if a mail went out."""
    counts = {
        "overdue_measures": len(digest.overdue),
        "unsubmitted_plans": len(digest.unsubmitted),
    }
    with transaction.atomic():
        row, _created = ReminderDigest.objects.get_or_create(
            user=digest.user, week=week, defaults=counts
        )
        # Our own new row, or an earlier attempt that never got its mail out; a concurrent
        # run holding that row's lock is already sending it, so skip rather than wait.
        claimed = (
            ReminderDigest.objects.select_for_update(skip_locked=True)
            .filter(pk=row.pk, sent_at__isnull=True)
            .first()
        )
        if claimed is None:
            return False
        try:
            reminder_email_build(digest=digest, week=week).send()
        except Exception:
            # Keep the claim unsent, so next run tries again; the others still get theirs.
            logger.exception("Ukens påminnelse til bruker %s ble ikke sendt", digest.user.pk)
            model_update(instance=claimed, fields=counts.keys(), data=counts, clean=False)
            return False
        model_update(
            instance=claimed,
            fields=[*counts, "sent_at"],
            data={**counts, "sent_at": timezone.now()},
            clean=False,
        )
        return True


def reminder_digests_send(*, today: datetime.date | None = None) -> int:
    """Send this ISO week's digest to everyone with overdue measures or unsubmitted plans,
    at most once per person and week. Returns the number of e-mails sent."""
    today = today or timezone.localdate()
    week = iso_week(day=today)
    sent = 0
    for digest in reminder_digests_collect(today=today):
        if _send_digest(digest, week=week):
            sent += 1
    return sent
