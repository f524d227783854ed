"""A report year is opened once per plan and year, and read only where its report is."""

from __future__ import annotations

import pytest
from django.utils import timezone

from reports.models import ReportState, ReportYear, StatusReport
from reports.selectors.report_years import report_year_for
from reports.services.report_years import report_year_open
from tests.reports.synthetic import build_world


def test_opening_twice_gives_the_same_row(world):
    first = report_year_open(quality_plan=world.plan, year=world.year)
    again = report_year_open(quality_plan=world.plan, year=world.year)
    assert first.pk == again.pk
    assert first.municipality_id == world.municipality.pk
    assert report_year_for(quality_plan=world.plan, year=world.year) == first
    assert report_year_for(quality_plan=world.plan, year=world.year - 1) is None


def test_officials_see_a_report_year_only_once_a_version_is_published(world):
    report_year = report_year_open(quality_plan=world.plan, year=world.year)
    visible = ReportYear.objects.visible_to
    assert list(visible(world.sector_leader)) == [report_year]
    assert list(visible(world.official)) == []
    StatusReport.objects.create(
        municipality=world.municipality,
        quality_plan=world.plan,
        year=world.year,
        state=ReportState.PUBLISHED,
        published_at=timezone.now(),
    )
    assert list(visible(world.official)) == [report_year]


def test_another_municipalitys_report_year_is_not_there(world):
    other = build_world(name="Annenvik kommune", number="9951", username_prefix="annen-")
    report_open = report_year_open(quality_plan=other.plan, year=other.year)
    assert report_open not in ReportYear.objects.visible_to(world.sector_leader)


def test_a_report_or_report_year_about_another_municipalitys_plan_is_refused(world):
    from django.core.exceptions import ValidationError

    other = build_world(name="Tredjevik kommune", number="9952", username_prefix="tredje-")
    for row in (
        ReportYear(municipality=world.municipality, quality_plan=other.plan, year=world.year),
        StatusReport(municipality=world.municipality, quality_plan=other.plan, year=world.year),
    ):
        with pytest.raises(ValidationError) as refused:
            row.full_clean()
        assert refused.value.message_dict["quality_plan"] == ["Planen hører til en annen kommune."]
    # The service that opens a report year cannot be led astray either.
    assert report_year_open(quality_plan=other.plan, year=world.year).municipality_id == (
        other.municipality.pk
    )
