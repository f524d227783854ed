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


DATA = read_demo_data("btitracker.json", BtiDemoData)
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
    services.case_level_change(actor=staff, case=case, level=2)
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
    )
    _past_statistics(municipality, today, units)
    return {
        "bti_concerns": Concern.objects.filter(municipality=municipality).count(),
        "bti_cases": ConcernCase.objects.filter(municipality=municipality).count(),
        "bti_children": Child.objects.filter(municipality=municipality).count(),
    }
