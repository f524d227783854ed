"""Unit development plans: create (from last year's), edit under an optimistic lock,
submit, return or approve, follow up during the year, evaluate.

Which fields may change depends on the plan's state: everything while it is a draft or
returned; after approval only the follow-up (a measure's status, end date and evaluation,
a goal's attainment, participation in carrying out and evaluating); nothing once evaluated.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    EDITABLE_STATES,
    OPEN_MEASURE_STATES,
    CoreComponent,
    Measure,
    MeasureStatus,
    Membership,
    ParticipationProcess,
    QualityPlan,
    Unit,
    UnitGoal,
    UnitPlan,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear
from plans.selectors.owners import owner_candidates, owner_check
from plans.selectors.trace import uncitable
from plans.selectors.unit_plans import (
    GOAL_FIELDS,
    MEASURE_FIELDS,
    PARTICIPATION_FIELDS,
    unit_plan_approval_problems,
    unit_plan_editable_fields,
    unit_plan_evaluation_problems,
    unit_plan_submission_problems,
)
from plans.services.common import model_update
from plans.services.history import (
    EditConflict,
    PlanLocked,
    field_changes_diff,
    field_label_get,
    fields_snapshot,
    record_change,
    version_claim,
)
from plans.text_limits import check_text_lengths

PART_MODELS: dict[str, type[models.Model]] = {
    "goal": UnitGoal,
    "measure": Measure,
    "participation": ParticipationProcess,
}


def _subject(instance: models.Model) -> str:
    label = str(instance._meta.verbose_name)
    return f"{label[:1].upper()}{label[1:]} «{str(instance)[:120]}»"


def _check_references(
    plan: UnitPlan, data: Mapping[str, Any], *, actor, instance: models.Model | None = None
) -> None:
    """Defence in depth behind the forms' choices: areas and components come from the
    plan's own quality plan, the responsible person from the unit's municipality, and the
    input a measure cites from what the editor sees on the measure's area."""
    errors: dict[str, str] = {}
    _check_citations(plan, data, actor=actor, instance=instance, errors=errors)
    area = data.get("area")
    if area is not None and area.plan_id != plan.quality_plan_id:
        errors["area"] = _("Utviklingsområdet hører ikke til kvalitetsplanen.")
    component = data.get("component")
    if component is not None and component.area.plan_id != plan.quality_plan_id:
        errors["component"] = _("Kjernekomponenten hører ikke til kvalitetsplanen.")
    for area in data.get("areas") or ():
        if area.plan_id != plan.quality_plan_id:
            errors["areas"] = _("Utviklingsområdet hører ikke til kvalitetsplanen.")
    for component in data.get("components") or ():
        if component.area.plan_id != plan.quality_plan_id:
            errors["components"] = _("Kjernekomponenten hører ikke til kvalitetsplanen.")
    if "owner" in data:
        try:
            owner_check(
                owner=data["owner"],
                municipality_id=plan.unit.municipality_id,
                unit_id=plan.unit_id,
            )
        except ValidationError as error:
            errors.update({k: v[0] for k, v in error.message_dict.items()})
    responsible = data.get("responsible")
    if (
        responsible is not None
        and not Membership.objects.filter(
            user=responsible, municipality_id=plan.unit.municipality_id
        ).exists()
    ):
        errors["responsible"] = _("Den ansvarlige må være ansatt i kommunen.")
    if errors:
        raise ValidationError(errors)


def _check_citations(
    plan: UnitPlan,
    data: Mapping[str, Any],
    *,
    actor,
    instance: models.Model | None,
    errors: dict[str, str],
) -> None:
    """A measure cites only input and journeys of its own municipality that the editor
    may see and that speak to the measure's development area: a forged id (another
    municipality's input, input without consent for someone who may not see it) is
    refused without saying what it was."""
    inputs = data.get("motivated_by_inputs")
    journeys = data.get("motivated_by_journeys")
    if not inputs and not journeys:
        return
    component = data.get("component") or getattr(instance, "component", None)
    if component is None:
        errors["component"] = _("Velg en kjernekomponent før du knytter tiltaket til innspill.")
        return
    area = component.area
    refused = uncitable(
        actor,
        municipality_id=plan.unit.municipality_id,
        area_key=area.key,
        inputs=inputs or (),
        journeys=journeys or (),
    )
    if "inputs" in refused:
        errors["motivated_by_inputs"] = _(
            "Tiltaket kan bare begrunnes i innspill om utviklingsområdet «%(area)s» "
            "som du har tilgang til."
        ) % {"area": area.name}
    if "journeys" in refused:
        errors["motivated_by_journeys"] = _(
            "Tiltaket kan bare begrunnes i brukerreiser om utviklingsområdet «%(area)s» "
            "som du har tilgang til."
        ) % {"area": area.name}


def _locked_plan(plan: UnitPlan) -> UnitPlan:
    """Re-read the plan row under a lock so a state change and an edit cannot interleave."""
    return UnitPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)


def _require_fields(plan: UnitPlan, model: type[models.Model], data: Mapping[str, Any]) -> None:
    allowed = set(unit_plan_editable_fields(plan=plan, model=model))
    if not allowed:
        raise PlanLocked(
            _("Planen kan ikke endres når den er «%(status)s».")
            % {"status": plan.get_status_display()}
        )
    refused = [name for name in data if name not in allowed]
    if refused:
        labels = [field_label_get(model=model, name=name) for name in refused]
        raise PlanLocked(
            _("Disse feltene kan ikke endres når planen er «%(status)s»: %(fields)s.")
            % {"status": plan.get_status_display(), "fields": ", ".join(labels)}
        )


@transaction.atomic
def unit_plan_create(
    *, unit: Unit, school_year: int, actor, start_from_previous: bool = True
) -> UnitPlan:
    """A new plan for the unit and school year under the quality plan in force. With
    ``start_from_previous`` the previous year's areas, components, goals and unfinished
    measures are carried over (mapped into the plan in force by their stable keys)."""
    quality_plan = QualityPlan.objects.filter(municipality_id=unit.municipality_id).in_force()
    if quality_plan is None:
        raise PlanLocked(_("Kommunen har ingen vedtatt kvalitetsplan ennå."))
    if UnitPlan.objects.filter(unit=unit, school_year=school_year).exists():
        raise ValidationError(
            _("%(unit)s har allerede en plan for %(year)s.")
            % {"unit": unit.name, "year": SchoolYear(school_year).label}
        )
    previous = (
        UnitPlan.objects.filter(unit=unit, school_year=school_year - 1).first()
        if start_from_previous
        else None
    )
    plan = UnitPlan(
        unit=unit,
        quality_plan=quality_plan,
        school_year=school_year,
        summary=previous.summary if previous else "",
        based_on=previous,
        # Last year's owner follows the new plan up too, if they still may.
        owner=(
            owner_candidates(municipality_id=unit.municipality_id, unit_id=unit.pk)
            .filter(pk=previous.owner_id)
            .first()
            if previous is not None and previous.owner_id
            else None
        ),
    )
    plan.full_clean()
    plan.save()
    if previous is None:
        record_change(plan=plan, actor=actor, action="created", subject=_("Planen ble opprettet"))
        return plan
    areas = {area.key: area for area in quality_plan.areas.all()}
    components = {
        component.key: component
        for component in CoreComponent.objects.filter(area__plan=quality_plan)
    }
    plan.areas.set([areas[a.key] for a in previous.areas.all() if a.key in areas])
    plan.components.set(
        [components[c.key] for c in previous.components.all() if c.key in components]
    )
    for goal in previous.goals.select_related("area"):
        if goal.area is None:
            # The unit's own goals carry over as its own.
            UnitGoal.objects.create(plan=plan, area=None, text=goal.text, order=goal.order)
        elif goal.area.key in areas:
            UnitGoal.objects.create(
                plan=plan, area=areas[goal.area.key], text=goal.text, order=goal.order
            )
    carried = 0
    for measure in previous.measures.select_related("component").filter(
        status__in=OPEN_MEASURE_STATES
    ):
        if measure.component.key not in components:
            continue
        copy = Measure.objects.create(
            plan=plan,
            description=measure.description,
            component=components[measure.component.key],
            responsible=measure.responsible,
            start=_shift_year(measure.start),
            end=_shift_year(measure.end),
            status=MeasureStatus.PLANNED,
            target_groups=measure.target_groups,
        )
        # The measure still answers what it answered: its cited input comes along.
        copy.motivated_by_inputs.set(measure.motivated_by_inputs.all())
        copy.motivated_by_journeys.set(measure.motivated_by_journeys.all())
        carried += 1
    record_change(
        plan=plan,
        actor=actor,
        action="created",
        subject=_("Planen ble opprettet fra %(year)s (%(count)s uferdige tiltak videreført)")
        % {"year": previous.school_year_label, "count": carried},
    )
    return plan


def _shift_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def unit_plan_update(
    *, plan: UnitPlan, data: Mapping[str, Any], expected_version: int | None, actor
) -> UnitPlan:
    """Change the plan's introduction, areas and components."""
    plan = _locked_plan(plan)
    _require_fields(plan, UnitPlan, data)
    _check_references(plan, data, actor=actor)
    before = fields_snapshot(instance=plan, fields=data.keys())
    version_claim(instance=plan, expected_version=expected_version, attempted=data)
    plan, _updated = model_update(instance=plan, fields=data.keys(), data=data)
    changes = field_changes_diff(
        model=UnitPlan, before=before, after=fields_snapshot(instance=plan, fields=data.keys())
    )
    if changes:
        record_change(plan=plan, actor=actor, action="changed", subject=_("Planen"), fields=changes)
    return plan


@transaction.atomic
def unit_plan_part_save(
    *,
    plan: UnitPlan,
    model: type[models.Model],
    data: Mapping[str, Any],
    actor,
    instance: models.Model | None = None,
    expected_version: int | None = None,
) -> models.Model:
    """Create (``instance`` None) or change a goal, measure or participation process."""
    plan = _locked_plan(plan)
    if instance is None and model in (UnitGoal, Measure) and plan.status not in EDITABLE_STATES:
        raise PlanLocked(_("Nye mål og tiltak legges til før planen sendes inn."))
    _require_fields(plan, model, data)
    _check_references(plan, data, actor=actor, instance=instance)
    if instance is None:
        fields = {name: value for name, value in data.items() if name not in _RELATIONS}
        instance = model(plan=plan, **fields)
        instance.full_clean()
        instance.save()
        for name in _RELATIONS & data.keys():
            getattr(instance, name).set(data[name] or [])
        record_change(
            plan=plan,
            actor=actor,
            action="added",
            subject=_subject(instance),
            fields=field_changes_diff(
                model=model, before={}, after=fields_snapshot(instance=instance, fields=data.keys())
            ),
        )
        return instance
    if getattr(instance, "plan_id", None) != plan.pk:
        raise PlanLocked(_("Raden hører ikke til denne planen."))
    current = model._default_manager.get(pk=instance.pk)
    before = fields_snapshot(instance=current, fields=data.keys())
    version_claim(instance=current, expected_version=expected_version, attempted=data)
    current, _updated = model_update(instance=current, fields=data.keys(), data=data)
    changes = field_changes_diff(
        model=model, before=before, after=fields_snapshot(instance=current, fields=data.keys())
    )
    if changes:
        record_change(
            plan=plan, actor=actor, action="changed", subject=_subject(current), fields=changes
        )
    return current


@transaction.atomic
def unit_plan_part_delete(
    *, plan: UnitPlan, instance: models.Model, actor, expected_version: int | None = None
) -> None:
    plan = _locked_plan(plan)
    if plan.status not in EDITABLE_STATES:
        raise PlanLocked(_("Rader kan bare slettes mens planen er et utkast."))
    if getattr(instance, "plan_id", None) != plan.pk:
        raise PlanLocked(_("Raden hører ikke til denne planen."))
    model = type(instance)
    current = model._default_manager.get(pk=instance.pk)
    version_claim(instance=current, expected_version=expected_version)
    # Keep what was removed in the history, field by field.
    fields = [
        {"field": field_label_get(model=model, name=name), "old": value, "new": ""}
        for name, value in fields_snapshot(instance=current, fields=_fields_of(model)).items()
        if value
    ]
    subject = _subject(current)
    current.delete()
    record_change(plan=plan, actor=actor, action="deleted", subject=subject, fields=fields)


# The many-to-many fields of a part: set once the new row has an id.
_RELATIONS = frozenset({"motivated_by_inputs", "motivated_by_journeys"})


def _fields_of(model: type[models.Model]) -> tuple[str, ...]:
    return {
        UnitGoal: GOAL_FIELDS,
        Measure: MEASURE_FIELDS,
        ParticipationProcess: PARTICIPATION_FIELDS,
    }[model]


@transaction.atomic
def unit_plan_submit(*, plan: UnitPlan, actor, expected_version: int | None = None) -> UnitPlan:
    plan = _locked_plan(plan)
    if plan.status not in EDITABLE_STATES:
        raise PlanLocked(_("Bare et utkast eller en returnert plan kan sendes inn."))
    problems = unit_plan_submission_problems(plan=plan)
    if problems:
        raise ValidationError(problems)
    version_claim(instance=plan, expected_version=expected_version)
    before = fields_snapshot(instance=plan, fields=["status"])
    plan.status = UnitPlanStatus.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = actor
    plan.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    record_change(
        plan=plan,
        actor=actor,
        action="submitted",
        subject=_("Sendt til godkjenning"),
        fields=field_changes_diff(
            model=UnitPlan, before=before, after=fields_snapshot(instance=plan, fields=["status"])
        ),
    )
    return plan


def _review(plan: UnitPlan, *, actor, status: str, comment: str, action: str, subject: str):
    check_text_lengths(UnitPlan, review_comment=comment)
    plan = _locked_plan(plan)
    if plan.status != UnitPlanStatus.SUBMITTED:
        raise PlanLocked(_("Planen er ikke sendt til godkjenning."))
    before = fields_snapshot(instance=plan, fields=["status", "review_comment"])
    version_claim(instance=plan, expected_version=None)
    plan.status = status
    plan.review_comment = comment
    plan.reviewed_at = timezone.now()
    plan.reviewed_by = actor
    plan.save(
        update_fields=["status", "review_comment", "reviewed_at", "reviewed_by", "updated_at"]
    )
    record_change(
        plan=plan,
        actor=actor,
        action=action,
        subject=subject,
        fields=field_changes_diff(
            model=UnitPlan,
            before=before,
            after=fields_snapshot(instance=plan, fields=["status", "review_comment"]),
        ),
    )
    return plan


@transaction.atomic
def unit_plan_return(*, plan: UnitPlan, actor, comment: str) -> UnitPlan:
    """Send the plan back to the unit; the comment says what to change."""
    if not comment.strip():
        raise ValidationError({"comment": _("Skriv hva enheten skal endre før planen returneres.")})
    return _review(
        plan,
        actor=actor,
        status=UnitPlanStatus.RETURNED,
        comment=comment.strip(),
        action="returned",
        subject=_("Returnert til enheten"),
    )


@transaction.atomic
def unit_plan_approve(*, plan: UnitPlan, actor, comment: str = "") -> UnitPlan:
    """Approve a submitted plan. Refused while it has no owner who may follow it up."""
    problems = unit_plan_approval_problems(plan=_locked_plan(plan))
    if problems:
        raise ValidationError(problems)
    return _review(
        plan,
        actor=actor,
        status=UnitPlanStatus.APPROVED,
        comment=comment.strip(),
        action="approved",
        subject=_("Godkjent"),
    )


@transaction.atomic
def unit_plan_evaluate(
    *, plan: UnitPlan, actor, evaluation: str, expected_version: int | None = None
) -> UnitPlan:
    """Close the year: every goal's attainment and every measure's final status must be
    set, and the unit writes its evaluation of the year."""
    plan = _locked_plan(plan)
    if plan.status != UnitPlanStatus.APPROVED:
        raise PlanLocked(_("Bare en godkjent plan kan evalueres."))
    check_text_lengths(UnitPlan, evaluation=evaluation.strip())
    problems = unit_plan_evaluation_problems(plan=plan)
    if not evaluation.strip():
        problems.insert(0, _("Skriv en evaluering av året."))
    if problems:
        raise ValidationError(problems)
    version_claim(
        instance=plan, expected_version=expected_version, attempted={"evaluation": evaluation}
    )
    before = fields_snapshot(instance=plan, fields=["status", "evaluation"])
    plan.status = UnitPlanStatus.EVALUATED
    plan.evaluation = evaluation.strip()
    plan.evaluated_at = timezone.now()
    plan.save(update_fields=["status", "evaluation", "evaluated_at", "updated_at"])
    record_change(
        plan=plan,
        actor=actor,
        action="evaluated",
        subject=_("Året er evaluert"),
        fields=field_changes_diff(
            model=UnitPlan,
            before=before,
            after=fields_snapshot(instance=plan, fields=["status", "evaluation"]),
        ),
    )
    return plan


__all__ = [
    "EditConflict",
    "PlanLocked",
    "unit_plan_approve",
    "unit_plan_create",
    "unit_plan_evaluate",
    "unit_plan_part_delete",
    "unit_plan_part_save",
    "unit_plan_return",
    "unit_plan_submit",
    "unit_plan_update",
]
