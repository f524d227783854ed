"""Writes for the directory of services (tjenesteoversikt): entries and the needs they help
with. Only the municipality's BTI coordinator keeps the directory; every function checks
that itself (``PermissionDenied``), so a view that forgot cannot write.

An entry that stands for a unit of the municipality is made by ``service_units_sync`` with
the unit's name and nothing else: it stays inactive (nobody but the coordinator sees it)
until the coordinator has written what it helps with, for whom and how to get in touch
(the model's CHECK refuses an active entry without them). Texts are cleaned with the
portal's text rules (``plans.text``) and held to the model's lengths.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from btitracker.models import Service, ServiceNeed
from plans.access import access_for
from plans.models import Municipality, Unit, UnitKind
from plans.services.common import model_update
from plans.text import (
    clean_free_text,
    name_key,
    normalise_name,
    require_lengths,
    validate_name,
    validate_text,
)

# What the coordinator's form may change. A unit's entry takes its name from the unit.
SERVICE_FIELDS = (
    "name",
    "helps_with",
    "for_whom",
    "contact",
    "referral",
    "needs",
    "is_public",
    "attends_consultations",
    "active",
)
# Units that serve nobody directly: the sector's own staff is not a service to look up.
UNIT_KINDS_LEFT_OUT = frozenset({UnitKind.ADMINISTRATION})


def _require_editor(actor, municipality_id: int) -> None:
    """The coordinator of this municipality, and nobody else."""
    if not actor.has_perm("btitracker.manage_directory") or (
        access_for(actor).municipality_id != municipality_id
    ):
        raise PermissionDenied


def _label(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _line(value: str, *, model, name: str) -> str:
    """A one-line text (a name, «for hvem»): no steering characters, spaces collapsed."""
    try:
        validate_name(value)
    except ValidationError as error:
        raise ValidationError({name: f"{_label(model, name)}: {error.messages[0]}"}) from error
    return normalise_name(value)


def _cleaned(data: Mapping[str, Any], *, municipality_id: int) -> dict[str, Any]:
    unknown = sorted(set(data) - set(SERVICE_FIELDS))
    if unknown:
        raise ValueError(f"Service cannot be written with {', '.join(unknown)}")
    values = dict(data)
    errors: dict[str, list[str]] = {}
    for name in ("name", "for_whom"):
        if name in values:
            try:
                values[name] = _line(values[name] or "", model=Service, name=name)
            except ValidationError as error:
                errors.update(error.message_dict)
    for name in ("helps_with", "contact"):
        if name in values:
            try:
                values[name] = clean_free_text(values[name] or "", label=_label(Service, name))
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    require_lengths(
        Service,
        **{n: values[n] for n in ("name", "helps_with", "for_whom", "contact") if n in values},
    )
    if "needs" in values:
        needs = list(values["needs"] or [])
        if any(need.municipality_id != municipality_id for need in needs):
            raise ValidationError({"needs": _("Et av behovene hører til en annen kommune.")})
        values["needs"] = needs
    return values


def _require_unique_name(*, municipality_id: int, name: str, exclude: int | None) -> None:
    """Names compare as people read them (case, spaces, hyphens), on SQLite as on
    PostgreSQL, whose ``lower()`` alone would disagree about «Å» and «å»."""
    key = name_key(name)
    names = Service.objects.filter(municipality_id=municipality_id)
    if exclude is not None:
        names = names.exclude(pk=exclude)
    if any(name_key(other) == key for other in names.values_list("name", flat=True)):
        raise ValidationError(
            {
                "name": _("Oversikten har allerede en tjeneste som heter «%(name)s».")
                % {"name": name}
            }
        )


def _require_complete(service: Service) -> None:
    if service.active and service.missing:
        raise ValidationError(
            _("En aktiv tjeneste må ha med %(fields)s. Fyll ut feltene, eller la den være inaktiv.")
            % {"fields": ", ".join(f"«{label}»" for label in service.missing)}
        )


@transaction.atomic
def service_create(*, actor, municipality: Municipality, data: Mapping[str, Any]) -> Service:
    """A new entry for a service outside the units: Statped, the family counselling
    office, BUP, a crisis centre … (units get theirs from ``service_units_sync``)."""
    _require_editor(actor, municipality.pk)
    values = _cleaned(data, municipality_id=municipality.pk)
    needs = values.pop("needs", [])
    _require_unique_name(municipality_id=municipality.pk, name=values.get("name", ""), exclude=None)
    service = Service(
        municipality=municipality, updated_by=actor, updated_at=timezone.now(), **values
    )
    _require_complete(service)
    service.full_clean()
    service.save()
    service.needs.set(needs)
    return service


@transaction.atomic
def service_update(*, actor, service: Service, data: Mapping[str, Any]) -> Service:
    """Change an entry; a unit's entry keeps the unit's name."""
    _require_editor(actor, service.municipality_id)
    current = Service.objects.select_for_update().get(pk=service.pk)
    values = _cleaned(data, municipality_id=current.municipality_id)
    if current.unit_id is not None and values.get("name", current.name) != current.name:
        raise ValidationError(
            {"name": _("En kommunal enhets tjeneste har enhetens navn. Endre navnet på enheten.")}
        )
    if "name" in values:
        _require_unique_name(
            municipality_id=current.municipality_id, name=values["name"], exclude=current.pk
        )
    after = Service(
        **{n: getattr(current, n) for n in ("helps_with", "for_whom", "contact", "active")}
    )
    for name in ("helps_with", "for_whom", "contact", "active"):
        if name in values:
            setattr(after, name, values[name])
    _require_complete(after)
    current, changed = model_update(instance=current, fields=SERVICE_FIELDS, data=values)
    if changed:
        model_update(
            instance=current,
            fields=("updated_at", "updated_by"),
            data={"updated_at": timezone.now(), "updated_by": actor},
        )
    return current


@transaction.atomic
def service_status_set(*, actor, service: Service, active: bool) -> Service:
    """Take an entry out of the directory (a service that closed, or not ready yet) or
    put it back; an entry is put back only when it says what people need to know."""
    return service_update(actor=actor, service=service, data={"active": active})


@dataclass
class UnitsSynced:
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    # Units whose name another entry has already: the coordinator renames one of them.
    clashes: list[str] = field(default_factory=list)


def _units(municipality: Municipality) -> Iterable[Unit]:
    return Unit.objects.filter(municipality=municipality).exclude(kind__in=UNIT_KINDS_LEFT_OUT)


@transaction.atomic
def service_units_sync(*, actor, municipality: Municipality) -> UnitsSynced:
    """One entry per unit of the municipality (not the administration): a new unit gets
    an inactive entry with its name, a renamed unit's entry follows the new name, and a
    closed unit's entry leaves the directory. Safe to run again: what is in step stays."""
    _require_editor(actor, municipality.pk)
    result = UnitsSynced()
    entries = {
        entry.unit_id: entry
        for entry in Service.objects.select_for_update().filter(
            municipality=municipality, unit__isnull=False
        )
    }
    keys = {
        name_key(name): pk
        for pk, name in Service.objects.filter(municipality=municipality).values_list("pk", "name")
    }
    now = timezone.now()
    for unit in _units(municipality):
        entry = entries.get(unit.pk)
        holder = keys.get(name_key(unit.name))
        if entry is None:
            if not unit.active:
                continue
            if holder is not None:
                result.clashes.append(unit.name)
                continue
            entry = Service(
                municipality=municipality,
                unit=unit,
                name=unit.name,
                active=False,
                updated_by=actor,
                updated_at=now,
            )
            entry.full_clean()
            entry.save()
            keys[name_key(unit.name)] = entry.pk
            result.created.append(unit.name)
            continue
        changes: dict[str, Any] = {}
        if entry.name != unit.name:
            if holder is not None and holder != entry.pk:
                result.clashes.append(unit.name)
            else:
                changes["name"] = unit.name
                result.renamed.append(unit.name)
        if not unit.active and entry.active:
            changes["active"] = False
            result.deactivated.append(unit.name)
        if changes:
            model_update(
                instance=entry,
                fields=("name", "active", "updated_at", "updated_by"),
                data={**changes, "updated_at": now, "updated_by": actor},
            )
    return result


# --- Needs ------------------------------------------------------------------------------


def _need_name(*, municipality_id: int, name: str, exclude: int | None) -> str:
    try:
        validate_text(name, label=_label(ServiceNeed, "name"))
        validate_name(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from error
    name = normalise_name(name)
    if not name:
        raise ValidationError({"name": _("Skriv hva behovet heter.")})
    require_lengths(ServiceNeed, name=name)
    key = name_key(name)
    others = ServiceNeed.objects.filter(municipality_id=municipality_id)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if any(name_key(other) == key for other in others.values_list("name", flat=True)):
        raise ValidationError({"name": _("Behovet «%(name)s» finnes allerede.") % {"name": name}})
    return name


@transaction.atomic
def service_need_create(*, actor, municipality: Municipality, name: str) -> ServiceNeed:
    """A need people search by («språk», «angst», «vold i nære relasjoner»)."""
    _require_editor(actor, municipality.pk)
    need = ServiceNeed(
        municipality=municipality,
        name=_need_name(municipality_id=municipality.pk, name=name, exclude=None),
    )
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def service_need_update(*, actor, need: ServiceNeed, name: str) -> ServiceNeed:
    _require_editor(actor, need.municipality_id)
    current = ServiceNeed.objects.select_for_update().get(pk=need.pk)
    name = _need_name(municipality_id=current.municipality_id, name=name, exclude=current.pk)
    current, _changed = model_update(instance=current, fields=("name",), data={"name": name})
    return current


@transaction.atomic
def service_need_delete(*, actor, need: ServiceNeed) -> None:
    """Remove a need; the entries that had it keep everything else."""
    _require_editor(actor, need.municipality_id)
    ServiceNeed.objects.filter(pk=need.pk).delete()
