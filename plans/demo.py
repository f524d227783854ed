"""The plans app's seeder of the demo municipality: fictional, shaped after the services in
the source documents (../shared/seeds): kindergartens, schools with their SFO, health
station and school health service, child welfare, PPT, culture school, youth club and the
sector's staff office.

Besides the organisation it makes a quality plan shaped after Jevnaker's (an adopted
revision and a draft revision made from it), quality tools, two school years of unit plans
written through the unit-plan services (so their history is real), self-assessments,
participation input and user journeys. The content is data, ``fixtures/demo/plans.json``;
this module says how it becomes rows. Every date is relative to ``today`` and nothing is
random, so two runs on the same day give the same data.

``demo.services.loading.demo_load`` calls it, with the other apps' seeders: the organisation
first, then every app clears its own demo rows (highest layer first), then every app
seeds its own (``plans`` first)."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from plans.demo_data import read_demo_data
from plans.models import (
    AgreedPoint,
    Anchoring,
    AnchoringKind,
    AssessmentAnswer,
    AssessmentGroup,
    AssessmentStatus,
    Attainment,
    CoreComponent,
    DevelopmentArea,
    Dialogue,
    DialogueKind,
    DialogueStatus,
    InputGroup,
    InputSetting,
    JourneyStep,
    Measure,
    MeasureStatus,
    Membership,
    Municipality,
    ParticipationInput,
    ParticipationProcess,
    Phase,
    PlanValue,
    PointStatus,
    PracticeCharacteristic,
    QualityDescription,
    QualityPlan,
    QualityTool,
    Role,
    Score,
    ScoreTally,
    SelfAssessment,
    ServiceField,
    SessionParticipant,
    StepAssessment,
    TargetGroup,
    ToolStatement,
    Unit,
    UnitGoal,
    UnitKind,
    UnitPlan,
    UnitPlanStatus,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from plans.services import organisation
from plans.services.history import field_changes_diff, fields_snapshot, record_change
from plans.services.unit_plans import (
    unit_plan_approve,
    unit_plan_create,
    unit_plan_evaluate,
    unit_plan_part_save,
    unit_plan_return,
    unit_plan_submit,
    unit_plan_update,
)

# Text that must be one of a choices class's values (checked on read).
RoleName = Annotated[str, Role]
UnitKindName = Annotated[str, UnitKind]
PlanStatus = Annotated[str, UnitPlanStatus]


@dataclass(frozen=True)
class DemoMunicipality:
    name: str
    number: str
    historic_numbers: tuple[str, ...]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    grants: tuple[tuple[RoleName, str | None], ...]  # (role, unit name; None: municipality)


@dataclass(frozen=True)
class DemoArea:
    name: str
    description: str
    goal: str
    components: tuple[tuple[str, str], ...]
    characteristics: tuple[str, ...]
    meaning: str


@dataclass(frozen=True)
class DemoPlanSpec:
    unit: str
    areas: tuple[int, int]  # indexes into plan_areas
    previous: PlanStatus  # last school year's plan ended as approved or evaluated
    current: PlanStatus | None  # None: not started this year


@dataclass(frozen=True)
class DemoJourney:
    title: str
    description: str
    month: tuple[int, int]  # (school-year offset 0 = last year / 1 = this year, month)
    areas: tuple[int, ...]
    publishable: bool
    # (service, what happened, assessment)
    steps: tuple[tuple[str, str, Annotated[str, StepAssessment]], ...]
    findings: str


@dataclass(frozen=True)
class PlansDemoData:
    """The shape of ``fixtures/demo/plans.json``; ``fixtures/README.md`` says what each
    key holds. Areas are referred to by their index in ``plan_areas``."""

    municipality: DemoMunicipality
    password: str
    units: tuple[tuple[str, UnitKindName, str | None], ...]  # (name, kind, parent name)
    users: tuple[DemoUser, ...]
    staff: tuple[DemoUser, ...]
    plan_title: str
    plan_purpose: str
    plan_introduction: str
    plan_values: tuple[tuple[str, str], ...]  # (name, what it means: one point a line)
    # (kind, title, url only where the address is certain, note)
    plan_anchorings: tuple[tuple[Annotated[str, AnchoringKind], str, str, str], ...]
    plan_areas: tuple[DemoArea, ...]
    # (service field, title, marks of quality: one a line, source)
    plan_quality: tuple[tuple[Annotated[str, ServiceField], str, str, str], ...]
    revision_2_purpose: str
    revision_2_goal: tuple[str, str]  # (area name, its new goal)
    revision_2_characteristic: tuple[str, str]  # (area name, an added mark of practice)
    revision_2_anchoring: tuple[Annotated[str, AnchoringKind], str, str, str]
    # service field → (title, statements per area, in plan_areas order)
    quality_tools: dict[str, tuple[str, tuple[tuple[str, ...], ...]]]
    # unit kind → the measure catalogue its units draw from (the keys of measures etc.)
    unit_group: dict[str, str]
    # group → area (plan_areas order) → three (component index, measure, target groups)
    measures: dict[
        str, tuple[tuple[tuple[int, str, tuple[Annotated[str, TargetGroup], ...]], ...], ...]
    ]
    goals: dict[str, tuple[str, str, str, str]]  # group → one local goal per area
    own_goals: dict[str, str]  # group → a goal of the unit's own, outside the areas
    participants: dict[str, str]  # group → who took part
    participation: dict[str, tuple[str, str]]  # phase → (how, what came out of it)
    unit_plans: tuple[DemoPlanSpec, ...]
    return_comment: str
    approval_comment: str
    year_evaluation: str
    measure_evaluations: dict[str, str]  # measure status → evaluation
    goal_evaluations: dict[str, str]  # attainment → evaluation
    # (unit, base score, assessments: (school-year offset 0 = last / 1 = this year, month))
    assessments: tuple[tuple[str, int, tuple[tuple[int, int], ...]], ...]
    # This year's scores move differently per area, so the dashboard's trend arrows differ.
    area_drift: tuple[int, int, int, int]
    reflections: tuple[str, ...]
    # (quote, descriptor, group, setting, area indexes, unit name or None)
    inputs: tuple[
        tuple[
            str,
            str,
            Annotated[str, InputGroup],
            Annotated[str, InputSetting],
            tuple[int, ...],
            str | None,
        ],
        ...,
    ]
    journeys: tuple[DemoJourney, ...]


def _references(data: PlansDemoData) -> Iterator[tuple[str, str]]:
    """Unit names and area indexes must find what they point at in the same file."""
    units: set[str] = set()
    for i, (name, _kind, parent) in enumerate(data.units):
        if parent is not None and parent not in units:
            yield f"units[{i}][2]", f"«{parent}» er ikke en enhet foran denne"
        units.add(name)
    areas = range(len(data.plan_areas))
    for key in ("users", "staff"):
        for i, user in enumerate(getattr(data, key)):
            for j, (_role, unit) in enumerate(user.grants):
                if unit is not None and unit not in units:
                    yield f"{key}[{i}].grants[{j}][1]", f"ukjent enhet «{unit}»"
    for i, spec in enumerate(data.unit_plans):
        if spec.unit not in units:
            yield f"unit_plans[{i}].unit", f"ukjent enhet «{spec.unit}»"
        if any(index not in areas for index in spec.areas):
            yield f"unit_plans[{i}].areas", f"finnes bare {len(areas)} utviklingsområder"
    for i, (unit, _base, _rounds) in enumerate(data.assessments):
        if unit not in units:
            yield f"assessments[{i}][0]", f"ukjent enhet «{unit}»"
    for i, (*_text, indexes, unit) in enumerate(data.inputs):
        if any(index not in areas for index in indexes):
            yield f"inputs[{i}][4]", f"finnes bare {len(areas)} utviklingsområder"
        if unit is not None and unit not in units:
            yield f"inputs[{i}][5]", f"ukjent enhet «{unit}»"
    for i, journey in enumerate(data.journeys):
        if any(index not in areas for index in journey.areas):
            yield f"journeys[{i}].areas", f"finnes bare {len(areas)} utviklingsområder"


def plans_demo_data(directory: Path | None = None) -> PlansDemoData:
    """``fixtures/demo/plans.json`` (or the file of that name in ``directory``), checked."""
    return read_demo_data("plans.json", PlansDemoData, check=_references, directory=directory)


DATA = plans_demo_data()

# The names the command, the README and the tests use.
DEMO_MUNICIPALITY = {
    "name": DATA.municipality.name,
    "number": DATA.municipality.number,
    "historic_numbers": list(DATA.municipality.historic_numbers),
}
DEMO_PASSWORD = DATA.password
DEMO_USERS = list(DATA.users)
# Leaders and staff of the other units: responsible persons for the demo plans' measures.
# They log in with the same password; the six logins above are the ones the README names.
DEMO_STAFF = list(DATA.staff)


# --- Loading ------------------------------------------------------------------------------


@functools.cache
def _demo_password_hash() -> str:
    # Hashed once: a deliberately slow hash per new user would make the first load slow.
    return make_password(DEMO_PASSWORD)


def _upsert_user(demo: DemoUser, municipality: Municipality, units: dict[str, Unit]):
    User = get_user_model()
    user = User.objects.filter(username=demo.username).first()
    if user is None:
        user = User(username=demo.username, password=_demo_password_hash())
    user.first_name, user.last_name = demo.first_name, demo.last_name
    user.email = f"{demo.username}@solvik.example"
    user.is_active = True
    user.save()
    for role, unit_name in demo.grants:
        organisation.membership_grant(
            user=user,
            municipality=municipality,
            role=role,
            unit=units[unit_name] if unit_name else None,
            # The demo's own cast: trusted code, so no sector leader has to confirm it.
            confirmed=True,
        )
    return user


def demo_organisation_ensure() -> tuple[Municipality, dict[str, Unit], dict[str, Any]]:
    """Create or bring up to date the demo municipality, its units and its users, in
    place: their keys stay, so sessions, calendar feeds and bookmarks survive a refresh."""
    municipality, _created = Municipality.objects.get_or_create(
        number=DATA.municipality.number,
        defaults={"name": DATA.municipality.name},
    )
    municipality.name = DATA.municipality.name
    municipality.historic_numbers = list(DATA.municipality.historic_numbers)
    organisation.municipality_save(municipality=municipality)

    units: dict[str, Unit] = {}
    for name, kind, parent_name in DATA.units:
        unit = Unit.objects.filter(municipality=municipality, name=name).first() or Unit(
            municipality=municipality, name=name
        )
        unit.kind = kind
        unit.parent = units[parent_name] if parent_name else None
        unit.active = True
        units[name] = organisation.unit_save(unit=unit)

    users = {
        demo.username: _upsert_user(demo, municipality, units) for demo in DEMO_USERS + DEMO_STAFF
    }
    return municipality, units, users


def demo_clear(municipality: Municipality) -> None:
    """Everything the demo makes in plans below the organisation, in an order the PROTECT
    foreign keys allow. The plans' history goes with them. The other apps' demo rows (and
    the status reports) point at these and are cleared first: ``demo.services.loading``."""
    Dialogue.objects.filter(municipality=municipality).delete()
    SelfAssessment.objects.filter(municipality=municipality).delete()
    UnitPlan.objects.filter(unit__municipality=municipality).delete()
    ParticipationInput.objects.filter(municipality=municipality).delete()
    UserJourney.objects.filter(municipality=municipality).delete()
    QualityTool.objects.filter(municipality=municipality).delete()
    plans = QualityPlan.objects.filter(municipality=municipality)
    plans.update(previous=None)
    plans.delete()


def demo_seed(
    municipality: Municipality,
    units: dict[str, Unit],
    users: dict[str, Any],
    today: datetime.date,
) -> tuple[QualityPlan, dict[str, int]]:
    """The plan content, made anew: the quality plan in force (with a draft revision), its
    quality tools, unit plans, self-assessments, fortellinger and user journeys. Returns
    the plan in force, which the other apps' content links to, and what there is, by kind."""
    sector_leader = users["sektorleder"]
    plan = _seed_quality_plan(municipality, sector_leader, today)
    _seed_revision(plan, sector_leader)
    tools = _seed_quality_tools(municipality, plan)
    unit_plans = _seed_unit_plans(plan, units, today)
    assessments = _seed_self_assessments(tools, units, today)
    assessments += _seed_group_session(municipality, tools, users, today)
    inputs, journeys = _seed_participation(municipality, plan, units, sector_leader, today)
    dialogues = _seed_dialogues(municipality, units, sector_leader, today)
    _seed_trace_links(plan, today)
    return plan, {
        "units": len(units),
        "users": len(DEMO_USERS),
        "staff": len(DEMO_STAFF),
        "quality_plans": QualityPlan.objects.filter(municipality=municipality).count(),
        "unit_plans": unit_plans,
        "measures": Measure.objects.filter(plan__unit__municipality=municipality).count(),
        "self_assessments": assessments,
        "inputs": inputs,
        "journeys": journeys,
        "dialogues": dialogues,
    }


def _school_year_day(today: datetime.date, offset: int, month: int, day: int) -> datetime.date:
    """A day in last school year (offset 0) or this one (offset 1), never after yesterday."""
    year = SchoolYear.current(today).previous()
    wanted = SchoolYear(year.start_year + offset).first_of(month).replace(day=day)
    return min(wanted, today - datetime.timedelta(days=1))


def _seed_quality_plan(municipality, sector_leader, today) -> QualityPlan:
    """Revision 1, adopted in June before last school year (plain ORM: the quality-plan
    services belong to the plan pages; the demo only needs the result and its history)."""
    start = SchoolYear.current(today).start_year - 1
    plan = QualityPlan(
        municipality=municipality,
        title=DATA.plan_title,
        period_start=start,
        period_end=start + 3,
        purpose=DATA.plan_purpose,
        introduction=DATA.plan_introduction,
        revision=1,
        adopted_on=datetime.date(start, 6, 18),
        council_case=f"PS {start % 100:02d}/45",
        # The sector leader follows the plan and its areas up (issue 20).
        owner=sector_leader,
    )
    plan.full_clean()
    plan.save()
    for order, (name, meaning) in enumerate(DATA.plan_values, start=1):
        PlanValue.objects.create(plan=plan, order=order, name=name, meaning=meaning)
    for order, (kind, title, url, note) in enumerate(DATA.plan_anchorings, start=1):
        Anchoring.objects.create(plan=plan, kind=kind, order=order, title=title, url=url, note=note)
    for order, demo in enumerate(DATA.plan_areas, start=1):
        area = DevelopmentArea.objects.create(
            plan=plan,
            order=order,
            name=demo.name,
            description=demo.description,
            goal=demo.goal,
            meaning_for_individual=demo.meaning,
            owner=sector_leader,
        )
        for position, (name, description) in enumerate(demo.components, start=1):
            CoreComponent.objects.create(
                area=area, order=position, name=name, description=description
            )
        for position, text in enumerate(demo.characteristics, start=1):
            PracticeCharacteristic.objects.create(area=area, order=position, text=text)
    for service_field, title, content, source in DATA.plan_quality:
        QualityDescription.objects.create(
            plan=plan, service_field=service_field, title=title, content=content, source=source
        )
    record_change(
        plan=plan,
        actor=sector_leader,
        action="created",
        subject="Planen ble opprettet",
        fields=field_changes_diff(
            model=QualityPlan,
            before={},
            after=fields_snapshot(instance=plan, fields=["title", "purpose"]),
        ),
    )
    record_change(
        plan=plan,
        actor=sector_leader,
        action="adopted",
        subject=f"Vedtatt i kommunestyret, sak {plan.council_case}",
        fields=field_changes_diff(
            model=QualityPlan,
            before={"adopted_on": "", "council_case": ""},
            after=fields_snapshot(instance=plan, fields=["adopted_on", "council_case"]),
        ),
    )
    return plan


def _seed_revision(plan: QualityPlan, sector_leader) -> QualityPlan:
    """Revision 2: a draft copy of revision 1 with a few changes, by hand (areas and
    components keep their keys, as the revision service does)."""
    draft = QualityPlan.objects.create(
        municipality=plan.municipality,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        purpose=plan.purpose,
        introduction=plan.introduction,
        revision=2,
        previous=plan,
        owner=plan.owner,
    )
    for value in plan.values.all():
        PlanValue.objects.create(
            plan=draft, order=value.order, name=value.name, meaning=value.meaning
        )
    for anchoring in plan.anchorings.all():
        Anchoring.objects.create(
            plan=draft,
            kind=anchoring.kind,
            order=anchoring.order,
            title=anchoring.title,
            url=anchoring.url,
            note=anchoring.note,
        )
    for description in plan.quality_descriptions.all():
        QualityDescription.objects.create(
            plan=draft,
            service_field=description.service_field,
            title=description.title,
            content=description.content,
            source=description.source,
        )
    for area in plan.areas.prefetch_related("components", "characteristics"):
        copy = DevelopmentArea.objects.create(
            plan=draft,
            key=area.key,
            order=area.order,
            name=area.name,
            description=area.description,
            goal=area.goal,
            meaning_for_individual=area.meaning_for_individual,
            owner_id=area.owner_id,
        )
        for component in area.components.all():
            CoreComponent.objects.create(
                area=copy,
                key=component.key,
                order=component.order,
                name=component.name,
                description=component.description,
            )
        for characteristic in area.characteristics.all():
            PracticeCharacteristic.objects.create(
                area=copy, order=characteristic.order, text=characteristic.text
            )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="created",
        subject=f"Ny revisjon opprettet fra revisjon {plan.revision}",
    )

    before = fields_snapshot(instance=draft, fields=["purpose"])
    draft.purpose = DATA.revision_2_purpose
    draft.save()
    record_change(
        plan=draft,
        actor=sector_leader,
        action="changed",
        subject="Planen",
        fields=field_changes_diff(
            model=QualityPlan,
            before=before,
            after=fields_snapshot(instance=draft, fields=["purpose"]),
        ),
    )
    area_name, goal = DATA.revision_2_goal
    area = draft.areas.get(name=area_name)
    before = fields_snapshot(instance=area, fields=["goal"])
    area.goal = goal
    area.save()
    record_change(
        plan=draft,
        actor=sector_leader,
        action="changed",
        subject=f"Utviklingsområde «{area.name}»",
        fields=field_changes_diff(
            model=DevelopmentArea,
            before=before,
            after=fields_snapshot(instance=area, fields=["goal"]),
        ),
    )
    area_name, text = DATA.revision_2_characteristic
    area = draft.areas.get(name=area_name)
    characteristic = PracticeCharacteristic.objects.create(
        area=area, order=area.characteristics.count() + 1, text=text
    )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="added",
        subject=f"Kjennetegn på god praksis «{text}»",
        fields=field_changes_diff(
            model=PracticeCharacteristic,
            before={},
            after=fields_snapshot(instance=characteristic, fields=["text"]),
        ),
    )
    kind, title, url, note = DATA.revision_2_anchoring
    anchoring = Anchoring.objects.create(
        plan=draft,
        kind=kind,
        order=draft.anchorings.filter(kind=kind).count() + 1,
        title=title,
        url=url,
        note=note,
    )
    record_change(
        plan=draft,
        actor=sector_leader,
        action="added",
        subject=f"Forankring «{anchoring.title}»",
        fields=field_changes_diff(
            model=Anchoring,
            before={},
            after=fields_snapshot(instance=anchoring, fields=["kind", "title"]),
        ),
    )
    return draft


def _seed_quality_tools(municipality, plan: QualityPlan) -> dict[str, QualityTool]:
    areas = list(plan.areas.prefetch_related("components"))
    tools = {}
    for service_field, (title, statements) in DATA.quality_tools.items():
        tool = QualityTool.objects.create(
            municipality=municipality,
            quality_plan=plan,
            service_field=service_field,
            title=title,
            introduction=(
                "Påstandene beskriver hvordan det ser ut når vi arbeider meget godt med "
                "utviklingsområdene. Bruk dem til refleksjon i personalet."
            ),
        )
        for area, texts in zip(areas, statements, strict=True):
            components = list(area.components.all())
            for order, text in enumerate(texts, start=1):
                ToolStatement.objects.create(
                    tool=tool,
                    area=area,
                    component=components[order - 1] if order <= len(components) else None,
                    order=order,
                    text=text,
                )
        tools[service_field] = tool
    return tools


@dataclass
class _PlanPeople:
    leader: Any
    staff: Any
    sector_leader: Any


def _people(units: dict[str, Unit]) -> dict[str, _PlanPeople]:
    """Each unit's leader and staff member, from the demo memberships."""
    sector_leader = get_user_model().objects.get(username="sektorleder")
    people: dict[str, _PlanPeople] = {}
    memberships = Membership.objects.filter(unit__in=units.values()).select_related("user")
    leaders = {m.unit_id: m.user for m in memberships if m.role == Role.UNIT_LEADER}
    staff = {m.unit_id: m.user for m in memberships if m.role == Role.STAFF}
    for name, unit in units.items():
        if unit.pk in leaders:
            people[name] = _PlanPeople(
                leader=leaders[unit.pk],
                staff=staff.get(unit.pk, leaders[unit.pk]),
                sector_leader=sector_leader,
            )
    return people


def _seed_unit_plans(quality_plan: QualityPlan, units: dict[str, Unit], today) -> int:
    """Two school years of unit plans, written through the unit-plan services so the
    history is the one a real year would leave."""
    people = _people(units)
    areas = list(quality_plan.areas.order_by("order"))
    components = {area.pk: list(area.components.order_by("order")) for area in areas}
    year = SchoolYear.current(today).start_year
    count = 0
    for index, spec in enumerate(DATA.unit_plans):
        unit = units[spec.unit]
        group = DATA.unit_group[unit.kind]
        who = people[spec.unit]
        context = _PlanContext(
            unit=unit,
            group=group,
            who=who,
            index=index,
            areas=[areas[i] for i in spec.areas],
            area_indexes=spec.areas,
            components=components,
            today=today,
        )
        _previous_year_plan(context, year - 1, spec.previous)
        count += 1
        if spec.current is not None:
            _current_year_plan(context, year, spec.current)
            count += 1
    return count


@dataclass
class _PlanContext:
    unit: Unit
    group: str
    who: _PlanPeople
    index: int
    areas: list[DevelopmentArea]
    area_indexes: tuple[int, int]
    components: dict[int, list[CoreComponent]]
    today: datetime.date

    def entry(self, area_position: int, entry: int):
        """The catalogue's measure: (area, component, text, target groups)."""
        area = self.areas[area_position]
        component_index, text, groups = DATA.measures[self.group][self.area_indexes[area_position]][
            entry
        ]
        return area, self.components[area.pk][component_index], text, list(groups)

    def responsible(self, position: int):
        return self.who.leader if (self.index + position) % 2 == 0 else self.who.staff


def _add_measure(
    context: _PlanContext, plan: UnitPlan, position, entry, *, start, end, status, responsible=None
):
    _area, component, text, groups = context.entry(position, entry)
    return unit_plan_part_save(
        plan=plan,
        model=Measure,
        data={
            "description": text,
            "component": component,
            "responsible": responsible or context.responsible(position + entry),
            "start": start,
            "end": end,
            "status": status,
            "target_groups": groups,
        },
        actor=context.who.leader,
    )


def _add_participation(context: _PlanContext, plan: UnitPlan, phase: str, held_on) -> None:
    method, outcome = DATA.participation[phase]
    unit_plan_part_save(
        plan=plan,
        model=ParticipationProcess,
        data={
            "phase": phase,
            "participants": DATA.participants[context.group],
            "method": method,
            "outcome": outcome,
            "held_on": held_on,
        },
        actor=context.who.leader,
    )


def _start_plan(context: _PlanContext, year: int) -> UnitPlan:
    plan = unit_plan_create(
        unit=context.unit, school_year=year, actor=context.who.leader, start_from_previous=True
    )
    area_names = " og ".join(area.name.lower() for area in context.areas)
    wanted_components = {
        context.entry(position, entry)[1]
        for position, entry in ((0, 0), (0, 1), (0, 2), (1, 0), (1, 1))
    }
    return unit_plan_update(
        plan=plan,
        data={
            "summary": (
                f"I {SchoolYear(year).label} arbeider {context.unit.name} særlig med {area_names}."
            ),
            "areas": sorted({*plan.areas.all(), *context.areas}, key=lambda a: a.order),
            "components": sorted({*plan.components.all(), *wanted_components}, key=lambda c: c.pk),
            # The unit leader follows the plan up (carried over from last year's).
            "owner": context.who.leader,
        },
        expected_version=None,
        actor=context.who.leader,
    )


def _previous_year_plan(context: _PlanContext, year: int, final: str) -> UnitPlan:
    leader, sector_leader, k = context.who.leader, context.who.sector_leader, context.index
    plan = _start_plan(context, year)
    for area in context.areas:
        unit_plan_part_save(
            plan=plan,
            model=UnitGoal,
            data={"area": area, "text": DATA.goals[context.group][area.order - 1]},
            actor=leader,
        )
    if k % 2 == 0:
        # Every other unit has a goal of its own beside the shared areas' (issue 20),
        # carried into this year's plan by unit_plan_create.
        unit_plan_part_save(
            plan=plan,
            model=UnitGoal,
            data={"area": None, "text": DATA.own_goals[context.group]},
            actor=leader,
        )
    measures = [
        _add_measure(
            context,
            plan,
            position,
            entry,
            start=datetime.date(year, 8, 20) + datetime.timedelta(days=14 * n),
            end=datetime.date(year + 1, 6, 12) - datetime.timedelta(days=21 * n),
            status=MeasureStatus.PLANNED,
        )
        for n, (position, entry) in enumerate(((0, 0), (0, 1), (1, 0)))
    ]
    _add_participation(context, plan, Phase.PLANNING, datetime.date(year, 6, 5))
    unit_plan_submit(plan=plan, actor=leader)
    unit_plan_approve(
        plan=plan, actor=sector_leader, comment=DATA.approval_comment if k % 2 else ""
    )
    _add_participation(context, plan, Phase.CARRYING_OUT, datetime.date(year + 1, 1, 15))
    if final == UnitPlanStatus.APPROVED:
        # The year was never closed: work still open, now past its end date.
        follow_up = [MeasureStatus.IN_PROGRESS, MeasureStatus.PLANNED, MeasureStatus.DONE]
    else:
        follow_up = [
            MeasureStatus.DONE,
            MeasureStatus.POSTPONED if k % 2 == 0 else MeasureStatus.DONE,
            MeasureStatus.CANCELLED if k % 3 == 0 else MeasureStatus.DONE,
        ]
    for measure, status in zip(measures, follow_up, strict=True):
        if status != MeasureStatus.PLANNED:
            unit_plan_part_save(
                plan=plan,
                model=Measure,
                instance=measure,
                data={"status": status, "evaluation": DATA.measure_evaluations[status]},
                actor=leader,
            )
    if final == UnitPlanStatus.EVALUATED:
        for n, goal in enumerate(plan.goals.order_by("pk")):
            attainment = (Attainment.MET, Attainment.PARTLY, Attainment.NOT_MET)[(k + n) % 3]
            unit_plan_part_save(
                plan=plan,
                model=UnitGoal,
                instance=goal,
                data={"attainment": attainment, "evaluation": DATA.goal_evaluations[attainment]},
                actor=leader,
            )
        _add_participation(context, plan, Phase.EVALUATING, datetime.date(year + 1, 6, 10))
        unit_plan_evaluate(plan=plan, actor=leader, evaluation=DATA.year_evaluation)
    return plan


def _current_year_plan(context: _PlanContext, year: int, state: str) -> UnitPlan:
    """This year's plan in the state the spec asks for, carried over from last year's."""
    leader, sector_leader, k, today = (
        context.who.leader,
        context.who.sector_leader,
        context.index,
        context.today,
    )
    plan = _start_plan(context, year)
    carried = list(plan.measures.order_by("pk"))
    later = max(datetime.date(year + 1, 6, 15), today + datetime.timedelta(days=30))
    # Every other unit has a measure that should have been finished by now.
    if k % 2 == 0:
        second_end = today - datetime.timedelta(days=7 + k)
    else:
        second_end = max(datetime.date(year + 1, 3, 31), today + datetime.timedelta(days=14))
    first = _add_measure(
        context,
        plan,
        0,
        2,
        start=datetime.date(year, 8, 20),
        end=later,
        status=MeasureStatus.IN_PROGRESS if k % 3 == 0 else MeasureStatus.PLANNED,
    )
    second = _add_measure(
        context,
        plan,
        1,
        1,
        start=second_end - datetime.timedelta(days=45),
        end=second_end,
        status=MeasureStatus.PLANNED,
        # Staff own the measures that run late, so their weekly reminders have content.
        responsible=context.who.staff,
    )
    _add_participation(context, plan, Phase.PLANNING, _school_year_day(today, 0, 6, 10))
    if state == UnitPlanStatus.DRAFT:
        return plan
    unit_plan_submit(plan=plan, actor=leader)
    if state == UnitPlanStatus.SUBMITTED:
        return plan
    if state == UnitPlanStatus.RETURNED:
        return unit_plan_return(plan=plan, actor=sector_leader, comment=DATA.return_comment)
    unit_plan_approve(plan=plan, actor=sector_leader, comment=DATA.approval_comment)
    follow_up = [
        (first, MeasureStatus.IN_PROGRESS),
        (second, MeasureStatus.IN_PROGRESS if k % 2 == 0 else MeasureStatus.DONE),
    ]
    carried_states = [MeasureStatus.POSTPONED, MeasureStatus.CANCELLED, MeasureStatus.IN_PROGRESS]
    follow_up += [(measure, carried_states[(k + n) % 3]) for n, measure in enumerate(carried)]
    for measure, status in follow_up:
        unit_plan_part_save(
            plan=plan,
            model=Measure,
            instance=measure,
            data={"status": status, "evaluation": DATA.measure_evaluations[status]},
            actor=leader,
        )
    _add_participation(context, plan, Phase.CARRYING_OUT, _school_year_day(today, 1, 10, 15))
    return plan


def _seed_group_session(
    municipality: Municipality, tools: dict[str, QualityTool], users: dict[str, Any], today
) -> int:
    """One completed session of «Administrasjon og politikk» with the sector leader and
    the elected official: both answered (the counts say how many gave each score, never
    who), and the joint conclusion. Bulk inserts only."""
    tool = tools.get(ServiceField.ADMINISTRATION)
    people = [users.get("sektorleder"), users.get("folkevalgt")]
    if tool is None or None in people:
        return 0
    statements = list(tool.statements.order_by("area__order", "order", "pk"))
    assessment = SelfAssessment.objects.create(
        municipality=municipality,
        unit=None,
        group=AssessmentGroup.ADMINISTRATION,
        tool=tool,
        conducted_on=_school_year_day(today, 1, 10, 2),
        participants=str(AssessmentGroup.ADMINISTRATION.label),
        status=AssessmentStatus.COMPLETED,
        created_by=people[0],
    )
    SessionParticipant.objects.bulk_create(
        SessionParticipant(assessment=assessment, user=user, has_answered=True) for user in people
    )
    # Two answers per statement: one 3 and one 2 or 4, varying along the statements.
    given = [(3, 2 + 2 * (i % 2)) for i in range(len(statements))]
    ScoreTally.objects.bulk_create(
        ScoreTally(
            assessment=assessment,
            statement=statement,
            score=score,
            count=sum(1 for value in pair if value == score),
        )
        for statement, pair in zip(statements, given, strict=True)
        for score in Score.values
    )
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(
            assessment=assessment,
            statement=statement,
            score=3,
            reflection=DATA.reflections[i % len(DATA.reflections)] if i % 3 == 0 else "",
        )
        for i, statement in enumerate(statements)
    )
    return 1


def _seed_self_assessments(tools: dict[str, QualityTool], units: dict[str, Unit], today) -> int:
    """Completed self-assessments with deterministic, varying scores: each unit's level,
    a small step up or down between rounds, and a spread across the statements."""
    people = _people(units)
    count = 0
    for k, (unit_name, base, rounds) in enumerate(DATA.assessments):
        unit = units[unit_name]
        tool = tools[ServiceField.for_unit_kind(unit.kind)]
        statements = list(tool.statements.select_related("area").order_by("area__order", "order"))
        for r, (offset, month) in enumerate(rounds):
            assessment = SelfAssessment.objects.create(
                unit=unit,
                tool=tool,
                conducted_on=_school_year_day(today, offset, month, 10 + k),
                participants="Hele personalet",
                status=AssessmentStatus.COMPLETED,
                created_by=people[unit_name].leader,
            )
            step = (0, 1, 1)[r] if k % 3 else (0, 0, -1)[r]
            AssessmentAnswer.objects.bulk_create(
                AssessmentAnswer(
                    assessment=assessment,
                    statement=statement,
                    score=max(
                        1,
                        min(
                            4,
                            base
                            + step
                            + (s * 7 + k * 3) % 3
                            - 1
                            + (DATA.area_drift[statement.area.order - 1] if offset else 0),
                        ),
                    ),
                    reflection=DATA.reflections[(s + r + k) % len(DATA.reflections)]
                    if s % 3 == 0
                    else "",
                )
                for s, statement in enumerate(statements)
            )
            count += 1
    return count


def _seed_trace_links(plan: QualityPlan, today: datetime.date) -> None:
    """A few explicit links for the trace page (plans:trace): each area's first mark of
    good practice cites the area's two earliest fortellinger, and each unit's first
    measure on an area this school year cites the earliest one. Five queries, whatever
    the demo's size."""
    by_area: dict[int, list[int]] = {}
    for area_id, input_id in (
        ParticipationInput.areas.through.objects.filter(developmentarea__plan=plan)
        .order_by("participationinput__given_on", "participationinput_id")
        .values_list("developmentarea_id", "participationinput_id")
    ):
        by_area.setdefault(area_id, []).append(input_id)
    first_marks: dict[int, int] = {}
    for area_id, mark_id in (
        PracticeCharacteristic.objects.filter(area__plan=plan)
        .order_by("area_id", "order", "pk")
        .values_list("area_id", "pk")
    ):
        first_marks.setdefault(area_id, mark_id)
    PracticeCharacteristic.source_inputs.through.objects.bulk_create(
        PracticeCharacteristic.source_inputs.through(
            practicecharacteristic_id=mark_id, participationinput_id=input_id
        )
        for area_id, mark_id in first_marks.items()
        for input_id in by_area.get(area_id, [])[:2]
    )
    first_measures: dict[tuple[int, int], int] = {}
    for plan_id, area_id, measure_id in (
        Measure.objects.filter(
            plan__quality_plan=plan, plan__school_year=SchoolYear.current(today).start_year
        )
        .order_by("plan_id", "start", "pk")
        .values_list("plan_id", "component__area_id", "pk")
    ):
        first_measures.setdefault((plan_id, area_id), measure_id)
    Measure.motivated_by_inputs.through.objects.bulk_create(
        Measure.motivated_by_inputs.through(
            measure_id=measure_id, participationinput_id=by_area[area_id][0]
        )
        for (_plan_id, area_id), measure_id in first_measures.items()
        if by_area.get(area_id)
    )


def _seed_participation(municipality, plan, units, sector_leader, today) -> tuple[int, int]:
    areas = list(plan.areas.order_by("order").prefetch_related("components"))
    first_day = _school_year_day(today, 0, 9, 5)
    for i, (quote, descriptor, group, setting, area_indexes, unit_name) in enumerate(DATA.inputs):
        item = ParticipationInput.objects.create(
            municipality=municipality,
            quote=quote,
            descriptor=descriptor,
            group=group,
            setting=setting,
            given_on=min(
                first_day + datetime.timedelta(days=11 * i),
                today - datetime.timedelta(days=1),
            ),
            unit=units[unit_name] if unit_name else None,
            # About a third were given without consent to publish them.
            publishable=i % 3 != 2,
            created_by=sector_leader,
        )
        linked = [areas[n] for n in area_indexes]
        item.areas.set(linked)
        if i % 4 == 0:
            item.components.set([linked[0].components.all()[0]])
    for demo in DATA.journeys:
        journey = UserJourney.objects.create(
            municipality=municipality,
            title=demo.title,
            description=demo.description,
            carried_out_on=_school_year_day(today, demo.month[0], demo.month[1], 20),
            findings=demo.findings,
            publishable=demo.publishable,
        )
        journey.areas.set([areas[n] for n in demo.areas])
        for order, (service, what, assessment) in enumerate(demo.steps, start=1):
            JourneyStep.objects.create(
                journey=journey,
                order=order,
                service=service,
                what_happened=what,
                assessment=assessment,
            )
    return len(DATA.inputs), len(DATA.journeys)


# The demo's «virksomhetssamtale»: a few sentences, kept here rather than in the fixture
# file since they only illustrate the record's shape (issue 20).
_DIALOGUE_NOTES = (
    "Gjennomgang av utviklingsplanen og egenvurderingen. Skolen er godt i gang med "
    "leseløftet; tiltakene for foreldremedvirkning har stått stille i høst."
)
_DIALOGUE_POINTS = (
    ("Lag en plan for foreldremøtene om tidlig innsats.", "leader", 30, PointStatus.OPEN),
    ("Del erfaringene fra lesevennene med de andre skolene.", "leader", -10, PointStatus.OPEN),
    ("Sett av tid til veiledning i klasseledelse.", "staff", -40, PointStatus.DONE),
)


def _seed_dialogues(municipality, units: dict[str, Unit], sector_leader, today) -> int:
    """One held «virksomhetssamtale» with the first demo unit that has a leader, its agenda
    generated from the seeded plan, and three agreed points (one overdue, one done): a few
    rows, written in bulk (the loader's time is the test suite's)."""
    from plans.selectors.dialogues import dialogue_agenda_build

    people = _people(units)
    name = next((name for name in units if name in people), None)
    if name is None:
        return 0
    unit, who = units[name], people[name]
    year = SchoolYear.current(today).start_year
    held_on = today - datetime.timedelta(days=14)
    dialogue = Dialogue.objects.create(
        municipality=municipality,
        unit=unit,
        kind=DialogueKind.UNIT,
        school_year=year,
        held_on=held_on,
        leader=sector_leader,
        status=DialogueStatus.HELD,
        notes=_DIALOGUE_NOTES,
        agenda=dialogue_agenda_build(
            unit=unit, school_year=year, user=sector_leader, today=held_on
        ),
        agenda_generated_at=timezone.now(),
    )
    dialogue.counterparts.set([who.leader])
    AgreedPoint.objects.bulk_create(
        AgreedPoint(
            dialogue=dialogue,
            text=text,
            owner=who.leader if owner == "leader" else who.staff,
            due_on=held_on + datetime.timedelta(days=days),
            status=status,
            done_note="Avtalt med teamlederne." if status == PointStatus.DONE else "",
        )
        for text, owner, days, status in _DIALOGUE_POINTS
    )
    return 1
