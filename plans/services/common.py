"""Building blocks the services of every app share. plans is the lowest layer, so the
others may import from here; nothing here imports from them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models

ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(
    *,
    instance: ModelT,
    fields: Iterable[str],
    data: Mapping[str, Any],
    clean: bool = True,
) -> tuple[ModelT, bool]:
    """Set the ``fields`` that ``data`` carries on a saved ``instance`` and write only
    those that changed (after ``full_clean`` unless ``clean`` is False), so a concurrent
    change to another column is not overwritten with what this process loaded earlier.
    Fields Django keeps current itself (``auto_now``) are written along with them.
    Many-to-many fields are replaced after the row is saved; a changed relation
    moves the ``auto_now`` fields too.

    A name in ``data`` that is not in ``fields``, or in ``fields`` that the model does
    not have, is a programming error and raises ValueError: the calling service decides
    which fields may change, the helper does not silently drop the rest.

    Pass the row as stored, freshly loaded (under ``select_for_update`` where the
    service locks): a value already set on the instance, say by a ModelForm's
    validation, compares as unchanged and is not written.

    Returns the instance and whether anything was written. Modelled on
    HackSoftware's Django-Styleguide ``model_update``."""
    if instance.pk is None:
        raise ValueError("model_update changes saved rows; create new ones with the model")
    allowed = list(fields)
    meta = instance._meta
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValueError(f"{meta.label} cannot be updated with {', '.join(unknown)} here")
    changed: list[str] = []
    many_to_many: dict[str, Any] = {}
    for name in allowed:
        try:
            field = meta.get_field(name)
        except FieldDoesNotExist as error:
            raise ValueError(f"{meta.label} has no field {name}") from error
        if name not in data:
            continue
        value = data[name]
        if field.many_to_many:
            many_to_many[name] = value
        elif _differs(instance, field, value):
            setattr(instance, name, value)
            changed.append(name)
    automatic = [
        field.name
        for field in meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in changed
    ]
    if changed:
        if clean:
            instance.full_clean()
        instance.save(update_fields=[*changed, *automatic])
    relations_changed = False
    for name, value in many_to_many.items():
        manager = getattr(instance, name)
        wanted = {item.pk if isinstance(item, models.Model) else item for item in value or []}
        if wanted != set(manager.values_list("pk", flat=True)):
            manager.set(value or [])
            relations_changed = True
    if relations_changed and not changed and automatic:
        # A changed relation is a change to the row: "last changed" moves with it.
        instance.save(update_fields=automatic)
    return instance, bool(changed) or relations_changed


def _differs(instance: models.Model, field: Any, value: Any) -> bool:
    # A foreign key is compared by id, so the check does not load the related row.
    if field.many_to_one or field.one_to_one:
        current = getattr(instance, field.attname)
        return current != (value.pk if isinstance(value, models.Model) else value)
    return getattr(instance, field.name) != value
