"""Opening a report year: the row the assessment, the council's treatment and its
follow-up hang on, made the first time any of them is written."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from reports.models import ReportYear


def report_year_open(*, quality_plan, year: int) -> ReportYear:
    """The plan's report year, made on first use (safe when two requests race)."""
    found = ReportYear.objects.filter(quality_plan=quality_plan, year=year).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            report_year = ReportYear(
                municipality_id=quality_plan.municipality_id, quality_plan=quality_plan, year=year
            )
            report_year.full_clean()
            report_year.save()
            return report_year
    except IntegrityError:
        return ReportYear.objects.get(quality_plan=quality_plan, year=year)


def report_year_demo_purge(*, municipality) -> int:
    """Remove every report year of a municipality (and what cascades from it). Only the
    demo's reset calls this, after the rows that protect their plan's areas are gone: a
    report year protects its plan, which the reset makes anew."""
    deleted, _per_model = ReportYear.objects.filter(municipality=municipality).delete()
    return deleted
