"""Publishing lays the final PDF out anew from the stored snapshot without the «Utkast»
mark, stores it under its own name, deletes the draft's file and marks the report
published in one go; until then the report is «Publiseres», and a failure puts it back to
a ready draft with the error — nothing half-published."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reports.models import PublishedReportError, ReportState, StatusReport
from reports.services import status_reports as services
from tests.reports.conftest import (
    order_written_and_render,
    pdf_pages,
    pdf_reader,
    pdf_text,
    publish,
)

WATERMARK = "UTKAST"


def _stored_files(media) -> list[str]:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*.pdf"))


def test_a_draft_pdf_has_the_watermark_on_every_page_and_the_published_one_none(
    world, media, django_capture_on_commit_callbacks
):
    report = order_written_and_render(world)
    texts = pdf_pages(report)
    assert len(texts) > 3
    # The watermark is letter-spaced: PDFium reads «U T K A S T».
    assert all(WATERMARK in text.replace(" ", "") for text in texts)
    draft_name = report.pdf.name
    # The BTI figures sit in a chapter with text, on the page that introduces them.
    bti_page = next(text for text in texts if "modellen Bedre tverrfaglig innsats" in text)
    assert "Tidlig innsats og tverrfaglig samarbeid" in bti_page
    assert "BTI – Bedre tverrfaglig innsats" in bti_page
    assert "BTI-statistikk" in bti_page

    with django_capture_on_commit_callbacks(execute=True):
        publish(report, world.sector_leader)
    assert WATERMARK not in pdf_text(report).replace(" ", "")
    # The same report otherwise: laid out again from the stored snapshot.
    assert "Fortelling 1.1: jeg liker" in pdf_text(report)
    assert report.pdf.name == (
        f"status-reports/9950/tilstandsrapport-2025-v1-{report.pk}-publisert.pdf"
    )
    assert report.pdf.name != draft_name
    # Only the final file is left.
    assert _stored_files(media) == [report.pdf.name]
    assert report.pdf_pages == len(pdf_reader(report).pages)


def test_publishing_is_pending_until_the_worker_has_stored_the_final_file(world, media):
    report = order_written_and_render(world)
    snapshot = report.snapshot
    before = timezone.now()
    services.status_report_publish(report=report, user=world.sector_leader)
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHING
    assert report.stage == "Publiserer"
    assert report.published_at is None
    assert report.is_pending
    # Meanwhile it is not published: not a second time, not rendered again.
    with pytest.raises(ValidationError, match="publiseres allerede"):
        services.status_report_publish(report=report, user=world.sector_leader)
    with pytest.raises(ValidationError, match="publiseres nå"):
        services.status_report_retry(report=report, user=world.sector_leader)
    assert not world.sector_leader.has_perm("reports.rerender_statusreport", report)
    assert not world.sector_leader.has_perm("reports.publish_statusreport", report)
    assert not StatusReport.objects.visible_to(world.official).filter(pk=report.pk).exists()

    assert services.status_report_render(report_id=report.pk, task_id="p") == (
        ReportState.PUBLISHED
    )
    report.refresh_from_db()
    assert report.state == ReportState.PUBLISHED
    assert report.published_by == world.sector_leader
    assert report.published_at >= before
    assert report.snapshot == snapshot
    # A second delivery of the same message leaves it alone.
    assert services.status_report_render(report_id=report.pk, task_id="again") == (
        ReportState.PUBLISHED
    )


def test_a_failed_final_render_leaves_the_ready_draft_as_it_was_with_the_error(world, media):
    report = order_written_and_render(world)
    draft_name = report.pdf.name
    with report.pdf.open("rb") as handle:
        draft = handle.read()
    services.status_report_publish(report=report, user=world.sector_leader)

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    assert services.status_report_render(report_id=report.pk, render=broken) == ReportState.READY
    report.refresh_from_db()
    assert report.state == ReportState.READY
    assert report.error.startswith("Rapporten kunne ikke publiseres på grunn av en feil")
    assert report.published_by is None
    assert report.published_at is None
    assert report.pdf.name == draft_name
    with report.pdf.open("rb") as handle:
        assert handle.read() == draft
    assert _stored_files(media) == [draft_name]

    # The page says so, and offers to publish again; this time it goes through.
    from django.test import Client

    client = Client()
    client.force_login(world.sector_leader)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "Rapporten ble ikke publisert" in page
    assert "Publiser rapporten" in page
    publish(report, world.sector_leader)
    assert report.error == ""


def test_a_failure_while_storing_removes_the_final_file_and_keeps_the_draft(
    world, media, monkeypatch
):
    report = order_written_and_render(world)
    draft_name = report.pdf.name
    services.status_report_publish(report=report, user=world.sector_leader)

    def broken_count(content):
        raise OSError("disk full")

    monkeypatch.setattr(services, "_page_count", broken_count)
    assert services.status_report_render(report_id=report.pk) == ReportState.READY
    report.refresh_from_db()
    assert (report.state, report.pdf.name) == (ReportState.READY, draft_name)
    assert _stored_files(media) == [draft_name]


def test_a_publish_the_queue_never_got_or_whose_worker_died_is_sent_again(world, monkeypatch):
    report = order_written_and_render(world)
    sent: list[int] = []
    monkeypatch.setattr(
        "reports.tasks.render_status_report.delay_on_commit", lambda pk: sent.append(pk)
    )
    services.status_report_publish(report=report, user=world.sector_leader)
    assert sent == [report.pk]
    # The broker never got it: the page's poll sends it again.
    StatusReport.objects.filter(pk=report.pk).update(dispatched_at=None, dispatch_attempted_at=None)
    report.refresh_from_db()
    services.status_report_poll(report=report)
    assert sent == [report.pk, report.pk]
    # A worker took it and died: the requeue sends it once it is stale, not before.
    assert services._claim(report.pk, "dead") is not None
    assert StatusReport.objects.get(pk=report.pk).state == ReportState.PUBLISHING
    assert services.status_report_requeue() == 0
    StatusReport.objects.filter(pk=report.pk).update(
        started_at=timezone.now() - services.STALE_AFTER - datetime.timedelta(seconds=1)
    )
    assert services.status_report_requeue() == 1
    assert sent == [report.pk] * 3
    assert services.status_report_render(report_id=report.pk, task_id="next") == (
        ReportState.PUBLISHED
    )


def test_the_progress_bar_says_publiserer(world, client):
    report = order_written_and_render(world)
    services.status_report_publish(report=report, user=world.sector_leader)
    client.force_login(world.sector_leader)
    detail = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "Publiserer" in detail
    assert 'hx-get="' + reverse("reports:report-progress", args=[report.pk]) in detail
    poll = client.get(
        reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "Publiserer" in poll
    # The elected official does not see it until it is published.
    client.force_login(world.official)
    assert client.get(reverse("reports:report-detail", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:report-retry", args=[report.pk])).status_code == 404
    client.force_login(world.sector_leader)
    assert client.post(reverse("reports:report-retry", args=[report.pk])).status_code == 403


def test_a_published_report_cannot_be_published_again(world):
    report = order_written_and_render(world)
    publish(report, world.sector_leader)
    with pytest.raises(PublishedReportError):
        services.status_report_publish(report=report, user=world.sector_leader)
