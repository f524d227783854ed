"""The demo municipality's report, read back from the PDF: its real figures appear, its
fortellinger without consent do not."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from plans.demo import load_demo
from plans.models import ParticipationInput, QualityPlan, current_school_year
from reports import services
from tests.reports.conftest import pdf_text


def test_the_demo_report_shows_solviks_figures_and_only_consented_fortellinger(db, media):
    load_demo()
    leader = get_user_model().objects.get(username="sektorleder")
    plan = QualityPlan.objects.filter(municipality__number="9901").in_force()
    year = current_school_year() - 1  # the demo's last school year with figures
    report = services.status_report_order(user=leader, quality_plan=plan, year=year)
    assert services.status_report_render(report_id=report.pk) == "klar"
    report.refresh_from_db()
    text = pdf_text(report)
    assert "Tilstandsrapport for oppvekst" in text
    assert "Elever som opplever mobbing (demo)" in text
    # Solvik's latest bullying figure against the country's, and the missed target.
    assert "Siste tall: 5,2 prosent" in text
    assert "Landet: 7,3 prosent." in text
    assert "5,0 prosent." in text
    assert "Grunnskolepoeng (demo)" in text
    stories = [story for area in report.snapshot["areas"] for story in area["stories"]]
    assert stories
    assert all(story["quote"][:30] in text for story in stories)
    hidden = ParticipationInput.objects.filter(municipality=plan.municipality, publishable=False)
    assert hidden.exists()
    assert all(item.quote[:40] not in text for item in hidden)
