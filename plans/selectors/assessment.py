"""Reads for quality tools and self-assessments, all starting from ``visible_to``.

Averages are computed by the database (``Avg`` over the answers grouped by assessment and
development area), so a page costs the same number of queries for three units as for
thirty. Areas are matched by their ``key``, which survives a new plan revision: a unit's
scores from the previous plan period line up with the same area in the plan in force.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, OuterRef, Prefetch, Q, Subquery

from plans.models import (
    AssessmentAnswer,
    AssessmentStatus,
    CoreComponent,
    DevelopmentArea,
    QualityPlan,
    QualityTool,
    Role,
    SelfAssessment,
    ServiceField,
    ToolStatement,
    Unit,
    UnitKind,
)

TWO_PLACES = Decimal("0.01")


def as_decimal(value) -> Decimal | None:
    """An average as a Decimal with two places (the database may answer float or Decimal)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [value for value in values if value is not None]
    if not present:
        return None
    return (sum(present, Decimal(0)) / len(present)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def plan_in_force(user) -> QualityPlan | None:
    return QualityPlan.objects.visible_to(user).in_force()


def kinds_of_field(service_field: str) -> list[str]:
    return [kind for kind in UnitKind.values if ServiceField.for_unit_kind(kind) == service_field]


# --- Quality tools ------------------------------------------------------------------------


@dataclass
class ToolOverview:
    plan: QualityPlan | None
    # (service field code, label, tool or None), in the fixed order of the fields.
    fields: list[tuple[str, Any, QualityTool | None]]


def quality_tools_in_force(user) -> ToolOverview:
    """The plan in force's tools, one place per service field, with statement counts."""
    plan = plan_in_force(user)
    if plan is None:
        return ToolOverview(plan=None, fields=[])
    tools = {
        tool.service_field: tool
        for tool in QualityTool.objects.visible_to(user)
        .filter(quality_plan=plan)
        .annotate(statement_count=Count("statements"))
    }
    return ToolOverview(
        plan=plan,
        fields=[(code, label, tools.get(code)) for code, label in ServiceField.choices],
    )


@dataclass
class ComponentGroup:
    component: CoreComponent | None  # None: statements about the area as a whole
    statements: list[ToolStatement] = field(default_factory=list)


@dataclass
class AreaGroup:
    area: DevelopmentArea
    groups: list[ComponentGroup] = field(default_factory=list)


def statements_by_area(tool: QualityTool) -> list[AreaGroup]:
    """The tool's statements grouped by area, then by core component (area-wide first)."""
    areas: dict[int, AreaGroup] = {}
    statements = tool.statements.select_related("area", "component").order_by(
        "area__order", "area__pk", "component__order", "component__pk", "order", "pk"
    )
    for statement in statements:
        area_group = areas.setdefault(statement.area_id, AreaGroup(area=statement.area))
        if not area_group.groups or area_group.groups[-1].component != statement.component:
            area_group.groups.append(ComponentGroup(component=statement.component))
        area_group.groups[-1].statements.append(statement)
    return list(areas.values())


# --- One assessment -----------------------------------------------------------------------


@dataclass
class AreaScore:
    area_key: uuid.UUID
    name: str
    average: Decimal | None
    answered: int
    total: int


def assessment_area_scores(assessment: SelfAssessment) -> list[AreaScore]:
    """Average score per area of one assessment (unscored statements left out)."""
    rows = (
        AssessmentAnswer.objects.filter(assessment=assessment)
        .values("statement__area__key", "statement__area__name", "statement__area__order")
        .annotate(average=Avg("score"), answered=Count("score"), total=Count("pk"))
        .order_by("statement__area__order", "statement__area__key")
    )
    return [
        AreaScore(
            area_key=row["statement__area__key"],
            name=row["statement__area__name"],
            average=as_decimal(row["average"]),
            answered=row["answered"],
            total=row["total"],
        )
        for row in rows
    ]


def area_averages(assessment_ids: Iterable[int]) -> dict[tuple[int, uuid.UUID], Decimal | None]:
    """``{(assessment id, area key): average score}`` in one query."""
    rows = (
        AssessmentAnswer.objects.filter(assessment_id__in=list(assessment_ids))
        .values("assessment_id", "statement__area__key")
        .annotate(average=Avg("score"))
        .order_by()
    )
    return {
        (row["assessment_id"], row["statement__area__key"]): as_decimal(row["average"])
        for row in rows
    }


# --- A unit over time ---------------------------------------------------------------------


@dataclass
class UnitHistory:
    assessments: list[SelfAssessment]  # completed, oldest first
    # (area key, area name); the plan in force's areas first, then areas only older
    # assessments used.
    areas: list[tuple[uuid.UUID, str]]
    averages: dict[tuple[int, uuid.UUID], Decimal | None]

    def series(self) -> list[tuple[str, list[tuple[str, Decimal | None]]]]:
        """Per area, its average in each assessment, for ``charts.line_chart``."""
        return [
            (
                name,
                [
                    (_date_label(assessment), self.averages.get((assessment.pk, key)))
                    for assessment in self.assessments
                ],
            )
            for key, name in self.areas
        ]


def _date_label(assessment: SelfAssessment) -> str:
    return f"{assessment.conducted_on:%d.%m.%Y}"


def unit_history(user, unit: Unit) -> UnitHistory:
    assessments = list(
        SelfAssessment.objects.visible_to(user)
        .filter(unit=unit, status=AssessmentStatus.COMPLETED)
        .select_related("tool")
        .order_by("conducted_on", "pk")
    )
    averages = area_averages(assessment.pk for assessment in assessments)
    used = {key for _assessment, key in averages}
    plan = plan_in_force(user)
    areas: list[tuple[uuid.UUID, str]] = []
    if plan is not None:
        areas = [(area.key, area.name) for area in plan.areas.all() if area.key in used]
    known = {key for key, _name in areas}
    older = (
        DevelopmentArea.objects.filter(key__in=used - known)
        .order_by("key", "-plan__period_start", "-plan__revision")
        .values_list("key", "name")
    )
    for key, name in older:
        if key not in known:
            areas.append((key, name))
            known.add(key)
    return UnitHistory(assessments=assessments, areas=areas, averages=averages)


# --- Where the units stand ----------------------------------------------------------------


@dataclass
class UnitStanding:
    unit: Unit
    assessment_id: int | None
    conducted_on: object | None
    averages: dict[uuid.UUID, Decimal | None]
    values: list[Decimal | None]  # the averages in the order of the plan's areas


@dataclass
class AreaStanding:
    area: DevelopmentArea
    # (unit name, its latest completed average for the area, or None)
    bars: list[tuple[str, Decimal | None]]
    sector_average: Decimal | None


@dataclass
class SectorOverview:
    plan: QualityPlan | None
    units: list[UnitStanding]
    areas: list[AreaStanding]


def sector_overview(user, service_field: str | None = None) -> SectorOverview:
    """Each active unit's latest completed assessment, averaged per area of the plan in
    force, and the sector's average per area (the mean of the units' averages, so every
    unit weighs the same). A fixed number of queries, whatever the number of units."""
    plan = plan_in_force(user)
    if plan is None:
        return SectorOverview(plan=None, units=[], areas=[])
    areas = list(plan.areas.all())
    latest = (
        SelfAssessment.objects.visible_to(user)
        .filter(unit=OuterRef("pk"), status=AssessmentStatus.COMPLETED)
        .order_by("-conducted_on", "-pk")
    )
    units = (
        Unit.objects.visible_to(user)
        .active()
        .annotate(
            latest_id=Subquery(latest.values("pk")[:1]),
            latest_on=Subquery(latest.values("conducted_on")[:1]),
        )
        .order_by("name")
    )
    if service_field:
        units = units.filter(kind__in=kinds_of_field(service_field))
    rows = list(units)
    averages = area_averages(unit.latest_id for unit in rows if unit.latest_id)
    standings = [
        UnitStanding(
            unit=unit,
            assessment_id=unit.latest_id,
            conducted_on=unit.latest_on,
            averages={area.key: averages.get((unit.latest_id, area.key)) for area in areas},
            values=[averages.get((unit.latest_id, area.key)) for area in areas],
        )
        for unit in rows
    ]
    return SectorOverview(
        plan=plan,
        units=standings,
        areas=[
            AreaStanding(
                area=area,
                bars=[(row.unit.name, row.averages[area.key]) for row in standings],
                sector_average=mean(row.averages[area.key] for row in standings),
            )
            for area in areas
        ],
    )


# --- The list page ------------------------------------------------------------------------


@dataclass
class UnitAssessments:
    unit: Unit
    assessments: Sequence[SelfAssessment]
    leads: bool
    tool: QualityTool | None

    @property
    def draft(self) -> SelfAssessment | None:
        return next((a for a in self.assessments if a.status == AssessmentStatus.DRAFT), None)


def assessments_of_own_units(user, access) -> list[UnitAssessments]:
    """The units the user leads or works in, each with its assessments (newest first)
    and the tool a new assessment would use."""
    led = access.unit_ids(Role.UNIT_LEADER)
    unit_ids = led | access.unit_ids(Role.STAFF)
    units = (
        Unit.objects.visible_to(user)
        .filter(pk__in=unit_ids)
        .order_by("name")
        .prefetch_related(
            Prefetch(
                "self_assessments",
                queryset=SelfAssessment.objects.visible_to(user)
                .select_related("tool")
                .annotate(
                    scored=Count("answers", filter=Q(answers__score__isnull=False)),
                    statements=Count("answers"),
                )
                .order_by("-conducted_on", "-pk"),
                to_attr="assessment_list",
            )
        )
    )
    plan = plan_in_force(user)
    tools = (
        {tool.service_field: tool for tool in QualityTool.objects.filter(quality_plan=plan)}
        if plan is not None
        else {}
    )
    return [
        UnitAssessments(
            unit=unit,
            assessments=unit.assessment_list,
            leads=unit.pk in led,
            tool=tools.get(ServiceField.for_unit_kind(unit.kind)),
        )
        for unit in units
    ]


def latest_per_unit(user):
    """Every active unit of the municipality with its latest completed assessment and the
    draft in progress, if any — one query."""
    completed = (
        SelfAssessment.objects.visible_to(user)
        .filter(unit=OuterRef("pk"), status=AssessmentStatus.COMPLETED)
        .order_by("-conducted_on", "-pk")
    )
    drafts = (
        SelfAssessment.objects.visible_to(user)
        .filter(unit=OuterRef("pk"), status=AssessmentStatus.DRAFT)
        .order_by("-pk")
    )
    return (
        Unit.objects.visible_to(user)
        .active()
        .annotate(
            latest_id=Subquery(completed.values("pk")[:1]),
            latest_on=Subquery(completed.values("conducted_on")[:1]),
            draft_id=Subquery(drafts.values("pk")[:1]),
            draft_on=Subquery(drafts.values("conducted_on")[:1]),
        )
        .order_by("name")
    )
