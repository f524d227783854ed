"""Reads for the indicator pages, the findings and the status report.

A municipality's figures may sit under several places: its current number, the numbers it
had before the 2020 and 2024 reforms (``Municipality.historic_numbers``) and any older
place whose ``successor`` chain leads to one of those. ``municipality_places`` gathers them
with a rank (0 for the current number), so that a series is one continuous line and, where
two places give the same period, the one nearest the current number wins.

Every function here runs a fixed number of queries, however many observations there are,
and the batched ones (``series_for``, ``main_series``, ``targets_by_indicator``) however many
indicators they are given.

The latest figure is read in one place, ``latest_point``: the latest point *that has a
value*. A suppressed, missing or not computable figure is never shown as the latest; the
comparison places are read at the latest figure's period (``point_at``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q
from django.utils.translation import gettext as _

from indicators.models import (
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Target,
    TargetMilestone,
)
from indicators.parsing.base import COUNTRY_CODE
from plans.models import Municipality, QualityPlan, Unit
from plans.schoolyear import SchoolYear

# The three comparison lines beside the municipality's own, in the order the chart and
# the table show them.
MUNICIPALITY = "municipality"
COUNTRY = "country"
COUNTY = "county"
KOSTRA = "kostra"

_OBSERVATION_FIELDS = (
    "indicator_id",
    "place_id",
    "period_label",
    "period_start",
    "period_end",
    "subgroup",
    "value",
    "status",
    "symbol",
)


@dataclass(frozen=True)
class Point:
    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal | None
    status: str
    symbol: str = ""

    @property
    def has_value(self) -> bool:
        return self.status == ObservationStatus.VALUE and self.value is not None

    @property
    def year(self) -> int:
        return period_year(self.period_start, self.period_end)

    @property
    def status_label(self) -> str:
        return str(ObservationStatus(self.status).label)


def period_year(start: datetime.date, end: datetime.date) -> int:
    """The year a target for this period is set for: a school year (August to July) counts
    as the year it starts, as everywhere in the portal (2024 = 2024/25); a calendar year
    or a span of years as its last year."""
    school_year = SchoolYear.containing(start)
    if (start, end) == (school_year.start, school_year.last_day):
        return school_year.start_year
    return end.year


def year_label(year: int, periods: Iterable[tuple[str, int]]) -> str:
    """A target's year as its figures name their periods: «2025/26» when the figures are
    school years (a target for 2025 is set for 2025/26), else «2025». ``periods`` are
    ``(period label, year)`` pairs as ``IndicatorSeries.periods`` gives them."""
    if any(label == SchoolYear(period).label for label, period in periods):
        return SchoolYear(year).label
    return str(year)


def subgroup_label(subgroup: str) -> str:
    """ "kjønn=Jenter|trinn=10. trinn" → "Jenter, 10. trinn"; "" → "Alle"."""
    if not subgroup:
        return _("Alle")
    return ", ".join(part.partition("=")[2] or part for part in subgroup.split("|"))


def main_subgroup(subgroups: Iterable[str]) -> str | None:
    """The subgroup a reading starts from: everyone ("") when the data has it, else the
    first in order (a file may only give, say, boys and girls apart)."""
    ordered = sorted(set(subgroups))
    if not ordered:
        return None
    return "" if "" in ordered else ordered[0]


# --- Places -------------------------------------------------------------------------------


@dataclass
class MunicipalityPlaces:
    """The places whose figures are the municipality's, the county's and the country's.
    ``municipality`` and ``county`` map a place id to its rank (0 = the current code)."""

    municipality: dict[int, int] = field(default_factory=dict)
    county: dict[int, int] = field(default_factory=dict)
    country: dict[int, int] = field(default_factory=dict)
    county_name: str = ""
    country_name: str = ""
    # Unit-level places linked to the municipality's own units.
    units: dict[int, Unit] = field(default_factory=dict)

    @property
    def all_ids(self) -> set[int]:
        return set(self.municipality) | set(self.county) | set(self.country) | set(self.units)


def county_code(municipality: Municipality) -> str:
    return municipality.number[:2]


def municipality_places(municipality: Municipality | None) -> MunicipalityPlaces:
    """Three queries: the places named by the codes, the predecessor links, the units."""
    result = MunicipalityPlaces()
    roots = Q(level=PlaceLevel.COUNTRY, code=COUNTRY_CODE)
    codes: list[str] = []
    if municipality is not None:
        codes = [municipality.number, *[str(n) for n in municipality.historic_numbers or []]]
        roots |= Q(level=PlaceLevel.MUNICIPALITY, code__in=codes)
        roots |= Q(level=PlaceLevel.COUNTY, code=county_code(municipality))
    heads = list(Place.objects.filter(roots).values_list("pk", "level", "code", "name"))
    for pk, level, code, name in heads:
        if level == PlaceLevel.COUNTRY:
            result.country[pk] = 0
            result.country_name = name
        elif level == PlaceLevel.COUNTY:
            result.county[pk] = 0
            result.county_name = name
        else:
            result.municipality[pk] = codes.index(code)
    if result.municipality or result.county:
        edges: dict[int, list[int]] = defaultdict(list)
        for pk, successor in Place.objects.filter(
            successor__isnull=False, level__in=[PlaceLevel.MUNICIPALITY, PlaceLevel.COUNTY]
        ).values_list("pk", "successor_id"):
            edges[successor].append(pk)
        _follow_predecessors(result.municipality, edges, step=len(codes))
        _follow_predecessors(result.county, edges, step=1)
    if municipality is not None:
        for place in Place.objects.filter(
            level=PlaceLevel.UNIT, unit__municipality=municipality
        ).select_related("unit"):
            if place.unit is not None:
                result.units[place.pk] = place.unit
    return result


def _follow_predecessors(ranks: dict[int, int], edges: dict[int, list[int]], step: int) -> None:
    """Add every place whose successor chain leads to one already ranked, ranked after it
    (a place met twice keeps its best rank; a cycle in bad data ends the walk)."""
    queue = sorted(ranks, key=lambda pk: ranks[pk])
    while queue:
        current = queue.pop(0)
        for predecessor in edges.get(current, ()):
            rank = ranks[current] + step
            if predecessor not in ranks or ranks[predecessor] > rank:
                ranks[predecessor] = rank
                queue.append(predecessor)


def _merge(rows: Iterable[dict], ranks: dict[int, int]) -> dict[str, list[Point]]:
    """One point per (subgroup, period), from the best-ranked place that has it, in period
    order."""
    best: dict[tuple[str, str], tuple[int, dict]] = {}
    for row in rows:
        key = (row["subgroup"], row["period_label"])
        rank = ranks[row["place_id"]]
        if key not in best or rank < best[key][0]:
            best[key] = (rank, row)
    by_subgroup: dict[str, list[Point]] = defaultdict(list)
    for (subgroup, _label), (_rank, row) in best.items():
        by_subgroup[subgroup].append(_point(row))
    for points in by_subgroup.values():
        points.sort(key=lambda point: (point.period_start, point.period_end))
    return dict(by_subgroup)


def _point(row: dict) -> Point:
    return Point(
        period_label=row["period_label"],
        period_start=row["period_start"],
        period_end=row["period_end"],
        value=row["value"],
        status=row["status"],
        symbol=row["symbol"],
    )


def latest_point(points: Sequence[Point]) -> Point | None:
    """The latest point (in period order) that has a value: a withheld or missing figure
    is never the latest, it would hide the figure before it."""
    return next((point for point in reversed(points) if point.has_value), None)


def figure_in_year(points: Sequence[Point], year: int) -> Point | None:
    """The figure a target for ``year`` is judged by: the latest point with a value among
    the periods of that year (``Point.year``); None when the year's figure is withheld."""
    return latest_point([point for point in points if point.year == year])


def point_at(points: Sequence[Point], period_label: str) -> Point | None:
    """The point for a period, whatever its status (a comparison place may have withheld
    the period the municipality has a value for)."""
    return next((point for point in points if point.period_label == period_label), None)


# --- One indicator's series ---------------------------------------------------------------


@dataclass
class Line:
    key: str  # MUNICIPALITY, COUNTRY, COUNTY or KOSTRA
    label: str
    points: dict[str, list[Point]]  # by subgroup

    def for_subgroup(self, subgroup: str) -> list[Point]:
        return self.points.get(subgroup, [])


@dataclass
class UnitLine:
    unit: Unit
    points: dict[str, list[Point]]

    def for_subgroup(self, subgroup: str) -> list[Point]:
        return self.points.get(subgroup, [])


@dataclass
class IndicatorSeries:
    indicator: Indicator
    municipality: Municipality | None
    lines: list[Line]
    subgroups: list[str]
    kostra_groups: list[Place]
    kostra: Place | None
    units: list[UnitLine]

    def line(self, key: str) -> Line | None:
        return next((line for line in self.lines if line.key == key), None)

    @property
    def main_subgroup(self) -> str | None:
        own = self.line(MUNICIPALITY)
        if own is not None and own.points:
            return main_subgroup(own.points)
        return main_subgroup(self.subgroups)

    def periods(self, subgroup: str) -> list[tuple[str, int]]:
        """Every period any line has for the subgroup, in time order, with the year a
        target for it is set for (units have their own table)."""
        seen: dict[str, tuple[datetime.date, datetime.date]] = {}
        for line in self.lines:
            for point in line.for_subgroup(subgroup):
                seen.setdefault(point.period_label, (point.period_start, point.period_end))
        ordered = sorted(seen.items(), key=lambda item: (item[1], item[0]))
        return [(label, period_year(start, end)) for label, (start, end) in ordered]

    def points(self, key: str, subgroup: str) -> list[Point]:
        """A line's points for the subgroup (none when the series has no such line)."""
        line = self.line(key)
        return line.for_subgroup(subgroup) if line else []

    def latest(self, subgroup: str, key: str = MUNICIPALITY) -> Point | None:
        """The line's latest point with a value (``latest_point``)."""
        return latest_point(self.points(key, subgroup))

    def at_latest(self, subgroup: str, key: str) -> Point | None:
        """A comparison line's point for the period of the municipality's latest figure."""
        latest = self.latest(subgroup)
        return point_at(self.points(key, subgroup), latest.period_label) if latest else None


def series(
    indicator: Indicator,
    municipality: Municipality | None,
    *,
    kostra_code: str | None = None,
    places: MunicipalityPlaces | None = None,
) -> IndicatorSeries:
    """One indicator's ``series_for``: five queries."""
    return series_for([indicator], municipality, kostra_code=kostra_code, places=places)[
        indicator.pk
    ]


def series_for(
    indicators: Sequence[Indicator],
    municipality: Municipality | None,
    *,
    kostra_code: str | None = None,
    places: MunicipalityPlaces | None = None,
    until_year: int | None = None,
) -> dict[int, IndicatorSeries]:
    """Per indicator: its figures for the municipality, the country, its county and a
    KOSTRA group (``kostra_code`` when it has data, else the first group with data), per
    subgroup and in period order; plus the municipality's units that have data.
    ``until_year`` leaves out periods whose target year is after it (a report's year).
    Five queries however many indicators (two with ``places`` given)."""
    places = places or municipality_places(municipality)
    ids = [indicator.pk for indicator in indicators]
    kostra_groups: dict[int, list[Place]] = defaultdict(list)
    for group in (
        Place.objects.filter(level=PlaceLevel.KOSTRA_GROUP, observations__indicator_id__in=ids)
        .annotate(indicator_id=F("observations__indicator_id"))
        .distinct()
        .order_by("code", "pk")
    ):
        kostra_groups[group.indicator_id].append(group)
    chosen: dict[int, Place] = {}
    for pk, groups in kostra_groups.items():
        chosen[pk] = next((group for group in groups if group.code == kostra_code), groups[0])
    place_ids = places.all_ids | {group.pk for group in chosen.values()}
    by_indicator: dict[int, dict[int, list[dict]]] = defaultdict(lambda: defaultdict(list))
    subgroups: dict[int, set[str]] = defaultdict(set)
    for row in Observation.objects.filter(indicator_id__in=ids, place_id__in=place_ids).values(
        *_OBSERVATION_FIELDS
    ):
        if until_year is not None and period_year(row["period_start"], row["period_end"]) > (
            until_year
        ):
            continue
        by_indicator[row["indicator_id"]][row["place_id"]].append(row)
    result = {}
    for indicator in indicators:
        by_place = by_indicator[indicator.pk]
        kostra = chosen.get(indicator.pk)
        if kostra is not None:
            subgroups[indicator.pk].update(row["subgroup"] for row in by_place.get(kostra.pk, ()))
        for pk in places.all_ids:
            subgroups[indicator.pk].update(row["subgroup"] for row in by_place.get(pk, ()))
        result[indicator.pk] = _series(
            indicator,
            municipality,
            places,
            by_place,
            kostra,
            kostra_groups.get(indicator.pk, []),
            sorted(subgroups[indicator.pk]),
        )
    return result


def _series(
    indicator: Indicator,
    municipality: Municipality | None,
    places: MunicipalityPlaces,
    by_place: dict[int, list[dict]],
    kostra: Place | None,
    kostra_groups: list[Place],
    subgroups: list[str],
) -> IndicatorSeries:
    def rows_of(ids: Iterable[int]) -> list[dict]:
        return [row for pk in ids for row in by_place.get(pk, ())]

    lines: list[Line] = []
    if municipality is not None:
        lines.append(
            Line(
                MUNICIPALITY,
                municipality.name,
                _merge(rows_of(places.municipality), places.municipality),
            )
        )
    lines.append(
        Line(
            COUNTRY,
            places.country_name or _("Hele landet"),
            _merge(rows_of(places.country), places.country),
        )
    )
    county_points = _merge(rows_of(places.county), places.county)
    if county_points:
        lines.append(Line(COUNTY, places.county_name, county_points))
    if kostra is not None:
        lines.append(Line(KOSTRA, kostra.name, _merge(by_place.get(kostra.pk, []), {kostra.pk: 0})))
    units = [
        UnitLine(unit, _merge(by_place[pk], {pk: 0}))
        for pk, unit in sorted(places.units.items(), key=lambda item: item[1].name)
        if by_place.get(pk)
    ]
    return IndicatorSeries(
        indicator=indicator,
        municipality=municipality,
        lines=lines,
        subgroups=subgroups,
        kostra_groups=kostra_groups,
        kostra=kostra,
        units=units,
    )


def targets_for(indicator: Indicator, municipality: Municipality | None) -> list[Target]:
    """The municipality's targets for the indicator (never another municipality's)."""
    return targets_by_indicator([indicator.pk], municipality).get(indicator.pk, [])


def targets_by_indicator(
    indicator_ids: Sequence[int],
    municipality: Municipality | None,
    *,
    whole_municipality: bool = False,
    user=None,
) -> dict[int, list[Target]]:
    """Per indicator the municipality's targets (never another municipality's), by year,
    unit and subgroup; only the whole municipality's with ``whole_municipality``. With
    ``user`` the read starts from what that user may see. Two queries (the targets, their
    milestones), with or without targets. Their values for a year come from
    ``indicators.targets.target_book``."""
    if municipality is None or not indicator_ids:
        return {}
    targets = Target.objects.visible_to(user) if user is not None else Target.objects.all()
    targets = targets.filter(indicator_id__in=indicator_ids, municipality=municipality)
    if whole_municipality:
        targets = targets.filter(unit__isnull=True)
    found: dict[int, list[Target]] = defaultdict(list)
    # The whole municipality's target before the units' in every year, on PostgreSQL (where
    # NULL sorts last) as on SQLite (first).
    # The resolver (indicators.targets) reads the direction, the place and the milestones.
    ordered = list(
        targets.select_related("unit", "indicator", "comparison_place").order_by(
            "year", F("unit__name").asc(nulls_first=True), "subgroup", "pk"
        )
    )
    # The milestones in one query that runs whether or not there are targets (a
    # prefetch_related would skip it for none), so a page's query count does not depend
    # on whether the indicator has targets.
    milestones: dict[int, list[TargetMilestone]] = defaultdict(list)
    for milestone in TargetMilestone.objects.filter(
        target__indicator_id__in=indicator_ids, target__municipality=municipality
    ).order_by("year", "pk"):
        milestones[milestone.target_id].append(milestone)
    for target in ordered:
        cached = target.milestones.all()
        cached._result_cache = milestones.get(target.pk, [])
        cached._prefetch_done = True
        target._prefetched_objects_cache = {"milestones": cached}
    for target in ordered:
        found[target.indicator_id].append(target)
    return dict(found)


# --- Many indicators at once --------------------------------------------------------------


@dataclass
class MainSeries:
    """An indicator's main subgroup for the municipality and the country."""

    subgroup: str
    municipality: list[Point]
    country: list[Point]

    @property
    def latest(self) -> Point | None:
        return latest_point(self.municipality)

    @property
    def country_at_latest(self) -> Point | None:
        latest = self.latest
        return point_at(self.country, latest.period_label) if latest else None


def main_series(
    indicator_ids: Sequence[int], municipality: Municipality | None, places: MunicipalityPlaces
) -> dict[int, MainSeries]:
    """For each indicator the municipality has figures for: the main subgroup's points
    for the municipality and the country. Two queries."""
    if municipality is None or not indicator_ids or not places.municipality:
        return {}
    own_ids = list(places.municipality)
    subgroups: dict[int, set[str]] = defaultdict(set)
    for indicator_id, subgroup in (
        Observation.objects.filter(indicator_id__in=indicator_ids, place_id__in=own_ids)
        .values_list("indicator_id", "subgroup")
        .distinct()
        .order_by()
    ):
        subgroups[indicator_id].add(subgroup)
    chosen: dict[int, str] = {}
    for pk, names in subgroups.items():
        name = main_subgroup(names)
        if name is not None:
            chosen[pk] = name
    if not chosen:
        return {}
    rows = Observation.objects.filter(
        indicator_id__in=list(chosen),
        subgroup__in=set(chosen.values()),
        place_id__in=own_ids + list(places.country),
    ).values(*_OBSERVATION_FIELDS)
    own_rows: dict[int, list[dict]] = defaultdict(list)
    country_rows: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if row["subgroup"] != chosen[row["indicator_id"]]:
            continue
        target = own_rows if row["place_id"] in places.municipality else country_rows
        target[row["indicator_id"]].append(row)
    result = {}
    for pk, subgroup in chosen.items():
        own = _merge(own_rows.get(pk, []), places.municipality).get(subgroup, [])
        country = _merge(country_rows.get(pk, []), places.country).get(subgroup, [])
        result[pk] = MainSeries(subgroup=subgroup, municipality=own, country=country)
    return result


def plan_in_force(municipality: Municipality | None) -> QualityPlan | None:
    if municipality is None:
        return None
    return QualityPlan.objects.filter(municipality=municipality).in_force()


@dataclass(frozen=True)
class GroupPoint:
    """A KOSTRA group's figure beside the municipality's latest."""

    code: str
    name: str
    point: Point


def kostra_at_latest(
    mains: dict[int, MainSeries], kostra_code: str | None = None
) -> dict[int, GroupPoint]:
    """For each indicator with a latest figure for the municipality: a KOSTRA group's
    figure for the same period and subgroup (``kostra_code`` when it has one, else the
    first group by code, as on the indicator's page). One query."""
    latest = {pk: main.latest for pk, main in mains.items() if main.latest is not None}
    if not latest:
        return {}
    rows = (
        Observation.objects.filter(
            indicator_id__in=list(latest),
            place__level=PlaceLevel.KOSTRA_GROUP,
            period_label__in={point.period_label for point in latest.values()},
            subgroup__in={mains[pk].subgroup for pk in latest},
        )
        .order_by("place__code")
        .values("indicator_id", "place__code", "place__name", *_OBSERVATION_FIELDS[2:])
    )
    found: dict[int, GroupPoint] = {}
    for row in rows:
        pk = row["indicator_id"]
        point = latest[pk]
        if row["period_label"] != point.period_label or row["subgroup"] != mains[pk].subgroup:
            continue
        if pk in found and row["place__code"] != kostra_code:
            continue
        found[pk] = GroupPoint(row["place__code"], row["place__name"], _point(row))
    return found
