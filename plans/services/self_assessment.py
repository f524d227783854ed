"""Quality tools and self-assessments.

A quality tool belongs to a quality plan and a service field; its statements describe very
good practice for the plan's areas and core components. Changes to a tool are part of the
plan's record and go into the plan's history. A unit assesses itself against the tool for
its service field in the plan in force, as often as it likes: each assessment starts as a
draft with one empty answer per statement and, once completed, is kept as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans.models import (
    UNFINISHED_STATES,
    AssessmentAnswer,
    AssessmentStatus,
    QualityPlan,
    QualityTool,
    Score,
    ScoreTally,
    SelfAssessment,
    ServiceField,
    ToolStatement,
    Unit,
)
from plans.services.common import model_update
from plans.services.history import PlanLocked, field_changes_diff, fields_snapshot, record_change
from plans.text_limits import check_text_lengths

STATEMENT_FIELDS = ("area", "component", "order", "text")


def _statement_subject(tool: QualityTool, statement: ToolStatement) -> str:
    return _("Påstand i %(tool)s «%(text)s»") % {"tool": tool.title, "text": statement.text[:80]}


@transaction.atomic
def quality_tool_create(
    *,
    quality_plan: QualityPlan,
    service_field: str,
    actor,
    title: str = "",
    introduction: str = "",
) -> QualityTool:
    """A new, empty tool for a service field of the plan. One tool per field and plan."""
    if service_field not in ServiceField.values:
        raise ValidationError({"service_field": _("Ukjent tjenesteområde.")})
    label = ServiceField(service_field).label
    if QualityTool.objects.filter(quality_plan=quality_plan, service_field=service_field).exists():
        raise ValidationError(
            {
                "service_field": _("Planen har allerede et kvalitetsverktøy for %(field)s.")
                % {"field": str(label).lower()}
            }
        )
    tool = QualityTool(
        municipality_id=quality_plan.municipality_id,
        quality_plan=quality_plan,
        service_field=service_field,
        title=title.strip() or _("Kvalitetsverktøy for %(field)s") % {"field": str(label).lower()},
        introduction=introduction,
    )
    tool.full_clean()
    tool.save()
    record_change(
        plan=quality_plan,
        actor=actor,
        action="added",
        subject=_("Kvalitetsverktøy «%(title)s»") % {"title": tool.title},
    )
    return tool


@transaction.atomic
def quality_tool_update(*, tool: QualityTool, data: Mapping[str, Any], actor) -> QualityTool:
    """Change a tool's title and introduction."""
    refused = sorted(set(data) - {"title", "introduction"})
    if refused:
        raise ValidationError(_("Disse feltene kan ikke endres: %s.") % ", ".join(refused))
    tool = QualityTool.objects.select_for_update().get(pk=tool.pk)
    before = fields_snapshot(instance=tool, fields=data.keys())
    tool, _updated = model_update(instance=tool, fields=("title", "introduction"), data=data)
    changes = field_changes_diff(
        model=QualityTool, before=before, after=fields_snapshot(instance=tool, fields=data.keys())
    )
    if changes:
        record_change(
            plan=tool.quality_plan,
            actor=actor,
            action="changed",
            subject=_("Kvalitetsverktøy «%(title)s»") % {"title": tool.title},
            fields=changes,
        )
    return tool


def _check_statement_references(tool: QualityTool, data: Mapping[str, Any]) -> None:
    """Areas and components come from the tool's own plan, and a component from its area."""
    errors: dict[str, str] = {}
    area = data.get("area")
    component = data.get("component")
    if area is not None and area.plan_id != tool.quality_plan_id:
        errors["area"] = _("Utviklingsområdet hører ikke til kvalitetsplanen.")
    if component is not None:
        if component.area.plan_id != tool.quality_plan_id:
            errors["component"] = _("Kjernekomponenten hører ikke til kvalitetsplanen.")
        elif area is not None and component.area_id != area.pk:
            errors["component"] = _("Kjernekomponenten hører til et annet utviklingsområde.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def tool_statement_save(
    *,
    tool: QualityTool,
    data: Mapping[str, Any],
    actor,
    instance: ToolStatement | None = None,
) -> ToolStatement:
    """Add (``instance`` None) or change a statement of very good practice."""
    refused = sorted(set(data) - set(STATEMENT_FIELDS))
    if refused:
        raise ValidationError(_("Disse feltene kan ikke endres: %s.") % ", ".join(refused))
    data = dict(data)
    if data.get("area") is None and data.get("component") is not None:
        data["area"] = data["component"].area
    _check_statement_references(tool, data)
    if instance is None:
        statement = ToolStatement(tool=tool, **data)
        statement.full_clean()
        statement.save()
        record_change(
            plan=tool.quality_plan,
            actor=actor,
            action="added",
            subject=_statement_subject(tool, statement),
            fields=field_changes_diff(
                model=ToolStatement,
                before={},
                after=fields_snapshot(instance=statement, fields=data.keys()),
            ),
        )
        return statement
    if instance.tool_id != tool.pk:
        raise ValidationError(_("Påstanden hører ikke til dette kvalitetsverktøyet."))
    statement = ToolStatement.objects.select_for_update().get(pk=instance.pk)
    before = fields_snapshot(instance=statement, fields=data.keys())
    statement, _updated = model_update(instance=statement, fields=STATEMENT_FIELDS, data=data)
    changes = field_changes_diff(
        model=ToolStatement,
        before=before,
        after=fields_snapshot(instance=statement, fields=data.keys()),
    )
    if changes:
        record_change(
            plan=tool.quality_plan,
            actor=actor,
            action="changed",
            subject=_statement_subject(tool, statement),
            fields=changes,
        )
    return statement


@transaction.atomic
def tool_statement_delete(*, statement: ToolStatement, actor) -> None:
    """Remove a statement no unit has answered yet; answered ones are part of the units'
    assessments and stay."""
    statement = (
        ToolStatement.objects.select_for_update().select_related("tool").get(pk=statement.pk)
    )
    answers = AssessmentAnswer.objects.filter(statement=statement)
    tallies = ScoreTally.objects.filter(statement=statement)
    # An untouched answer in a draft is only a placeholder; anything answered is the
    # unit's record and keeps the statement — and so does a group participant's score.
    used = (
        SelfAssessment.objects.filter(
            Q(
                pk__in=answers.filter(
                    Q(assessment__status=AssessmentStatus.COMPLETED)
                    | Q(score__isnull=False)
                    | ~Q(reflection="")
                ).values("assessment")
            )
            | Q(pk__in=tallies.filter(count__gt=0).values("assessment"))
        )
        .distinct()
        .count()
    )
    if used:
        raise ValidationError(
            ngettext(
                "Påstanden er besvart i %(count)s egenvurdering og kan ikke slettes.",
                "Påstanden er besvart i %(count)s egenvurderinger og kan ikke slettes.",
                used,
            )
            % {"count": used}
        )
    answers.delete()
    tallies.delete()
    tool = statement.tool
    # Keep what was removed in the history, field by field.
    fields = field_changes_diff(
        model=ToolStatement,
        before=fields_snapshot(instance=statement, fields=STATEMENT_FIELDS),
        after=dict.fromkeys(STATEMENT_FIELDS, ""),
    )
    subject = _statement_subject(tool, statement)
    statement.delete()
    record_change(
        plan=tool.quality_plan, actor=actor, action="deleted", subject=subject, fields=fields
    )


def _tool_for_unit(unit: Unit) -> QualityTool | None:
    """The tool a unit assesses itself against: its service field's, in the plan in force."""
    plan = QualityPlan.objects.filter(municipality_id=unit.municipality_id).in_force()
    if plan is None:
        return None
    return QualityTool.objects.filter(
        quality_plan=plan, service_field=ServiceField.for_unit_kind(unit.kind)
    ).first()


@transaction.atomic
def self_assessment_start(
    *,
    unit: Unit,
    actor,
    conducted_on: datetime.date | None = None,
    participants: str = "",
) -> SelfAssessment:
    """A new draft assessment of the unit against its tool, with one empty answer per
    statement. A unit has at most one draft at a time; completed ones accumulate."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    tool = _tool_for_unit(unit)
    field_label = ServiceField(ServiceField.for_unit_kind(unit.kind)).label
    if tool is None:
        raise ValidationError(
            _("Det finnes ikke noe kvalitetsverktøy for %(field)s i kvalitetsplanen som gjelder.")
            % {"field": str(field_label).lower()},
            code="no_tool",
        )
    statements = list(tool.statements.all())
    if not statements:
        raise ValidationError(
            _("Kvalitetsverktøyet «%(tool)s» har ingen påstander ennå.") % {"tool": tool.title},
            code="no_statements",
        )
    if SelfAssessment.objects.filter(unit=unit, status__in=UNFINISHED_STATES).exists():
        raise ValidationError(
            _("%(unit)s har allerede en egenvurdering som pågår.") % {"unit": unit.name},
            code="draft_exists",
        )
    assessment = SelfAssessment(
        municipality_id=unit.municipality_id,
        unit=unit,
        tool=tool,
        conducted_on=conducted_on or timezone.localdate(),
        participants=participants,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    assessment.full_clean()
    assessment.save()
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(assessment=assessment, statement=statement) for statement in statements
    )
    return assessment


def _apply_answers(assessment: SelfAssessment, answers: Mapping[int, Mapping[str, Any]]) -> int:
    """Write the typed scores and reflections; returns how many answers still lack a score."""
    current = {answer.pk: answer for answer in assessment.answers.all()}
    unknown = sorted(set(answers) - set(current))
    if unknown:
        raise ValidationError(_("Svarene hører ikke til denne egenvurderingen."))
    changed = []
    for pk, values in answers.items():
        answer = current[pk]
        score = values.get("score")
        if score in ("", None):
            score = None
        else:
            score = int(score)
            if score not in Score.values:
                raise ValidationError(_("Vurderingen må være fra 1 til 4."))
        answer.score = score
        answer.reflection = str(values.get("reflection") or "")
        check_text_lengths(AssessmentAnswer, reflection=answer.reflection)
        changed.append(answer)
    AssessmentAnswer.objects.bulk_update(changed, ["score", "reflection"])
    return sum(1 for answer in current.values() if answer.score is None)


def self_assessment_save(
    *,
    assessment: SelfAssessment,
    answers: Mapping[int, Mapping[str, Any]],
    actor,
    complete: bool,
    conducted_on: datetime.date | None = None,
    participants: str | None = None,
) -> SelfAssessment:
    """Save the answers (``{answer pk: {"score": 1–4 or None, "reflection": text}}``) and
    keep the draft, or with ``complete`` also complete it.

    Completing needs a score for every statement. When some are missing the answers are
    still saved — nothing the unit typed is lost — and then the ValidationError says how
    many are missing; the assessment stays a draft. A completed assessment is read-only
    (PlanLocked)."""
    with transaction.atomic():
        assessment = (
            # Lock the assessment row only: its unit is an outer join now that a group
            # spanning the municipality has none, and PostgreSQL locks no outer side.
            SelfAssessment.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=assessment.pk)
        )
        if assessment.status == AssessmentStatus.COMPLETED:
            raise PlanLocked(_("Egenvurderingen er fullført og kan ikke endres."))
        if assessment.status == AssessmentStatus.COLLECTING:
            # The joint conclusion is written after the participants' answers are in.
            raise ValidationError(
                _(
                    "Deltakerne svarer fortsatt. Avslutt svarinnsamlingen før dere skriver "
                    "konklusjonen."
                ),
                code="collecting",
            )
        if conducted_on is not None:
            assessment.conducted_on = conducted_on
        if participants is not None:
            assessment.participants = participants
        missing = _apply_answers(assessment, answers)
        if complete and not missing:
            assessment.status = AssessmentStatus.COMPLETED
        assessment.full_clean()
        assessment.save()
    if complete and missing:
        raise ValidationError(
            ngettext(
                "Egenvurderingen kan ikke fullføres: %(count)s påstand mangler vurdering. "
                "Svarene er lagret.",
                "Egenvurderingen kan ikke fullføres: %(count)s påstander mangler vurdering. "
                "Svarene er lagret.",
                missing,
            )
            % {"count": missing},
            code="incomplete",
        )
    return assessment
