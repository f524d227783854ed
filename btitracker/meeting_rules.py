"""The one rule every BTI meeting ends by: at least one action with a responsible person
and a follow-up date. A log's meeting (``services.cases.meeting_record``) and a
consultation meeting's protocol (``services.consultations.consultation_protocol_record``)
both ask it, so the message and the numbering of the actions' errors are the same."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from django.utils.translation import gettext as _

Row = TypeVar("Row")


def meeting_actions_errors(actions: Sequence[Row], errors_for: Callable[[Row], dict]) -> list[str]:
    """The refusals for a meeting's ``actions`` (the rows the person filled in): none is
    one refusal; otherwise each action's own errors (``errors_for``), numbered."""
    if not actions:
        return [
            _(
                "Et møte må avsluttes med minst ett tiltak med ansvarlig person og "
                "dato for oppfølging."
            )
        ]
    return [
        _("Tiltak %(n)s: %(message)s") % {"n": number, "message": message}
        for number, data in enumerate(actions, start=1)
        for message in errors_for(data).values()
    ]
