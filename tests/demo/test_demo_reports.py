"""``demo_reports_load`` on the small synthetic municipality (fast): which reports it leaves,
in which state, for which years, and that a failed render leaves none."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest

import documents.layout
from demo.services.reports import DemoReportError, demo_reports_load
from plans.models import Municipality
from plans.schoolyear import SchoolYear
from reports.models import ReportState, StatusReport
from tests.reports.conftest import pdf_text, write_assessments
from tests.reports.synthetic import build_world

# The synthetic world's plan runs 2024–2027; a day in 2026/27 makes 2025/26 «last year».
TODAY = datetime.date(2026, 9, 1)


@pytest.fixture
def world(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(areas=2, indicators=1, units=2, activities_per_area=1)


def _load(world, today=TODAY):
    # The administration's text of last year's report, which publishing requires.
    write_assessments(
        plan=world.plan,
        year=SchoolYear.current(today).start_year - 1,
        user=world.sector_leader,
    )
    return demo_reports_load(
        municipality=world.municipality,
        plan=world.plan,
        sector_leader=world.sector_leader,
        today=today,
    )


def test_last_years_report_is_published_and_this_years_is_a_rendered_draft(world):
    counts = _load(world)

    assert counts == {"status_reports_published": 1, "status_reports_draft": 1}
    published, draft = StatusReport.objects.filter(municipality=world.municipality).order_by("year")
    assert (published.year, published.state) == (2025, ReportState.PUBLISHED)
    assert published.published_by == published.ordered_by == world.sector_leader
    assert (draft.year, draft.state) == (2026, ReportState.READY)
    assert draft.ordered_by == world.sector_leader
    for report in (published, draft):
        assert report.pdf_pages > 0
        assert report.snapshot["year"] == report.year
        assert report.pdf.storage.exists(report.pdf.name)
        # Rendered here, not sent to a broker: nothing is left for a worker to pick up.
        assert report.dispatched_at is None
        assert report.dispatch_attempted_at is None
    assert "2025/26" in pdf_text(published)


def _blank_pdf(*args, **kwargs) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_years_follow_the_demos_today_not_a_fixed_year(world, monkeypatch):
    # Which years, not what is in them: a blank page instead of the layout keeps it quick.
    monkeypatch.setattr(documents.layout, "lay_out", _blank_pdf)

    _load(world, today=datetime.date(2025, 10, 1))

    years = dict(
        StatusReport.objects.filter(municipality=world.municipality).values_list("state", "year")
    )
    assert years == {ReportState.PUBLISHED: 2024, ReportState.READY: 2025}


def test_a_failed_render_stops_the_load_and_leaves_no_report(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    # The layout runs in a forked child, which inherits the patched module.
    monkeypatch.setattr(documents.layout, "lay_out", broken)

    with pytest.raises(DemoReportError, match=r"2025/26.*no fonts"):
        _load(world)

    assert not StatusReport.objects.filter(municipality=world.municipality).exists()


def test_a_plan_of_another_municipality_is_refused(world):
    other = Municipality.objects.create(name="Nabovik kommune", number="9951")
    with pytest.raises(ValueError, match="another municipality"):
        demo_reports_load(
            municipality=other, plan=world.plan, sector_leader=world.sector_leader, today=TODAY
        )

    assert not StatusReport.objects.exists()
