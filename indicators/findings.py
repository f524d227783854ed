"""Findings: an indicator read for a municipality against the country, its own trend and
its target, the way the Jevnaker plan sums up its «tellinger» in two columns —
*opplysende funn* (what goes well) and *funn å være oppmerksom på* (what to watch).

The reading respects ``Indicator.higher_is_better``; an indicator where neither direction
is better in itself (``None``) is never judged. Only values the sources give are read:
a suppressed, missing or not computable figure is skipped, never guessed or counted as 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import Indicator, Target
from indicators.selectors.figures import (
    MainSeries,
    Point,
    figure_in_year,
    main_series,
    municipality_places,
    subgroup_label,
    year_label,
)
from indicators.targets import TargetValue, municipality_target_book, resolve
from plans.access import access_for
from plans.charts import format_value
from plans.models import Municipality

TREND_PERIODS = 3


@dataclass
class Reading:
    """What one indicator says for the municipality: reasons for each column."""

    indicator: Indicator
    subgroup: str
    positive: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)

    @property
    def judged(self) -> bool:
        return self.indicator.higher_is_better is not None

    @property
    def subgroup_label(self) -> str:
        return subgroup_label(self.subgroup)


@dataclass
class Overview:
    municipality: Municipality | None
    positive: list[Reading]
    attention: list[Reading]
    # Indicators with figures but no direction (higher_is_better is None): not judged.
    unjudged: list[Indicator]


def amount(value: Decimal, indicator: Indicator) -> str:
    """A value as a sentence writes it: «12,5 prosent», «41,9 poeng»."""
    text = format_value(value, indicator.decimals)
    return f"{text} {indicator.unit_of_measure}" if indicator.unit_of_measure else text


@dataclass(frozen=True)
class _Figure:
    """A point that has a value: the only kind a reading looks at."""

    period_label: str
    year: int
    value: Decimal


def _figures(points: Sequence[Point]) -> list[_Figure]:
    return [
        _Figure(point.period_label, point.year, point.value)
        for point in points
        if point.has_value and point.value is not None
    ]


def _better(difference: Decimal, higher_is_better: bool) -> bool | None:
    """True when the difference is in the good direction, False in the bad, None at 0."""
    if difference == 0:
        return None
    return (difference > 0) == higher_is_better


def read_indicator(
    indicator: Indicator,
    own: Sequence[Point],
    country: Sequence[Point],
    target: TargetValue | Target | None,
    *,
    place_name: str,
    subgroup: str = "",
) -> Reading:
    """Read the municipality's points (in period order) against the country's, the trend
    over the last (up to) three periods with a value, and the target: its value for its
    year as ``indicators.targets`` resolves it (a bare absolute ``Target`` is read as its
    value; a relative one needs the resolver's ``TargetValue``)."""
    reading = Reading(indicator=indicator, subgroup=subgroup)
    higher = indicator.higher_is_better
    if higher is None:
        return reading
    values = _figures(own)
    direction = "" if higher else " " + _("(lavere er bedre)")

    # Against the country, in the latest period both have a value.
    country_values = {figure.period_label: figure for figure in _figures(country)}
    common = [point for point in values if point.period_label in country_values]
    if common:
        mine = common[-1]
        theirs = country_values[mine.period_label]
        better = _better(mine.value - theirs.value, higher)
        texts = {
            "place": place_name,
            "value": amount(mine.value, indicator),
            "country": amount(theirs.value, indicator),
            "period": mine.period_label,
            "direction": direction,
        }
        if better is True:
            reading.positive.append(
                _(
                    "%(place)s ligger bedre an enn landet: %(value)s mot %(country)s i "
                    "%(period)s%(direction)s."
                )
                % texts
            )
        elif better is False:
            reading.attention.append(
                _(
                    "%(place)s ligger dårligere an enn landet: %(value)s mot %(country)s i "
                    "%(period)s%(direction)s."
                )
                % texts
            )

    # The trend over the last periods with a value.
    window = values[-TREND_PERIODS:]
    if len(window) >= 2:
        first, last = window[0], window[-1]
        better = _better(last.value - first.value, higher)
        texts = {
            "first": amount(first.value, indicator),
            "first_period": first.period_label,
            "last": amount(last.value, indicator),
            "last_period": last.period_label,
        }
        if better is True:
            reading.positive.append(
                _(
                    "Utviklingen går i riktig retning: fra %(first)s i %(first_period)s til "
                    "%(last)s i %(last_period)s."
                )
                % texts
            )
        elif better is False:
            reading.attention.append(
                _(
                    "Utviklingen går i feil retning: fra %(first)s i %(first_period)s til "
                    "%(last)s i %(last_period)s."
                )
                % texts
            )

    # The target: met or missed in its year; a later target against the latest value.
    if isinstance(target, Target):
        target = resolve(target, target.year)
    if target is not None and values:
        _read_target(reading, indicator, higher, own, values, target)
    return reading


def _read_target(
    reading: Reading,
    indicator: Indicator,
    higher: bool,
    own: Sequence[Point],
    values: list[_Figure],
    target: TargetValue,
) -> None:
    year = year_label(target.year, [(point.period_label, point.year) for point in values])
    if target.value is None:
        # Never judged against a made-up value: say why it cannot be computed.
        reading.attention.append(
            _("Målet for %(year)s kan ikke beregnes: %(reason)s.")
            % {"year": year, "reason": target.reason}
        )
        return
    texts: dict[str, object] = {"year": year, "target": amount(target.value, indicator)}
    point = figure_in_year(own, target.year)  # as the status report judges it
    if point is not None and point.value is not None:
        texts["value"] = amount(point.value, indicator)
        texts["period"] = point.period_label  # «2025/26» for a school year, else the year
        if _better(point.value - target.value, higher) is False:
            reading.attention.append(
                _("Målet for %(period)s er ikke nådd: %(value)s mot målet %(target)s.") % texts
            )
        else:
            reading.positive.append(
                _("Målet for %(period)s er nådd: %(value)s mot målet %(target)s.") % texts
            )
        return
    if own[-1].year >= target.year:
        # The target's own year has no value (suppressed or missing): nothing to read.
        return
    latest = values[-1]
    texts["value"] = amount(latest.value, indicator)
    texts["period"] = latest.period_label
    if _better(latest.value - target.value, higher) is False:
        reading.attention.append(
            _("Siste verdi er %(value)s (%(period)s); målet for %(year)s er %(target)s.") % texts
        )
    else:
        reading.positive.append(
            _("Målet for %(year)s (%(target)s) er allerede nådd: %(value)s i %(period)s.") % texts
        )


def reading_for_main(
    indicator: Indicator, main: MainSeries, target: TargetValue | Target | None, place_name: str
) -> Reading:
    return read_indicator(
        indicator,
        main.municipality,
        main.country,
        target,
        place_name=place_name,
        subgroup=main.subgroup,
    )


def findings_overview(user) -> Overview:
    """Every indicator with figures for the user's municipality, read and sorted into the
    two columns; an indicator may stand in both. A fixed number of queries."""
    municipality_id = access_for(user).municipality_id
    municipality = (
        Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None
    )
    if municipality is None:
        return Overview(municipality=None, positive=[], attention=[], unjudged=[])
    places = municipality_places(municipality)
    indicators = list(
        Indicator.objects.visible_to(user)
        .filter(observations__place_id__in=list(places.municipality))
        .select_related("source")
        .distinct()
        .order_by("name", "pk")
    )
    ids = [indicator.pk for indicator in indicators]
    mains = main_series(ids, municipality, places)
    # Every whole-municipality target, resolved once (the furthest year is read).
    book = municipality_target_book(ids, municipality, places=places)
    overview = Overview(municipality=municipality, positive=[], attention=[], unjudged=[])
    for indicator in indicators:
        main = mains.get(indicator.pk)
        if main is None:
            continue
        if indicator.higher_is_better is None:
            overview.unjudged.append(indicator)
            continue
        reading = reading_for_main(
            indicator, main, book.latest(indicator.pk, main.subgroup), municipality.name
        )
        if reading.positive:
            overview.positive.append(reading)
        if reading.attention:
            overview.attention.append(reading)
    return overview
