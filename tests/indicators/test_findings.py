"""Findings: an indicator read against the country, its own trend and its target, in the
right direction, with reasons that name the figures — and nothing guessed."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.findings import findings_overview, read_indicator
from indicators.models import Indicator, ObservationStatus, PlaceLevel, Source, Target
from indicators.parsing.base import school_year_period
from indicators.selectors.figures import Point
from plans.schoolyear import SchoolYear
from tests.indicators.factories_pages import (
    IndicatorFactory,
    PlaceFactory,
    country,
    observe,
    observe_many,
    solvik,
)

VALUE = ObservationStatus.VALUE


def points(values: dict) -> list[Point]:
    """{2021: "10.0", 2022: ":"} → points for calendar years; a str that is not a number
    is a suppressed figure with that symbol."""
    result = []
    for year, value in values.items():
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        try:
            number = Decimal(value)
        except ArithmeticError:
            result.append(Point(str(year), start, end, None, ObservationStatus.SUPPRESSED, value))
        else:
            result.append(Point(str(year), start, end, number, VALUE))
    return result


def indicator(higher_is_better, unit="prosent", decimals=1) -> Indicator:
    return Indicator(
        source=Source(code="udir", name="Udir"),
        code="x",
        name="Testindikator",
        unit_of_measure=unit,
        decimals=decimals,
        higher_is_better=higher_is_better,
    )


def target(year: int, value: str) -> Target:
    return Target(year=year, value=Decimal(value))


def read(ind, own, national, goal=None):
    return read_indicator(ind, points(own), points(national), goal, place_name="Solvik kommune")


def test_higher_is_better_better_than_country_improving_and_target_met():
    reading = read(
        indicator(True),
        {2021: "10.0", 2022: "11.0", 2023: "12.5"},
        {2021: "10.0", 2022: "10.0", 2023: "10.1"},
        target(2023, "12.0"),
    )
    assert reading.positive == [
        "Solvik kommune ligger bedre an enn landet: 12,5 prosent mot 10,1 prosent i 2023.",
        "Utviklingen går i riktig retning: fra 10,0 prosent i 2021 til 12,5 prosent i 2023.",
        "Målet for 2023 er nådd: 12,5 prosent mot målet 12,0 prosent.",
    ]
    assert reading.attention == []


def test_lower_is_better_reads_a_rise_as_worsening_and_a_higher_value_as_target_missed():
    reading = read(
        indicator(False),
        {2021: "5.0", 2022: "5.5", 2023: "6.1"},
        {2023: "7.0"},
        target(2023, "5.0"),
    )
    assert reading.positive == [
        "Solvik kommune ligger bedre an enn landet: 6,1 prosent mot 7,0 prosent i 2023 "
        "(lavere er bedre)."
    ]
    assert reading.attention == [
        "Utviklingen går i feil retning: fra 5,0 prosent i 2021 til 6,1 prosent i 2023.",
        "Målet for 2023 er ikke nådd: 6,1 prosent mot målet 5,0 prosent.",
    ]


def test_worse_than_country_and_worsening_when_higher_is_better():
    reading = read(
        indicator(True, unit="poeng"),
        {2021: "4.3", 2022: "4.2", 2023: "4.0"},
        {2023: "4.2"},
        target(2023, "4.3"),
    )
    assert reading.positive == []
    assert reading.attention == [
        "Solvik kommune ligger dårligere an enn landet: 4,0 poeng mot 4,2 poeng i 2023.",
        "Utviklingen går i feil retning: fra 4,3 poeng i 2021 til 4,0 poeng i 2023.",
        "Målet for 2023 er ikke nådd: 4,0 poeng mot målet 4,3 poeng.",
    ]


def test_no_direction_gives_no_judgement_at_all():
    reading = read(
        indicator(None),
        {2021: "10.0", 2022: "20.0", 2023: "30.0"},
        {2023: "5.0"},
        target(2023, "50.0"),
    )
    assert (reading.positive, reading.attention) == ([], [])
    assert not reading.judged


def test_suppressed_figures_are_skipped_never_guessed():
    # 2022 is suppressed: the country is compared in 2021, the trend runs 2019–2021, and
    # the 2022 target has no value to be read against.
    reading = read(
        indicator(True, unit="poeng"),
        {2019: "39.0", 2020: "40.0", 2021: "41.0", 2022: ":"},
        {2021: "42.0", 2022: "42.5"},
        target(2022, "40.0"),
    )
    assert reading.attention == [
        "Solvik kommune ligger dårligere an enn landet: 41,0 poeng mot 42,0 poeng i 2021."
    ]
    assert reading.positive == [
        "Utviklingen går i riktig retning: fra 39,0 poeng i 2019 til 41,0 poeng i 2021."
    ]


def test_trend_reads_only_the_last_three_periods():
    reading = read(indicator(True), {2020: "20.0", 2021: "10.0", 2022: "11.0", 2023: "12.0"}, {})
    assert reading.positive == [
        "Utviklingen går i riktig retning: fra 10,0 prosent i 2021 til 12,0 prosent i 2023."
    ]
    assert reading.attention == []


def test_same_as_country_and_flat_trend_say_nothing():
    reading = read(indicator(True), {2022: "10.0", 2023: "10.0"}, {2023: "10.0"})
    assert (reading.positive, reading.attention) == ([], [])


def test_a_later_target_is_read_against_the_latest_value():
    below = read(indicator(True), {2023: "18.0"}, {}, target(2025, "20.0"))
    assert below.attention == [
        "Siste verdi er 18,0 prosent (2023); målet for 2025 er 20,0 prosent."
    ]
    reached = read(indicator(True), {2023: "21.0"}, {}, target(2025, "20.0"))
    assert reached.positive == [
        "Målet for 2025 (20,0 prosent) er allerede nådd: 21,0 prosent i 2023."
    ]


def test_a_school_year_target_is_read_in_the_school_year_it_starts():
    # A target for 2024 is the target for the school year 2024/25.
    own = _school_years((2023, "6.9"), (2024, "5.8"))
    reading = read_indicator(
        indicator(False), own, [], target(2024, "5.0"), place_name="Solvik kommune"
    )
    assert reading.attention == [
        "Målet for 2024/25 er ikke nådd: 5,8 prosent mot målet 5,0 prosent."
    ]


def test_a_later_school_year_target_is_named_as_the_figures_name_their_years():
    own = _school_years((2023, "6.9"), (2024, "5.8"))
    reading = read_indicator(
        indicator(False), own, [], target(2026, "5.0"), place_name="Solvik kommune"
    )
    assert reading.attention == [
        "Siste verdi er 5,8 prosent (2024/25); målet for 2026/27 er 5,0 prosent."
    ]


def _school_years(*values: tuple[int, str]) -> list[Point]:
    return [
        Point(*school_year_period(SchoolYear(year)), Decimal(value), VALUE)
        for year, value in values
    ]


def test_a_target_is_judged_by_the_years_last_figure_with_a_value_here_and_in_the_report():
    # Two periods in 2024, the later withheld: the spring figure is the year's figure, in
    # the findings and in the report's goal attainment alike (selectors.figure_in_year).
    from reports.snapshot import _attainment

    own = [
        Point("vår 2024", datetime.date(2024, 1, 1), datetime.date(2024, 6, 30), Decimal(5), VALUE),
        Point(
            "høst 2024",
            datetime.date(2024, 8, 1),
            datetime.date(2024, 12, 31),
            None,
            ObservationStatus.SUPPRESSED,
            ":",
        ),
    ]
    goal = target(2024, "6.0")
    reading = read_indicator(indicator(True), own, [], goal, place_name="Solvik kommune")
    assert reading.attention == [
        "Målet for vår 2024 er ikke nådd: 5,0 prosent mot målet 6,0 prosent."
    ]
    attainment = _attainment(indicator(True), own, goal, 2024)
    assert (attainment["status"], attainment["period"]) == ("not_met", "vår 2024")


# --- The overview -------------------------------------------------------------------------


@pytest.fixture
def findings_data(cast):
    """Two indicators for Solvik: one going well, one to watch; Solvik's older figures
    stand under its old number 9801 (successor 9901); Nabovik has its own target."""
    municipality = cast.municipality
    municipality.historic_numbers = ["9801"]
    municipality.save()
    current = solvik()
    old = PlaceFactory(level=PlaceLevel.MUNICIPALITY, code="9801", name="Gamle Solvik")
    old.successor = current
    old.save()
    land = country()
    good = IndicatorFactory(name="Kulturskoleandel", higher_is_better=True)
    observe_many(good, old, {2021: "14.0", 2022: "15.0"})
    observe_many(good, current, {2023: "16.0"})
    observe_many(good, land, {2021: "12.0", 2022: "12.0", 2023: "12.5"})
    watch = IndicatorFactory(name="Mobbing", higher_is_better=False)
    observe_many(watch, current, {2022: "6.0", 2023: "7.5"})
    observe_many(watch, land, {2022: "7.0", 2023: "7.0"})
    neutral = IndicatorFactory(name="Barnehagedekning", higher_is_better=None)
    observe_many(neutral, current, {2023: "93.0"})
    Target.objects.create(indicator=good, municipality=municipality, year=2023, value="15.0")
    # Nabovik's target would make «good» a missed target if it leaked into Solvik's reading.
    Target.objects.create(
        indicator=good, municipality=cast.other_municipality, year=2023, value="99.0"
    )
    return good, watch, neutral


def test_overview_sorts_readings_into_two_columns_across_a_number_change(cast, findings_data):
    good, watch, neutral = findings_data
    overview = findings_overview(cast["elected_official"])
    assert [r.indicator for r in overview.positive] == [good]
    assert overview.positive[0].positive == [
        "Solvik kommune ligger bedre an enn landet: 16,0 prosent mot 12,5 prosent i 2023.",
        "Utviklingen går i riktig retning: fra 14,0 prosent i 2021 til 16,0 prosent i 2023.",
        "Målet for 2023 er nådd: 16,0 prosent mot målet 15,0 prosent.",
    ]
    assert [r.indicator for r in overview.attention] == [watch]
    assert overview.attention[0].attention == [
        "Solvik kommune ligger dårligere an enn landet: 7,5 prosent mot 7,0 prosent i 2023 "
        "(lavere er bedre).",
        "Utviklingen går i feil retning: fra 6,0 prosent i 2022 til 7,5 prosent i 2023.",
    ]
    assert overview.unjudged == [neutral]


def test_another_municipality_sees_its_own_findings_not_solviks(cast, findings_data):
    overview = findings_overview(cast["other_municipality"])
    assert (overview.positive, overview.attention, overview.unjudged) == ([], [], [])


def test_findings_page_shows_both_columns_to_elected_officials(client, cast, findings_data):
    client.force_login(cast["elected_official"])
    response = client.get(reverse("indicators:findings"))
    assert response.status_code == 200
    html = response.content.decode()
    positive, attention = html.split("Funn å være oppmerksom på", 1)
    assert "Opplysende funn" in positive
    assert "Målet for 2023 er nådd: 16,0 prosent mot målet 15,0 prosent." in positive
    assert "Utviklingen går i feil retning: fra 6,0 prosent i 2022 til 7,5 prosent i 2023." in (
        attention
    )
    assert "Barnehagedekning" in attention  # under «Ikke vurdert», after both columns
    assert "99,0" not in html


def test_findings_page_needs_a_login_and_a_membership(client, cast):
    response = client.get(reverse("indicators:findings"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    client.force_login(cast["no_membership"])
    assert client.get(reverse("indicators:findings")).status_code == 403


def test_findings_overview_queries_do_not_grow_with_observations(
    cast, client, django_assert_max_num_queries
):
    land, own = country(), solvik()
    indicators = [IndicatorFactory(name=f"Ind {n}") for n in range(3)]

    def fill(years):
        for ind in indicators:
            for year in years:
                observe(ind, own, year, "10.0")
                observe(ind, land, year, "9.0")

    fill(range(2000, 2003))
    client.force_login(cast["staff"])
    client.get(reverse("indicators:findings"))
    with django_assert_max_num_queries(15) as few:
        assert client.get(reverse("indicators:findings")).status_code == 200
    fill(range(2003, 2040))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("indicators:findings"))
    assert response.status_code == 200
    assert "fra 10,0 prosent i 2037 til 10,0 prosent i 2039" not in response.content.decode()
    assert "10,0 prosent mot 9,0 prosent i 2039" in response.content.decode()
