"""The one place a target becomes a value for a year.

A ``Target`` is not a number: it is a fixed value, an improvement on the municipality's own
figure in a baseline year, or a margin better than a comparison place (the country, a
county, a KOSTRA group), for a horizon year and the milestones on the way
(``indicators.models.Target``). Everything that shows or judges a target — the indicator
page, its chart's target line, the findings, the status report's goal attainment — reads it
through ``target_book`` here, so a target means the same on every page.

A value that cannot be computed is never made up: the ``TargetValue`` then has no value and
says why («kommunen har ikke noe tall for utgangsåret 2024/25»), and every reader shows
«kan ikke beregnes: …». The arithmetic is Decimal throughout: 41,3 + 3,0 is 44,3 exactly.

Only the years a target names have a value: its horizon and its milestones. Between them
nothing is drawn or judged (see ``TargetMilestone`` for why milestones are typed rather
than interpolated).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from indicators.models import Observation, Target, TargetKind
from indicators.selectors.figures import (
    _OBSERVATION_FIELDS,
    MunicipalityPlaces,
    Point,
    _merge,
    figure_in_year,
    municipality_places,
    targets_by_indicator,
    year_label,
)
from plans.charts import format_value
from plans.models import Municipality


@dataclass(frozen=True)
class TargetValue:
    """A target's value for one year (its horizon or a milestone), or why there is none."""

    target: Target
    year: int
    value: Decimal | None
    reason: str = ""
    milestone: bool = False
    # What a relative target was computed from: the baseline's or the place's figure.
    basis: Point | None = None

    @property
    def resolved(self) -> bool:
        return self.value is not None

    @property
    def adopted(self) -> bool:
        return self.target.adopted

    @property
    def indicator_id(self) -> int:
        return self.target.indicator_id

    @property
    def subgroup(self) -> str:
        return self.target.subgroup

    @property
    def unit_id(self) -> int | None:
        return self.target.unit_id

    @property
    def unresolved_text(self) -> str:
        """«kan ikke beregnes: …» — what every page prints instead of a value."""
        return _("kan ikke beregnes: %(reason)s") % {"reason": self.reason} if self.reason else ""


def amount_for(target: Target, year: int) -> tuple[Decimal, bool] | None:
    """The amount the target names for ``year`` (a value, a change or a margin, as its kind
    reads it) and whether it is a milestone; None for a year it does not name."""
    if year == target.year:
        amount = {
            TargetKind.ABSOLUTE: target.value,
            TargetKind.BASELINE: target.change,
            TargetKind.COMPARISON: target.margin,
        }.get(TargetKind(target.kind))
        return (Decimal(amount), False) if amount is not None else None
    for milestone in target.milestones.all():  # prefetched by every reader
        if milestone.year == year:
            return Decimal(milestone.amount), True
    return None


def years_of(target: Target) -> list[int]:
    """The years a target names: its milestones and its horizon, in order."""
    return sorted({m.year for m in target.milestones.all()} | {target.year})


def _toward(basis: Decimal, amount: Decimal, higher_is_better: bool) -> Decimal:
    # «Better by amount» is up for an indicator where higher is better, down otherwise.
    return basis + amount if higher_is_better else basis - amount


def _labelled(year: int, points: Sequence[Point]) -> str:
    return year_label(year, [(point.period_label, point.year) for point in points])


def resolve(
    target: Target,
    year: int,
    *,
    own: Sequence[Point] = (),
    place: Sequence[Point] = (),
) -> TargetValue | None:
    """The target's value for ``year``: ``own`` are the municipality's (or the target's
    unit's) points for the target's subgroup, ``place`` the comparison place's. None when
    the target names no such year. A pure function: ``target_book`` reads the points."""
    named = amount_for(target, year)
    if named is None:
        return None
    amount, milestone = named
    kind = TargetKind(target.kind)
    if kind == TargetKind.ABSOLUTE:
        return TargetValue(target, year, amount, milestone=milestone)
    higher = target.indicator.higher_is_better
    if higher is None:
        return TargetValue(
            target,
            year,
            None,
            _("indikatoren har ingen retning (verken høyere eller lavere er bedre)"),
            milestone,
        )
    if kind == TargetKind.BASELINE:
        baseline_year = target.baseline_year or 0
        basis = figure_in_year(own, baseline_year)
        if basis is None or basis.value is None:
            reason = _("kommunen har ikke noe tall for utgangsåret %(year)s") % {
                "year": _labelled(baseline_year, own)
            }
            return TargetValue(target, year, None, reason, milestone)
        return TargetValue(
            target, year, _toward(basis.value, amount, higher), milestone=milestone, basis=basis
        )
    basis = figure_in_year(place, year)
    if basis is None or basis.value is None:
        name = target.comparison_place.name if target.comparison_place else _("stedet")
        reason = _("%(place)s har ikke noe tall for %(year)s") % {
            "place": name,
            "year": _labelled(year, [*place, *own]),
        }
        return TargetValue(target, year, None, reason, milestone)
    return TargetValue(
        target, year, _toward(basis.value, amount, higher), milestone=milestone, basis=basis
    )


class TargetBook:
    """The resolved values of a set of targets, by indicator, subgroup and unit."""

    def __init__(
        self,
        targets: Iterable[Target],
        own: dict[tuple[int, int | None], dict[str, list[Point]]],
        places: dict[tuple[int, int], dict[str, list[Point]]],
    ) -> None:
        self.targets = list(targets)
        self._values: dict[int, list[TargetValue]] = {}
        for target in self.targets:
            own_points = own.get((target.indicator_id, target.unit_id), {}).get(target.subgroup, [])
            place_points = (
                places.get((target.indicator_id, target.comparison_place_id), {}).get(
                    target.subgroup, []
                )
                if target.comparison_place_id
                else []
            )
            values = []
            for year in years_of(target):
                value = resolve(target, year, own=own_points, place=place_points)
                if value is not None:
                    values.append(value)
            self._values[target.pk] = values

    def for_target(self, target: Target) -> list[TargetValue]:
        """One target's values: its milestones and horizon, in year order."""
        return self._values.get(target.pk, [])

    def values(
        self, indicator_id: int, subgroup: str, unit_id: int | None = None
    ) -> list[TargetValue]:
        """Per year the value in force for the indicator, subgroup and unit (the whole
        municipality with ``unit_id=None``), in year order. Where two targets name the same
        year, a target's horizon goes before another's milestone, and of two milestones
        the one whose horizon is nearest."""
        chosen: dict[int, tuple[tuple[int, int], TargetValue]] = {}
        for target in self.targets:
            if (
                target.indicator_id != indicator_id
                or target.subgroup != subgroup
                or target.unit_id != unit_id
            ):
                continue
            for value in self._values[target.pk]:
                rank = (int(value.milestone), target.year)
                if value.year not in chosen or rank < chosen[value.year][0]:
                    chosen[value.year] = (rank, value)
        return [chosen[year][1] for year in sorted(chosen)]

    def for_year(
        self, indicator_id: int, subgroup: str, year: int, unit_id: int | None = None
    ) -> TargetValue | None:
        return next(
            (v for v in self.values(indicator_id, subgroup, unit_id) if v.year == year), None
        )

    def latest(
        self, indicator_id: int, subgroup: str, unit_id: int | None = None
    ) -> TargetValue | None:
        """The last year's value: the furthest horizon (the findings read it)."""
        values = self.values(indicator_id, subgroup, unit_id)
        return values[-1] if values else None


def target_book(
    targets: Iterable[Target],
    municipality: Municipality | None,
    *,
    places: MunicipalityPlaces | None = None,
) -> TargetBook:
    """Resolve ``targets`` (read with ``indicator``, ``comparison_place`` and
    ``milestones``, as ``targets_by_indicator`` gives them). One query for the figures
    relative targets are computed from (none when every target is absolute; three more
    for the municipality's places when ``places`` is not given)."""
    targets = list(targets)
    relative = [t for t in targets if t.kind != TargetKind.ABSOLUTE]
    own: dict[tuple[int, int | None], dict[str, list[Point]]] = {}
    by_place: dict[tuple[int, int], dict[str, list[Point]]] = {}
    if relative and municipality is not None:
        places = places or municipality_places(municipality)
        comparison_ids = {t.comparison_place_id for t in relative if t.comparison_place_id}
        unit_places: dict[int, dict[int, int]] = defaultdict(dict)
        for pk, unit in places.units.items():
            unit_places[unit.pk][pk] = 0
        place_ids = set(places.municipality) | set(places.units) | comparison_ids
        rows: dict[int, list[dict]] = defaultdict(list)
        for row in Observation.objects.filter(
            indicator_id__in={t.indicator_id for t in relative},
            subgroup__in={t.subgroup for t in relative},
            place_id__in=place_ids,
        ).values(*_OBSERVATION_FIELDS):
            rows[row["indicator_id"]].append(row)
        for indicator_id, indicator_rows in rows.items():
            own[(indicator_id, None)] = _merge(
                [r for r in indicator_rows if r["place_id"] in places.municipality],
                places.municipality,
            )
            for unit_id, ranks in unit_places.items():
                own[(indicator_id, unit_id)] = _merge(
                    [r for r in indicator_rows if r["place_id"] in ranks], ranks
                )
            for place_id in comparison_ids:
                by_place[(indicator_id, place_id)] = _merge(
                    [r for r in indicator_rows if r["place_id"] == place_id], {place_id: 0}
                )
    return TargetBook(targets, own, by_place)


def municipality_target_book(
    indicator_ids: Sequence[int],
    municipality: Municipality | None,
    *,
    places: MunicipalityPlaces | None = None,
) -> TargetBook:
    """Every whole-municipality target of the indicators, resolved: what the findings
    overview, the trace and the dialogue agenda read (``book.latest(indicator, subgroup)``,
    the furthest year's value or why it cannot be computed). Two queries for the targets,
    one for the figures relative targets need."""
    return target_book(
        [
            target
            for targets in targets_by_indicator(
                indicator_ids, municipality, whole_municipality=True
            ).values()
            for target in targets
        ],
        municipality,
        places=places,
    )


# --- How a target reads -------------------------------------------------------------------


def amount_text(amount: Decimal, indicator) -> str:
    text = format_value(amount, indicator.decimals)
    return f"{text} {indicator.unit_of_measure}".strip()


def describe(target: Target, periods: Sequence[tuple[str, int]] = ()) -> str:
    """What the target is, in a sentence: «Fast verdi», «3,0 poeng bedre enn kommunens tall
    for 2024/25», «1,0 prosent bedre enn KOSTRA-gruppe 13»."""
    indicator = target.indicator
    kind = TargetKind(target.kind)
    if kind == TargetKind.ABSOLUTE:
        return str(TargetKind.ABSOLUTE.label)
    if kind == TargetKind.BASELINE:
        return _("%(change)s bedre enn kommunens tall for %(year)s") % {
            "change": amount_text(target.change or Decimal(0), indicator),
            "year": year_label(target.baseline_year or 0, periods),
        }
    place = target.comparison_place.name if target.comparison_place else ""
    if not target.margin:
        return _("Minst like godt som %(place)s") % {"place": place}
    return _("%(margin)s bedre enn %(place)s") % {
        "margin": amount_text(target.margin, indicator),
        "place": place,
    }


def adoption_text(target: Target) -> str:
    """«Vedtatt i kommunestyret 12.03.2025 (sak 25/14)» or «Administrativt mål»."""
    if target.adopted and target.adopted_on:
        return _("Vedtatt i kommunestyret %(date)s (sak %(case)s)") % {
            "date": date_format(target.adopted_on, "d.m.Y"),
            "case": target.council_case,
        }
    return _("Administrativt mål")
