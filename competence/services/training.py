"""Writes for mandatory trainings (the BTI model): setting and changing a requirement.

Every save writes a ``TrainingRequirementChange`` with the old and new value of each
field that changed, in the reader's words, in the same transaction. The service asks the
same rule as the page (``competence.manage_training_requirements``), so no other caller
can set what the employer demands of its staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from competence.models import (
    Activity,
    Theme,
    TrainingRequirement,
    TrainingRequirementChange,
)
from plans.models import Municipality
from plans.services.common import model_update
from plans.text import clean_free_text, normalise_name, require_lengths, validate_name

FIELDS = (
    "name",
    "description",
    "themes",
    "activities",
    "roles",
    "unit_kinds",
    "valid_years",
    "new_staff_months",
    "active",
)


def _shown(requirement: TrainingRequirement) -> dict[str, str]:
    """Each field as the history shows it."""
    themes = sorted(theme.name for theme in requirement.themes.all())
    activities = sorted(str(activity) for activity in requirement.activities.all())
    return {
        "name": requirement.name,
        "description": requirement.description,
        "themes": ", ".join(themes),
        "activities": ", ".join(activities),
        "roles": ", ".join(requirement.role_labels()),
        "unit_kinds": ", ".join(requirement.unit_kind_labels()) or _("Alle"),
        "valid_years": str(requirement.valid_years or _("Fornyes ikke")),
        "new_staff_months": str(requirement.new_staff_months),
        "active": _("Ja") if requirement.active else _("Nei"),
    }


def _label(name: str) -> str:
    label = str(getattr(TrainingRequirement._meta.get_field(name), "verbose_name", name))
    return label[:1].upper() + label[1:]


def _cleaned(data: Mapping[str, Any], municipality: Municipality) -> dict[str, Any]:
    refused = sorted(set(data) - set(FIELDS))
    if refused:
        raise ValidationError(_("Ukjente felt: %(fields)s.") % {"fields": ", ".join(refused)})
    cleaned = dict(data)
    errors: dict[str, list[str]] = {}
    if "name" in cleaned:
        try:
            validate_name(cleaned["name"] or "")
        except ValidationError as error:
            errors["name"] = error.messages
        cleaned["name"] = normalise_name(cleaned["name"] or "")
    if "description" in cleaned:
        try:
            cleaned["description"] = clean_free_text(
                cleaned["description"] or "", label=_label("description")
            )
        except ValidationError as error:
            errors["description"] = error.messages
    try:
        require_lengths(
            TrainingRequirement,
            **{name: cleaned[name] for name in ("name", "description") if name in cleaned},
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    # Another municipality's themes or activities never count here.
    for name, model in (("themes", Theme), ("activities", Activity)):
        chosen = list(cleaned.get(name) or [])
        ids = {item.pk if hasattr(item, "pk") else item for item in chosen}
        if ids and model.objects.filter(pk__in=ids, municipality=municipality).count() != len(ids):
            errors[name] = [_("Valget hører til en annen kommune.")]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def training_requirement_save(
    *,
    municipality: Municipality,
    data: Mapping[str, Any],
    actor,
    instance: TrainingRequirement | None = None,
) -> TrainingRequirement:
    """Set a new requirement for ``municipality`` or change ``instance``. At least one
    theme or activity must count, and at least one role must have it."""
    if not actor.has_perm("competence.manage_training_requirements", municipality):
        raise PermissionDenied(_("Bare sektorleder kan sette opplæringskrav."))
    cleaned = _cleaned(data, municipality)
    relations: dict[str, Any] = {
        name: cleaned.pop(name) for name in ("themes", "activities") if name in cleaned
    }
    if instance is None:
        before: dict[str, str] = {}
        requirement = TrainingRequirement(municipality=municipality, **cleaned)
        requirement.full_clean()
        requirement.save()
        for name, value in relations.items():
            getattr(requirement, name).set(value or [])
        action = _("Opplæringskrav satt")
    else:
        requirement = TrainingRequirement.objects.select_for_update().get(pk=instance.pk)
        if requirement.municipality_id != municipality.pk:
            raise PermissionDenied(_("Opplæringskravet hører til en annen kommune."))
        before = _shown(requirement)
        requirement, _changed = model_update(
            instance=requirement, fields=FIELDS, data={**cleaned, **relations}
        )
        action = _("Opplæringskrav endret")
    if not requirement.themes.exists() and not requirement.activities.exists():
        raise ValidationError(
            {"themes": _("Velg minst ett tema eller ett tiltak som gir opplæringen.")}
        )
    after = _shown(requirement)
    fields = [
        {"field": _label(name), "old": before.get(name, ""), "new": value}
        for name, value in after.items()
        if before.get(name, "") != value
    ]
    if fields:
        TrainingRequirementChange.objects.create(
            requirement=requirement,
            actor=actor if getattr(actor, "pk", None) else None,
            action=action,
            subject=f"{action}: {requirement.name}"[:300],
            fields=fields,
        )
    return requirement
