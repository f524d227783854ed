"""The sector's quality plan: create a draft, edit it part by part, adopt it, and start the
next revision from an adopted one.

A draft is the sector leaders' work in progress; adopting freezes it for good. Every
service re-reads the plan row under a lock, so an edit cannot slip in while the plan is
being adopted, and writes its history record in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _

from plans.models import (
    Anchoring,
    CoreComponent,
    DevelopmentArea,
    Municipality,
    PlanValue,
    PracticeCharacteristic,
    QualityDescription,
    QualityPlan,
)
from plans.selectors.owners import owner_check
from plans.selectors.quality import quality_plan_adoption_problems
from plans.selectors.trace import uncitable
from plans.services.common import model_update
from plans.services.history import (
    EditConflict,
    PlanLocked,
    field_changes_diff,
    fields_snapshot,
    record_change,
    version_claim,
)

PLAN_FIELDS = ("title", "period_start", "period_end", "purpose", "introduction", "owner")
ADOPTION_FIELDS = ("adopted_on", "council_case")

# The fields of each part of the plan a sector leader edits, in the order the forms show.
PART_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    PlanValue: ("order", "name", "meaning"),
    Anchoring: ("kind", "order", "title", "url", "note"),
    DevelopmentArea: ("order", "name", "description", "goal", "meaning_for_individual", "owner"),
    CoreComponent: ("area", "order", "name", "description"),
    PracticeCharacteristic: ("area", "order", "text", "source_inputs", "source_journeys"),
    QualityDescription: ("service_field", "title", "content", "source"),
}
# Parts that hang off a development area rather than off the plan itself.
AREA_PARTS = (CoreComponent, PracticeCharacteristic)
# The many-to-many fields of a part: set once a new row has an id.
_RELATIONS = frozenset({"source_inputs", "source_journeys"})


def _subject(instance: models.Model) -> str:
    """The row as the history names it: «Verdi «Åpen»»."""
    label = str(instance._meta.verbose_name)
    return f"{label[:1].upper()}{label[1:]} «{str(instance)[:120]}»"


def _locked_plan(plan: QualityPlan) -> QualityPlan:
    """Re-read the plan under a lock so adopting and editing cannot interleave."""
    return QualityPlan.objects.select_for_update().get(pk=plan.pk)


def _require_draft(plan: QualityPlan) -> None:
    if plan.adopted_on is not None:
        raise PlanLocked(
            _(
                "Planen ble vedtatt %(date)s (sak %(case)s) og kan ikke endres. "
                "Start en ny revisjon for å gjøre endringer."
            )
            % {"date": plan.adopted_on.strftime("%d.%m.%Y"), "case": plan.council_case}
        )


def _plan_of(instance: models.Model) -> int:
    """The id of the quality plan a part belongs to."""
    if isinstance(instance, AREA_PARTS):
        return instance.area.plan_id
    return instance.plan_id  # type: ignore[attr-defined]


def _next_revision(municipality_id: int, period_start: int) -> int:
    latest = QualityPlan.objects.filter(
        municipality_id=municipality_id, period_start=period_start
    ).aggregate(latest=Max("revision"))["latest"]
    return (latest or 0) + 1


@transaction.atomic
def quality_plan_create(
    *, municipality: Municipality, actor, data: Mapping[str, Any]
) -> QualityPlan:
    """A new, empty draft plan for a period. Only one draft at a time: a second draft
    would leave the sector unsure which one is being worked on."""
    _refuse_unknown_fields(QualityPlan, PLAN_FIELDS, data)
    draft = (
        QualityPlan.objects.select_for_update()
        .filter(municipality=municipality, adopted_on__isnull=True)
        .first()
    )
    if draft is not None:
        raise ValidationError(
            _("Det finnes allerede et utkast: «%(plan)s», revisjon %(revision)s.")
            % {"plan": draft, "revision": draft.revision}
        )
    owner_check(owner=data.get("owner"), municipality_id=municipality.pk)
    plan = QualityPlan(municipality=municipality, **data)
    if plan.period_start:
        plan.revision = _next_revision(municipality.pk, plan.period_start)
    plan.full_clean()
    plan.save()
    record_change(
        plan=plan,
        actor=actor,
        action="created",
        subject=_("Planen ble opprettet"),
        fields=field_changes_diff(
            model=QualityPlan, before={}, after=fields_snapshot(instance=plan, fields=data.keys())
        ),
    )
    return plan


@transaction.atomic
def quality_plan_update(
    *, plan: QualityPlan, data: Mapping[str, Any], expected_version: int | None, actor
) -> QualityPlan:
    """Change the plan's title, period, purpose and introduction. Raises EditConflict
    when someone saved the plan after ``expected_version`` was loaded."""
    _refuse_unknown_fields(QualityPlan, PLAN_FIELDS, data)
    plan = _locked_plan(plan)
    _require_draft(plan)
    owner_check(owner=data.get("owner"), municipality_id=plan.municipality_id)
    before = fields_snapshot(instance=plan, fields=data.keys())
    version_claim(instance=plan, expected_version=expected_version, attempted=data)
    values = dict(data)
    new_start = values.get("period_start", plan.period_start)
    if new_start != plan.period_start and new_start:
        # Revisions are numbered within a period; a draft moved to another period takes
        # the next number there.
        values["revision"] = _next_revision(plan.municipality_id, new_start)
    plan, _updated = model_update(instance=plan, fields=values.keys(), data=values)
    changes = field_changes_diff(
        model=QualityPlan, before=before, after=fields_snapshot(instance=plan, fields=data.keys())
    )
    if changes:
        record_change(plan=plan, actor=actor, action="changed", subject=_("Planen"), fields=changes)
    return plan


def _refuse_unknown_fields(
    model: type[models.Model], allowed: tuple[str, ...], data: Mapping[str, Any]
) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError(
            _("Disse feltene kan ikke endres her: %(fields)s.") % {"fields": ", ".join(unknown)}
        )


def _check_area(plan: QualityPlan, data: Mapping[str, Any]) -> None:
    """Defence in depth behind the form's choices: a component or a mark of good practice
    hangs off an area of the same plan."""
    area = data.get("area")
    if area is not None and area.plan_id != plan.pk:
        raise ValidationError({"area": _("Utviklingsområdet hører ikke til denne planen.")})


def _check_sources(plan: QualityPlan, data: Mapping[str, Any], *, actor, instance=None) -> None:
    """A mark of good practice cites only input and journeys of the plan's municipality
    that the editor may see and that speak to the mark's area (by key): a forged id is
    refused without saying what it named."""
    inputs = data.get("source_inputs")
    journeys = data.get("source_journeys")
    if not inputs and not journeys:
        return
    area = data.get("area") or getattr(instance, "area", None)
    if area is None:
        raise ValidationError({"area": _("Velg utviklingsområdet kjennetegnet hører til.")})
    refused = uncitable(
        actor,
        municipality_id=plan.municipality_id,
        area_key=area.key,
        inputs=inputs or (),
        journeys=journeys or (),
    )
    errors = {}
    if "inputs" in refused:
        errors["source_inputs"] = _(
            "Kjennetegnet kan bare bygge på innspill om utviklingsområdet «%(area)s» "
            "som du har tilgang til."
        ) % {"area": area.name}
    if "journeys" in refused:
        errors["source_journeys"] = _(
            "Kjennetegnet kan bare bygge på brukerreiser om utviklingsområdet «%(area)s» "
            "som du har tilgang til."
        ) % {"area": area.name}
    if errors:
        raise ValidationError(errors)


def _check_part(plan: QualityPlan, model: type[models.Model], instance=None) -> None:
    if model not in PART_FIELDS:
        raise ValueError(f"{model.__name__} is not a part of the quality plan")
    if instance is not None and (type(instance) is not model or _plan_of(instance) != plan.pk):
        raise PlanLocked(_("Raden hører ikke til denne planen."))


@transaction.atomic
def quality_plan_part_save(
    *,
    plan: QualityPlan,
    model: type[models.Model],
    data: Mapping[str, Any],
    actor,
    instance: models.Model | None = None,
) -> models.Model:
    """Create (``instance`` None) or change a value, anchoring, development area, core
    component, mark of good practice or quality description of a draft plan."""
    _check_part(plan, model, instance)
    _refuse_unknown_fields(model, PART_FIELDS[model], data)
    plan = _locked_plan(plan)
    _require_draft(plan)
    _check_area(plan, data)
    owner_check(owner=data.get("owner"), municipality_id=plan.municipality_id)
    _check_sources(plan, data, actor=actor, instance=instance)
    if instance is None:
        extra = {} if model in AREA_PARTS else {"plan": plan}
        fields = {name: value for name, value in data.items() if name not in _RELATIONS}
        instance = model(**extra, **fields)
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
    current = model._default_manager.get(pk=instance.pk)
    before = fields_snapshot(instance=current, fields=data.keys())
    current, _updated = model_update(instance=current, fields=PART_FIELDS[model], data=data)
    changes = field_changes_diff(
        model=model, before=before, after=fields_snapshot(instance=current, fields=data.keys())
    )
    if changes:
        record_change(
            plan=plan, actor=actor, action="changed", subject=_subject(current), fields=changes
        )
    return current


@transaction.atomic
def quality_plan_part_delete(*, plan: QualityPlan, instance: models.Model, actor) -> None:
    """Remove a part of a draft plan; an area takes its components and marks of good
    practice with it. What was removed stays readable in the history."""
    model = type(instance)
    _check_part(plan, model, instance)
    plan = _locked_plan(plan)
    _require_draft(plan)
    current = model._default_manager.get(pk=instance.pk)
    # Keep what was removed in the history, field by field.
    before = fields_snapshot(instance=current, fields=PART_FIELDS[model])
    fields = field_changes_diff(model=model, before=before, after=dict.fromkeys(before, ""))
    subject = _subject(current)
    try:
        current.delete()
    except ProtectedError as exc:
        raise ValidationError(
            _("%(subject)s er i bruk i utviklingsplaner og kan ikke slettes.")
            % {"subject": subject}
        ) from exc
    record_change(plan=plan, actor=actor, action="deleted", subject=subject, fields=fields)


@transaction.atomic
def quality_plan_adopt(
    *, plan: QualityPlan, adopted_on: datetime.date, council_case: str, actor
) -> QualityPlan:
    """Mark the plan adopted by the council. From then on it is read-only."""
    plan = _locked_plan(plan)
    if plan.is_adopted:
        raise PlanLocked(_("Planen er allerede vedtatt."))
    errors: dict[str, list[str]] = {}
    if adopted_on is None:
        errors["adopted_on"] = [_("Oppgi datoen planen ble vedtatt.")]
    if not (council_case or "").strip():
        errors["council_case"] = [_("Oppgi saksnummeret i kommunestyret.")]
    problems = quality_plan_adoption_problems(plan=plan)
    if problems:
        errors["__all__"] = problems
    if errors:
        raise ValidationError(errors)
    before = fields_snapshot(instance=plan, fields=ADOPTION_FIELDS)
    version_claim(instance=plan, expected_version=None)
    plan.adopted_on = adopted_on
    plan.council_case = council_case.strip()
    plan.full_clean()
    plan.save()
    record_change(
        plan=plan,
        actor=actor,
        action="adopted",
        subject=_("Vedtatt i kommunestyret, sak %(case)s") % {"case": plan.council_case},
        fields=field_changes_diff(
            model=QualityPlan,
            before=before,
            after=fields_snapshot(instance=plan, fields=ADOPTION_FIELDS),
        ),
    )
    return plan


def _still_eligible(owner, municipality_id: int):
    """The owner if they may still own the plan (they may have left or changed role
    since the revision was adopted), else None: the draft then shows the gap."""
    try:
        owner_check(owner=owner, municipality_id=municipality_id)
    except ValidationError:
        return None
    return owner


@transaction.atomic
def quality_plan_revise(*, plan: QualityPlan, actor) -> QualityPlan:
    """Start the next revision as a draft copy of an adopted plan. Areas and core
    components keep their ``key``, so the revisions can be compared and unit plans can
    follow their components into the new one."""
    plan = _locked_plan(plan)
    if not plan.is_adopted:
        raise PlanLocked(
            _("Revisjon %(revision)s er et utkast; bare en vedtatt plan kan revideres.")
            % {"revision": plan.revision}
        )
    draft = QualityPlan.objects.filter(previous=plan, adopted_on__isnull=True).first()
    if draft is not None:
        raise ValidationError(
            _(
                "Det finnes allerede et utkast til ny revisjon av denne planen: "
                "«%(plan)s», revisjon %(revision)s."
            )
            % {"plan": draft, "revision": draft.revision}
        )
    revision = QualityPlan(
        municipality_id=plan.municipality_id,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        purpose=plan.purpose,
        introduction=plan.introduction,
        # The owners carry over: the next revision is followed up by the same people
        # until the sector leader names others (only those still eligible).
        owner=_still_eligible(plan.owner, plan.municipality_id),
        revision=_next_revision(plan.municipality_id, plan.period_start),
        previous=plan,
    )
    revision.full_clean()
    revision.save()
    PlanValue.objects.bulk_create(
        PlanValue(plan=revision, order=v.order, name=v.name, meaning=v.meaning)
        for v in plan.values.all()
    )
    Anchoring.objects.bulk_create(
        Anchoring(plan=revision, kind=a.kind, order=a.order, title=a.title, url=a.url, note=a.note)
        for a in plan.anchorings.all()
    )
    QualityDescription.objects.bulk_create(
        QualityDescription(
            plan=revision,
            service_field=d.service_field,
            title=d.title,
            content=d.content,
            source=d.source,
        )
        for d in plan.quality_descriptions.all()
    )
    components: list[CoreComponent] = []
    characteristics: list[PracticeCharacteristic] = []
    originals: list[PracticeCharacteristic] = []
    for area in plan.areas.select_related("owner").prefetch_related(
        "components",
        "characteristics__source_inputs",
        "characteristics__source_journeys",
    ):
        # Saved one by one: the copies' ids are needed for their components.
        copy = DevelopmentArea.objects.create(
            plan=revision,
            key=area.key,
            order=area.order,
            name=area.name,
            description=area.description,
            goal=area.goal,
            meaning_for_individual=area.meaning_for_individual,
            owner=_still_eligible(area.owner, plan.municipality_id),
        )
        components += [
            CoreComponent(
                area=copy, key=c.key, order=c.order, name=c.name, description=c.description
            )
            for c in area.components.all()
        ]
        characteristics += [
            PracticeCharacteristic(area=copy, order=c.order, text=c.text)
            for c in area.characteristics.all()
        ]
        originals += list(area.characteristics.all())
    CoreComponent.objects.bulk_create(components)
    PracticeCharacteristic.objects.bulk_create(characteristics)
    _copy_sources(originals, characteristics)
    record_change(
        plan=revision,
        actor=actor,
        action="created",
        subject=_("Ny revisjon opprettet fra revisjon %(revision)s") % {"revision": plan.revision},
    )
    return revision


def _copy_sources(
    originals: list[PracticeCharacteristic], copies: list[PracticeCharacteristic]
) -> None:
    """The revision's marks of good practice still came from the same input: their
    citations are carried over, two inserts in all. Both databases (PostgreSQL, SQLite
    3.35+) return the copies' ids from the bulk insert."""
    inputs = PracticeCharacteristic.source_inputs.through
    journeys = PracticeCharacteristic.source_journeys.through
    input_links, journey_links = [], []
    for original, copy in zip(originals, copies, strict=True):
        input_links += [
            inputs(practicecharacteristic_id=copy.pk, participationinput_id=item.pk)
            for item in original.source_inputs.all()
        ]
        journey_links += [
            journeys(practicecharacteristic_id=copy.pk, userjourney_id=journey.pk)
            for journey in original.source_journeys.all()
        ]
    inputs.objects.bulk_create(input_links)
    journeys.objects.bulk_create(journey_links)


__all__ = [
    "AREA_PARTS",
    "PART_FIELDS",
    "PLAN_FIELDS",
    "EditConflict",
    "PlanLocked",
    "quality_plan_adopt",
    "quality_plan_create",
    "quality_plan_part_delete",
    "quality_plan_part_save",
    "quality_plan_revise",
    "quality_plan_update",
]
