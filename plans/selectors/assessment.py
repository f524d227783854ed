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

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, OuterRef, Prefetch, Q, QuerySet, Subquery

from plans import disclosure
from plans.models import (
    MUNICIPALITY_GROUPS,
    UNFINISHED_STATES,
    AssessmentAnswer,
    AssessmentGroup,
    AssessmentStatus,
    CoreComponent,
    DevelopmentArea,
    Membership,
    QualityPlan,
    QualityTool,
    Role,
    Score,
    ScoreTally,
    SelfAssessment,
    ServiceField,
    SessionParticipant,
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
class GroupStanding:
    """A group spanning the municipality (the leaders, the administration with the
    elected officials): its latest completed assessment, labelled by the group."""

    label: str
    assessment_id: int
    conducted_on: object
    values: list[Decimal | None]


@dataclass
class SectorOverview:
    plan: QualityPlan | None
    units: list[UnitStanding]
    areas: list[AreaStanding]
    groups: list[GroupStanding] = field(default_factory=list)


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
    # The groups without a unit: the latest completed assessment of each, one query each
    # (there are two such groups, whatever the data).
    group_latest = []
    for group in sorted(MUNICIPALITY_GROUPS):
        found = SelfAssessment.objects.visible_to(user).filter(
            group=group, unit__isnull=True, status=AssessmentStatus.COMPLETED
        )
        if service_field:
            found = found.filter(tool__service_field=service_field)
        latest_group = found.order_by("-conducted_on", "-pk").first()
        if latest_group is not None:
            group_latest.append(latest_group)
    averages = area_averages(
        [unit.latest_id for unit in rows if unit.latest_id]
        + [assessment.pk for assessment in group_latest]
    )
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
    groups = [
        GroupStanding(
            label=assessment.subject_label,
            assessment_id=assessment.pk,
            conducted_on=assessment.conducted_on,
            values=[averages.get((assessment.pk, area.key)) for area in areas],
        )
        for assessment in group_latest
    ]
    return SectorOverview(
        plan=plan,
        units=standings,
        # The sector average is the units' (every unit weighs the same); the groups are
        # shown beside it, labelled, not mixed into it.
        areas=[
            AreaStanding(
                area=area,
                bars=[(row.unit.name, row.averages[area.key]) for row in standings]
                + [(group.label, group.values[index]) for group in groups],
                sector_average=mean(row.averages[area.key] for row in standings),
            )
            for index, area in enumerate(areas)
        ],
        groups=groups,
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
        return next((a for a in self.assessments if a.status in UNFINISHED_STATES), None)


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


# --- Group sessions -----------------------------------------------------------------------

# Who may be invited to each group, by the role they hold in the municipality (for the
# unit's staff: in that unit). The one rule the start form's choices and the service's
# check both read, so a forged id outside it is refused.
GROUP_ROLES: dict[str, tuple[str, ...]] = {
    AssessmentGroup.UNIT_STAFF: (Role.UNIT_LEADER, Role.STAFF),
    AssessmentGroup.LEADERS: (Role.UNIT_LEADER, Role.SECTOR_LEADER),
    AssessmentGroup.ADMINISTRATION: (Role.SECTOR_LEADER, Role.ELECTED_OFFICIAL),
}


def session_candidates(*, group: str, municipality_id: int, unit_id: int | None = None) -> QuerySet:
    """The active users who fit ``group``: in force memberships of the municipality with
    one of the group's roles (in the unit, for a unit's staff)."""
    roles = GROUP_ROLES.get(group)
    if roles is None:
        return get_user_model().objects.none()
    memberships = Membership.objects.in_force().filter(
        municipality_id=municipality_id, role__in=roles
    )
    if group not in MUNICIPALITY_GROUPS:
        if unit_id is None:
            return get_user_model().objects.none()
        memberships = memberships.filter(unit_id=unit_id)
    return (
        get_user_model()
        .objects.filter(is_active=True, pk__in=memberships.values("user_id"))
        .order_by("last_name", "first_name", "username")
    )


@dataclass
class StatementDistribution:
    """One statement's scores in a group session, as published: every count through the
    disclosure layer, the mean and median only when no count is withheld."""

    cells: list[disclosure.Cell]  # one per score, 1 to 4
    total: disclosure.Cell
    mean: Decimal | None
    median: Decimal | None


def _median(counts: Sequence[int]) -> Decimal | None:
    """The median score of a distribution (the mean of the two middle scores when the
    number of answers is even)."""
    n = sum(counts)
    if not n:
        return None
    scores = [
        score for score, count in zip(Score.values, counts, strict=True) for _ in range(count)
    ]
    middle = n // 2
    value = Decimal(scores[middle]) if n % 2 else Decimal(scores[middle - 1] + scores[middle]) / 2
    return value.quantize(Decimal("0.1"))


def session_distributions(assessment: SelfAssessment) -> dict[int, StatementDistribution]:
    """``{statement id: distribution}`` once the session has closed; nothing while it
    still collects answers, so no one can watch a distribution change as a known late
    participant answers. One query."""
    if assessment.status == AssessmentStatus.COLLECTING or not assessment.is_session:
        return {}
    counts: dict[int, list[int]] = {}
    rows = ScoreTally.objects.filter(assessment=assessment).values_list(
        "statement_id", "score", "count"
    )
    for statement_id, score, count in rows:
        counts.setdefault(statement_id, [0] * len(Score.values))[score - 1] = count
    result = {}
    for statement_id, values in counts.items():
        total = sum(values)
        group = disclosure.protect_group(statement_id, total, {"score": values})
        cells = group.breakdowns["score"]
        if group.total["suppressed"] and not disclosure.is_small(total):
            # Everyone scores every statement, so the total is the response count the
            # facilitator sees anyway: a total the layer would hide is known, and the cells
            # it leaves shown would give the hidden ones away. Withhold them all.
            cells = [disclosure.protected() for _ in values]
        withheld = any(cell["suppressed"] for cell in cells)
        score_sum = sum(score * count for score, count in zip(Score.values, values, strict=True))
        result[statement_id] = StatementDistribution(
            cells=cells,
            total=disclosure.count_cell(total),
            # The mean and the median are functions of the cells: beside a withheld cell
            # they would be one more equation an attacker could solve for it.
            mean=None if withheld else disclosure.average(score_sum, group.total, "0.1"),
            median=None if withheld else _median(values),
        )
    return result


@dataclass
class SessionCounts:
    invited: int
    answered: int


def session_counts(assessment: SelfAssessment) -> SessionCounts:
    """How many were invited and how many have answered — never who. One query."""
    row = SessionParticipant.objects.filter(assessment=assessment).aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(has_answered=True))
    )
    return SessionCounts(invited=row["invited"], answered=row["answered"])


def group_sessions(user) -> QuerySet:
    """The group sessions the user may read (``visible_to``) that span the municipality
    or belong to a unit, newest first, with their invited and answered counts."""
    return (
        SelfAssessment.objects.visible_to(user)
        .exclude(group=AssessmentGroup.UNIT)
        .select_related("unit", "tool")
        .annotate(
            invited=Count("session_participants"),
            answered=Count(
                "session_participants", filter=Q(session_participants__has_answered=True)
            ),
        )
        .order_by("-conducted_on", "-pk")
    )


def sessions_of_participant(user) -> tuple[QuerySet, QuerySet]:
    """A participant's page: the open sessions waiting for their answer, and the
    completed sessions they took part in (whose joint conclusion they may read)."""
    waiting = (
        SelfAssessment.objects.open_sessions_for(user)
        .select_related("unit", "tool")
        .order_by("-conducted_on", "-pk")
    )
    completed = (
        SelfAssessment.objects.visible_to(user)
        .filter(
            status=AssessmentStatus.COMPLETED,
            pk__in=SessionParticipant.objects.filter(user_id=user.pk).values("assessment_id"),
        )
        .select_related("unit", "tool")
        .order_by("-conducted_on", "-pk")
    )
    return waiting, completed
