"""Rendering, publishing and versions: one stored PDF per report however often the job
runs, a published report frozen for good, a failure the page can retry, and the PDF read
back with pypdf."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from indicators.models import Observation, Target
from plans.models import InputGroup, InputSetting, ParticipationInput
from reports.models import PublishedReportError, ReportState, StatusReport
from reports.services import status_reports as services
from reports.tasks import render_status_report
from tests.reports.conftest import (
    order_and_render,
    order_written_and_render,
    pdf_reader,
    pdf_text,
    publish,
)


def _stored_files(media) -> list:
    return sorted(p.relative_to(media) for p in media.rglob("*.pdf"))


def test_rendering_stores_one_pdf_under_a_stable_name_and_a_rerun_replaces_it(world, media):
    report = order_and_render(world)
    assert report.state == ReportState.READY
    assert report.progress == 100
    assert report.attempts == 1
    first = _stored_files(media)
    assert [str(p) for p in first] == [
        f"status-reports/9950/tilstandsrapport-2025-v1-{report.pk}.pdf"
    ]
    # A worker that died mid-render leaves the row rendering; the redelivered task runs
    # again and replaces the file rather than adding one.
    StatusReport.objects.filter(pk=report.pk).update(state=ReportState.RENDERING)
    assert services.status_report_render(report_id=report.pk, task_id="test") == ReportState.READY
    report.refresh_from_db()
    assert report.attempts == 2
    assert _stored_files(media) == first
    assert StatusReport.objects.count() == 1
    # A finished report is left alone by a duplicate delivery.
    assert services.status_report_render(report_id=report.pk, task_id="other") == ReportState.READY
    assert StatusReport.objects.get().attempts == 2


def test_a_run_under_another_live_task_is_skipped(world):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )
    assert services._claim(report.pk, "first") is not None
    assert (
        services.status_report_render(report_id=report.pk, task_id="second")
        == ReportState.RENDERING
    )


def test_the_pdf_is_tagged_norwegian_with_bookmarks_and_the_real_figures(world, settings):
    settings.SUPPRESSION_THRESHOLD = 5
    report = order_and_render(world)
    reader = pdf_reader(report)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nb"
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert reader.metadata.title == "Tilstandsrapport 2025/26 – Testvik kommune"
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[:2] == ["Innhold", "Sammendrag"]
    # The law's three topics (opplæringslova § 17-12), then the development areas.
    assert outline[2:5] == ["Læringsmiljø", "Læringsresultater", "Gjennomføring"]
    assert [area.name for area in world.areas] == outline[5 : 5 + len(world.areas)]
    # Each area's sections one level down (h3 under h2).
    raw = reader.outline
    index = next(i for i, item in enumerate(raw) if getattr(item, "title", "") == outline[5])
    assert next(child.title for child in raw[index + 1]) == f"Tellinger: {world.areas[0].name}"
    assert len(reader.pages) == report.pdf_pages >= 12
    text = pdf_text(report)
    # The table of contents with page numbers, the running header and the page numbers.
    assert re.search(r"Sammendrag ?\.+ ?3", text)
    assert "Side 3 av" in text
    assert "Tilstandsrapport 2025/26 – Testvik kommune" in reader.pages[4].extract_text()
    # Real figures: the latest value, the country's, the target and the attainment.
    assert "Siste tall: 47,5 prosent (2025/26). Landet: 42,0 prosent." in text
    # The target is named as the figures name the school year, not «2025».
    assert "Målverdi for 2025/26: 46,5 prosent." in text
    assert "Måloppnåelse: 50 % (1 av 2 målverdier nådd)." in text
    assert "Fortelling 1.1: jeg liker å være med" in text
    assert "Hemmelig fortelling" not in text
    # BTI (issue 4) fills the section through the plans.report_statistics registry.
    assert "Nye undringer (nivå 0)" in text
    # The competence table: hidden cells print «<5», never the 3 and 2 behind them.
    row = re.search(r"Kurs 1\.2 for Testvik kommune \(Kurs\)(.{0,40})", text).group(1)
    assert row.split()[:6] == ["1", "<5", "<5", "<5", "<5"] or row.split()[:5] == [
        "1",
        "<5",
        "<5",
        "<5",
        "<5",
    ]
    assert not re.search(r"Kurs 1\.2 for Testvik kommune \(Kurs\) 1 [23] ", text)


def test_publishing_freezes_the_snapshot_and_the_pdf(world):
    report = order_written_and_render(world)
    publish(report, world.sector_leader)
    assert report.state == ReportState.PUBLISHED
    assert report.published_by == world.sector_leader
    snapshot, pdf = report.snapshot, report.pdf.read()
    report.pdf.close()

    # The data changes after publishing …
    Observation.objects.filter(
        indicator=world.indicators[0], place__code="9950", period_label="2025/26"
    ).update(value="99.9")
    Target.objects.filter(indicator=world.indicators[0], year=2025).update(value="12.3")
    item = ParticipationInput.objects.create(
        municipality=world.municipality,
        quote="En ny fortelling etter publisering",
        group=InputGroup.YOUTH,
        setting=InputSetting.SURVEY,
        given_on="2025-11-01",
        publishable=True,
    )
    item.areas.add(world.areas[0])
    # … a stray job for it does nothing, and nothing can write the row.
    assert (
        services.status_report_render(report_id=report.pk, task_id="late") == ReportState.PUBLISHED
    )
    report.refresh_from_db()
    assert report.snapshot == snapshot
    with report.pdf.open("rb") as handle:
        assert handle.read() == pdf
    with pytest.raises(PublishedReportError):
        services.status_report_publish(report=report, user=world.sector_leader)
    with pytest.raises(PublishedReportError):
        services.status_report_retry(report=report, user=world.sector_leader)
    report.error = "endret"
    with pytest.raises(PublishedReportError):
        report.save()
    with pytest.raises(PublishedReportError):
        StatusReport.objects.filter(pk=report.pk).update(snapshot={})
    with pytest.raises(PublishedReportError):
        report.delete()

    # A new version is a new draft row with today's data; the published one stays.
    second = services.status_report_version_create(report=report, user=world.sector_leader)
    assert (second.version, second.state) == (2, ReportState.QUEUED)
    services.status_report_render(report_id=second.pk, task_id="v2")
    second.refresh_from_db()
    first_item = second.snapshot["areas"][0]["indicators"][0]
    assert first_item["latest"]["value"] == "99,9 prosent"
    assert "En ny fortelling etter publisering" in pdf_text(second)
    assert "En ny fortelling etter publisering" not in pdf_text(report)
    assert StatusReport.objects.get(pk=report.pk).snapshot == snapshot


def test_only_a_finished_draft_can_be_published_and_one_draft_per_plan_and_year(world):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )
    with pytest.raises(ValidationError, match="Bare et ferdig utkast"):
        services.status_report_publish(report=report, user=world.sector_leader)
    with pytest.raises(ValidationError, match="upublisert utkast"):
        services.status_report_order(
            user=world.sector_leader, quality_plan=world.plan, year=world.year
        )
    with pytest.raises(ValidationError, match="planperioden"):
        services.status_report_order(user=world.sector_leader, quality_plan=world.plan, year=2040)
    with pytest.raises(ValidationError, match="fra en publisert"):
        services.status_report_version_create(report=report, user=world.sector_leader)


def test_a_failure_is_recorded_in_norwegian_and_a_retry_renders_again(world, media):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )

    def broken(*args, **kwargs):
        raise RuntimeError("layout exploded")

    assert services.status_report_render(report_id=report.pk, render=broken) == ReportState.FAILED
    report.refresh_from_db()
    assert report.state == ReportState.FAILED
    assert report.error.startswith("Rapporten kunne ikke lages på grunn av en feil (RuntimeError)")
    assert not report.pdf
    assert _stored_files(media) == []

    services.status_report_retry(report=report, user=world.sector_leader)
    report.refresh_from_db()
    assert (report.state, report.error, report.progress) == (ReportState.QUEUED, "", 0)
    assert services.status_report_render(report_id=report.pk) == ReportState.READY
    assert len(_stored_files(media)) == 1


def test_requeue_sends_again_the_reports_the_broker_never_got(world, monkeypatch):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )
    StatusReport.objects.filter(pk=report.pk).update(dispatched_at=None)
    sent = []
    # The broker's side of the task; everything up to it is the service's own.
    monkeypatch.setattr(render_status_report, "delay_on_commit", sent.append)
    assert services.status_report_requeue() == 1
    assert sent == [report.pk]
    report.refresh_from_db()
    assert report.dispatched_at is not None  # sent: the beat's requeue leaves it alone
    assert services.status_report_requeue(older_than=services.STALE_AFTER) == 0
