"""Who is reminded of what this week: the reads behind the weekly reminder digest
(``plans.services.reminders`` sends it)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from plans.models import (
    AgreedPoint,
    Measure,
    Membership,
    QualityPlan,
    Role,
    UnitPlan,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear

if TYPE_CHECKING:
    from django.contrib.auth.models import User


NOT_SUBMITTED = (UnitPlanStatus.DRAFT, UnitPlanStatus.RETURNED)


@dataclass
class Digest:
    """What one person is reminded of this week."""

    user: User
    overdue: list[dict] = field(default_factory=list)
    unsubmitted: list[dict] = field(default_factory=list)
    to_evaluate: list[dict] = field(default_factory=list)
    # Points agreed in a leader dialogue that the person owns, open past their due date.
    overdue_points: list[dict] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.unsubmitted or self.to_evaluate or self.overdue_points)


def iso_week(*, day: datetime.date) -> str:
    """2026-11-23 → "2026-W48" (the ISO year, which differs from the calendar year in the
    first and last days of some years)."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def portal_url(*, path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _recipients():
    return get_user_model().objects.filter(is_active=True).exclude(email="")


def reminder_digests_collect(*, today: datetime.date) -> list[Digest]:
    """Everyone with something to be reminded of, in a fixed order (by user id)."""
    recipients = _recipients()
    digests: dict[int, Digest] = {}

    def digest_for(user: User) -> Digest:
        if user.pk not in digests:
            digests[user.pk] = Digest(user=user)
        return digests[user.pk]

    # (a) Overdue measures of the person, in plans still being carried out.
    overdue = (
        Measure.objects.overdue(today)
        .filter(
            responsible__in=recipients,
            plan__unit__active=True,
            plan__status__in=(
                UnitPlanStatus.DRAFT,
                UnitPlanStatus.RETURNED,
                UnitPlanStatus.SUBMITTED,
                UnitPlanStatus.APPROVED,
            ),
        )
        .select_related("responsible", "plan__unit")
        .order_by("responsible_id", "end", "pk")
    )
    for measure in overdue:
        if measure.responsible is None:  # excluded by the filter; the type does not know
            continue
        digest_for(measure.responsible).overdue.append(
            {
                "description": measure.description,
                "unit": measure.plan.unit.name,
                "school_year": measure.plan.school_year_label,
                "end": measure.end,
                "url": portal_url(path=reverse("plans:unit-plan-detail", args=[measure.plan_id])),
            }
        )

    # (d) Overdue agreed points the person owns. The mail names the point (its owner
    # reads it) and links to where they mark it; never the dialogue's notes.
    overdue_points = (
        AgreedPoint.objects.overdue(today)
        .filter(owner__in=recipients, dialogue__unit__active=True)
        .select_related("owner", "dialogue__unit")
        .order_by("owner_id", "due_on", "pk")
    )
    for point in overdue_points:
        digest_for(point.owner).overdue_points.append(
            {
                "text": point.text,
                "unit": point.dialogue.unit.name,
                "due_on": point.due_on,
                "url": portal_url(path=reverse("plans:dialogue-point-update", args=[point.pk])),
            }
        )

    # (b) and (c): unit leaders, for the units they lead.
    school_year = SchoolYear.current(today).start_year
    leaderships = list(
        Membership.objects.in_force()
        .filter(role=Role.UNIT_LEADER, user__in=recipients, unit__active=True)
        .select_related("user", "unit")
        .order_by("user_id", "unit__name")
    )
    unit_ids = {membership.unit_id for membership in leaderships if membership.unit_id}
    with_plan_in_force = set(
        QualityPlan.objects.adopted().values_list("municipality_id", flat=True).distinct()
    )
    plans_by_unit: dict[int, list[UnitPlan]] = defaultdict(list)
    for plan in UnitPlan.objects.filter(unit_id__in=unit_ids).filter(
        Q(school_year=school_year) | Q(school_year__lt=school_year, status=UnitPlanStatus.APPROVED)
    ):
        plans_by_unit[plan.unit_id].append(plan)
    for membership in leaderships:
        unit = membership.unit
        if unit is None:  # unit leaders always have a unit; the type does not know that
            continue
        plans = plans_by_unit.get(unit.pk, [])
        this_year = next((plan for plan in plans if plan.school_year == school_year), None)
        if this_year is None and unit.municipality_id in with_plan_in_force:
            digest_for(membership.user).unsubmitted.append(
                {
                    "unit": unit.name,
                    "school_year": SchoolYear(school_year).label,
                    "state": _("ikke startet"),
                    "url": portal_url(path=reverse("plans:unit-plan-create", args=[unit.pk])),
                }
            )
        elif this_year is not None and this_year.status in NOT_SUBMITTED:
            digest_for(membership.user).unsubmitted.append(
                {
                    "unit": unit.name,
                    "school_year": this_year.school_year_label,
                    "state": this_year.get_status_display().lower(),
                    "comment": this_year.review_comment
                    if this_year.status == UnitPlanStatus.RETURNED
                    else "",
                    "url": portal_url(path=reverse("plans:unit-plan-detail", args=[this_year.pk])),
                }
            )
        for plan in sorted(plans, key=lambda plan: plan.school_year):
            if plan.school_year < school_year and plan.status == UnitPlanStatus.APPROVED:
                digest_for(membership.user).to_evaluate.append(
                    {
                        "unit": unit.name,
                        "school_year": plan.school_year_label,
                        "url": portal_url(path=reverse("plans:unit-plan-detail", args=[plan.pk])),
                    }
                )
    return [digests[pk] for pk in sorted(digests) if not digests[pk].is_empty]
