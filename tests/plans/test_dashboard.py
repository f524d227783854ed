"""The sector dashboard: per development area and per unit for one school year."""

from __future__ import annotations

import datetime

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans.models import (
    AssessmentAnswer,
    AssessmentStatus,
    InputGroup,
    InputSetting,
    MeasureStatus,
    ParticipationInput,
    QualityTool,
    SelfAssessment,
    ServiceField,
    ToolStatement,
    UnitKind,
    UnitPlanStatus,
)
from plans.schoolyear import SchoolYear
from plans.selectors.dashboard import traffic_light, trend_of
from tests.factories import (
    CoreComponentFactory,
    DevelopmentAreaFactory,
    MeasureFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitPlanFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = SchoolYear.current(TODAY).start_year
PAST = TODAY - datetime.timedelta(days=10)
FUTURE = TODAY + datetime.timedelta(days=60)


class QualityToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualityTool

    title = "Kvalitetsverktøy for skole og SFO"
    service_field = ServiceField.SCHOOL


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    status = AssessmentStatus.COMPLETED


@pytest.fixture
def sector(cast):
    """An adopted quality plan with two areas for the cast's municipality."""
    plan = QualityPlanFactory(municipality=cast.municipality, title="Kvalitetsplan for Solvik")
    areas = [
        DevelopmentAreaFactory(plan=plan, name="Inkluderende miljø", order=1),
        DevelopmentAreaFactory(plan=plan, name="Tidlig innsats", order=2),
    ]
    components = [CoreComponentFactory(area=area, order=1) for area in areas]
    tool = QualityToolFactory(municipality=cast.municipality, quality_plan=plan)
    statements = [
        ToolStatement.objects.create(tool=tool, area=area, text=f"Påstand om {area.name}")
        for area in areas
    ]
    return {
        "cast": cast,
        "plan": plan,
        "areas": areas,
        "components": components,
        "statements": statements,
    }


def _unit_plan(sector, unit, status=UnitPlanStatus.DRAFT, year=YEAR, areas=None):
    plan = UnitPlanFactory(unit=unit, quality_plan=sector["plan"], school_year=year, status=status)
    plan.areas.set(sector["areas"][:1] if areas is None else areas)
    return plan


def _measure(sector, plan, *, status=MeasureStatus.PLANNED, end=FUTURE, area=0, text=None):
    return MeasureFactory(
        plan=plan,
        component=sector["components"][area],
        status=status,
        start=end - datetime.timedelta(days=30),
        end=end,
        **({"description": text} if text else {}),
    )


def _assessment(sector, unit, day, scores):
    assessment = SelfAssessmentFactory(
        unit=unit, tool=QualityTool.objects.get(quality_plan=sector["plan"]), conducted_on=day
    )
    for statement, score in zip(sector["statements"], scores, strict=True):
        AssessmentAnswer.objects.create(assessment=assessment, statement=statement, score=score)
    return assessment


def _dashboard(client_for, cast, **params):
    response = client_for(cast["sector_leader"]).get(reverse("plans:dashboard"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("active", "overdue", "moving", "level"),
    [
        (0, 0, 0, "none"),
        (10, 0, 5, "green"),  # nothing overdue, half moving
        (10, 0, 10, "green"),
        (10, 1, 6, "yellow"),  # a tenth overdue is no longer green
        (10, 0, 4, "yellow"),  # less than half moving
        (10, 2, 9, "yellow"),
        (4, 1, 3, "red"),  # a quarter overdue
        (10, 0, 2, "red"),  # less than a quarter moving
    ],
)
def test_traffic_light_rule(active, overdue, moving, level):
    assert traffic_light(active=active, overdue=overdue, moving=moving).level == level


def test_trend_compares_the_two_latest_years_with_data():
    from decimal import Decimal as D

    assert trend_of([D("2.0"), D("2.5"), D("2.5")]).arrow == "→"
    assert trend_of([D("2.0"), D("2.5"), D("2.6")]).arrow == "↑"  # 0.1 is a change
    assert trend_of([D("2.0"), None, D("2.6")]).arrow == "↑"
    assert trend_of([None, D("3.0"), D("2.5")]).arrow == "↓"
    assert trend_of([None, None, D("3.0")]).arrow == "–"


def test_area_counts_units_measures_overdue_and_shows_the_light(sector, client_for):
    cast = sector["cast"]
    school = _unit_plan(sector, cast.school, areas=sector["areas"])
    sfo = _unit_plan(sector, cast.sfo, UnitPlanStatus.APPROVED)
    inactive = UnitFactory(municipality=cast.municipality, name="Nedlagt skole", active=False)
    _measure(sector, _unit_plan(sector, inactive), text="Tiltak i en nedlagt enhet", end=PAST)
    _measure(sector, school, text="Leseløftet i 1.–4. trinn", end=PAST)
    _measure(sector, school, status=MeasureStatus.IN_PROGRESS)
    _measure(sector, sfo, status=MeasureStatus.DONE, end=PAST)
    _measure(sector, sfo, status=MeasureStatus.CANCELLED, end=PAST)
    _measure(sector, school, status=MeasureStatus.DONE, area=1)
    last_year = _unit_plan(sector, cast.kindergarten, UnitPlanStatus.EVALUATED, year=YEAR - 1)
    _measure(sector, last_year, text="Fjorårets tiltak", end=PAST)

    response = _dashboard(client_for, cast)
    inclusive, early = response.context["dashboard"].areas
    assert inclusive.units_working == 2
    assert early.units_working == 1
    counts = {status: n for status, _label, n in inclusive.status_counts}
    assert counts == {
        MeasureStatus.PLANNED: 1,
        MeasureStatus.IN_PROGRESS: 1,
        MeasureStatus.DONE: 1,
        MeasureStatus.POSTPONED: 0,
        MeasureStatus.CANCELLED: 1,
    }
    assert inclusive.overdue == 1
    # 1 of 3 active overdue (33 %): red, whatever moves.
    assert inclusive.light.level == "red"
    assert early.light.level == "green"
    body = response.content.decode()
    assert "Rødt – trenger oppfølging" in body
    assert "Grønt – i rute" in body
    assert "Leseløftet i 1.–4. trinn" in body
    assert PAST.strftime("%d.%m.%Y") in body
    assert reverse("plans:unit-plan-detail", args=[school.pk]) in body
    assert "Tiltak i en nedlagt enhet" not in body
    assert "Fjorårets tiltak" not in body
    assert "Slik leser du trafikklyset" in body


def test_overdue_list_shows_the_oldest_five(sector, client_for):
    cast = sector["cast"]
    plan = _unit_plan(sector, cast.school)
    for days in range(1, 8):
        _measure(
            sector,
            plan,
            text=f"Forfalt for {days} dager siden",
            end=TODAY - datetime.timedelta(days=days),
        )
    # Ends today: not overdue yet, the same rule as the reminders' (Measure.objects.overdue).
    _measure(sector, plan, text="Slutter i dag", end=TODAY)
    area = _dashboard(client_for, cast).context["dashboard"].areas[0]
    assert area.overdue == 7
    assert [m.description for m in area.overdue_measures] == [
        f"Forfalt for {days} dager siden" for days in (7, 6, 5, 4, 3)
    ]


def test_unit_states_are_listed_with_counts_and_returned_apart(sector, client_for):
    cast = sector["cast"]
    _unit_plan(sector, cast.school, UnitPlanStatus.RETURNED)
    approved = _unit_plan(sector, cast.sfo, UnitPlanStatus.APPROVED)
    # The kindergarten has no plan this year, only last year's.
    _unit_plan(sector, cast.kindergarten, UnitPlanStatus.EVALUATED, year=YEAR - 1)
    UnitFactory(municipality=cast.municipality, name="Nedlagt barnehage", active=False)

    response = _dashboard(client_for, cast)
    dashboard = response.context["dashboard"]
    states = {row.unit.name: row.state for row in dashboard.units}
    assert states == {
        "Solvik barneskole": UnitPlanStatus.RETURNED,
        "Solvik SFO": UnitPlanStatus.APPROVED,
        "Solbakken barnehage": "not_started",
    }
    counts = {state: n for state, _label, n in dashboard.state_counts}
    assert counts == {
        "not_started": 1,
        UnitPlanStatus.DRAFT: 0,
        UnitPlanStatus.RETURNED: 1,
        UnitPlanStatus.SUBMITTED: 0,
        UnitPlanStatus.APPROVED: 1,
        UnitPlanStatus.EVALUATED: 0,
    }
    body = response.content.decode()
    assert "Utkast – returnert: 1" in body
    assert "Ikke startet: 1" in body
    assert reverse("plans:unit-plan-detail", args=[approved.pk]) in body
    assert "Nedlagt barnehage" not in body
    assert "Nabovik skole" not in body


def test_year_parameter_chooses_the_school_year(sector, client_for):
    cast = sector["cast"]
    _unit_plan(sector, cast.school, UnitPlanStatus.EVALUATED, year=YEAR - 1)
    response = _dashboard(client_for, cast, year=YEAR - 1)
    dashboard = response.context["dashboard"]
    assert dashboard.year == YEAR - 1
    assert SchoolYear(YEAR - 1).label in response.content.decode()
    states = {row.unit.name: row.state for row in dashboard.units}
    assert states["Solvik barneskole"] == UnitPlanStatus.EVALUATED


@pytest.mark.parametrize("value", ["abc", "1999", "2025/26", str(YEAR + 5)])
def test_invalid_year_shows_a_norwegian_message_and_the_current_year(sector, client_for, value):
    cast = sector["cast"]
    response = _dashboard(client_for, cast, year=value)
    assert response.context["dashboard"].year == YEAR
    body = response.content.decode()
    assert "Skoleåret du ba om finnes ikke i oversikten" in body
    assert "er ikke et skoleår oversikten kan vise" in body


def test_self_assessment_trend_per_area_over_three_years(sector, client_for):
    cast = sector["cast"]
    _assessment(sector, cast.school, datetime.date(YEAR - 1, 10, 1), [2, 3])
    _assessment(sector, cast.sfo, datetime.date(YEAR, 3, 1), [2, 3])  # still YEAR - 1
    _assessment(sector, cast.school, datetime.date(YEAR, 9, 1), [3, 3])
    _assessment(sector, cast.sfo, datetime.date(YEAR, 9, 2), [4, 2])
    draft = _assessment(sector, cast.kindergarten, datetime.date(YEAR, 9, 3), [1, 1])
    draft.status = AssessmentStatus.DRAFT
    draft.save()

    response = _dashboard(client_for, cast)
    inclusive, early = response.context["dashboard"].areas
    assert [str(item.average) for item in inclusive.trend_years] == ["None", "2.0", "3.5"]
    assert inclusive.trend.arrow == "↑"
    assert [str(item.average) for item in early.trend_years] == ["None", "3.0", "2.5"]
    assert early.trend.arrow == "↓"
    body = response.content.decode()
    assert "Bedre enn året før" in body
    assert "Svakere enn året før" in body
    assert "3,5" in body


def test_latest_three_fortellinger_per_area_newest_first(sector, client_for):
    cast = sector["cast"]
    area = sector["areas"][0]
    for day, quote in enumerate(["Eldst", "Nummer to", "Nummer tre", "Nyest"], start=1):
        item = ParticipationInput.objects.create(
            municipality=cast.municipality,
            quote=quote,
            descriptor="Jente, 5 år",
            group=InputGroup.CHILDREN,
            setting=InputSetting.CONVERSATION,
            given_on=datetime.date(YEAR, 1, day),
            publishable=day != 4,
        )
        item.areas.add(area)
    response = _dashboard(client_for, cast)
    inclusive, early = response.context["dashboard"].areas
    assert [item.quote for item in inclusive.latest_inputs] == ["Nyest", "Nummer tre", "Nummer to"]
    assert early.latest_inputs == []
    assert "Ikke samtykke til publisering" in response.content.decode()


def test_without_an_adopted_plan_the_units_are_still_listed(cast, client_for):
    QualityPlanFactory(municipality=cast.municipality, adopted_on=None, council_case="")
    response = _dashboard(client_for, cast)
    assert response.context["dashboard"].areas == []
    assert "ingen vedtatt kvalitetsplan" in response.content.decode()
    assert len(response.context["dashboard"].units) == 3


def test_navigation_shows_the_dashboard_to_sector_leaders_only(cast, client_for):
    url = reverse("plans:dashboard")
    assert (
        f'href="{url}"' in client_for(cast["sector_leader"]).get(reverse("home")).content.decode()
    )
    assert (
        f'href="{url}"' not in client_for(cast["unit_leader"]).get(reverse("home")).content.decode()
    )


def _add_units(sector, count, start):
    cast = sector["cast"]
    kinds = [UnitKind.SCHOOL, UnitKind.KINDERGARTEN, UnitKind.SFO, UnitKind.CULTURE]
    for n in range(start, start + count):
        unit = UnitFactory(municipality=cast.municipality, name=f"Enhet {n:03d}", kind=kinds[n % 4])
        status = [UnitPlanStatus.DRAFT, UnitPlanStatus.RETURNED, UnitPlanStatus.APPROVED][n % 3]
        plan = _unit_plan(sector, unit, status, areas=sector["areas"][: 1 + n % 2])
        _measure(sector, plan, text=f"Forfalt tiltak {n}", end=PAST)
        _measure(sector, plan, status=MeasureStatus.IN_PROGRESS, area=1)
        _assessment(sector, unit, datetime.date(YEAR - 1, 11, 1), [1 + n % 4, 2])
        _assessment(sector, unit, datetime.date(YEAR, 9, 1), [1 + (n + 1) % 4, 3])
        item = ParticipationInput.objects.create(
            municipality=cast.municipality,
            quote=f"Innspill {n}",
            group=InputGroup.YOUTH,
            setting=InputSetting.SURVEY,
            given_on=datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n),
            unit=unit,
            publishable=True,
        )
        item.areas.set(sector["areas"])


def test_query_count_does_not_grow_with_the_number_of_units(sector, client_for):
    cast = sector["cast"]
    client = client_for(cast["sector_leader"])
    url = reverse("plans:dashboard")

    def count_queries():
        client.get(url)  # warm-up: sessions, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), response.context["dashboard"]

    _add_units(sector, 5, start=0)
    few, dashboard = count_queries()
    assert len(dashboard.units) == 5 + 3
    assert dashboard.areas[0].overdue == 5

    _add_units(sector, 45, start=5)
    many, dashboard = count_queries()
    assert len(dashboard.units) == 50 + 3
    assert dashboard.areas[0].overdue == 50
    assert dashboard.areas[0].units_working == 50
    assert many == few
