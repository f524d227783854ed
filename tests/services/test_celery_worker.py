"""A real Celery worker process on Redis runs the portal's task against PostgreSQL.

Needs REDIS_URL and a DATABASE_URL for PostgreSQL (the worker must see the rows the test
commits); `.ci/run` provides both. Elsewhere the tests skip, except under CI=true, where a
missing service is a failure rather than a silent skip.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from competence.models import RegistrationStatus
from plans.models import Role
from plans.schoolyear import SchoolYear
from plans.tasks import send_weekly_reminders
from tests.factories import (
    CoreComponentFactory,
    MeasureFactory,
    MembershipFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitPlanFactory,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _services_missing() -> str | None:
    if not settings.REDIS_URL:
        return "REDIS_URL is not set"
    if connection.vendor != "postgresql":
        return "DATABASE_URL does not point at PostgreSQL"
    return None


@pytest.fixture
def worker(tmp_path):
    reason = _services_missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the real services: {reason}")
        pytest.skip(reason)
    db = settings.DATABASES["default"]
    database_url = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_DELIVERY": "file",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    # A queue of its own, so a stray worker elsewhere on the machine cannot take the task.
    queue = f"test-{os.getpid()}-{time.time_ns()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            "--concurrency=1",
            "--pool=prefork",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1.0):
            break
        if process.poll() is not None:
            pytest.fail("worker exited: " + process.stdout.read())
    else:
        process.kill()
        pytest.fail("the worker did not answer within 60 s")
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield {"queue": queue, "mail_dir": mail_dir, "process": process}
    app.conf.task_default_queue = previous_queue
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def test_worker_sends_password_reset_mail_through_redis(worker, client):
    unit = UnitFactory()
    MembershipFactory(
        user__username="kari",
        user__email="kari@example.no",
        unit=unit,
        municipality=unit.municipality,
    )

    response = client.post(reverse("password_reset"), {"email": "kari@example.no"})
    assert response.status_code == 302

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = list(worker["mail_dir"].glob("*.log")) if worker["mail_dir"].exists() else []
        if files:
            break
        time.sleep(0.2)
    else:
        pytest.fail("no mail was written by the worker")
    text = files[0].read_text()
    assert "To: kari@example.no" in text
    assert re.search(r"/accounts/password/reset/[\w-]+/[\w-]+/", text)


def test_healthz_sees_the_worker(worker, client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "worker": "ok"}


def test_worker_sends_one_weekly_reminder_per_person_when_queued_twice(worker):
    unit = UnitFactory(name="Solvik barneskole")
    membership = {"unit": unit, "municipality": unit.municipality}
    MembershipFactory(
        user__username="leder", user__email="leder@example.no", role=Role.UNIT_LEADER, **membership
    )
    kari = MembershipFactory(
        user__username="kari", user__email="kari@example.no", role=Role.STAFF, **membership
    ).user
    today = timezone.localdate()
    quality_plan = QualityPlanFactory(municipality=unit.municipality)
    plan = UnitPlanFactory(
        unit=unit, quality_plan=quality_plan, school_year=SchoolYear.current(today).start_year
    )
    MeasureFactory(
        plan=plan,
        component=CoreComponentFactory(area__plan=quality_plan),
        description="Leseløftet i 1.–4. trinn",
        responsible=kari,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=1),
    )

    results = [send_weekly_reminders.delay(), send_weekly_reminders.delay()]
    assert sorted(result.get(timeout=60) for result in results) == [0, 2]

    files = list(worker["mail_dir"].glob("*.log")) if worker["mail_dir"].exists() else []
    # The file backend may append several messages to one file: count the headers.
    text = "".join(path.read_text() for path in files)
    assert text.count("To: kari@example.no") == 1
    assert text.count("To: leder@example.no") == 1
    assert "Leseløftet i 1.–4. trinn" in text


def test_worker_tells_the_next_on_the_waiting_list_about_a_freed_seat(worker):
    from competence.models import Registration
    from competence.services import activities as competence_services
    from tests.factories import ActivityFactory, SessionFactory

    unit = UnitFactory(name="Solvik barneskole")
    membership = {"unit": unit, "municipality": unit.municipality, "role": Role.STAFF}
    first = MembershipFactory(user__username="først", user__email="forst@example.no", **membership)
    second = MembershipFactory(user__username="neste", user__email="neste@example.no", **membership)
    start = timezone.now() + datetime.timedelta(days=10)
    session = SessionFactory(
        activity=ActivityFactory(municipality=unit.municipality, title="Kurs i ASK"),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        capacity=1,
    )
    taken = competence_services.registration_create(session=session, user=first.user)
    waiting = competence_services.registration_create(session=session, user=second.user)
    assert waiting.status == RegistrationStatus.WAITING

    # The task is queued when the cancellation commits; the worker reads the promoted row.
    competence_services.registration_cancel(registration=taken)
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.CONFIRMED

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        files = list(worker["mail_dir"].glob("*.log")) if worker["mail_dir"].exists() else []
        if files:
            break
        time.sleep(0.2)
    else:
        pytest.fail("no mail was written by the worker")
    text = "".join(path.read_text() for path in files)
    assert "To: neste@example.no" in text
    assert "forst@example.no" not in text
    assert f"/competence/activities/{session.activity_id}/" in text
