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
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import (
    COMPARISON_LEVELS,
    Commentary,
    Indicator,
    Target,
    TargetAdoption,
    TargetChange,
    TargetKind,
    TargetMilestone,
)
from indicators.selectors.figures import subgroup_label
from indicators.targets import adoption_text, describe
from plans.charts import format_value
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


def target_check(*, row: dict[str, Any], indicator: Indicator | None = None) -> None:
    """The rules a target must keep, for the form and the service alike: each kind has what
    it is computed from, the years are in order, an adoption has its case and date, and a
    relative target needs an indicator with a direction. Raises a ValidationError by field,
    in Norwegian."""
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    year = row["year"]
    kind = row.get("kind") or TargetKind.ABSOLUTE
    if kind not in TargetKind.values:
        refuse("kind", _("Velg en type mål fra listen."))
    elif kind == TargetKind.ABSOLUTE:
        if row.get("value") is None:
            refuse("value", _("Oppgi målverdien."))
    else:
        if indicator is not None and indicator.higher_is_better is None:
            refuse(
                "kind",
                _(
                    "Indikatoren har ingen retning (verken høyere eller lavere er bedre), så "
                    "målet må være en fast verdi."
                ),
            )
        amount_field = "change" if kind == TargetKind.BASELINE else "margin"
        amount = row.get(amount_field)
        if amount is None:
            refuse(
                amount_field,
                _("Oppgi hvor mye bedre tallet skal bli.")
                if kind == TargetKind.BASELINE
                else _("Oppgi marginen (0 betyr minst like godt)."),
            )
        elif amount < 0:
            refuse(
                amount_field,
                _("Skriv et tall som er 0 eller større: retningen følger indikatoren."),
            )
    if kind == TargetKind.BASELINE:
        baseline = row.get("baseline_year")
        if baseline is None:
            refuse("baseline_year", _("Oppgi utgangsåret målet måles fra."))
        elif baseline > year:
            refuse("baseline_year", _("Utgangsåret kan ikke være etter målåret."))
    if kind == TargetKind.COMPARISON:
        place = row.get("comparison_place")
        if place is None:
            refuse("comparison_place", _("Velg stedet målet sammenlignes med."))
        elif place.level not in COMPARISON_LEVELS:
            refuse("comparison_place", _("Velg landet, et fylke eller en KOSTRA-gruppe."))
    start = row.get("baseline_year") if kind == TargetKind.BASELINE else None
    for milestone_year, amount in row.get("milestones") or []:
        if milestone_year >= year or (start is not None and milestone_year <= start):
            refuse(
                "milestones",
                _("Delmålet for %(year)s må ligge mellom utgangsåret %(start)s og målåret %(end)s.")
                % {"year": milestone_year, "start": start, "end": year}
                if start is not None
                else _("Delmålet for %(year)s må ligge før målåret %(end)s.")
                % {"year": milestone_year, "end": year},
            )
        elif kind != TargetKind.ABSOLUTE and amount < 0:
            refuse(
                "milestones",
                _("Delmålet for %(year)s må være 0 eller større.") % {"year": milestone_year},
            )
    if row.get("adoption") == TargetAdoption.COUNCIL:
        if not (row.get("council_case") or "").strip():
            refuse("council_case", _("Oppgi saksnummeret i kommunestyret når målet er vedtatt."))
        adopted_on = row.get("adopted_on")
        if adopted_on is None:
            refuse("adopted_on", _("Oppgi datoen kommunestyret vedtok målet."))
        elif adopted_on > timezone.localdate():
            refuse("adopted_on", _("Vedtaksdatoen kan ikke være fram i tid."))
    elif row.get("adoption") not in (None, "", TargetAdoption.ADMINISTRATIVE):
        refuse("adoption", _("Velg vedtatt i kommunestyret eller administrativt mål."))
    if errors:
        raise ValidationError(errors)


def _target_from_row(indicator, municipality, row) -> tuple[Target, list[tuple[int, Decimal]]]:
    kind = row.get("kind") or TargetKind.ABSOLUTE
    council = row.get("adoption") == TargetAdoption.COUNCIL
    target = Target(
        indicator=indicator,
        municipality=municipality,
        unit=row.get("unit"),
        year=row["year"],
        subgroup=row.get("subgroup") or "",
        kind=kind,
        # Only what the kind is computed from is kept: no stale field can mislead a reader.
        value=Decimal(row["value"]) if kind == TargetKind.ABSOLUTE else None,
        baseline_year=row.get("baseline_year") if kind == TargetKind.BASELINE else None,
        change=row.get("change") if kind == TargetKind.BASELINE else None,
        comparison_place=row.get("comparison_place") if kind == TargetKind.COMPARISON else None,
        margin=row.get("margin") if kind == TargetKind.COMPARISON else None,
        adoption=TargetAdoption.COUNCIL if council else TargetAdoption.ADMINISTRATIVE,
        council_case=(row.get("council_case") or "").strip() if council else "",
        adopted_on=row.get("adopted_on") if council else None,
    )
    return target, sorted(row.get("milestones") or [])


def _substance(target: Target, milestones) -> tuple:
    """What a council decides: the kind, its figures and the milestones."""
    return (
        target.kind,
        target.value,
        target.baseline_year,
        target.change,
        target.comparison_place_id,
        target.margin,
        tuple((year, Decimal(amount)) for year, amount in milestones),
    )


def _adoption_record(target: Target) -> tuple:
    return (target.adoption, target.council_case, target.adopted_on)


def _summary(target: Target, milestones) -> str:
    """The target as its history shows it: «Fast verdi: 5,0; delmål 2025: 6,0»."""
    decimals = target.indicator.decimals
    amount = {
        TargetKind.ABSOLUTE: target.value,
        TargetKind.BASELINE: target.change,
        TargetKind.COMPARISON: target.margin,
    }[TargetKind(target.kind)]
    parts = [
        f"{describe(target)}: {format_value(amount, decimals)}"
        if amount is not None
        else describe(target)
    ]
    parts += [
        _("delmål %(year)s: %(value)s") % {"year": year, "value": format_value(value, decimals)}
        for year, value in milestones
    ]
    return "; ".join(parts)


def _subject(target: Target) -> str:
    return _("Mål for %(year)s (%(unit)s, %(subgroup)s)") % {
        "year": target.year,
        "unit": target.unit.name if target.unit else _("Hele kommunen"),
        "subgroup": subgroup_label(target.subgroup),
    }


@transaction.atomic
def indicator_targets_save(
    *,
    indicator: Indicator,
    municipality: Municipality,
    rows: Sequence[dict[str, Any]],
    actor,
) -> list[Target]:
    """Replace the municipality's targets for the indicator with ``rows`` (each with
    ``year`` — the horizon —, ``kind`` and what it is computed from, ``milestones`` as
    ``(year, amount)`` pairs, the ``adoption`` with ``council_case`` and ``adopted_on``,
    and optionally ``unit`` and ``subgroup``). Every row is checked here as in the form
    (``target_check``), and ids the form could not vouch for (a unit or a comparison
    place) are checked again. A target the council adopted is changed only together with a
    new adoption (another case number or date) or by marking it administrative, and is not
    deleted while adopted. Each added, changed or removed target is recorded in
    ``TargetChange``. Nothing is written when a row is wrong."""
    _require_own(indicator, municipality)
    existing = {
        (t.unit_id, t.year, t.subgroup): t
        for t in Target.objects.select_for_update(of=("self",))
        .filter(indicator=indicator, municipality=municipality)
        .select_related("unit", "comparison_place", "indicator")
        .prefetch_related("milestones")
    }
    seen: set[tuple[int | None, int, str]] = set()
    new: list[tuple[Target, list[tuple[int, Decimal]]]] = []
    for row in rows:
        unit = row.get("unit")
        if unit is not None and unit.municipality_id != municipality.pk:
            raise ValidationError(_("Enheten hører til en annen kommune."))
        target_check(row=row, indicator=indicator)
        target, milestones = _target_from_row(indicator, municipality, row)
        key = (unit.pk if unit else None, target.year, target.subgroup)
        if key in seen:
            raise ValidationError(
                _("Det er to mål for %(year)s for samme enhet og undergruppe.")
                % {"year": row["year"]}
            )
        seen.add(key)
        # The old rows are replaced below; duplicates among the new ones are checked above.
        target.full_clean(validate_unique=False, validate_constraints=False)
        new.append((target, milestones))
    changes: list[TargetChange] = []
    for key, old in existing.items():
        old_milestones = [(m.year, m.amount) for m in old.milestones.all()]
        match = next((pair for pair in new if _key(pair[0]) == key), None)
        if match is None:
            if old.adopted:
                raise ValidationError(
                    _(
                        "Målet for %(year)s er vedtatt i kommunestyret (sak %(case)s) og kan "
                        "ikke slettes. Merk det som administrativt først."
                    )
                    % {"year": old.year, "case": old.council_case}
                )
            changes.append(
                _change(indicator, municipality, actor, "removed", old, old_milestones, None, None)
            )
            continue
        target, milestones = match
        same_substance = _substance(old, old_milestones) == _substance(target, milestones)
        same_adoption = _adoption_record(old) == _adoption_record(target)
        if old.adopted and not same_substance and same_adoption:
            raise ValidationError(
                _(
                    "Målet for %(year)s er vedtatt i kommunestyret (sak %(case)s). Registrer "
                    "det nye vedtaket (saksnummer og dato) eller merk målet som administrativt "
                    "for å endre det."
                )
                % {"year": old.year, "case": old.council_case}
            )
        if not (same_substance and same_adoption):
            changes.append(
                _change(
                    indicator,
                    municipality,
                    actor,
                    "changed",
                    old,
                    old_milestones,
                    target,
                    milestones,
                )
            )
    for target, milestones in new:
        if _key(target) not in existing:
            changes.append(
                _change(indicator, municipality, actor, "added", None, None, target, milestones)
            )
    Target.objects.filter(indicator=indicator, municipality=municipality).delete()
    saved = Target.objects.bulk_create([target for target, _milestones in new])
    TargetMilestone.objects.bulk_create(
        [
            TargetMilestone(target=target, year=year, amount=amount)
            for target, (_unsaved, milestones) in zip(saved, new, strict=True)
            for year, amount in milestones
        ]
    )
    TargetChange.objects.bulk_create(changes)
    return saved


def _key(target: Target) -> tuple[int | None, int, str]:
    return (target.unit_id, target.year, target.subgroup)


def _change(indicator, municipality, actor, action, old, old_milestones, new, new_milestones):
    subject = _subject(new if new is not None else old)
    fields = [
        {
            "field": str(_("Mål")),
            "old": _summary(old, old_milestones) if old is not None else "",
            "new": _summary(new, new_milestones) if new is not None else "",
        },
        {
            "field": str(_("Vedtak")),
            "old": adoption_text(old) if old is not None else "",
            "new": adoption_text(new) if new is not None else "",
        },
    ]
    return TargetChange(
        indicator=indicator,
        municipality=municipality,
        actor=actor,
        action=action,
        subject=subject,
        fields=[f for f in fields if f["old"] != f["new"]],
    )


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
