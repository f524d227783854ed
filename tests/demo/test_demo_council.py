"""The demo's council treatment of last year's report (fixtures/demo/council.json),
written through the portal's own services."""

from __future__ import annotations

import json
import shutil

import pytest
from django.utils import timezone

from demo.services.council import council_demo_data_get, demo_council_load
from plans.demo_data import DemoDataError, demo_data_dir
from plans.models import QualityPlan
from reports.models import (
    FollowUpItem,
    FollowUpStatus,
    Question,
    ReportState,
    StatusReport,
    Treatment,
)
from reports.services.report_years import report_year_demo_purge
from reports.services.status_reports import status_report_demo_purge
from tests.factories import QualityPlanFactory


@pytest.fixture
def plan(cast):
    return QualityPlanFactory(municipality=cast.municipality, period_start=2022, period_end=2025)


def _published(plan):
    return StatusReport.objects.create(
        municipality=plan.municipality,
        quality_plan=plan,
        year=2024,
        state=ReportState.PUBLISHED,
        snapshot={"schema_version": 5},
        published_at=timezone.now(),
    )


def test_the_demo_records_last_years_treatment_items_and_questions(cast, plan, mailoutbox):
    report = _published(plan)
    counts = demo_council_load(municipality=cast.municipality, plan=plan, published_report=report)
    assert counts == {"follow_up_items": 4, "questions": 2}
    treatment = report.quality_plan.report_years.get(year=2024).treatment
    assert treatment.case_number == "2025/1843"
    assert treatment.council_meeting_on.isoformat() == "2025-11-06"
    assert "handlingsplan mot mobbing" in treatment.decision
    statuses = set(FollowUpItem.objects.values_list("status", flat=True))
    assert statuses == {
        FollowUpStatus.DONE,
        FollowUpStatus.IN_PROGRESS,
        FollowUpStatus.NOT_STARTED,
        FollowUpStatus.DROPPED,
    }
    assert FollowUpItem.objects.get(status=FollowUpStatus.IN_PROGRESS).owner == cast["unit_leader"]
    assert [q.is_answered for q in Question.objects.order_by("pk")] == [True, False]
    assert mailoutbox == []  # the demo mails no one
    # The demo's reset removes it all, so the plan can go.
    status_report_demo_purge(municipality=cast.municipality)
    report_year_demo_purge(municipality=cast.municipality)
    assert not FollowUpItem.objects.filter(report_year__municipality=cast.municipality).exists()
    QualityPlan.objects.filter(pk=plan.pk).delete()


def test_before_publishing_only_the_case_number_committee_and_dates(cast, plan):
    counts = demo_council_load(municipality=cast.municipality, plan=plan)
    assert counts == {"follow_up_items": 0, "questions": 0}
    treatment = plan.report_years.get(year=2024).treatment
    assert (treatment.case_number, treatment.decision) == ("2025/1843", "")


def test_a_misspelt_status_or_unknown_user_stops_the_load(cast, plan, tmp_path):
    path = tmp_path / "council.json"
    shutil.copy(demo_data_dir() / "council.json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["follow_up"][0]["history"][0][0] = "ferdig"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError, match="ferdig"):
        council_demo_data_get(directory=tmp_path)
    data["follow_up"][0]["history"][0][0] = "pagar"
    data["follow_up"][0]["owner"] = "ukjent"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DemoDataError, match="ukjent"):
        demo_council_load(
            municipality=cast.municipality,
            plan=plan,
            published_report=_published(plan),
            directory=tmp_path,
        )
    assert not FollowUpItem.objects.exists()
    assert not Treatment.objects.exists()  # nothing half-written
