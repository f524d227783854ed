"""Small reads the home page shows for ``plans`` itself: the group self-assessments
waiting for the user's answer (an elected official invited to «Administrasjon og
politikk» has no self-assessment menu, so the home page is where they find it)."""

from __future__ import annotations

from plans.models import SelfAssessment


def assessment_sessions_panel(user) -> dict | None:
    """The home page's «Egenvurderinger som venter på ditt svar», for those who have any."""
    if not user.is_authenticated:
        return None
    sessions = list(
        SelfAssessment.objects.open_sessions_for(user)
        .select_related("unit", "tool")
        .order_by("-conducted_on", "-pk")[:5]
    )
    return {"sessions": sessions} if sessions else None
