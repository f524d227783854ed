"""Reads of a report year (one plan's report for one year, across its versions)."""

from __future__ import annotations

from reports.models import ReportYear


def report_year_for(*, quality_plan, year: int) -> ReportYear | None:
    """The plan's report year, or None when nothing has been written for it yet."""
    return ReportYear.objects.filter(quality_plan=quality_plan, year=year).first()
