"""BTI's daily reminders through a real Celery worker on Redis: queued twice, each person
gets one mail, and the mail holds a link and nothing about the child."""

from __future__ import annotations

import pytest
from django.utils import timezone

from btitracker.models import Concern
from btitracker.services import cases as services
from btitracker.tasks import send_reminders
from tests.bti.helpers import CHILD_NAME, build_bti
from tests.services.test_celery_worker import worker  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_worker_sends_bti_reminders_once_with_a_link_only(worker, cast):  # noqa: F811
    bti = build_bti(cast)
    today = timezone.localdate()
    member = bti.case.team.get(user=cast["staff"])
    services.action_add(
        actor=cast["staff"],
        case=bti.case,
        data=services.ActionInput("Fiktivt hemmelig tiltak", member, today, today),
    )
    Concern.objects.filter(pk=bti.pending_concern.pk).update(decision_due=today)

    results = [send_reminders.delay(), send_reminders.delay()]
    assert sorted(result.get(timeout=60) for result in results) == [0, 2]

    files = list(worker["mail_dir"].glob("*.log")) if worker["mail_dir"].exists() else []
    text = "".join(path.read_text() for path in files)
    assert text.count(f"To: {cast['staff'].email}") == 1
    assert text.count(f"To: {cast['unit_leader'].email}") == 1
    assert f"/bti/logg/{bti.case.pk}/" in text
    assert f"/bti/undring/{bti.pending_concern.pk}/" in text
    for secret in (CHILD_NAME, "Fiktiv", "hemmelig", "Solvik"):
        assert secret not in text
