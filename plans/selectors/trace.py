"""The trace of a development area: what children, youth and parents said → the marks of
good practice it supports → the units' measures that answer it → the indicators and their
trend against the targets → the evaluation (issue 20).

Every link is explicit data: a measure names the input and journeys that motivated it
(``Measure.motivated_by_*``), a mark of good practice those it came from
(``PracticeCharacteristic.source_*``). The tree holds plain values only, so the page
renders it and the status report keeps it in its snapshot as it is (``dataclasses.asdict``).

Who sees what is the caller's ``TraceScope``: the page passes the viewer's
``visible_to`` querysets (``scope_for``), the report the published ones
(``scope_published``: consented input, approved and evaluated plans). Nothing here filters
by role. All areas are read at once, in a fixed number of queries.

The inputs a measure or a mark may cite (``citable_inputs``/``citable_journeys``) are read
here too: the forms offer them and the services refuse anything else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from plans.models import (
    PUBLISHED_STATES,
    DevelopmentArea,
    Measure,
    ParticipationInput,
    PracticeCharacteristic,
    UnitGoal,
    UnitPlan,
    UserJourney,
)
from plans.schoolyear import SchoolYear
from plans.trace_sections import TraceIndicator, indicators_for

# --- what may be cited --------------------------------------------------------------------


def citable_inputs(user, *, municipality_id: int, area_keys: Iterable) -> QuerySet:
    """The municipality's input the user may see that speaks to one of the areas (matched
    by key, so input on an earlier revision's area counts): what a measure or a mark of
    good practice may cite."""
    return (
        ParticipationInput.objects.visible_to(user)
        .filter(municipality_id=municipality_id, areas__key__in=list(area_keys))
        .distinct()
    )


def citable_journeys(user, *, municipality_id: int, area_keys: Iterable) -> QuerySet:
    """As ``citable_inputs``, for user journeys."""
    return (
        UserJourney.objects.visible_to(user)
        .filter(municipality_id=municipality_id, areas__key__in=list(area_keys))
        .distinct()
    )


def uncitable(
    user, *, municipality_id: int, area_key, inputs: Iterable = (), journeys: Iterable = ()
) -> set[str]:
    """Which of ``"inputs"`` and ``"journeys"`` name something ``user`` may not cite on the
    area: the one check behind a measure's «begrunnet i» and a mark's «bygger på»."""
    refused = set()
    for name, given, citable in (
        ("inputs", inputs, citable_inputs),
        ("journeys", journeys, citable_journeys),
    ):
        wanted = {item.pk for item in given or ()}
        if wanted - set(
            citable(user, municipality_id=municipality_id, area_keys=[area_key])
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        ):
            refused.add(name)
    return refused


def input_choice_label(item: ParticipationInput) -> str:
    """How a form lists an input: date, who, the start of the quote."""
    who = item.descriptor or item.get_group_display()
    quote = item.quote if len(item.quote) <= 90 else item.quote[:89] + "…"
    return f"{date_format(item.given_on, 'SHORT_DATE_FORMAT')} · {who}: «{quote}»"


def journey_choice_label(journey: UserJourney) -> str:
    when = (
        date_format(journey.carried_out_on, "SHORT_DATE_FORMAT") if journey.carried_out_on else ""
    )
    return f"{when} · {journey.title}" if when else journey.title


# --- who sees what ------------------------------------------------------------------------


@dataclass(frozen=True)
class TraceScope:
    """The rows a trace may show: the caller's scope, applied as given."""

    inputs: QuerySet
    journeys: QuerySet
    unit_plans: QuerySet
    # Whose indicators: the providers read ``Indicator.objects.visible_to(user)``.
    user: Any


def scope_for(user) -> TraceScope:
    """The page: what the viewer may see (elected officials only consented input and
    published plans, through the same querysets as every other page)."""
    return TraceScope(
        inputs=ParticipationInput.objects.visible_to(user),
        journeys=UserJourney.objects.visible_to(user),
        unit_plans=UnitPlan.objects.visible_to(user),
        user=user,
    )


def scope_published(user) -> TraceScope:
    """The status report: within the orderer's scope, only input consented for publishing
    and approved or evaluated plans, whoever ordered it."""
    return TraceScope(
        inputs=ParticipationInput.objects.visible_to(user).published(),
        journeys=UserJourney.objects.visible_to(user).published(),
        unit_plans=UnitPlan.objects.visible_to(user).filter(status__in=PUBLISHED_STATES),
        user=user,
    )


# --- the tree -----------------------------------------------------------------------------


@dataclass
class TraceRef:
    """A link from one row of the trace to another (an anchor on the same page)."""

    anchor: str
    label: str


@dataclass
class TraceVoice:
    """An input (fortelling) or a user journey."""

    kind: str  # "input" or "journey"
    id: int
    anchor: str
    text: str  # the quote, or the journey's title
    who: str  # «Jente, 5 år», the group, or «Brukerreise»
    setting: str
    date: str  # as the page writes it
    unit: str
    supports: list[TraceRef] = field(default_factory=list)  # marks that cite it
    answered_by: list[TraceRef] = field(default_factory=list)  # measures that cite it


@dataclass
class TraceMark:
    id: int
    anchor: str
    text: str
    sources: list[TraceRef] = field(default_factory=list)
    measures: list[TraceRef] = field(default_factory=list)  # measures citing its sources


@dataclass
class TraceMeasure:
    id: int
    anchor: str
    plan_id: int
    description: str
    unit: str
    component: str
    status: str
    status_label: str
    period: str
    evaluation: str
    cites: list[TraceRef] = field(default_factory=list)


@dataclass
class TraceGoal:
    plan_id: int
    unit: str
    text: str
    attainment: str
    attainment_label: str
    evaluation: str


@dataclass
class AreaTrace:
    area_id: int
    area_name: str
    area_goal: str
    school_year: int
    school_year_label: str
    voices: list[TraceVoice]
    marks: list[TraceMark]
    measures: list[TraceMeasure]
    indicators: list[TraceIndicator]
    goals: list[TraceGoal]
    # How many of the measures have an evaluation written (the template lists them).
    evaluated_count: int = 0


def _short(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _date(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else ""


def _input_ref(item: ParticipationInput) -> TraceRef:
    return TraceRef(f"innspill-{item.pk}", _short(item.quote))


def _journey_ref(journey: UserJourney) -> TraceRef:
    return TraceRef(f"reise-{journey.pk}", _short(journey.title))


def area_traces(
    *, areas: Sequence[DevelopmentArea], school_year: int, scope: TraceScope
) -> dict[int, AreaTrace]:
    """The trace of each area (by area id) for a school year. The areas are one plan's
    (the caller reads them through ``visible_to``); unit plans, input and journeys are
    matched to them by key, as across revisions everywhere else. A fixed number of
    queries whatever the number of areas, input, measures and indicators."""
    if not areas:
        return {}
    municipality_id = areas[0].plan.municipality_id
    keys = {area.key for area in areas}
    area_by_key = {area.key: area for area in areas}
    year = SchoolYear(school_year)

    inputs = scope.inputs.filter(municipality_id=municipality_id)
    journeys = scope.journeys.filter(municipality_id=municipality_id)
    marks = list(
        PracticeCharacteristic.objects.filter(area__in=[area.pk for area in areas])
        .order_by("area__order", "order", "pk")
        .prefetch_related(
            Prefetch("source_inputs", queryset=inputs.order_by("-given_on", "-pk")),
            Prefetch("source_journeys", queryset=journeys.order_by("title", "pk")),
        )
    )
    measures = list(
        Measure.objects.filter(
            plan__in=scope.unit_plans.filter(
                school_year=school_year, unit__municipality_id=municipality_id
            ).values("pk"),
            component__area__key__in=keys,
        )
        .select_related("plan__unit", "component__area")
        .order_by("plan__unit__name", "start", "pk")
        .prefetch_related(
            Prefetch("motivated_by_inputs", queryset=inputs.order_by("-given_on", "-pk")),
            Prefetch("motivated_by_journeys", queryset=journeys.order_by("title", "pk")),
        )
    )
    cited_inputs = {i.pk for m in marks for i in m.source_inputs.all()} | {
        i.pk for m in measures for i in m.motivated_by_inputs.all()
    }
    cited_journeys = {j.pk for m in marks for j in m.source_journeys.all()} | {
        j.pk for m in measures for j in m.motivated_by_journeys.all()
    }
    # What was said in the school year, and whatever the marks and measures cite.
    input_links = (
        ParticipationInput.areas.through.objects.filter(
            Q(participationinput__in=inputs.filter(year.q("given_on")).values("pk"))
            | Q(participationinput_id__in=inputs.filter(pk__in=cited_inputs).values("pk")),
            developmentarea__key__in=keys,
        )
        .select_related("participationinput__unit", "developmentarea")
        .order_by("-participationinput__given_on", "-participationinput_id")
    )
    journey_links = (
        UserJourney.areas.through.objects.filter(
            Q(userjourney__in=journeys.filter(year.q("carried_out_on")).values("pk"))
            | Q(userjourney_id__in=journeys.filter(pk__in=cited_journeys).values("pk")),
            developmentarea__key__in=keys,
        )
        .select_related("userjourney", "developmentarea")
        .order_by("-userjourney__carried_out_on", "userjourney__title", "userjourney_id")
    )
    goals = list(
        UnitGoal.objects.filter(
            plan__in=scope.unit_plans.filter(
                school_year=school_year, unit__municipality_id=municipality_id
            ).values("pk"),
            area__key__in=keys,
        )
        .select_related("plan__unit", "area")
        .order_by("plan__unit__name", "order", "pk")
    )
    indicators = indicators_for(scope.user, areas)

    traces = {
        area.pk: AreaTrace(
            area_id=area.pk,
            area_name=area.name,
            area_goal=area.goal,
            school_year=school_year,
            school_year_label=year.label,
            voices=[],
            marks=[],
            measures=[],
            indicators=indicators.get(area.pk, []),
            goals=[],
        )
        for area in areas
    }
    voices: dict[int, dict[str, TraceVoice]] = defaultdict(dict)
    for input_link in input_links:
        item = input_link.participationinput
        trace_voices = voices[area_by_key[input_link.developmentarea.key].pk]
        anchor = f"innspill-{item.pk}"
        if anchor not in trace_voices:
            trace_voices[anchor] = TraceVoice(
                kind="input",
                id=item.pk,
                anchor=anchor,
                text=item.quote,
                who=item.descriptor or str(item.get_group_display()),
                setting=str(item.get_setting_display()),
                date=_date(item.given_on),
                unit=item.unit.name if item.unit else "",
            )
    for journey_link in journey_links:
        journey = journey_link.userjourney
        trace_voices = voices[area_by_key[journey_link.developmentarea.key].pk]
        anchor = f"reise-{journey.pk}"
        if anchor not in trace_voices:
            trace_voices[anchor] = TraceVoice(
                kind="journey",
                id=journey.pk,
                anchor=anchor,
                text=journey.title,
                who=_("Brukerreise"),
                setting="",
                date=_date(journey.carried_out_on),
                unit="",
            )

    by_area_key = {area.key: area.pk for area in areas}
    for measure in measures:
        area_id = by_area_key[measure.component.area.key]
        cites = [_input_ref(i) for i in measure.motivated_by_inputs.all()] + [
            _journey_ref(j) for j in measure.motivated_by_journeys.all()
        ]
        row = TraceMeasure(
            id=measure.pk,
            anchor=f"tiltak-{measure.pk}",
            plan_id=measure.plan_id,
            description=measure.description,
            unit=measure.plan.unit.name,
            component=measure.component.name,
            status=measure.status,
            status_label=str(measure.get_status_display()),
            period=f"{_date(measure.start)}–{_date(measure.end)}",
            evaluation=measure.evaluation,
            cites=cites,
        )
        traces[area_id].measures.append(row)
        for ref in cites:
            voice = voices[area_id].get(ref.anchor)
            if voice is not None:
                voice.answered_by.append(TraceRef(row.anchor, _short(row.description)))

    for mark in marks:
        trace = traces[mark.area_id]
        sources = [_input_ref(i) for i in mark.source_inputs.all()] + [
            _journey_ref(j) for j in mark.source_journeys.all()
        ]
        source_anchors = {ref.anchor for ref in sources}
        row_mark = TraceMark(
            id=mark.pk,
            anchor=f"kjennetegn-{mark.pk}",
            text=mark.text,
            sources=sources,
            measures=[
                TraceRef(m.anchor, _short(m.description))
                for m in trace.measures
                if source_anchors & {ref.anchor for ref in m.cites}
            ],
        )
        trace.marks.append(row_mark)
        for ref in sources:
            voice = voices[mark.area_id].get(ref.anchor)
            if voice is not None:
                voice.supports.append(TraceRef(row_mark.anchor, _short(row_mark.text)))

    for goal in goals:
        if goal.area is None:  # a unit's own goal belongs to no area's trace
            continue
        traces[area_by_key[goal.area.key].pk].goals.append(
            TraceGoal(
                plan_id=goal.plan_id,
                unit=goal.plan.unit.name,
                text=goal.text,
                attainment=goal.attainment,
                attainment_label=str(goal.get_attainment_display()) if goal.attainment else "",
                evaluation=goal.evaluation,
            )
        )
    for area_id, found in voices.items():
        traces[area_id].voices = list(found.values())
    for trace in traces.values():
        trace.evaluated_count = sum(1 for measure in trace.measures if measure.evaluation)
    return traces


def area_trace(*, area: DevelopmentArea, school_year: int, scope: TraceScope) -> AreaTrace:
    """The trace of one area (the page)."""
    return area_traces(areas=[area], school_year=school_year, scope=scope)[area.pk]
