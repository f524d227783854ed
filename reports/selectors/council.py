"""Reads of the council's treatment: who may own a follow-up item, the items a sector
leader follows, whether an answer may still be changed, and what next year's report
shows of last year's treatment (its follow-up items and its questions and answers)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from plans.models import Membership, Role
from plans.schoolyear import SchoolYear
from reports.models import (
    FollowUpItem,
    Question,
    ReportState,
    ReportYear,
    StatusReport,
    Treatment,
)

# Roles that make someone part of the administration (who may own a follow-up item);
# elected officials ask for the follow-up, they do not carry it out.
ADMINISTRATION_ROLES = frozenset(role for role in Role.values if role != Role.ELECTED_OFFICIAL)


def administration_members(*, municipality_id: int) -> QuerySet:
    """Active users with a role in force in the municipality's administration."""
    members = (
        Membership.objects.in_force()
        .filter(municipality_id=municipality_id, role__in=ADMINISTRATION_ROLES)
        .values("user_id")
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=members)
        .order_by("first_name", "last_name", "username")
    )


def role_labels_of(*, user_ids: list[int], municipality_id: int) -> dict[int, str]:
    """Each person's administrative role as the report names it («Virksomhetsleder»): the
    first in the order of ``Role``, so a sector leader who is also a data admin is shown
    as sector leader. One query for all of them."""
    held: dict[int, set[str]] = {}
    for user_id, role in (
        Membership.objects.in_force()
        .filter(
            user_id__in=user_ids, municipality_id=municipality_id, role__in=ADMINISTRATION_ROLES
        )
        .values_list("user_id", "role")
    ):
        held.setdefault(user_id, set()).add(role)
    return {
        user_id: next((str(label) for value, label in Role.choices if value in roles), "")
        for user_id, roles in held.items()
    }


def person_label(user) -> str:
    """A person as the portal and the report show them: the full name, else the user name."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def has_published_version(*, report_year: ReportYear) -> bool:
    return report_year.reports().filter(state=ReportState.PUBLISHED).exists()


def answers_frozen(*, report_year: ReportYear) -> bool:
    """An answer may be changed until next year's report is published: that report keeps
    the questions and answers in its appendix for ever, and the portal must not say
    otherwise afterwards."""
    return StatusReport.objects.filter(
        municipality_id=report_year.municipality_id,
        year=report_year.year + 1,
        state=ReportState.PUBLISHED,
    ).exists()


def open_follow_up_items(*, user) -> QuerySet[FollowUpItem]:
    """Every open follow-up item the user can see, across years, by due date: so the
    overdue ones come first."""
    return (
        FollowUpItem.objects.visible_to(user)
        .open()
        .select_related("owner", "report_year")
        .order_by("due_on", "pk")
    )


def treatment_for(*, user, report_year: ReportYear | None) -> Treatment | None:
    if report_year is None:
        return None
    return Treatment.objects.visible_to(user).filter(report_year=report_year).first()


def previous_report_year(*, report: StatusReport) -> ReportYear | None:
    """Last year's report year for the same municipality: the same plan's if there is
    one, else the one of the plan in force that year (the newest plan with a report
    year then)."""
    candidates = ReportYear.objects.filter(
        municipality_id=report.municipality_id, year=report.year - 1
    ).select_related("quality_plan")
    same = next((c for c in candidates if c.quality_plan_id == report.quality_plan_id), None)
    if same is not None:
        return same
    return candidates.order_by(
        "-quality_plan__adopted_on", "-quality_plan__period_start", "-quality_plan__revision"
    ).first()


def _date(value: datetime.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def council_snapshot(*, report: StatusReport) -> dict[str, Any]:
    """What the report shows of the council's treatment: this year's case number (the
    title page), and last year's follow-up items and questions and answers. Read whole
    (no user scope): it is what the council itself asked and was told, and the report is
    ordered by a sector leader, who sees all of it."""
    this_year = ReportYear.objects.filter(
        quality_plan_id=report.quality_plan_id, year=report.year
    ).first()
    treatment = Treatment.objects.filter(report_year=this_year).first() if this_year else None
    previous = previous_report_year(report=report)
    items: list[dict[str, Any]] = []
    questions: list[dict[str, Any]] = []
    if previous is not None:
        rows = list(previous.follow_up_items.select_related("owner").order_by("due_on", "pk"))
        roles = role_labels_of(
            user_ids=[row.owner_id for row in rows], municipality_id=previous.municipality_id
        )
        for item in rows:
            items.append(
                {
                    "title": item.title,
                    "description": item.description,
                    "owner": person_label(item.owner),
                    "owner_role": roles.get(item.owner_id, ""),
                    "due_on": _date(item.due_on),
                    "status": item.status,
                    "status_label": str(item.get_status_display()),
                    "note": item.status_note,
                }
            )
        published = Question.objects.filter(
            report_year=previous, report__state=ReportState.PUBLISHED
        ).select_related("asked_by", "answered_by")
        for question in published.order_by("asked_at", "pk"):
            questions.append(
                {
                    "text": question.text,
                    "asked_by": person_label(question.asked_by),
                    "asked_on": _date(timezone.localdate(question.asked_at)),
                    "answer": question.answer,
                    "answered_by": person_label(question.answered_by),
                    "answered_on": _date(timezone.localdate(question.answered_at))
                    if question.answered_at
                    else "",
                }
            )
    previous_label = SchoolYear(report.year - 1).label
    previous_treatment = (
        Treatment.objects.filter(report_year=previous).first() if previous is not None else None
    )
    return {
        "case_number": treatment.case_number if treatment else "",
        "previous_follow_up": {
            "year_label": previous_label,
            # How the council treated last year's report: the opening's first lines.
            "treatment": {
                "committee": previous_treatment.committee,
                "committee_meeting_on": _date(previous_treatment.committee_meeting_on),
                "council_meeting_on": _date(previous_treatment.council_meeting_on),
                "case_number": previous_treatment.case_number,
                "decision": previous_treatment.decision,
            }
            if previous_treatment is not None
            else None,
            "items": items,
        },
        "previous_questions": {"year_label": previous_label, "items": questions},
    }
