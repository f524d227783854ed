"""Daily reminders about evaluation dates and level-0 decision deadlines. The mail holds a
link and nothing else: no name, no unit, no description of the child or the concern."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template import loader
from django.urls import reverse
from django.utils import timezone, translation

from btitracker.models import (
    Action,
    ActionStatus,
    CaseStatus,
    Concern,
    ReminderSent,
)
from plans.models import Membership, Role


def _send_once(user, kind: str, object_id: int, day: datetime.date, url: str) -> bool:
    if not user.email or not user.is_active:
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=user, kind=kind, object_id=object_id, day=day)
            with translation.override(settings.LANGUAGE_CODE):
                context = {"url": settings.PORTAL_BASE_URL + url, "kind": kind}
                subject = loader.render_to_string("btitracker/email/reminder_subject.txt", context)
                body = loader.render_to_string("btitracker/email/reminder.txt", context)
            EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
    except IntegrityError:
        return False  # already reminded today
    return True


def reminders_send_daily(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    ahead = today + datetime.timedelta(days=settings.BTI_REMINDER_DAYS_AHEAD)
    sent = 0
    actions = Action.objects.filter(
        case__status=CaseStatus.OPEN,
        status__in=[ActionStatus.PLANNED, ActionStatus.ONGOING],
        evaluation_date__lte=ahead,
        responsible__active=True,
    ).select_related("responsible__user")
    for action in actions:
        url = reverse("bti:case-detail", args=[action.case_id])
        sent += _send_once(action.responsible.user, "evaluering", action.pk, today, url)
    concerns = Concern.objects.pending().filter(decision_due__lte=ahead)
    for concern in concerns:
        leaders = (
            Membership.objects.in_force()
            .filter(unit_id=concern.unit_id, role=Role.UNIT_LEADER)
            .select_related("user")
        )
        url = reverse("bti:concern-detail", args=[concern.pk])
        for membership in leaders:
            sent += _send_once(membership.user, "beslutning", concern.pk, today, url)
    return sent
