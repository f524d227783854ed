"""Reads of one concern case: everything its printout shows."""

from __future__ import annotations

from django.utils import timezone

from btitracker.models import ConcernCase


def case_printout_context(*, case: ConcernCase) -> dict:
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
        "meetings": list(case.meetings.all()),
        "handovers": list(
            case.handovers.select_related("from_holder", "to_holder", "from_unit", "to_unit")
        ),
        "printed_at": timezone.now(),
    }
