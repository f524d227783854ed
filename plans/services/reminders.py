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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans.models import (
    Measure,
    Membership,
    QualityPlan,
    ReminderDigest,
    Role,
    UnitPlan,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear
from plans.services.common import model_update

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

NOT_SUBMITTED = (UnitPlanStatus.DRAFT, UnitPlanStatus.RETURNED)


@dataclass
class Digest:
    """What one person is reminded of this week."""

    user: User
    overdue: list[dict] = field(default_factory=list)
    unsubmitted: list[dict] = field(default_factory=list)
    to_evaluate: list[dict] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.unsubmitted or self.to_evaluate)


def iso_week(day: datetime.date) -> str:
    """2026-11-23 → "2026-W48" (the ISO year, which differs from the calendar year in the
    first and last days of some years)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def _portal_url(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _recipients():
    return get_user_model().objects.filter(is_active=True).exclude(email="")


def reminder_digests(*, today: datetime.date) -> list[Digest]:
    """Everyone with something to be reminded of, in a fixed order (by user id)."""
    recipients = _recipients()
    digests: dict[int, Digest] = {}

    def digest_for(user: User) -> Digest:
        if user.pk not in digests:
            digests[user.pk] = Digest(user=user)
        return digests[user.pk]

    # (a) Overdue measures of the person, in plans still being carried out.
    overdue = (
        Measure.objects.overdue(today)
        .filter(
            responsible__in=recipients,
            plan__unit__active=True,
            plan__status__in=(
                UnitPlanStatus.DRAFT,
                UnitPlanStatus.RETURNED,
                UnitPlanStatus.SUBMITTED,
                UnitPlanStatus.APPROVED,
            ),
        )
        .select_related("responsible", "plan__unit")
        .order_by("responsible_id", "end", "pk")
    )
    for measure in overdue:
        if measure.responsible is None:  # excluded by the filter; the type does not know
            continue
        digest_for(measure.responsible).overdue.append(
            {
                "description": measure.description,
                "unit": measure.plan.unit.name,
                "school_year": measure.plan.school_year_label,
                "end": measure.end,
                "url": _portal_url(reverse("plans:unit-plan-detail", args=[measure.plan_id])),
            }
        )

    # (b) and (c): unit leaders, for the units they lead.
    school_year = SchoolYear.current(today).start_year
    leaderships = list(
        Membership.objects.in_force()
        .filter(role=Role.UNIT_LEADER, user__in=recipients, unit__active=True)
        .select_related("user", "unit")
        .order_by("user_id", "unit__name")
    )
    unit_ids = {membership.unit_id for membership in leaderships if membership.unit_id}
    with_plan_in_force = set(
        QualityPlan.objects.adopted().values_list("municipality_id", flat=True).distinct()
    )
    plans_by_unit: dict[int, list[UnitPlan]] = defaultdict(list)
    for plan in UnitPlan.objects.filter(unit_id__in=unit_ids).filter(
        Q(school_year=school_year) | Q(school_year__lt=school_year, status=UnitPlanStatus.APPROVED)
    ):
        plans_by_unit[plan.unit_id].append(plan)
    for membership in leaderships:
        unit = membership.unit
        if unit is None:  # unit leaders always have a unit; the type does not know that
            continue
        plans = plans_by_unit.get(unit.pk, [])
        this_year = next((plan for plan in plans if plan.school_year == school_year), None)
        if this_year is None and unit.municipality_id in with_plan_in_force:
            digest_for(membership.user).unsubmitted.append(
                {
                    "unit": unit.name,
                    "school_year": SchoolYear(school_year).label,
                    "state": _("ikke startet"),
                    "url": _portal_url(reverse("plans:unit-plan-create", args=[unit.pk])),
                }
            )
        elif this_year is not None and this_year.status in NOT_SUBMITTED:
            digest_for(membership.user).unsubmitted.append(
                {
                    "unit": unit.name,
                    "school_year": this_year.school_year_label,
                    "state": this_year.get_status_display().lower(),
                    "comment": this_year.review_comment
                    if this_year.status == UnitPlanStatus.RETURNED
                    else "",
                    "url": _portal_url(reverse("plans:unit-plan-detail", args=[this_year.pk])),
                }
            )
        for plan in sorted(plans, key=lambda plan: plan.school_year):
            if plan.school_year < school_year and plan.status == UnitPlanStatus.APPROVED:
                digest_for(membership.user).to_evaluate.append(
                    {
                        "unit": unit.name,
                        "school_year": plan.school_year_label,
                        "url": _portal_url(reverse("plans:unit-plan-detail", args=[plan.pk])),
                    }
                )
    return [digests[pk] for pk in sorted(digests) if not digests[pk].is_empty]


def reminder_email_build(*, digest: Digest, week: str) -> EmailMultiAlternatives:
    context = {
        "user": digest.user,
        "week": week,
        "overdue": digest.overdue,
        "unsubmitted": digest.unsubmitted,
        "to_evaluate": digest.to_evaluate,
        "portal_url": _portal_url(reverse("home")),
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
    week = iso_week(today)
    sent = 0
    for digest in reminder_digests(today=today):
        if _send_digest(digest, week=week):
            sent += 1
    return sent
