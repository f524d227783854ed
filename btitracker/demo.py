"""The demo municipality's BTI content: clearly fictitious children only (every name says
so), one pending and one overdue level-0 concern, a level-2 log with consent, team, goal,
action and a meeting, and non-personal statistics rows for past quarters so the
statistics page has something to suppress. Deleted and made anew on every run. The texts
and the cast are data, ``fixtures/demo/btitracker.json``; the story they play is here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from btitracker.models import (
    ActionStat,
    AgeBand,
    Child,
    Concern,
    ConcernBand,
    ConcernCase,
    StatEvent,
    TeamAccess,
)
from btitracker.services import cases as services
from plans.demo_data import read_demo_data
from plans.schoolyear import SchoolYear


@dataclass(frozen=True)
class DemoConcern:
    observation: str
    duration: str
    band: int  # index into the municipality's concern bands
    child_name: str = ""  # the «(fiktivt barn)» marker is added
    born: tuple[int, int, int] | None = None  # (years before today, month, day)


@dataclass(frozen=True)
class DemoCase:
    """What happens to ``case_source``: a level-1 decision, a guardian with consent, level
    2, the health station's leader in the team, a goal and a meeting with two actions
    (the staff member's, then the nurse's: text and days from today to the deadline)."""

    decision_note: str
    guardian: str
    guardian_contact: str
    goal: str
    meeting_summary: str
    actions: tuple[tuple[str, int], tuple[str, int]]


@dataclass(frozen=True)
class BtiDemoData:
    """The shape of ``fixtures/demo/btitracker.json``. Units and users are named as in
    ``plans.json``: the school the concerns are raised at, the health station that joins
    the case, and who raises, decides and joins."""

    fictitious: str
    school: str
    health: str
    staff: str
    leader: str
    nurse: str
    pending: DemoConcern
    overdue: DemoConcern
    case_source: DemoConcern
    case: DemoCase


@dataclass(frozen=True)
class DemoViews:
    child_view: str = ""
    family_view: str = ""
    missing_reason: str = ""

    def as_input(self) -> services.OwnViewsInput:
        return services.OwnViewsInput(
            child_view=self.child_view,
            family_view=self.family_view,
            missing_reason=self.missing_reason,
        )


@dataclass(frozen=True)
class DemoEvaluation:
    text: str
    child_view: str
    family_view: str


@dataclass(frozen=True)
class DemoPrenatal:
    """A log the health station starts before birth: the pregnant woman's name (the
    «(fiktivt barn)» marker is added) and the expected date, days from today."""

    observation: str
    expecting_parent: str
    expected_in_days: int
    decision_note: str
    family_view: str
    missing_reason: str
    goal: str
    meeting_summary: str
    meeting_others_present: str
    action: tuple[str, int]


@dataclass(frozen=True)
class LogGapsDemoData:
    """The shape of ``fixtures/demo/bti_log_gaps.json``: the child's and the family's
    views at the demo log's decisions and evaluation, who was at its meeting, and a log
    started before birth at the health station (the midwife holds it, the leader
    decides)."""

    midwife: str
    health_leader: str
    case_views: DemoViews
    level_views: DemoViews
    meeting_others_present: str
    evaluation: DemoEvaluation
    prenatal: DemoPrenatal


DATA = read_demo_data("btitracker.json", BtiDemoData)
GAPS = read_demo_data("bti_log_gaps.json", LogGapsDemoData)
# Every child's name says it is made up.
FICTITIOUS = DATA.fictitious


def demo_clear(municipality) -> None:
    """Everything the demo made (the access log is append-only and stays)."""
    for case in ConcernCase.objects.filter(municipality=municipality):
        case.handovers.all().delete()
        case.actions.all().delete()
        case.delete()
    Concern.objects.filter(municipality=municipality).delete()
    for child in Child.objects.filter(municipality=municipality):
        child.guardians.all().delete()
        child.delete()
    StatEvent.objects.filter(municipality=municipality).delete()
    ActionStat.objects.filter(municipality=municipality).delete()
    ConcernBand.objects.filter(municipality=municipality).delete()


def _past_statistics(municipality, today: datetime.date, units: dict) -> None:
    """Eight quarters of counts, the same every run. Each row names a demo unit of its
    kind, in turn, so the coordinator's follow-up (/bti/oppfolging/) has counts per unit."""
    by_kind: dict[str, list] = {}
    for unit in sorted(units.values(), key=lambda unit: unit.name):
        by_kind.setdefault(unit.kind, []).append(unit)
    rows = []
    kinds = ["barnehage", "skole", "helsestasjon", "sfo"]
    bands = [AgeBand.UNDER_6, AgeBand.SIX_12, AgeBand.THIRTEEN_15, AgeBand.SIXTEEN_PLUS]
    for back in range(1, 9):
        month = today.month - 3 * back
        year = today.year + (month - 1) // 12
        quarter = ((month - 1) % 12) // 3 + 1
        school_year = SchoolYear.containing(datetime.date(year, (month - 1) % 12 + 1, 1)).start_year
        for i in range(6 + back % 4 * 3):
            level = 0 if i % 3 else 1 + (i % 2)
            age = [4, 7, 9, 13, 16][i % 5]
            of_kind = by_kind.get(kinds[i % len(kinds)]) or [None]
            rows.append(
                StatEvent(
                    municipality=municipality,
                    kind="undring" if level == 0 else "logg",
                    level=level,
                    unit_kind=kinds[i % len(kinds)],
                    unit=of_kind[(back + i) % len(of_kind)],
                    year=year,
                    quarter=quarter,
                    school_year=school_year,
                    age_band=bands[min(i % 4, 3)] if i % 7 else AgeBand.for_age(age),
                    age_years=age,
                    first_for_child=level == 0 and i % 2 == 0,
                )
            )
        rows_actions = [
            ActionStat(
                municipality=municipality, year=year, school_year=school_year, on_time=(i % 4 != 0)
            )
            for i in range(3)
        ]
        ActionStat.objects.bulk_create(rows_actions)
    StatEvent.objects.bulk_create(rows)


def demo_prenatal_seed(municipality, health, users, bands, today: datetime.date) -> ConcernCase:
    """The health station's log before birth: the midwife's concern, the leader's level-1
    decision naming the pregnant woman and the expected date, her consent, a goal and a
    meeting with an action after the birth."""
    demo = GAPS.prenatal
    midwife, leader = users[GAPS.midwife], users[GAPS.health_leader]
    parent = f"{demo.expecting_parent} {FICTITIOUS}"
    concern = services.concern_create(
        actor=midwife, unit=health, observation=demo.observation, band=bands[0]
    )
    case = services.concern_decide(
        actor=leader,
        concern=concern,
        decision="niva1",
        note=demo.decision_note,
        expecting_parent=parent,
        expected_on=today + datetime.timedelta(days=demo.expected_in_days),
        holder=midwife,
        views=services.OwnViewsInput(
            family_view=demo.family_view, missing_reason=demo.missing_reason
        ),
    )
    assert case is not None
    services.consent_record(
        actor=midwife,
        case=case,
        kind="gravid",
        given_by=parent,
        given_on=today - datetime.timedelta(days=1),
        services=[health],
    )
    services.goal_add(actor=midwife, case=case, text=demo.goal)
    member = case.team.get(user=midwife)
    text, days = demo.action
    services.meeting_record(
        actor=midwife,
        case=case,
        held_on=today,
        summary=demo.meeting_summary,
        actions=[services.ActionInput(text, member, today, today + datetime.timedelta(days=days))],
        participants=[member],
        others_present=demo.meeting_others_present,
    )
    return case


def demo_seed(municipality, units, users, today: datetime.date) -> dict[str, int]:
    """The demo's concerns and its one level-2 case, written through the BTI services so
    the access log and the statistics rows are the ones real use leaves, and the past
    quarters' statistics. ``demo_clear`` has run first."""
    bands = services.concern_bands_ensure(municipality=municipality)
    school = units[DATA.school]
    health = units[DATA.health]
    staff, leader = users[DATA.staff], users[DATA.leader]
    nurse_leader = users[DATA.nurse]

    def create(demo: DemoConcern) -> Concern:
        return services.concern_create(
            actor=staff,
            unit=school,
            observation=demo.observation,
            duration=demo.duration,
            band=bands[demo.band],
            child_name=f"{demo.child_name} {FICTITIOUS}" if demo.child_name else "",
            birth_date=(
                datetime.date(today.year - demo.born[0], demo.born[1], demo.born[2])
                if demo.born
                else None
            ),
        )

    create(DATA.pending)
    overdue = create(DATA.overdue)
    Concern.objects.filter(pk=overdue.pk).update(
        decision_due=today - datetime.timedelta(days=2),
        created_at=timezone.now() - datetime.timedelta(days=16),
    )
    source = create(DATA.case_source)
    demo = DATA.case
    guardian = f"{demo.guardian} {FICTITIOUS}"
    case = services.concern_decide(
        actor=leader,
        concern=source,
        decision="niva1",
        note=demo.decision_note,
        holder=staff,
        views=GAPS.case_views.as_input(),
    )
    assert case is not None  # "niva1" opens a log; a decision that opens none returns None
    services.guardian_add(actor=staff, case=case, name=guardian, contact=demo.guardian_contact)
    services.consent_record(
        actor=staff,
        case=case,
        kind="foresatte",
        given_by=guardian,
        given_on=today - datetime.timedelta(days=10),
        expires_on=today + datetime.timedelta(days=355),
        services=[school, health],
    )
    services.case_level_change(actor=staff, case=case, level=2, views=GAPS.level_views.as_input())
    nurse = services.team_member_add(
        actor=staff, case=case, user=nurse_leader, unit=health, access=TeamAccess.WRITE
    )
    services.goal_add(actor=staff, case=case, text=demo.goal)
    holders = [case.team.get(user=staff), nurse]
    services.meeting_record(
        actor=staff,
        case=case,
        held_on=today - datetime.timedelta(days=7),
        summary=demo.meeting_summary,
        actions=[
            services.ActionInput(
                text,
                holder,
                today - datetime.timedelta(days=6),
                today + datetime.timedelta(days=days),
            )
            for (text, days), holder in zip(demo.actions, holders, strict=True)
        ],
        participants=holders,
        others_present=GAPS.meeting_others_present,
    )
    first_action = case.actions.order_by("evaluation_date", "pk").first()
    assert first_action is not None
    services.action_evaluate(
        actor=staff,
        action=first_action,
        evaluated_on=today,
        text=GAPS.evaluation.text,
        status="pagar",
        views=services.OwnViewsInput(
            child_view=GAPS.evaluation.child_view, family_view=GAPS.evaluation.family_view
        ),
    )
    demo_prenatal_seed(municipality, health, users, bands, today)
    _past_statistics(municipality, today, units)
    return {
        "bti_concerns": Concern.objects.filter(municipality=municipality).count(),
        "bti_cases": ConcernCase.objects.filter(municipality=municipality).count(),
        "bti_children": Child.objects.filter(municipality=municipality).count(),
    }
