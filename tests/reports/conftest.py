"""A synthetic municipality (tests.reports.synthetic) and helpers to order and render reports
in the test process."""

from __future__ import annotations

import io

import pypdf
import pytest

from reports.models import ReportState, StatusReport
from reports.services import status_reports as services
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


def pdf_text(report: StatusReport) -> str:
    reader = pdf_reader(report)
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
