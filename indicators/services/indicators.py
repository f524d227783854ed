"""Writes from the indicator pages: an indicator's settings and its links to the plan,
the municipality's targets and the sector leader's commentary. Each runs in one
transaction and checks what the form cannot (units and areas of the right municipality).

The import flow's writes live in ``indicators.services``."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import Commentary, Indicator, Target
from plans.models import CoreComponent, DevelopmentArea, Municipality, QualityPlan
from plans.text_limits import check_text_lengths

SETTINGS_FIELDS = (
    "higher_is_better",
    "unit_of_measure",
    "decimals",
    "service_field",
    "description",
    "published",
)


def _require_own(indicator: Indicator, municipality: Municipality) -> None:
    """An indicator another municipality owns is not this municipality's to target,
    comment on or link."""
    if indicator.municipality_id not in (None, municipality.pk):
        raise ValidationError(_("Indikatoren hører til en annen kommune."))


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    data: dict[str, Any],
    municipality: Municipality | None,
    plan: QualityPlan | None,
    actor,
) -> Indicator:
    """Save the indicator's settings and its links to the areas and core components of
    the municipality's plan in force. The settings are the owner's: the municipality's
    own indicator's, or an installation-wide one's for an installation administrator
    (``indicators.change_indicator``). Links to other municipalities' plans are kept, the
    municipality's own are replaced."""
    settings = [name for name in SETTINGS_FIELDS if name in data]
    if settings:
        if not actor.has_perm("indicators.change_indicator", indicator):
            raise PermissionDenied
        for name in settings:
            setattr(indicator, name, data[name])
        indicator.full_clean()
        indicator.save()
    if municipality is not None and plan is not None:
        _require_own(indicator, municipality)
        areas = list(data.get("areas") or [])
        components = list(data.get("components") or [])
        if any(area.plan_id != plan.pk for area in areas) or any(
            component.area.plan_id != plan.pk for component in components
        ):
            raise ValidationError(
                _("Velg utviklingsområder og kjernekomponenter fra planen som gjelder.")
            )
        own_areas = DevelopmentArea.objects.filter(plan__municipality=municipality)
        own_components = CoreComponent.objects.filter(area__plan__municipality=municipality)
        indicator.areas.remove(*own_areas.filter(indicators=indicator))
        indicator.components.remove(*own_components.filter(indicators=indicator))
        indicator.areas.add(*areas)
        indicator.components.add(*components)
    return indicator


@transaction.atomic
def indicator_targets_save(
    *,
    indicator: Indicator,
    municipality: Municipality,
    rows: Sequence[dict[str, Any]],
    actor,
) -> list[Target]:
    """Replace the municipality's targets for the indicator with ``rows`` (each with
    ``year``, ``value`` and optionally ``unit`` and ``subgroup``). Nothing is written when
    a row is wrong."""
    _require_own(indicator, municipality)
    seen: set[tuple[int | None, int, str]] = set()
    targets = []
    for row in rows:
        unit = row.get("unit")
        if unit is not None and unit.municipality_id != municipality.pk:
            raise ValidationError(_("Enheten hører til en annen kommune."))
        subgroup = row.get("subgroup") or ""
        key = (unit.pk if unit else None, row["year"], subgroup)
        if key in seen:
            raise ValidationError(
                _("Det er to mål for %(year)s for samme enhet og undergruppe.")
                % {"year": row["year"]}
            )
        seen.add(key)
        target = Target(
            indicator=indicator,
            municipality=municipality,
            unit=unit,
            year=row["year"],
            value=Decimal(row["value"]),
            subgroup=subgroup,
        )
        # The old rows are replaced below; duplicates among the new ones are checked above.
        target.full_clean(validate_unique=False, validate_constraints=False)
        targets.append(target)
    Target.objects.filter(indicator=indicator, municipality=municipality).delete()
    return Target.objects.bulk_create(targets)


@transaction.atomic
def indicator_commentary_save(
    *, indicator: Indicator, municipality: Municipality, text: str, actor
) -> Commentary:
    _require_own(indicator, municipality)
    text = text.strip()
    if not text:
        raise ValidationError(_("Skriv en kommentar."))
    check_text_lengths(Commentary, text=text)
    commentary, _created = Commentary.objects.update_or_create(
        indicator=indicator,
        municipality=municipality,
        defaults={"text": text, "written_by": actor},
    )
    return commentary


@transaction.atomic
def indicator_commentary_delete(*, indicator: Indicator, municipality: Municipality, actor) -> None:
    _require_own(indicator, municipality)
    Commentary.objects.filter(indicator=indicator, municipality=municipality).delete()
