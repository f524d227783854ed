"""SchoolYear: the one rule «the school year starts 1 August» and the one label «2025/26»."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competence.models import Session
from plans.models import InputGroup, InputSetting, ParticipationInput
from plans.schoolyear import MONTHS_IN_ORDER, SchoolYear
from tests.factories import MunicipalityFactory, SessionFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
UTC = datetime.UTC

years = st.integers(min_value=1901, max_value=2098).map(SchoolYear)
days = st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2098, 12, 31))


def test_the_year_turns_on_1_august():
    assert SchoolYear.containing(datetime.date(2026, 7, 31)) == SchoolYear(2025)
    assert SchoolYear.containing(datetime.date(2026, 8, 1)) == SchoolYear(2026)
    assert SchoolYear.current(datetime.date(2027, 3, 1)) == SchoolYear(2026)


def test_the_range_is_half_open():
    year = SchoolYear(2025)
    assert (year.start, year.end) == (datetime.date(2025, 8, 1), datetime.date(2026, 8, 1))
    assert year.last_day == datetime.date(2026, 7, 31)
    assert year.contains(datetime.date(2025, 8, 1))
    assert year.contains(datetime.date(2026, 7, 31))
    assert not year.contains(datetime.date(2026, 8, 1))
    assert not year.contains(datetime.date(2025, 7, 31))


def test_oslo_midnight_decides_not_utc():
    last_minute = datetime.datetime(2026, 7, 31, 23, 59, tzinfo=OSLO)
    first_minute = datetime.datetime(2026, 8, 1, 0, 0, tzinfo=OSLO)
    assert SchoolYear(2025).contains(last_minute)
    assert not SchoolYear(2025).contains(first_minute)
    assert SchoolYear.containing(first_minute) == SchoolYear(2026)
    # The same first minute in UTC is still 31 July: the local day must decide.
    as_utc = first_minute.astimezone(UTC)
    assert as_utc.date() == datetime.date(2026, 7, 31)
    assert SchoolYear.containing(as_utc) == SchoolYear(2026)
    assert SchoolYear(2026).contains(as_utc)
    assert SchoolYear(2026).starts_at == first_minute
    assert SchoolYear(2025).ends_at == first_minute


def test_label_and_neighbours():
    assert SchoolYear(2025).label == "2025/26"
    assert str(SchoolYear(1999)) == "1999/00"
    assert SchoolYear(2025).slug == "2025-26"
    assert SchoolYear(2025).previous() == SchoolYear(2024)
    assert SchoolYear(2025).next() == SchoolYear(2026)
    assert sorted({SchoolYear(2026), SchoolYear(2024), SchoolYear(2024)}) == [
        SchoolYear(2024),
        SchoolYear(2026),
    ]


@pytest.mark.parametrize("text", ["2025/26", "2025-26", "2025–26", "2025/2026", " 2025/26 "])
def test_parse_reads_the_written_forms(text):
    assert SchoolYear.parse(text) == SchoolYear(2025)


@pytest.mark.parametrize(
    "text",
    ["2025", "2025/27", "2025-2026", "2025/2027", "25/26", "2025/6", "skoleår", "", "٢٠٢٥/٢٦"],
)
def test_parse_refuses_anything_else_in_norwegian(text):
    with pytest.raises(ValueError, match="skoleår"):
        SchoolYear.parse(text)


def test_only_an_int_makes_a_school_year():
    with pytest.raises(TypeError):
        SchoolYear("2025")  # type: ignore[arg-type]


def test_choices_are_distinct_and_newest_first():
    assert SchoolYear.choices([2024, 2026, SchoolYear(2024)]) == [
        (2026, "2026/27"),
        (2024, "2024/25"),
    ]


@settings(max_examples=200)
@given(years, st.sampled_from(["/", "-", "–", "long"]))
def test_parse_reads_back_every_label(year, separator):
    assert SchoolYear.parse(year.label) == year
    text = (
        f"{year.start_year}/{year.start_year + 1}"
        if separator == "long"
        else year.label.replace("/", separator)
    )
    assert SchoolYear.parse(text) == year


@settings(max_examples=200)
@given(days)
def test_containing_agrees_with_contains(day):
    year = SchoolYear.containing(day)
    assert year.contains(day)
    assert not year.previous().contains(day)
    assert not year.next().contains(day)
    assert year.start <= day < year.end


@settings(max_examples=200)
@given(days, st.times())
def test_an_oslo_moment_counts_by_its_oslo_day(day, time):
    moment = datetime.datetime.combine(day, time, tzinfo=OSLO)
    year = SchoolYear.containing(moment.astimezone(UTC))
    assert year == SchoolYear.containing(day)
    assert year.contains(moment)


def test_months_run_august_to_july_within_the_year():
    assert MONTHS_IN_ORDER == (8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7)
    year = SchoolYear(2025)
    firsts = [year.first_of(month) for month in MONTHS_IN_ORDER]
    assert firsts[0] == year.start
    assert firsts[-1] == datetime.date(2026, 7, 1)
    assert firsts == sorted(firsts)
    assert all(year.contains(day) for day in firsts)


EDGES = [
    datetime.date(2025, 7, 31),
    datetime.date(2025, 8, 1),
    datetime.date(2026, 7, 31),
    datetime.date(2026, 8, 1),
]


@pytest.mark.django_db
def test_the_database_counts_school_years_as_python_does():
    municipality = MunicipalityFactory()
    for day in EDGES:
        ParticipationInput.objects.create(
            municipality=municipality,
            quote="Vi vil ha mer friluft.",
            group=InputGroup.CHILDREN,
            setting=InputSetting.CONVERSATION,
            given_on=day,
        )
    grouped = dict(
        ParticipationInput.objects.annotate(year=SchoolYear.of_field("given_on")).values_list(
            "given_on", "year"
        )
    )
    assert grouped == {day: SchoolYear.containing(day).start_year for day in EDGES}
    inside = ParticipationInput.objects.filter(SchoolYear(2025).q("given_on"))
    assert sorted(inside.values_list("given_on", flat=True)) == EDGES[1:3]
    both = ParticipationInput.objects.filter(SchoolYear(2024).q("given_on", until=SchoolYear(2025)))
    assert sorted(both.values_list("given_on", flat=True)) == EDGES[:3]


@pytest.mark.django_db
def test_datetime_fields_turn_at_oslo_midnight():
    last = datetime.datetime(2026, 7, 31, 23, 59, tzinfo=OSLO)
    first = datetime.datetime(2026, 8, 1, 0, 0, tzinfo=OSLO)
    SessionFactory(starts_at=last)
    SessionFactory(starts_at=first)
    old = Session.objects.filter(SchoolYear(2025).q_datetime("starts_at"))
    new = Session.objects.filter(SchoolYear(2026).q_datetime("starts_at"))
    assert list(old.values_list("starts_at", flat=True)) == [last]
    assert list(new.values_list("starts_at", flat=True)) == [first]
