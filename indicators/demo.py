"""The demo municipality's tellinger: a local, clearly fictional source with 28 indicators,
six or seven linked to each of the demo plan's development areas, shaped after what
Ungdata, Udir, SSB/KOSTRA and FHI publish for a municipality's childhood sector. Solvik's
figures over six periods stand beside the country's, and for some a county's or a KOSTRA
group's; two schools have their own figures; a few figures are suppressed; the sector
leader has set targets and written commentary. There are this many so that the full
status report for the last school year with figures, made from the demo alone, has the
size issue 7 asks for (about 40 pages, 30 or more charts: one per indicator and one per
area), and ``bench/report`` measures that report.

Every number here is made up for the demo (the source and every description say so); the
shapes follow what the real sources publish. The figures are chosen so that every kind of
finding appears: better and worse than the country, improving and worsening, a target met,
a target missed, a later target not yet reached and one already reached, and two
indicators with no direction that are not judged.
Solvik changed number in 2024 (9801 → 9901), so its older figures stand under the old
number and the pages join them into one line.

The indicators and their figures are data, ``fixtures/demo/indicators.json``; this module
says how they become rows. Observations are public statistics shared by every
municipality: the demo only writes its own indicators' figures and never deletes anyone
else's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

from django.utils import timezone

from indicators.models import (
    Commentary,
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Source,
    Target,
    TargetAdoption,
    TargetKind,
    TargetMilestone,
)
from indicators.parsing.base import COUNTRY_CODE, school_year_period, year_period
from plans.demo_data import read_demo_data
from plans.models import (
    CoreComponent,
    DevelopmentArea,
    Municipality,
    QualityPlan,
    ServiceField,
    Unit,
)
from plans.schoolyear import SchoolYear

SOURCE_CODE = "lokal-demo"
SOURCE_NAME = "Lokal kartlegging (demo)"
BATCH_FILE = "solvik-demo-tellinger.csv"
NUMBER_CHANGE_YEAR = 2024  # Solvik's old number 9801 was used until 2023
OLD_NUMBER = "9801"
COUNTY_CODE = "99"
KOSTRA_CODE = "EKG99"
BARNESKOLE = "Solvik barneskole"
UNGDOMSSKOLE = "Solvik ungdomsskole"

Values = tuple[str | float, ...]


@dataclass(frozen=True)
class DemoIndicator:
    code: str
    name: str
    unit_of_measure: str
    higher_is_better: bool | None
    service_field: Annotated[str, ServiceField]
    area: str  # the demo plan's development area
    school_years: bool
    description: str
    solvik: Values
    country: Values
    decimals: int = 1
    county: Values = ()
    kostra: Values = ()
    units: tuple[tuple[str, Values], ...] = ()
    # (years after the last period: 0 = the last period's year, 1 = the year after, …)
    targets: tuple[tuple[int, str], ...] = ()
    commentary: str = ""


@dataclass(frozen=True)
class IndicatorsDemoData:
    """The shape of ``fixtures/demo/indicators.json``. The five the demo began with come
    first (the unit's own target in ``demo_seed`` is for the first, mobbing); the others
    follow by development area. A figure written as text is suppressed, with that symbol
    (``:`` as SSB writes it, ``*`` as Udir does)."""

    indicators: tuple[DemoIndicator, ...]


INDICATORS = read_demo_data("indicators.json", IndicatorsDemoData).indicators


def demo_clear(municipality: Municipality) -> None:
    """The municipality's own indicator content: targets, commentary, saved mappings.
    Observations are shared statistics and stay (``demo_seed`` updates its own)."""
    Target.objects.filter(municipality=municipality).delete()
    Commentary.objects.filter(municipality=municipality).delete()
    ImportMapping.objects.filter(municipality=municipality).delete()


def demo_seed(
    municipality: Municipality,
    plan: QualityPlan,
    units: dict[str, Unit],
    users: dict,
    today: datetime.date,
) -> dict[str, int]:
    """Create or bring up to date the demo indicators and their figures, and the
    municipality's targets and commentary; returns what there is, by kind."""
    source, _created = Source.objects.update_or_create(
        code=SOURCE_CODE,
        defaults={
            "name": SOURCE_NAME,
            "description": "Fiktive tall laget for demokommunen Solvik. Ikke ekte statistikk.",
        },
    )
    places = _places(municipality, units)
    data_admin = users.get("dataansvarlig")
    batch, _created = ImportBatch.objects.get_or_create(
        municipality=municipality,
        file_name=BATCH_FILE,
        defaults={
            "uploaded_by": data_admin,
            "sha256": "0" * 64,
            "detected_format": "demo",
            "source": source,
            "status": ImportStatus.COMMITTED,
            "committed_at": timezone.now(),
        },
    )
    school_year = SchoolYear.current(today).start_year
    areas = {area.name: area for area in DevelopmentArea.objects.filter(plan=plan)}
    first_components: dict[int, CoreComponent] = {}
    for component in CoreComponent.objects.filter(area__plan=plan).order_by("area", "order"):
        first_components.setdefault(component.area_id, component)
    sector_leader = users.get("sektorleder")

    observations: list[Observation] = []
    indicators: list[Indicator] = []
    targets: list[Target] = []
    for demo in INDICATORS:
        # The demo's indicators are the demo municipality's own, as an import by its
        # data admin would make them.
        indicator, _created = Indicator.objects.update_or_create(
            source=source,
            municipality=municipality,
            code=demo.code,
            defaults={
                "name": demo.name,
                "unit_of_measure": demo.unit_of_measure,
                "decimals": demo.decimals,
                "higher_is_better": demo.higher_is_better,
                "service_field": demo.service_field,
                "description": demo.description,
                "published": True,
            },
        )
        indicators.append(indicator)
        area = areas.get(demo.area)
        if area is not None:
            indicator.areas.add(area)
            if area.pk in first_components:
                indicator.components.add(first_components[area.pk])
        if demo.school_years:
            periods = [
                school_year_period(SchoolYear(year)) for year in range(school_year - 6, school_year)
            ]
        else:
            periods = [year_period(year) for year in range(today.year - 6, today.year)]

        def add(place: Place, values: Values, indicator=indicator, periods=periods) -> None:
            for (label, start, end), value in zip(periods, values, strict=True):
                observations.append(_observation(indicator, place, label, start, end, value, batch))

        for (label, start, end), value in zip(periods, demo.solvik, strict=True):
            place = places["old"] if start.year < NUMBER_CHANGE_YEAR else places["current"]
            observations.append(_observation(indicator, place, label, start, end, value, batch))
        add(places["country"], demo.country)
        if demo.county:
            add(places["county"], demo.county)
        if demo.kostra:
            add(places["kostra"], demo.kostra)
        for unit_name, values in demo.units:
            add(places[unit_name], values)
        last_year = periods[-1][1].year
        for offset, value in demo.targets:
            targets.append(
                Target(
                    indicator=indicator,
                    municipality=municipality,
                    year=last_year + offset,
                    value=Decimal(value),
                )
            )
        relative = _relative_targets(
            demo.code, indicator, municipality, places, periods[0][1].year, last_year
        )
        targets.extend(relative)
        if demo.commentary and sector_leader is not None:
            Commentary.objects.create(
                indicator=indicator,
                municipality=municipality,
                text=demo.commentary,
                written_by=sector_leader,
            )
    # A unit's own target: the lower secondary school aims lower than the municipality.
    targets.append(
        Target(
            indicator=indicators[0],
            municipality=municipality,
            unit=units[UNGDOMSSKOLE],
            year=school_year - 1,
            value=Decimal("6.0"),
        )
    )
    # The council adopted the mobbing target (the first indicator's, for the whole
    # municipality); the others are the administration's own.
    for target in targets:
        if target.indicator_id == indicators[0].pk and target.unit_id is None:
            target.adoption = TargetAdoption.COUNCIL
            target.council_case = "PS 25/31"
            target.adopted_on = today - datetime.timedelta(days=120)
    saved = Target.objects.bulk_create(targets)
    # The baseline target's milestone halfway (bulk, one query).
    TargetMilestone.objects.bulk_create(
        [
            TargetMilestone(target=target, year=target.year - 1, amount=target.change / 2)
            for target in saved
            if target.kind == TargetKind.BASELINE and target.change is not None
        ]
    )
    Observation.objects.bulk_create(
        observations,
        update_conflicts=True,
        unique_fields=["indicator", "place", "period_label", "subgroup"],
        update_fields=["period_start", "period_end", "value", "status", "symbol", "batch"],
    )
    batch.rows_total = batch.rows_new = len(observations)
    batch.save(update_fields=["rows_total", "rows_new"])
    # Figures from an earlier day's run that have fallen out of the six periods (only the
    # demo's own indicators; nothing else is touched).
    labels = {o.period_label for o in observations}
    Observation.objects.filter(indicator__in=indicators).exclude(period_label__in=labels).delete()
    return {
        "indicator_sources": 1,
        "indicators": len(indicators),
        "indicator_observations": Observation.objects.filter(indicator__in=indicators).count(),
        "indicator_targets": Target.objects.filter(municipality=municipality).count(),
        "indicator_commentaries": Commentary.objects.filter(municipality=municipality).count(),
    }


def _relative_targets(
    code: str, indicator, municipality, places, first_year: int, last_year: int
) -> list[Target]:
    """A target of each relative kind (issue 20): trivsel measured against Solvik's own
    first year, grunnskolepoeng against the KOSTRA group the year before last."""
    if code == "demo-trivsel":
        return [
            Target(
                indicator=indicator,
                municipality=municipality,
                year=last_year + 2,
                kind=TargetKind.BASELINE,
                baseline_year=first_year,
                change=Decimal("0.2"),
            )
        ]
    if code == "demo-grunnskolepoeng":
        return [
            Target(
                indicator=indicator,
                municipality=municipality,
                year=last_year - 1,
                kind=TargetKind.COMPARISON,
                comparison_place=places["kostra"],
                margin=Decimal("0.5"),
            )
        ]
    return []


def _observation(indicator, place, label, start, end, value, batch) -> Observation:
    if isinstance(value, str):
        return Observation(
            indicator=indicator,
            place=place,
            period_label=label,
            period_start=start,
            period_end=end,
            value=None,
            status=ObservationStatus.SUPPRESSED,
            symbol=value,
            batch=batch,
        )
    return Observation(
        indicator=indicator,
        place=place,
        period_label=label,
        period_start=start,
        period_end=end,
        value=Decimal(str(value)),
        status=ObservationStatus.VALUE,
        batch=batch,
    )


def _places(municipality: Municipality, units: dict[str, Unit]) -> dict[str, Place]:
    """The country (shared: found, never renamed), and the fictional county, KOSTRA group,
    Solvik's current and old numbers and two of its schools."""
    country, _created = Place.objects.get_or_create(
        level=PlaceLevel.COUNTRY, code=COUNTRY_CODE, defaults={"name": "Hele landet"}
    )
    county, _created = Place.objects.update_or_create(
        level=PlaceLevel.COUNTY, code=COUNTY_CODE, defaults={"name": "Solvik fylke (demo)"}
    )
    kostra, _created = Place.objects.update_or_create(
        level=PlaceLevel.KOSTRA_GROUP,
        code=KOSTRA_CODE,
        defaults={"name": "KOSTRA-gruppe 99 (demo)"},
    )
    current, _created = Place.objects.update_or_create(
        level=PlaceLevel.MUNICIPALITY,
        code=municipality.number,
        defaults={
            "name": "Solvik",
            "valid_from": NUMBER_CHANGE_YEAR,
            "parent": county,
        },
    )
    old, _created = Place.objects.update_or_create(
        level=PlaceLevel.MUNICIPALITY,
        code=OLD_NUMBER,
        defaults={
            "name": "Solvik (nummer før 2024)",
            "valid_to": NUMBER_CHANGE_YEAR - 1,
            "successor": current,
            "parent": county,
        },
    )
    places = {
        "country": country,
        "county": county,
        "kostra": kostra,
        "current": current,
        "old": old,
    }
    for number, name in enumerate((BARNESKOLE, UNGDOMSSKOLE), start=1):
        places[name], _created = Place.objects.update_or_create(
            level=PlaceLevel.UNIT,
            code=f"demo-{municipality.number}-{number:02d}",
            defaults={"name": name, "unit": units[name], "parent": current},
        )
    return places
