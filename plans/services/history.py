"""Recording what changed in a plan, and the optimistic lock every plan edit goes through.

A change is stored as the user would read it: field labels and display values, old and
new. The plan pages render the texts as a word diff (``plans.diff``).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from plans.models import PlanChange, QualityPlan, TargetGroup, UnitPlan


class PlanLocked(Exception):
    """The plan is not in a state where this change is allowed (adopted, submitted …)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class EditConflict(Exception):
    """Someone saved the row after the editor loaded it. Carries the row as it is now and
    what the editor tried to save, so the conflict page can show both and lose nothing."""

    def __init__(self, *, current: models.Model, attempted: Mapping[str, Any]) -> None:
        super().__init__(f"{type(current).__name__} {current.pk} changed since it was loaded")
        self.current = current
        self.attempted = dict(attempted)


def field_label_get(*, model: type[models.Model], name: str) -> str:
    """A field's verbose name, capitalised as a label."""
    field = model._meta.get_field(name)
    label = str(getattr(field, "verbose_name", name))
    return label[:1].upper() + label[1:]


def field_value_display(*, instance: models.Model, field_name: str) -> str:
    """A field's value as the pages show it."""
    field: Any = instance._meta.get_field(field_name)
    if field.many_to_many:
        if instance.pk is None:
            return ""
        return ", ".join(str(item) for item in getattr(instance, field_name).all())
    value = getattr(instance, field_name)
    if value is None or value == "":
        return ""
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value))
    if field_name == "target_groups":
        labels = dict(TargetGroup.choices)
        return ", ".join(str(labels.get(item, item)) for item in value)
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if hasattr(value, "get_full_name"):
        return value.get_full_name() or value.get_username()
    if isinstance(value, bool):
        return str(_("ja") if value else _("nei"))
    return str(value)


def fields_snapshot(*, instance: models.Model, fields: Iterable[str]) -> dict[str, str]:
    return {name: field_value_display(instance=instance, field_name=name) for name in fields}


def field_changes_diff(
    *, model: type[models.Model], before: Mapping[str, str], after: Mapping[str, str]
) -> list[dict[str, str]]:
    """The fields whose shown value differs, labelled with their verbose names."""
    changes = []
    for name, new in after.items():
        old = before.get(name, "")
        if old != new:
            changes.append(
                {"field": field_label_get(model=model, name=name), "old": old, "new": new}
            )
    return changes


def record_change(
    *,
    plan: QualityPlan | UnitPlan,
    actor,
    action: str,
    subject: str,
    fields: list[dict[str, str]] | None = None,
) -> PlanChange:
    """Append to the plan's history. Called by the services inside their transaction, so
    a change and its record are written together or not at all."""
    return PlanChange.objects.create(
        quality_plan=plan if isinstance(plan, QualityPlan) else None,
        unit_plan=plan if isinstance(plan, UnitPlan) else None,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject=subject[:300],
        fields=fields or [],
    )


def version_claim(
    *,
    instance: models.Model,
    expected_version: int | None,
    attempted: Mapping[str, Any] | None = None,
) -> None:
    """Move the row from ``expected_version`` to the next version, or raise EditConflict.

    The conditional UPDATE is the lock: of two saves made from the same version, exactly
    one matches the WHERE clause; the other sees zero rows and gets the conflict page.
    ``None`` skips the check (a write that does not come from an edit form)."""
    model = type(instance)
    if expected_version is None:
        model._default_manager.filter(pk=instance.pk).update(version=models.F("version") + 1)
    else:
        claimed = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
            version=models.F("version") + 1
        )
        if not claimed:
            current = model._default_manager.get(pk=instance.pk)
            raise EditConflict(current=current, attempted=attempted or {})
    # Every versioned model has the field; Model itself does not declare it.
    instance.version = model._default_manager.values_list(  # type: ignore[attr-defined]
        "version", flat=True
    ).get(pk=instance.pk)
