"""The demo municipality's report, read back from the PDF: its real figures appear, its
fortellinger without consent do not, and it has the full report's size."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from demo.services.loading import demo_load
from plans.models import ParticipationInput, QualityPlan
from plans.schoolyear import SchoolYear
from reports.charts import chart_count
from reports.models import ReportState, StatusReport
from reports.services import status_reports as services
from tests.reports.conftest import pdf_text, publish


def test_the_demo_report_shows_solviks_figures_and_only_consented_fortellinger(db, media):
    demo_load()
    leader = get_user_model().objects.get(username="sektorleder")
    plan = QualityPlan.objects.filter(municipality__number="9901").in_force()
    year = SchoolYear.current().start_year - 1  # the demo's last school year with figures
    report = services.status_report_order(user=leader, quality_plan=plan, year=year)
    assert services.status_report_render(report_id=report.pk) == ReportState.READY
    report.refresh_from_db()
    text = pdf_text(report)
    assert "Tilstandsrapport for oppvekst" in text
    assert "Elever som opplever mobbing (demo)" in text
    # Solvik's latest bullying figure against the country's, and the missed target.
    assert "Siste tall: 5,2 prosent" in text
    assert "Landet: 7,3 prosent." in text
    assert "5,0 prosent." in text
    assert "Grunnskolepoeng (demo)" in text
    # The full report issue 7 sizes: about 40 pages, 30 or more charts, from the demo alone.
    assert chart_count(report.snapshot) >= 30
    assert 35 <= report.pdf_pages <= 45
    # Every area has the year's competence work, with attendance.
    for area in report.snapshot["areas"]:
        assert area["competence"]["activities"] > 0, area["name"]
        assert area["competence"]["sessions_held"] > 0, area["name"]
    assert report.snapshot["summary"]["competence"]["rate"]
    stories = [story for area in report.snapshot["areas"] for story in area["stories"]]
    assert stories
    assert all(story["quote"][:30] in text for story in stories)
    hidden = ParticipationInput.objects.filter(municipality=plan.municipality, publishable=False)
    assert hidden.exists()
    assert all(item.quote[:40] not in text for item in hidden)


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_load_demo_again_after_a_published_report_starts_the_demo_afresh(
    db, media, django_capture_on_commit_callbacks
):
    """`make run` reloads the demo every time: a report ordered and published in the demo
    must not stop that. The reset removes the demo's reports and their files."""
    demo_load()
    leader = get_user_model().objects.get(username="sektorleder")
    plan = QualityPlan.objects.filter(municipality__number="9901").in_force()
    report = services.status_report_order(
        user=leader, quality_plan=plan, year=SchoolYear.current().start_year - 1
    )
    assert services.status_report_render(report_id=report.pk) == ReportState.READY
    report.refresh_from_db()
    publish(report, leader)
    stored = report.pdf.name
    assert report.pdf.storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        demo_load()

    assert not StatusReport.objects.filter(municipality__number="9901").exists()
    assert not report.pdf.storage.exists(stored)
