"""Reads for the BTI pages, all starting from ``visible_to``."""

from __future__ import annotations

from btitracker.models import Concern, ConcernCase, Handover
from plans.access import access_for
from plans.models import Role


def overview_for(user) -> dict:
    """The user's own BTI work: nothing here is a browse of a unit or a municipality."""
    concerns = Concern.objects.visible_to(user).select_related("unit", "band", "author")
    return {
        "my_concerns": list(concerns.filter(author=user)[:50]),
        "to_decide": list(
            Concern.objects.decidable_by(user)
            .pending()
            .with_overdue()
            .select_related("unit", "band", "author")
            .order_by("decision_due")
        ),
        "cases": list(
            ConcernCase.objects.visible_to(user)
            .select_related("holder", "holder_unit", "child")
            .order_by("-opened_at")[:100]
        ),
        "handovers_to_me": list(
            Handover.objects.awaiting(user).select_related("from_unit", "from_holder", "to_unit")
        ),
    }


def home_panel(user) -> dict | None:
    """Home page: pending and overdue level-0 decisions for a unit leader; offers of
    handovers for anyone. Counts and links only."""
    roles = access_for(user).roles()
    if not roles & {Role.UNIT_LEADER, Role.STAFF}:
        return None
    pending = Concern.objects.decidable_by(user).pending()
    return {
        "bti_pending": pending.count(),
        "bti_overdue": pending.overdue().count(),
        "bti_handovers": Handover.objects.awaiting(user).count(),
    }
