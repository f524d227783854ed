"""Factories for the indicator pages', findings' and API tests: observations are made
directly with the ORM, as an import would leave them."""

from __future__ import annotations

from decimal import Decimal

import factory

from indicators.models import (
    ImportBatch,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Source,
)
from indicators.parsing.base import school_year_period, year_period
from plans.schoolyear import SchoolYear


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"kilde{n}")
    name = factory.LazyAttribute(lambda source: source.code.upper())


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    source = factory.SubFactory(SourceFactory, code="udir", name="Utdanningsdirektoratet")
    code = factory.Sequence(lambda n: f"ind-{n}")
    name = factory.Sequence(lambda n: f"Indikator {n}")
    unit_of_measure = "prosent"
    decimals = 1
    higher_is_better = True


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("level", "code")

    level = PlaceLevel.MUNICIPALITY
    code = factory.Sequence(lambda n: f"{7000 + n}")
    name = factory.LazyAttribute(lambda place: f"Sted {place.code}")


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    file_name = "test.csv"
    sha256 = "0" * 64
    status = ImportStatus.COMMITTED


def country() -> Place:
    return PlaceFactory(level=PlaceLevel.COUNTRY, code="0", name="Hele landet")


def solvik() -> Place:
    return PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9901", name="Solvik")


def observe(
    indicator: Indicator,
    place: Place,
    year: int | str,
    value: str | None,
    *,
    subgroup: str = "",
    status: str = ObservationStatus.VALUE,
    symbol: str = "",
    batch: ImportBatch | None = None,
) -> Observation:
    """One observation for a calendar year (``2021``) or a school year (``"2021/22"``,
    stored as the importers store it); ``value=None`` with a status and symbol for a
    withheld figure."""
    if isinstance(year, str) and not year.isdigit():
        label, start, end = school_year_period(SchoolYear.parse(year))
    else:
        label, start, end = year_period(int(year))
    if value is None and status == ObservationStatus.VALUE:
        status = ObservationStatus.SUPPRESSED
    return Observation.objects.create(
        indicator=indicator,
        place=place,
        period_label=label,
        period_start=start,
        period_end=end,
        subgroup=subgroup,
        value=Decimal(value) if value is not None else None,
        status=status,
        symbol=symbol,
        batch=batch or BatchFactory(),
    )


def observe_many(indicator: Indicator, place: Place, values: dict, **kwargs) -> list[Observation]:
    batch = kwargs.pop("batch", None) or BatchFactory()
    return [
        observe(indicator, place, year, value, batch=batch, **kwargs)
        for year, value in values.items()
    ]
