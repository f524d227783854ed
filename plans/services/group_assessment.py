"""Self-assessment as a group session.

A facilitator (a unit leader for the unit's staff, a sector leader for the sector's leaders
or for the administration with the elected officials) starts a session with invited
participants. Each participant scores every statement once, on their own. The scores are
kept only as counts per statement and score (``ScoreTally``), with no link to the person,
no time and no row per answer; that someone has answered is kept apart, on their
invitation (``SessionParticipant.has_answered``), so no one answers twice and the
facilitator sees how many have answered, never who gave which score.

When the facilitator closes the session the group meets, reads the distributions (through
``plans.disclosure``: suppressed below the threshold) and agrees on a score and a
reflection per statement. Those are the assessment's ordinary answers, written and
completed through ``self_assessment_save``, so a completed group assessment feeds the same
trends, overviews and reports as a unit's own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    MUNICIPALITY_GROUPS,
    SESSION_GROUPS,
    UNFINISHED_STATES,
    AssessmentAnswer,
    AssessmentGroup,
    AssessmentStatus,
    Municipality,
    QualityPlan,
    QualityTool,
    Score,
    ScoreTally,
    SelfAssessment,
    ServiceField,
    SessionParticipant,
    Unit,
)
from plans.selectors.assessment import session_candidates
from plans.services.history import record_change
from plans.services.self_assessment import _tool_for_unit

#: A group of one is no group: its "anonymous" scores would be the one person's.
MIN_PARTICIPANTS = 2


def _session_tool(
    *, group: str, municipality: Municipality, unit: Unit | None, service_field: str | None
) -> QualityTool:
    """The tool a session uses: the unit's for its staff, «Administrasjon og politikk» for
    the administration with the elected officials, the chosen field's for the leaders."""
    if group == AssessmentGroup.UNIT_STAFF:
        assert unit is not None
        tool = _tool_for_unit(unit)
        field: str = ServiceField.for_unit_kind(unit.kind)
    else:
        field = (
            ServiceField.ADMINISTRATION
            if group == AssessmentGroup.ADMINISTRATION
            else (service_field or "")
        )
        if field not in ServiceField.values:
            raise ValidationError(
                {"service_field": _("Velg hvilket kvalitetsverktøy dere bruker.")}
            )
        plan = QualityPlan.objects.filter(municipality=municipality).in_force()
        tool = (
            QualityTool.objects.filter(quality_plan=plan, service_field=field).first()
            if plan is not None
            else None
        )
    if tool is None:
        raise ValidationError(
            _("Det finnes ikke noe kvalitetsverktøy for %(field)s i kvalitetsplanen som gjelder.")
            % {"field": str(ServiceField(field).label).lower()},
            code="no_tool",
        )
    return tool


@transaction.atomic
def group_assessment_start(
    *,
    group: str,
    municipality: Municipality,
    actor,
    participant_ids: Iterable[int],
    unit: Unit | None = None,
    service_field: str | None = None,
    conducted_on: datetime.date | None = None,
) -> SelfAssessment:
    """Start a group session collecting answers from the invited participants.

    ``participant_ids`` must all fit the group (``session_candidates``): a forged id — a
    user of another municipality, another unit or the wrong role — refuses the whole
    session. The session holds one empty conclusion answer and four zero counts per
    statement. A unit, or a municipality-wide group with its tool, has at most one
    unfinished assessment at a time."""
    if group not in SESSION_GROUPS:
        raise ValidationError({"group": _("Ukjent gruppe.")})
    if group in MUNICIPALITY_GROUPS:
        unit = None
    elif unit is None:
        raise ValidationError({"unit": _("Velg enheten egenvurderingen gjelder.")})
    else:
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        if unit.municipality_id != municipality.pk:
            raise ValidationError({"unit": _("Enheten hører til en annen kommune.")})
    # Serialise starts within the municipality, so two facilitators cannot both pass the
    # one-unfinished check below.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    tool = _session_tool(
        group=group, municipality=municipality, unit=unit, service_field=service_field
    )
    statements = list(tool.statements.all())
    if not statements:
        raise ValidationError(
            _("Kvalitetsverktøyet «%(tool)s» har ingen påstander ennå.") % {"tool": tool.title},
            code="no_statements",
        )
    unfinished = SelfAssessment.objects.filter(
        municipality=municipality, status__in=UNFINISHED_STATES
    )
    unfinished = (
        unfinished.filter(unit=unit)
        if unit is not None
        else unfinished.filter(group=group, unit__isnull=True, tool=tool)
    )
    if unfinished.exists():
        raise ValidationError(
            _("%(who)s har allerede en egenvurdering som pågår.")
            % {"who": unit.name if unit else AssessmentGroup(group).label},
            code="draft_exists",
        )
    wanted = {int(pk) for pk in participant_ids}
    allowed = set(
        session_candidates(
            group=group, municipality_id=municipality.pk, unit_id=unit.pk if unit else None
        )
        .filter(pk__in=wanted)
        .values_list("pk", flat=True)
    )
    if wanted - allowed:
        raise ValidationError(
            {"participants": _("Noen av de valgte deltakerne kan ikke delta i denne gruppen.")}
        )
    if len(wanted) < MIN_PARTICIPANTS:
        raise ValidationError(
            {"participants": _("Velg minst %(count)s deltakere.") % {"count": MIN_PARTICIPANTS}}
        )
    assessment = SelfAssessment(
        municipality=municipality,
        unit=unit,
        group=group,
        tool=tool,
        status=AssessmentStatus.COLLECTING,
        conducted_on=conducted_on or timezone.localdate(),
        participants=str(AssessmentGroup(group).label),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    assessment.full_clean()
    assessment.save()
    # Sorted by id, not by the order picked: the rows say nothing about who came first.
    SessionParticipant.objects.bulk_create(
        SessionParticipant(assessment=assessment, user_id=pk) for pk in sorted(wanted)
    )
    ScoreTally.objects.bulk_create(
        ScoreTally(assessment=assessment, statement=statement, score=score)
        for statement in statements
        for score in Score.values
    )
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, statement=statement) for statement in statements
    )
    record_change(
        plan=tool.quality_plan,
        actor=actor,
        action="added",
        subject=_("Gruppeegenvurdering (%(group)s) med %(tool)s, %(count)s deltakere")
        % {"group": assessment.subject_label, "tool": tool.title, "count": len(wanted)},
    )
    return assessment


@transaction.atomic
def group_assessment_answer(
    *, assessment: SelfAssessment, user, scores: Mapping[int, int | str]
) -> None:
    """Add one participant's scores (``{statement id: 1–4}``, every statement) to the
    session's counts and mark that they have answered — in one transaction, so an answer
    is counted exactly once or not at all. Nothing ties the counts to ``user``."""
    participant = (
        # Only the invitation row is locked, and no ordering: the default one would join
        # the assessment's unit, an outer join PostgreSQL cannot lock.
        SessionParticipant.objects.select_for_update(of=("self",))
        .select_related("assessment")
        .filter(assessment_id=assessment.pk, user_id=getattr(user, "pk", 0) or 0)
        .order_by("pk")
        .first()
    )
    if participant is None:
        raise ValidationError(
            _("Du er ikke invitert til denne egenvurderingen."), code="not_invited"
        )
    if participant.assessment.status != AssessmentStatus.COLLECTING:
        raise ValidationError(
            _("Svarinnsamlingen er avsluttet, så svaret kan ikke legges inn."), code="closed"
        )
    if participant.has_answered:
        raise ValidationError(_("Du har allerede svart på denne egenvurderingen."), code="answered")
    statement_ids = set(
        ScoreTally.objects.filter(assessment_id=assessment.pk).values_list(
            "statement_id", flat=True
        )
    )
    given = {}
    for key, value in scores.items():
        try:
            statement_id, score = int(key), int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Vurderingen må være fra 1 til 4.")) from None
        if score not in Score.values:
            raise ValidationError(_("Vurderingen må være fra 1 til 4."))
        given[statement_id] = score
    if set(given) - statement_ids:
        raise ValidationError(_("Svarene hører ikke til denne egenvurderingen."))
    missing = len(statement_ids - set(given))
    if missing:
        raise ValidationError(
            _("Gi en vurdering for hver påstand (%(count)s mangler).") % {"count": missing},
            code="incomplete",
        )
    # One UPDATE for every chosen (statement, score): a count goes up in place.
    ScoreTally.objects.filter(
        reduce(or_, (Q(statement_id=pk, score=score) for pk, score in given.items())),
        assessment_id=assessment.pk,
    ).update(count=F("count") + 1)
    participant.has_answered = True
    participant.save(update_fields=["has_answered"])


@transaction.atomic
def group_assessment_close(*, assessment: SelfAssessment, actor) -> SelfAssessment:
    """Stop collecting answers: the session becomes a draft where the facilitator records
    the joint conclusion, and the distributions can be shown."""
    assessment = (
        SelfAssessment.objects.select_for_update(of=("self",))
        .select_related("tool")
        .get(pk=assessment.pk)
    )
    if assessment.status != AssessmentStatus.COLLECTING:
        raise ValidationError(_("Svarinnsamlingen er allerede avsluttet."), code="closed")
    answered = assessment.session_participants.filter(has_answered=True).count()
    assessment.status = AssessmentStatus.DRAFT
    assessment.save(update_fields=["status"])
    record_change(
        plan=assessment.tool.quality_plan,
        actor=actor,
        action="changed",
        subject=_("Gruppeegenvurdering (%(group)s): svarinnsamlingen avsluttet med %(count)s svar")
        % {"group": assessment.subject_label, "count": answered},
    )
    return assessment
