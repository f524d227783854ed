"""The one indicator read model (``indicators.selectors.figures``): the latest figure is the latest
that has a value on every page, and the list and the detail page take the same number of
queries for one indicator as for many."""

from __future__ import annotations

import re

from django.urls import reverse

from indicators.models import ObservationStatus, PlaceLevel, Target
from indicators.selectors.figures import MUNICIPALITY, latest_point, municipality_places, series_for
from tests.indicators.factories_pages import (
    BatchFactory,
    IndicatorFactory,
    PlaceFactory,
    country,
    observe,
    observe_many,
    solvik,
)


def _withheld_last(name: str = "Trivsel"):
    """2023 has a value, 2024 (the last period) is suppressed for the municipality."""
    indicator = IndicatorFactory(name=name)
    observe(indicator, solvik(), 2023, "6.4")
    observe(indicator, solvik(), 2024, None, status=ObservationStatus.SUPPRESSED, symbol=":")
    observe_many(indicator, country(), {2023: "7.0", 2024: "7.3"})
    return indicator


def test_a_withheld_last_period_is_never_the_latest_figure_in_the_list(client, cast):
    indicator = _withheld_last()
    client.force_login(cast["staff"])
    html = client.get(reverse("indicators:indicator-list")).content.decode()
    row = re.search(rf">{indicator.name}</a>.*?</tr>", html, re.S).group(0)
    # Period, own figure and the country's for the same period: 2023, not the hidden 2024.
    assert re.findall(r"<td[^>]*>(.*?)</td>", row)[1:4] == ["2023", "6,4", "7,0"]


def test_a_withheld_last_period_is_never_the_latest_figure_on_the_detail_page(client, cast):
    indicator = _withheld_last()
    client.force_login(cast["staff"])
    html = client.get(reverse("indicators:indicator-detail", args=[indicator.pk])).content
    html = html.decode()
    assert "Siste tall for Solvik kommune: <strong>6,4</strong> (2023)." in html
    assert "Hele landet: 7,0." in html


def test_series_for_reads_many_indicators_as_series_reads_one(cast):
    first, second = _withheld_last("A"), _withheld_last("B")
    observe(second, solvik(), 2025, "5.0")
    found = series_for([first, second], cast.municipality, until_year=2024)
    assert found[first.pk].latest("").period_label == "2023"
    # 2025 is after the year asked for, so 2024's hidden figure is the last point.
    own = found[second.pk].line(MUNICIPALITY).for_subgroup("")
    assert [p.period_label for p in own] == ["2023", "2024"]
    assert latest_point(own).period_label == "2023"
    assert found[second.pk].at_latest("", "country").value == 7


# --- Query counts -------------------------------------------------------------------------


def _indicators(cast, count: int, *, offset: int = 0):
    """``count`` indicators with the municipality's, the country's, the county's, a KOSTRA
    group's and a school's figures, and a target each."""
    batch = BatchFactory()
    places = [
        solvik(),
        country(),
        PlaceFactory(level=PlaceLevel.COUNTY, code="99", name="Solvik fylke"),
        PlaceFactory(level=PlaceLevel.KOSTRA_GROUP, code="EKG01", name="KOSTRA 1"),
        PlaceFactory(level=PlaceLevel.KOSTRA_GROUP, code="EKG02", name="KOSTRA 2"),
    ]
    school = PlaceFactory(level=PlaceLevel.UNIT, code="skole-1", name="Skolen")
    school.unit = cast.school
    school.save()
    places.append(school)
    made = []
    for n in range(offset, offset + count):
        indicator = IndicatorFactory(name=f"Indikator {n:03}")
        for place in places:
            observe_many(indicator, place, {2023: "5.5", 2024: "6.5"}, batch=batch)
        observe(indicator, solvik(), 2024, "4.5", subgroup="kjønn=Jenter", batch=batch)
        Target.objects.create(
            indicator=indicator, municipality=cast.municipality, year=2024, value="6.0"
        )
        made.append(indicator)
    return made


def _queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm the caches a first request fills
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_takes_as_many_queries_for_one_indicator_as_for_many(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast["sector_leader"])
    url = reverse("indicators:indicator-list")
    _indicators(cast, 1)
    one = _queries(client, url, django_assert_max_num_queries)
    _indicators(cast, 12, offset=1)
    many = _queries(client, url, django_assert_max_num_queries)
    assert one == many, (one, many)
    assert "Indikator 012" in client.get(url).content.decode()


def test_the_detail_page_takes_as_many_queries_with_one_line_as_with_many(
    client, cast, django_assert_max_num_queries
):
    client.force_login(cast["sector_leader"])
    bare = IndicatorFactory(name="Bare kommunen")
    observe(bare, solvik(), 2024, "3.5")
    (full,) = _indicators(cast, 1)
    counts = [
        _queries(
            client,
            reverse("indicators:indicator-detail", args=[indicator.pk]),
            django_assert_max_num_queries,
        )
        for indicator in (bare, full)
    ]
    assert counts[0] == counts[1], counts


def test_series_for_takes_as_many_queries_for_one_indicator_as_for_many(
    cast, django_assert_num_queries
):
    one = _indicators(cast, 1)
    many = [*one, *_indicators(cast, 8, offset=1)]
    places = municipality_places(cast.municipality)
    for indicators in (one, many):
        with django_assert_num_queries(2):
            found = series_for(indicators, cast.municipality, places=places)
        assert [found[i.pk].latest("").value for i in indicators] == [6.5] * len(indicators)
        assert all(found[i.pk].kostra.code == "EKG01" for i in indicators)
