"""Fortellinger: participation input and user journeys.

The views, the admin and the CSV import all write through these functions, so the same
rules hold wherever input comes from: a unit and the linked areas and components belong to
the input's own municipality, and nothing is publishable unless that was consented to.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.models import (
    JourneyStep,
    Municipality,
    ParticipationInput,
    StepAssessment,
    UserJourney,
)
from plans.services.common import ModelT, model_update

INPUT_FIELDS = (
    "quote",
    "descriptor",
    "group",
    "setting",
    "given_on",
    "unit",
    "areas",
    "components",
    "publishable",
)
JOURNEY_FIELDS = ("title", "description", "carried_out_on", "findings", "areas", "publishable")
STEP_FIELDS = ("service", "what_happened", "assessment")
M2M_FIELDS = ("areas", "components")


def _check_fields(data: Mapping[str, Any], allowed: Iterable[str]) -> None:
    refused = sorted(set(data) - set(allowed))
    if refused:
        raise ValidationError(_("Ukjente felt: %(fields)s.") % {"fields": ", ".join(refused)})


def _check_references(municipality: Municipality, data: Mapping[str, Any]) -> None:
    """Defence in depth behind the forms' and the import's choices."""
    errors: dict[str, str] = {}
    unit = data.get("unit")
    if unit is not None and unit.municipality_id != municipality.pk:
        errors["unit"] = _("Enheten hører ikke til kommunen.")
    for area in data.get("areas") or ():
        if area.plan.municipality_id != municipality.pk:
            errors["areas"] = _("Utviklingsområdet hører ikke til kommunens kvalitetsplan.")
    for component in data.get("components") or ():
        if component.area.plan.municipality_id != municipality.pk:
            errors["components"] = _("Kjernekomponenten hører ikke til kommunens kvalitetsplan.")
    if errors:
        raise ValidationError(errors)


def _check_owner(instance, municipality: Municipality) -> None:
    if instance.pk is not None and instance.municipality_id != municipality.pk:
        raise ValidationError(_("Raden hører til en annen kommune."))


def _stored_row_update(
    instance: ModelT, fields: Iterable[str], data: Mapping[str, Any], municipality: Municipality
) -> ModelT:
    """Change a saved row, compared with the row as stored: the admin and the import hand
    over an instance their form has already changed in memory."""
    current = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    current, _updated = model_update(
        instance=current,
        fields=(*fields, "municipality"),
        data={**data, "municipality": municipality},
    )
    return current


@transaction.atomic
def participation_input_save(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    actor,
    instance: ParticipationInput | None = None,
) -> ParticipationInput:
    """Register (``instance`` None or not yet saved) or change a piece of input."""
    _check_fields(data, INPUT_FIELDS)
    _check_references(municipality, data)
    if instance is None:
        instance = ParticipationInput()
    _check_owner(instance, municipality)
    if instance.pk is not None:
        return _stored_row_update(instance, INPUT_FIELDS, data, municipality)
    instance.municipality = municipality
    for name, value in data.items():
        if name not in M2M_FIELDS:
            setattr(instance, name, value)
    if getattr(actor, "pk", None):
        instance.created_by = actor
    instance.full_clean()
    instance.save()
    for name in M2M_FIELDS:
        if name in data:
            getattr(instance, name).set(data[name] or [])
    return instance


@transaction.atomic
def participation_input_delete(*, instance: ParticipationInput, actor) -> None:
    ParticipationInput.objects.filter(pk=instance.pk).delete()


def _clean_steps(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for step in steps:
        _check_fields(step, (*STEP_FIELDS, "order"))
        values = {name: step.get(name) for name in STEP_FIELDS}
        values["assessment"] = values["assessment"] or StepAssessment.NEUTRAL
        cleaned.append(values)
    return cleaned


@transaction.atomic
def journey_steps_save(
    *, journey: UserJourney, steps: Sequence[Mapping[str, Any]], actor
) -> list[JourneyStep]:
    """Replace the journey's steps with ``steps``, renumbered 1, 2, 3 …: steps carrying an
    ``order`` are placed by it, the others follow in the order given."""
    last = float("inf")
    ordered = sorted(enumerate(steps), key=lambda item: (item[1].get("order") or last, item[0]))
    values = _clean_steps([step for _index, step in ordered])
    new_steps = [
        JourneyStep(journey=journey, order=number, **step)
        for number, step in enumerate(values, start=1)
    ]
    errors = []
    for number, step in enumerate(new_steps, start=1):
        try:
            step.full_clean()
        except ValidationError as error:
            errors.append(
                _("Steg %(number)s: %(errors)s")
                % {"number": number, "errors": " ".join(error.messages)}
            )
    if errors:
        raise ValidationError(errors)
    journey.steps.all().delete()
    return JourneyStep.objects.bulk_create(new_steps)


@transaction.atomic
def user_journey_save(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    steps: Sequence[Mapping[str, Any]] | None,
    actor,
    instance: UserJourney | None = None,
) -> UserJourney:
    """Create or change a user journey. ``steps`` replaces the journey's steps; None
    leaves them as they are."""
    _check_fields(data, JOURNEY_FIELDS)
    _check_references(municipality, data)
    if instance is None:
        instance = UserJourney()
    _check_owner(instance, municipality)
    if instance.pk is not None:
        current = _stored_row_update(instance, JOURNEY_FIELDS, data, municipality)
        if steps is not None:
            journey_steps_save(journey=current, steps=steps, actor=actor)
        return current
    instance.municipality = municipality
    for name, value in data.items():
        if name != "areas":
            setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    if "areas" in data:
        instance.areas.set(data["areas"] or [])
    if steps is not None:
        journey_steps_save(journey=instance, steps=steps, actor=actor)
    return instance


@transaction.atomic
def user_journey_delete(*, instance: UserJourney, actor) -> None:
    UserJourney.objects.filter(pk=instance.pk).delete()
