"""Reads of the administration's assessment: what the snapshot keeps of it, what is still
missing before the report may be published, and the figures shown beside the text while
it is written."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Max
from django.utils.translation import gettext as _

from plans.models import DevelopmentArea
from reports.models import Assessment, AssessmentQuestion, AssessmentState, ReportYear


def _entry(assessment: Assessment | None) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "state": assessment.state,
        "questions": [
            {
                "key": question.value,
                "question": str(question.label),
                "text": assessment.answer(question.value)[0],
                "no_change": assessment.answer(question.value)[1],
            }
            for question in AssessmentQuestion
        ],
    }


def assessment_snapshot(*, quality_plan, year: int) -> dict[str, Any]:
    """What the report keeps of the assessment: ``whole`` (the whole report's), ``areas``
    (by development area id) and ``text_changed_at`` (ISO time of the latest change to any
    answer, or None), by which publishing tells whether the draft is stale."""
    assessments = list(
        Assessment.objects.filter(
            report_year__quality_plan=quality_plan, report_year__year=year
        ).select_related("area")
    )
    changed = max(
        (a.text_changed_at for a in assessments if a.text_changed_at is not None), default=None
    )
    return {
        "whole": _entry(next((a for a in assessments if a.area_id is None), None)),
        "areas": {a.area_id: _entry(a) for a in assessments if a.area_id is not None},
        "text_changed_at": changed.isoformat() if changed else None,
    }


def assessment_publish_problems(*, report) -> list[str]:
    """What stops the report from being published, one Norwegian sentence per problem
    naming the area and the question: an unanswered question, an assessment that is not
    final, or text changed after the draft was rendered."""
    report_year = ReportYear.objects.filter(
        quality_plan_id=report.quality_plan_id, year=report.year
    ).first()
    assessments = (
        {a.area_id: a for a in report_year.assessments.select_related("area")}
        if report_year
        else {}
    )
    parts: list[tuple[str, Assessment | None]] = [(_("Hele rapporten"), assessments.get(None))]
    for area in DevelopmentArea.objects.filter(plan_id=report.quality_plan_id).order_by(
        "order", "pk"
    ):
        parts.append((area.name, assessments.get(area.pk)))
    problems: list[str] = []
    for name, assessment in parts:
        if assessment is None:
            problems.append(
                _("%(part)s: administrasjonens vurdering er ikke skrevet.") % {"part": name}
            )
            continue
        for question in assessment.unanswered():
            problems.append(
                _("%(part)s: «%(question)s» er ikke besvart.")
                % {"part": name, "question": question.label}
            )
        if assessment.state != AssessmentState.FINAL:
            problems.append(
                _("%(part)s: vurderingen er ikke satt til ferdig (%(state)s).")
                % {"part": name, "state": assessment.get_state_display()}
            )
    if _text_changed_after_render(report, report_year):
        problems.append(
            _(
                "Teksten er endret etter at utkastet ble laget. Lag utkastet på nytt før "
                "rapporten publiseres."
            )
        )
    return problems


def _text_changed_after_render(report, report_year: ReportYear | None) -> bool:
    if report_year is None or not report.snapshot:
        return False
    latest = report_year.assessments.aggregate(latest=Max("text_changed_at"))["latest"]
    if latest is None:
        return False
    rendered = (report.snapshot.get("assessment") or {}).get("text_changed_at")
    return rendered is None or datetime.datetime.fromisoformat(rendered) < latest


def assessment_publish_check(*, report) -> None:
    """Refuse publishing (ValidationError listing every problem) until the assessment is
    complete, final and in the rendered draft."""
    problems = assessment_publish_problems(report=report)
    if problems:
        raise ValidationError(
            [_("Rapporten kan ikke publiseres ennå:"), *problems], code="assessment_incomplete"
        )


def assessment_writer_candidates(*, assessment: Assessment):
    """Who the sector leader may invite to write ``assessment``: members of its
    municipality in force, not elected officials, not invited already."""
    from django.contrib.auth import get_user_model

    from plans.models import Membership, Role

    members = Membership.objects.in_force().filter(municipality_id=assessment.municipality_id)
    return (
        get_user_model()
        .objects.filter(pk__in=members.values("user_id"), is_active=True)
        .exclude(pk__in=members.filter(role=Role.ELECTED_OFFICIAL).values("user_id"))
        .exclude(pk__in=assessment.writers.values("user_id"))
        .order_by("first_name", "last_name", "username")
    )


def assessment_year_rows(*, user, report_year_id: int) -> list[Assessment]:
    """The assessments of a report year the user may write or read while they are written
    (the whole report's first, then the areas in the plan's order), with their writers."""
    return list(
        Assessment.objects.visible_to(user)
        .filter(report_year_id=report_year_id)
        .select_related("area", "report_year__quality_plan", "updated_by")
        .prefetch_related("writers__user")
        .order_by(F("area__order").asc(nulls_first=True), "area_id")
    )


def assessment_years_for(*, user) -> list[ReportYear]:
    """The report years with an assessment the user may write, newest first: the report
    list's way to the writing pages."""
    return list(
        ReportYear.objects.filter(
            pk__in=Assessment.objects.visible_to(user).values("report_year_id")
        )
        .select_related("quality_plan")
        .order_by("-year", "pk")
    )
