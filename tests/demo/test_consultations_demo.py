"""The demo's consultation meetings: this school year's schedules with held meetings and
anonymous protocols, and loading twice gives the same."""

from __future__ import annotations

import pytest

from btitracker.anonymity import anonymity_problem
from btitracker.models import (
    ConsultationAction,
    ConsultationMatter,
    ConsultationMeeting,
    ConsultationSchedule,
    ConsultationStatus,
    Service,
)
from demo.services.loading import demo_load
from plans.schoolyear import SchoolYear


def _counts():
    return (
        ConsultationSchedule.objects.count(),
        ConsultationMeeting.objects.count(),
        ConsultationMeeting.objects.filter(status=ConsultationStatus.HELD).count(),
        ConsultationAction.objects.count(),
        Service.objects.filter(attends_consultations=True).count(),
    )


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_demo_consultations_load_anonymous_and_idempotent(db):
    first = demo_load(reports=False)
    assert first["consultation_schedules"] == 5
    assert first["consultation_meetings_held"] == 2
    year = SchoolYear.current()
    assert set(ConsultationSchedule.objects.values_list("school_year", flat=True)) == {
        year.start_year
    }
    for schedule in ConsultationSchedule.objects.all():
        assert schedule.services.count() == 3
        assert schedule.meetings.count() == 10
    texts = [
        *ConsultationMatter.objects.values_list("summary", flat=True),
        *ConsultationAction.objects.values_list("description", flat=True),
    ]
    for text in texts:
        assert anonymity_problem(text) is None, text
    counts = _counts()
    demo_load(reports=False)
    assert _counts() == counts
