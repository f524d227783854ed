"""Reads for the unit development plans: which fields the unit may change in the plan's
state, and what keeps a plan from its next step, in the unit leader's words. The forms and
pages use them and the services refuse with the same answers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _

from plans.models import (
    EDITABLE_STATES,
    Measure,
    MeasureStatus,
    ParticipationProcess,
    UnitGoal,
    UnitPlan,
    UnitPlanStatus,
)
from plans.selectors.owners import unit_plan_missing_owner

# The fields the unit may change while the plan is open, and those it may still
# follow up after approval.
PLAN_FIELDS = ("summary", "owner", "areas", "components")
GOAL_FIELDS = ("area", "text", "attainment", "evaluation")
GOAL_FOLLOW_UP_FIELDS = ("attainment", "evaluation")
MEASURE_FIELDS = (
    "description",
    "component",
    "responsible",
    "start",
    "end",
    "status",
    "target_groups",
    "evaluation",
    "motivated_by_inputs",
    "motivated_by_journeys",
)
MEASURE_FOLLOW_UP_FIELDS = ("status", "end", "evaluation")
PARTICIPATION_FIELDS = ("phase", "participants", "method", "outcome", "held_on")


def unit_plan_submission_problems(*, plan: UnitPlan) -> list[str]:
    """What keeps the plan from being submitted, in the unit leader's words."""
    problems = []
    if not plan.areas.exists():
        problems.append(_("Velg minst ett utviklingsområde."))
    if not plan.goals.exists():
        problems.append(_("Skriv minst ett lokalt mål."))
    if not plan.measures.exists():
        problems.append(_("Legg til minst ett tiltak."))
    # Refused already at submission, not only at approval: the unit knows who will follow
    # the plan up, and a plan sent back for want of a name costs a round trip.
    problems += unit_plan_missing_owner(plan=plan)
    return problems


def unit_plan_approval_problems(*, plan: UnitPlan) -> list[str]:
    """What keeps the sector leader from approving: the owner, who may have lost the role
    or the account since the plan was submitted."""
    return unit_plan_missing_owner(plan=plan)


def unit_plan_evaluation_problems(*, plan: UnitPlan) -> list[str]:
    problems = []
    missing = plan.goals.filter(attainment="").count()
    if missing:
        problems.append(
            _("Vurder måloppnåelsen for alle mål (%(count)s mangler).") % {"count": missing}
        )
    open_measures = plan.measures.filter(
        status__in=(MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)
    ).count()
    if open_measures:
        problems.append(
            _(
                "Sett sluttstatus på alle tiltak – fullført, utsatt eller avlyst "
                "(%(count)s står som planlagt eller pågår)."
            )
            % {"count": open_measures}
        )
    return problems


def unit_plan_editable_fields(*, plan: UnitPlan, model: type[models.Model]) -> tuple[str, ...]:
    """The fields of ``model`` the unit may change in the plan's current state."""
    if plan.status in EDITABLE_STATES:
        return {
            UnitPlan: PLAN_FIELDS,
            UnitGoal: GOAL_FIELDS,
            Measure: MEASURE_FIELDS,
            ParticipationProcess: PARTICIPATION_FIELDS,
        }[model]
    if plan.status == UnitPlanStatus.APPROVED:
        return {
            UnitPlan: (),
            UnitGoal: GOAL_FOLLOW_UP_FIELDS,
            Measure: MEASURE_FOLLOW_UP_FIELDS,
            ParticipationProcess: PARTICIPATION_FIELDS,
        }[model]
    return ()
