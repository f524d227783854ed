"""Reads for the sector dashboard: per development area and per unit, for one school year.

Everything starts from the ``visible_to(user)`` querysets and is aggregated in the
database (``values()`` + ``annotate`` with filtered ``Count``/``Avg``, window functions for
"the top n per area"), so the number of queries is the same for 5 units and for 50.

Areas are matched by their stable ``key`` rather than their primary key: a unit plan made
under an earlier revision of the quality plan still counts towards the same area.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    F,
    OuterRef,
    Q,
    Subquery,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from plans.access import access_for
from plans.models import (
    AssessmentAnswer,
    AssessmentStatus,
    DevelopmentArea,
    Measure,
    MeasureStatus,
    Municipality,
    ParticipationInput,
    QualityPlan,
    SelfAssessment,
    Unit,
    UnitPlan,
    UnitPlanStatus,
    overdue_measure_q,
)
from plans.schoolyear import SchoolYear

# The traffic light, in whole percent of the area's measures that are not cancelled.
RED_OVERDUE_FROM = 25  # this share overdue or more: red
RED_MOVING_BELOW = 25  # less than this share done or in progress: red
GREEN_OVERDUE_BELOW = 10  # green needs less than this share overdue …
GREEN_MOVING_FROM = 50  # … and at least this share done or in progress
# A change in the average self-assessment score smaller than this counts as unchanged.
TREND_THRESHOLD = Decimal("0.1")
TREND_YEARS = 3
TOP_OVERDUE = 5
LATEST_INPUTS = 3


# --- The traffic light ------------------------------------------------------------------


@dataclass(frozen=True)
class TrafficLight:
    level: str  # "green", "yellow", "red" or "none": also the CSS modifier
    label: str | Promise
    symbol: str  # shown beside the label, so the colour is never the only signal


GREEN = TrafficLight("green", _("Grønt – i rute"), "✓")
YELLOW = TrafficLight("yellow", _("Gult – følg med"), "!")
RED = TrafficLight("red", _("Rødt – trenger oppfølging"), "✕")
NO_MEASURES = TrafficLight("none", _("Ingen tiltak ennå"), "–")


def traffic_light(*, active: int, overdue: int, moving: int) -> TrafficLight:
    """The light for an area: ``active`` measures (all but the cancelled ones), of which
    ``overdue`` are open past their end date and ``moving`` are done or in progress.

    Red when a quarter or more is overdue or less than a quarter is moving; green when
    less than a tenth is overdue and at least half is moving; yellow in between."""
    if active <= 0:
        return NO_MEASURES
    if overdue * 100 >= RED_OVERDUE_FROM * active or moving * 100 < RED_MOVING_BELOW * active:
        return RED
    if overdue * 100 < GREEN_OVERDUE_BELOW * active and moving * 100 >= GREEN_MOVING_FROM * active:
        return GREEN
    return YELLOW


# --- The self-assessment trend ----------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    arrow: str
    label: str | Promise


RISING = Trend("↑", _("Bedre enn året før"))
FALLING = Trend("↓", _("Svakere enn året før"))
STEADY = Trend("→", _("Omtrent som året før"))
NO_TREND = Trend("–", _("For få egenvurderinger til å vise en utvikling"))


def trend_of(averages: list[Decimal | None]) -> Trend:
    """Compares the two latest years that have an average (oldest first in the list)."""
    known = [value for value in averages if value is not None]
    if len(known) < 2:
        return NO_TREND
    change = known[-1] - known[-2]
    if change >= TREND_THRESHOLD:
        return RISING
    if change <= -TREND_THRESHOLD:
        return FALLING
    return STEADY


def _one_decimal(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- Unit plan states -------------------------------------------------------------------

NOT_STARTED = "not_started"
# The dashboard's own order and words; "returned" is a draft, shown apart.
UNIT_STATES: list[tuple[str, str | Promise]] = [
    (NOT_STARTED, _("Ikke startet")),
    (UnitPlanStatus.DRAFT, _("Utkast")),
    (UnitPlanStatus.RETURNED, _("Utkast – returnert")),
    (UnitPlanStatus.SUBMITTED, _("Sendt")),
    (UnitPlanStatus.APPROVED, _("Godkjent")),
    (UnitPlanStatus.EVALUATED, _("Evaluert")),
]
_STATE_LABELS = dict(UNIT_STATES)


# --- What the page gets -----------------------------------------------------------------


@dataclass
class YearAverage:
    year: int
    label: str
    average: Decimal | None


@dataclass
class AreaRow:
    area: DevelopmentArea
    units_working: int
    status_counts: list[tuple[str, Any, int]]
    total: int
    overdue: int
    light: TrafficLight
    overdue_measures: list[Measure]
    trend_years: list[YearAverage]
    trend: Trend
    latest_inputs: list[ParticipationInput]


@dataclass
class UnitRow:
    unit: Unit
    plan_id: int | None
    state: str
    state_label: str | Promise


@dataclass
class Dashboard:
    municipality: Municipality | None
    quality_plan: QualityPlan | None
    year: int
    year_label: str
    today: datetime.date
    active_units: int
    areas: list[AreaRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    state_counts: list[tuple[str, str | Promise, int]] = field(default_factory=list)


# --- Reads ------------------------------------------------------------------------------


def dashboard_municipality(user) -> Municipality | None:
    """The user's municipality; a superuser without membership sees the first one."""
    municipalities = Municipality.objects.visible_to(user)
    municipality_id = access_for(user).municipality_id
    if municipality_id is not None:
        return municipalities.filter(pk=municipality_id).first()
    return municipalities.order_by("name").first()


def dashboard_years(user, municipality: Municipality | None, *, today=None) -> list[int]:
    """The school years the dashboard offers, newest first: every year with a unit plan,
    and at least the current one and the two before it."""
    current = SchoolYear.current(today).start_year
    years = {current, current - 1, current - 2}
    if municipality is not None:
        years |= set(
            UnitPlan.objects.visible_to(user)
            .filter(unit__municipality=municipality)
            .order_by()
            .values_list("school_year", flat=True)
            .distinct()
        )
    return list(range(max(years), min(years) - 1, -1))


def sector_dashboard(
    user, *, municipality: Municipality | None, year: int, today: datetime.date | None = None
) -> Dashboard:
    today = today or timezone.localdate()
    units = _unit_rows(user, municipality, year) if municipality is not None else []
    counts: dict[str, int] = defaultdict(int)
    for row in units:
        counts[row.state] += 1
    quality_plan = (
        QualityPlan.objects.visible_to(user).filter(municipality=municipality).in_force()
        if municipality is not None
        else None
    )
    dashboard = Dashboard(
        municipality=municipality,
        quality_plan=quality_plan,
        year=year,
        year_label=SchoolYear(year).label,
        today=today,
        active_units=len(units),
        units=units,
        state_counts=[(state, label, counts[state]) for state, label in UNIT_STATES],
    )
    if municipality is not None and quality_plan is not None:
        dashboard.areas = area_rows(user, municipality, quality_plan, year, today)
    return dashboard


def _unit_rows(user, municipality: Municipality, year: int) -> list[UnitRow]:
    plan_of_year = (
        UnitPlan.objects.visible_to(user).filter(unit=OuterRef("pk"), school_year=year).order_by()
    )
    units = (
        Unit.objects.visible_to(user)
        .active()
        .filter(municipality=municipality)
        .annotate(
            plan_pk=Subquery(plan_of_year.values("pk")[:1]),
            plan_status=Subquery(plan_of_year.values("status")[:1]),
        )
        .order_by("name")
    )
    rows = []
    for unit in units:
        state = unit.plan_status or NOT_STARTED
        rows.append(
            UnitRow(unit=unit, plan_id=unit.plan_pk, state=state, state_label=_STATE_LABELS[state])
        )
    return rows


def area_rows(
    user, municipality: Municipality, quality_plan: QualityPlan, year: int, today
) -> list[AreaRow]:
    """Per development area of the plan, the year's unit plans, measures, self-assessment
    trend and latest inputs, as the user may see them: the dashboard's rows and the
    status report's unit-plan figures. A fixed number of queries."""
    areas = list(DevelopmentArea.objects.filter(plan=quality_plan).order_by("order", "pk"))
    keys = [area.key for area in areas]

    plans = UnitPlan.objects.visible_to(user).filter(
        unit__municipality=municipality, unit__active=True, school_year=year
    )
    units_working = {
        row["areas__key"]: row["n"]
        for row in plans.filter(areas__key__in=keys)
        .order_by()
        .values("areas__key")
        .annotate(n=Count("unit_id", distinct=True))
    }

    measures = Measure.objects.visible_to(user).filter(
        plan__unit__municipality=municipality,
        plan__unit__active=True,
        plan__school_year=year,
        component__area__key__in=keys,
    )
    by_status: dict[Any, dict[str, Any]] = {
        row["area_key"]: dict(row)
        for row in measures.order_by()
        .values(area_key=F("component__area__key"))
        .annotate(
            total=Count("pk"),
            overdue=Count("pk", filter=overdue_measure_q(today)),
            **{
                f"n_{status}": Count("pk", filter=Q(status=status))
                for status in MeasureStatus.values
            },
        )
    }

    top_overdue: dict = defaultdict(list)
    for measure in (
        measures.overdue(today)
        .annotate(
            area_key=F("component__area__key"),
            rank=Window(
                RowNumber(),
                partition_by=F("component__area__key"),
                order_by=[F("end").asc(), F("pk").asc()],
            ),
        )
        .filter(rank__lte=TOP_OVERDUE)
        .select_related("plan__unit", "responsible")
        .order_by("end", "pk")
    ):
        top_overdue[measure.area_key].append(measure)

    trend_years = list(range(year - TREND_YEARS + 1, year + 1))
    averages = _assessment_averages(user, municipality, trend_years)
    inputs = _latest_inputs(user, municipality, keys)

    rows = []
    for area in areas:
        counts: dict[str, Any] = by_status.get(area.key, {})
        status_counts = [
            (status, label, counts.get(f"n_{status}", 0)) for status, label in MeasureStatus.choices
        ]
        total = counts.get("total", 0)
        overdue = counts.get("overdue", 0)
        cancelled = counts.get(f"n_{MeasureStatus.CANCELLED}", 0)
        moving = counts.get(f"n_{MeasureStatus.DONE}", 0) + counts.get(
            f"n_{MeasureStatus.IN_PROGRESS}", 0
        )
        yearly = [
            YearAverage(y, SchoolYear(y).label, averages.get((area.key, y))) for y in trend_years
        ]
        rows.append(
            AreaRow(
                area=area,
                units_working=units_working.get(area.key, 0),
                status_counts=status_counts,
                total=total,
                overdue=overdue,
                light=traffic_light(active=total - cancelled, overdue=overdue, moving=moving),
                overdue_measures=top_overdue.get(area.key, []),
                trend_years=yearly,
                trend=trend_of([item.average for item in yearly]),
                latest_inputs=inputs.get(area.key, []),
            )
        )
    return rows


def _assessment_averages(user, municipality: Municipality, years: list[int]) -> dict:
    """(area key, school year) → the average score of completed self-assessments. The
    school year of an assessment follows its date: from August it is the new year."""
    conducted = "assessment__conducted_on"
    assessments = SelfAssessment.objects.visible_to(user).filter(
        municipality=municipality, status=AssessmentStatus.COMPLETED
    )
    rows = (
        AssessmentAnswer.objects.filter(
            SchoolYear(min(years)).q(conducted, until=SchoolYear(max(years))),
            assessment__in=assessments.values("pk"),
            score__isnull=False,
        )
        .annotate(school_year=SchoolYear.of_field(conducted))
        .order_by()
        .values("statement__area__key", "school_year")
        .annotate(average=Avg("score"))
    )
    return {
        (row["statement__area__key"], row["school_year"]): _one_decimal(row["average"])
        for row in rows
    }


def _latest_inputs(user, municipality: Municipality, keys: list) -> dict:
    """Area key → the newest participation inputs linked to the area, newest first."""
    links = ParticipationInput.areas.through.objects
    found: dict = defaultdict(list)
    rows: Any = (
        links.filter(  # type: ignore[misc]  # the stubs cannot see window annotations
            participationinput__in=ParticipationInput.objects.visible_to(user)
            .filter(municipality=municipality)
            .values("pk"),
            developmentarea__key__in=keys,
        )
        .annotate(
            area_key=F("developmentarea__key"),
            rank=Window(
                RowNumber(),
                partition_by=F("developmentarea__key"),
                order_by=[
                    F("participationinput__given_on").desc(),
                    F("participationinput_id").desc(),
                ],
            ),
        )
        .filter(rank__lte=LATEST_INPUTS)
        .select_related("participationinput__unit")
        .order_by("-participationinput__given_on", "-participationinput_id")
    )
    for link in rows:
        item = link.participationinput
        if all(other.pk != item.pk for other in found[link.area_key]):
            found[link.area_key].append(item)
    return found
