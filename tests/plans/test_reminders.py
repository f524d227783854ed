"""The weekly reminder digest: one e-mail per person and week, nothing when there is nothing
to report, and nothing more when the job runs again in the same week."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from plans.models import MeasureStatus, ReminderDigest, UnitPlanStatus
from plans.schoolyear import SchoolYear
from plans.selectors.reminders import iso_week
from plans.services.reminders import reminder_digests_send
from plans.tasks import send_weekly_reminders
from tests.factories import (
    CoreComponentFactory,
    DevelopmentAreaFactory,
    MeasureFactory,
    MembershipFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitPlanFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 11, 23)  # ISO week 2026-W48
YEAR = SchoolYear.current(MONDAY).start_year


@pytest.fixture
def reminders(cast, settings):
    """The staff member owns an overdue measure in the school's draft plan; the unit leader
    leads the school (draft), the SFO (returned) and has last year's approved SFO plan."""
    settings.PORTAL_BASE_URL = "https://kvalitet.solvik.example"
    plan = QualityPlanFactory(municipality=cast.municipality)
    area = DevelopmentAreaFactory(plan=plan)
    component = CoreComponentFactory(area=area)
    school = UnitPlanFactory(unit=cast.school, quality_plan=plan, school_year=YEAR)
    sfo = UnitPlanFactory(
        unit=cast.sfo,
        quality_plan=plan,
        school_year=YEAR,
        status=UnitPlanStatus.RETURNED,
        review_comment="Legg til et tiltak for foresatte.",
    )
    last_year = UnitPlanFactory(
        unit=cast.sfo, quality_plan=plan, school_year=YEAR - 1, status=UnitPlanStatus.APPROVED
    )
    overdue = MeasureFactory(
        plan=school,
        component=component,
        description="Leseløftet i 1.–4. trinn",
        responsible=cast["staff"],
        start=datetime.date(YEAR, 8, 20),
        end=MONDAY - datetime.timedelta(days=1),
    )
    # Not overdue: ends today, is done, or was cancelled.
    for status, end in [
        (MeasureStatus.PLANNED, MONDAY),
        (MeasureStatus.DONE, MONDAY - datetime.timedelta(days=30)),
        (MeasureStatus.CANCELLED, MONDAY - datetime.timedelta(days=30)),
    ]:
        MeasureFactory(
            plan=school,
            component=component,
            description=f"Ikke forfalt: {status}",
            responsible=cast["bti_coordinator"],
            status=status,
            start=datetime.date(YEAR, 8, 20),
            end=end,
        )
    return {
        "cast": cast,
        "plan": plan,
        "component": component,
        "school": school,
        "sfo": sfo,
        "last_year": last_year,
        "overdue": overdue,
    }


def _mail_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def test_running_twice_sends_one_digest_per_person(reminders):
    cast = reminders["cast"]
    assert reminder_digests_send(today=MONDAY) == 2
    assert reminder_digests_send(today=MONDAY) == 0

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [cast["staff"].email, cast["unit_leader"].email]
    )
    for message in mail.outbox:
        assert message.subject == "Kvalitetsportalen: ukens påminnelser"
    assert ReminderDigest.objects.filter(week="2026-W48", sent_at__isnull=False).count() == 2


def test_digest_lists_the_overdue_measure_with_a_link(reminders):
    cast = reminders["cast"]
    reminder_digests_send(today=MONDAY)
    (message,) = _mail_to(cast["staff"].email)
    assert "Leseløftet i 1.–4. trinn" in message.body
    assert "Solvik barneskole" in message.body
    assert "22.11.2026" in message.body
    link = "https://kvalitet.solvik.example" + reverse(
        "plans:unit-plan-detail", args=[reminders["school"].pk]
    )
    assert link in message.body
    html, mime = message.alternatives[0]
    assert mime == "text/html"
    assert f'href="{link}"' in html
    assert "Ikke forfalt" not in message.body
    digest = ReminderDigest.objects.get(user=cast["staff"])
    assert (digest.overdue_measures, digest.unsubmitted_plans) == (1, 0)


def test_unit_leader_is_reminded_of_unsubmitted_and_unevaluated_plans(reminders):
    cast = reminders["cast"]
    reminder_digests_send(today=MONDAY)
    (message,) = _mail_to(cast["unit_leader"].email)
    body = message.body
    assert "Utviklingsplaner som ikke er sendt til godkjenning" in body
    assert "Solvik barneskole, 2026/27: utkast" in body
    assert "Solvik SFO, 2026/27: returnert" in body
    assert "Legg til et tiltak for foresatte." in body
    assert "venter på evalueringen" in body
    assert "Solvik SFO, 2025/26" in body
    assert reverse("plans:unit-plan-detail", args=[reminders["last_year"].pk]) in body
    digest = ReminderDigest.objects.get(user=cast["unit_leader"])
    assert (digest.overdue_measures, digest.unsubmitted_plans) == (0, 2)


def test_a_missing_plan_is_reported_as_not_started(reminders):
    cast = reminders["cast"]
    leader = MembershipFactory(
        user__username="styrer", unit=cast.kindergarten, role="unit_leader"
    ).user
    reminder_digests_send(today=MONDAY)
    (message,) = _mail_to(leader.email)
    assert "Solbakken barnehage, 2026/27: ikke startet" in message.body
    assert reverse("plans:unit-plan-create", args=[cast.kindergarten.pk]) in message.body


def test_submitted_and_approved_plans_need_no_reminder(reminders):
    cast = reminders["cast"]
    for plan, status in [
        (reminders["school"], UnitPlanStatus.SUBMITTED),
        (reminders["sfo"], UnitPlanStatus.APPROVED),
        (reminders["last_year"], UnitPlanStatus.EVALUATED),
    ]:
        plan.status = status
        plan.save()
    reminder_digests_send(today=MONDAY)
    # The staff member still owns the overdue measure; the leader has nothing left.
    assert [message.to[0] for message in mail.outbox] == [cast["staff"].email]


def test_nobody_without_something_to_report_gets_mail(reminders):
    reminders["overdue"].status = MeasureStatus.DONE
    reminders["overdue"].save()
    for plan in (reminders["school"], reminders["sfo"]):
        plan.status = UnitPlanStatus.SUBMITTED
        plan.save()
    reminders["last_year"].status = UnitPlanStatus.EVALUATED
    reminders["last_year"].save()

    assert reminder_digests_send(today=MONDAY) == 0
    assert mail.outbox == []
    assert not ReminderDigest.objects.exists()


def test_a_new_week_sends_again(reminders):
    cast = reminders["cast"]
    reminder_digests_send(today=MONDAY)
    reminder_digests_send(today=MONDAY + datetime.timedelta(days=6))  # Sunday, same week
    assert len(_mail_to(cast["staff"].email)) == 1
    reminder_digests_send(today=MONDAY + datetime.timedelta(days=7))
    assert len(_mail_to(cast["staff"].email)) == 2
    assert len(_mail_to(cast["unit_leader"].email)) == 2
    # The measure that ended on the first Monday was overdue by Sunday: its owner got one
    # mail in that week (from the Sunday run) and one in the next.
    late = _mail_to(cast["bti_coordinator"].email)
    assert len(late) == 2
    assert all("Ikke forfalt: planlagt" in message.body for message in late)
    assert set(
        ReminderDigest.objects.filter(user=cast["staff"]).values_list("week", flat=True)
    ) == {"2026-W48", "2026-W49"}


def test_inactive_users_and_users_without_email_are_skipped(reminders):
    cast = reminders["cast"]
    cast["staff"].is_active = False
    cast["staff"].save()
    cast["unit_leader"].email = ""
    cast["unit_leader"].save()
    assert reminder_digests_send(today=MONDAY) == 0
    assert mail.outbox == []


def test_a_failed_delivery_is_retried_by_the_next_run(reminders):
    cast = reminders["cast"]
    with mock.patch(
        "django.core.mail.EmailMultiAlternatives.send", side_effect=ConnectionError("smtp")
    ):
        assert reminder_digests_send(today=MONDAY) == 0
    assert ReminderDigest.objects.filter(sent_at__isnull=True).count() == 2

    assert reminder_digests_send(today=MONDAY) == 2
    assert reminder_digests_send(today=MONDAY) == 0
    assert len(_mail_to(cast["staff"].email)) == 1
    assert not ReminderDigest.objects.filter(sent_at__isnull=True).exists()


def test_evaluated_plans_and_inactive_units_do_not_remind(reminders):
    cast = reminders["cast"]
    old = UnitPlanFactory(
        unit=cast.kindergarten,
        quality_plan=reminders["plan"],
        school_year=YEAR - 1,
        status=UnitPlanStatus.EVALUATED,
    )
    MeasureFactory(
        plan=old,
        component=reminders["component"],
        description="Utsatt i fjor",
        status=MeasureStatus.POSTPONED,
        responsible=cast["data_admin"],
    )
    closed = UnitFactory(municipality=cast.municipality, name="Nedlagt skole", active=False)
    MeasureFactory(
        plan=UnitPlanFactory(unit=closed, quality_plan=reminders["plan"], school_year=YEAR),
        component=reminders["component"],
        description="I en nedlagt enhet",
        responsible=cast["data_admin"],
        end=MONDAY - datetime.timedelta(days=3),
    )
    reminder_digests_send(today=MONDAY)
    assert _mail_to(cast["data_admin"].email) == []


def test_iso_week_uses_the_iso_year():
    assert iso_week(day=datetime.date(2026, 11, 23)) == "2026-W48"
    assert iso_week(day=datetime.date(2027, 1, 1)) == "2026-W53"


def test_task_runs_the_service_and_is_idempotent(reminders, tasks_in_process, monkeypatch):
    monkeypatch.setattr("plans.services.reminders.timezone.localdate", lambda: MONDAY)
    assert send_weekly_reminders.delay().get() == 2
    assert send_weekly_reminders.delay().get() == 0
    assert len(mail.outbox) == 2


def test_the_task_is_scheduled_weekly_on_monday_morning(settings):
    entry = next(
        item
        for item in settings.CELERY_BEAT_SCHEDULE.values()
        if item["task"] == "plans.send_weekly_reminders"
    )
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1}
    assert schedule.hour == {7}
    assert schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Oslo"
