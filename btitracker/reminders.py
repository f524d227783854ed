"""Daily reminders about evaluation dates, level-0 decision deadlines, consultation
meetings (to the unit's leader) and the follow-up dates of their actions (to the person
responsible). The mail holds a
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
    ConsultationAction,
    ConsultationActionStatus,
    ConsultationMeeting,
    ConsultationStatus,
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
    sent += _consultation_reminders(today, ahead)
    return sent


def _consultation_reminders(today: datetime.date, ahead: datetime.date) -> int:
    """Once per meeting to each leader of its unit, once per action to the person
    responsible: keyed on the meeting's or the follow-up's own date, so a mail is not sent
    again on the following days (a moved meeting or date is reminded of anew)."""
    sent = 0
    meetings = ConsultationMeeting.objects.filter(
        status=ConsultationStatus.PLANNED, planned_on__gte=today, planned_on__lte=ahead
    ).select_related("schedule")
    leaders: dict[int, list] = {}
    for meeting in meetings:
        unit_id = meeting.schedule.unit_id
        if unit_id not in leaders:
            leaders[unit_id] = [
                membership.user
                for membership in Membership.objects.in_force()
                .filter(unit_id=unit_id, role=Role.UNIT_LEADER)
                .select_related("user")
            ]
        url = reverse("bti:consultation-meeting", args=[meeting.pk])
        for user in leaders[unit_id]:
            sent += _send_once(user, "samarbeidsmote", meeting.pk, meeting.planned_on, url)
    actions = ConsultationAction.objects.filter(
        status=ConsultationActionStatus.PLANNED, follow_up_on__gte=today, follow_up_on__lte=ahead
    ).select_related("responsible")
    for action in actions:
        url = reverse("bti:consultation-action-follow-up", args=[action.pk])
        sent += _send_once(
            action.responsible, "samarbeidstiltak", action.pk, action.follow_up_on, url
        )
    return sent
