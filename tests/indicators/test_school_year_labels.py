"""Indicator periods that are school years carry the portal's one label, «2020/21»."""

from __future__ import annotations

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from indicators.charts import target_points
from indicators.models import Observation, Target
from indicators.parsing.cellvalues import CellError, parse_period
from indicators.selectors.figures import period_year
from tests.indicators.factories_pages import IndicatorFactory, observe, solvik

relabel = importlib.import_module("indicators.migrations.0006_school_year_period_labels")

SCHOOL_YEAR_2020 = ("2020/21", datetime.date(2020, 8, 1), datetime.date(2021, 7, 31))


@pytest.mark.parametrize("text", ["2020-21", "2020/21", "2020–21", " 2020-21 "])
def test_every_spelling_of_a_school_year_is_one_period(text):
    assert parse_period(text) == SCHOOL_YEAR_2020


def test_a_school_year_whose_years_do_not_follow_is_refused():
    with pytest.raises(CellError, match="skoleår"):
        parse_period("2020-22")


def test_a_span_of_school_years_runs_from_the_first_august_to_the_last_july():
    assert parse_period("2016/17-2018/19") == (
        "2016/17-2018/19",
        datetime.date(2016, 8, 1),
        datetime.date(2019, 7, 31),
    )


def test_targets_count_a_school_year_by_the_year_it_starts_and_anything_else_by_its_end():
    assert period_year(*SCHOOL_YEAR_2020[1:]) == 2020
    assert period_year(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)) == 2021
    assert period_year(datetime.date(2016, 8, 1), datetime.date(2019, 7, 31)) == 2019


@pytest.mark.django_db
def test_the_migration_relabels_stored_school_years_and_leaves_the_rest():
    indicator = IndicatorFactory()
    place = solvik()
    old = observe(indicator, place, "2020/21", "40")
    Observation.objects.filter(pk=old.pk).update(period_label="2020-21")
    ssb = observe(indicator, place, "2021/22", "41")
    Observation.objects.filter(pk=ssb.pk).update(period_label="2021-2022")
    calendar = observe(indicator, place, 2022, "42")
    # A row already stored under the new label beside an old one is not overwritten.
    kept = observe(indicator, place, "2019/20", "39", subgroup="kjønn=Jenter")
    clash = observe(indicator, place, "2019/20", "38", subgroup="kjønn=Gutter")
    Observation.objects.filter(pk=clash.pk).update(period_label="2019-20", subgroup=kept.subgroup)

    relabel.forwards(apps, None)

    labels = dict(Observation.objects.values_list("pk", "period_label"))
    assert labels[old.pk] == "2020/21"
    assert labels[ssb.pk] == "2021/22"
    assert labels[calendar.pk] == "2022"
    assert labels[kept.pk] == "2019/20"
    assert labels[clash.pk] == "2019-20"

    relabel.backwards(apps, None)
    assert Observation.objects.get(pk=old.pk).period_label == "2020-21"


def test_a_flat_target_beyond_the_figures_is_named_like_their_periods():
    school_years = [("2023/24", 2023), ("2024/25", 2024)]
    name, _points = target_points(school_years, [Target(year=2026, value=Decimal(5))])
    assert name == "Mål for 2026/27"
    calendar_years = [("2023", 2023), ("2024", 2024)]
    name, _points = target_points(calendar_years, [Target(year=2026, value=Decimal(5))])
    assert name == "Mål for 2026"
