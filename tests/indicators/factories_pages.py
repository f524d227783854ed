"""Factories for the indicator pages', findings' and API tests: observations are made
directly with the ORM, as an import would leave them."""

from __future__ import annotations

import datetime
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
    """One observation for a calendar year (``2021``) or a school year (``"2021-22"``);
    ``value=None`` with a status and symbol for a withheld figure."""
    if isinstance(year, str) and "-" in year:
        start_year = int(year[:4])
        start, end = datetime.date(start_year, 8, 1), datetime.date(start_year + 1, 7, 31)
        label = year
    else:
        start, end = datetime.date(int(year), 1, 1), datetime.date(int(year), 12, 31)
        label = str(year)
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
