"""Reads for the unit development plans: what keeps a plan from its next step, in the
unit leader's words. The page shows them and the service refuses with the same list."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans.models import MeasureStatus, UnitPlan


def unit_plan_submission_problems(*, plan: UnitPlan) -> list[str]:
    """What keeps the plan from being submitted, in the unit leader's words."""
    problems = []
    if not plan.areas.exists():
        problems.append(_("Velg minst ett utviklingsområde."))
    if not plan.goals.exists():
        problems.append(_("Skriv minst ett lokalt mål."))
    if not plan.measures.exists():
        problems.append(_("Legg til minst ett tiltak."))
    return problems


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
