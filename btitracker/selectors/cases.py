"""Reads of one concern case: everything its printout shows."""

from __future__ import annotations

from django.utils import timezone

from btitracker.models import CaseDecision, ConcernCase


def case_printout_context(*, case: ConcernCase, closing: CaseDecision | None = None) -> dict:
    """``closing``: the closing decision being made, printed before it is saved."""
    decisions = list(case.decisions.select_related("decided_by"))
    if closing is not None and closing.pk is None:
        decisions.append(closing)
    return {
        "case": case,
        "child": case.child,
        "guardians": list(case.child.guardians.all()),
        "team": list(case.team.select_related("user", "unit")),
        "consents": list(case.consents.prefetch_related("services")),
        "goals": list(case.goals.all()),
        "actions": list(
            case.actions.select_related("responsible__user").prefetch_related("evaluations")
        ),
        "entries": list(case.entries.select_related("author")),
        "meetings": list(
            case.meetings.prefetch_related("participants__user", "participants__unit")
        ),
        "decisions": decisions,
        "handovers": list(
            case.handovers.select_related("from_holder", "to_holder", "from_unit", "to_unit")
        ),
        "printed_at": timezone.now(),
    }
