"""A synthetic municipality (tests.reports.synthetic) and helpers to order and render reports
in the test process."""

from __future__ import annotations

import io

import pypdf
import pytest

from reports.models import ReportState, StatusReport
from reports.services import status_reports as services
from tests.pdf_reading import pdf_page_texts
from tests.pdf_reading import pdf_text as read_pdf_text
from tests.reports.synthetic import build_world


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(db, media):
    return build_world()


def order_and_render(world, user=None) -> StatusReport:
    user = user or world.sector_leader
    report = services.status_report_order(user=user, quality_plan=world.plan, year=world.year)
    state = services.status_report_render(report_id=report.pk, task_id="test")
    report.refresh_from_db()
    assert state == ReportState.READY, report.error
    return report


def publish(report: StatusReport, user) -> StatusReport:
    """Publish as the page does, then run the worker's half (the final render) here."""
    services.status_report_publish(report=report, user=user)
    assert StatusReport.objects.get(pk=report.pk).state == ReportState.PUBLISHING
    state = services.status_report_render(report_id=report.pk, task_id="publish")
    report.refresh_from_db()
    assert state == ReportState.PUBLISHED, report.error
    return report


def pdf_reader(report: StatusReport) -> pypdf.PdfReader:
    with report.pdf.open("rb") as handle:
        return pypdf.PdfReader(io.BytesIO(handle.read()))


def pdf_bytes(report: StatusReport) -> bytes:
    with report.pdf.open("rb") as handle:
        return handle.read()


def pdf_text(report: StatusReport) -> str:
    return read_pdf_text(pdf_bytes(report))


def pdf_pages(report: StatusReport) -> list[str]:
    """Each page's text, whitespace collapsed."""
    return pdf_page_texts(pdf_bytes(report))


def write_assessments(*, plan, year: int, user, approve: bool = True):
    """The administration's assessment of ``plan``'s report for ``year`` written in full (a
    text or «Ingen endring» for every question of every part) and, unless ``approve`` is
    False, set to final: what a report needs before it may be published."""
    from reports.models import AssessmentQuestion
    from reports.services import assessments as assessment_services

    report_year = assessment_services.assessments_start(quality_plan=plan, year=year)
    for assessment in report_year.assessments.select_related("area"):
        part = assessment.area.name if assessment.area else "Hele rapporten"
        answers = {
            question.value: (f"{part}: {question.label} – vurdert av administrasjonen.", False)
            for question in AssessmentQuestion
        }
        answers[AssessmentQuestion.NEED_FOR_CHANGE.value] = ("", True)
        assessment_services.assessment_update(assessment=assessment, user=user, answers=answers)
        if approve:
            assessment_services.assessment_approve(assessment=assessment, user=user)
    return report_year


def order_written_and_render(world, user=None) -> StatusReport:
    """A draft ready to publish: the assessment written and final, then rendered."""
    write_assessments(plan=world.plan, year=world.year, user=world.sector_leader)
    return order_and_render(world, user)
