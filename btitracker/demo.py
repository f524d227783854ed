"""The demo municipality's BTI content: clearly fictitious children only (every name says
so), one pending and one overdue level-0 concern, a level-2 log with consent, team, goal,
action and a meeting, and non-personal statistics rows for past quarters so the
statistics page has something to suppress. Deleted and made anew on every run."""

from __future__ import annotations

import datetime

from django.utils import timezone

from btitracker import services
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
from plans.schoolyear import SchoolYear

FICTITIOUS = "(fiktivt barn)"


def delete_bti_content(municipality) -> None:
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


def _past_statistics(municipality, today: datetime.date) -> None:
    """Eight quarters of counts, the same every run."""
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
            rows.append(
                StatEvent(
                    municipality=municipality,
                    kind="undring" if level == 0 else "logg",
                    level=level,
                    unit_kind=kinds[i % len(kinds)],
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


def seed_bti(municipality, units, users, today: datetime.date) -> dict[str, int]:
    delete_bti_content(municipality)
    bands = services.concern_bands_ensure(municipality=municipality)
    school = units["Solvik barneskole"]
    health = units["Helsestasjon og skolehelsetjeneste"]
    staff, leader, nurse_leader = users["ansatt"], users["virksomhetsleder"], users["marte.lie"]

    services.concern_create(
        actor=staff,
        unit=school,
        observation="Fiktivt eksempel: eleven virker sliten og trekker seg unna i friminuttene.",
        duration="Omtrent tre uker",
        band=bands[0],
    )
    overdue = services.concern_create(
        actor=staff,
        unit=school,
        observation="Fiktivt eksempel: eleven har vært borte mange dager uten forklaring.",
        duration="Siden skolestart",
        band=bands[1],
        child_name=f"Ola Eksempel {FICTITIOUS}",
        birth_date=datetime.date(today.year - 9, 4, 12),
    )
    Concern.objects.filter(pk=overdue.pk).update(
        decision_due=today - datetime.timedelta(days=2),
        created_at=timezone.now() - datetime.timedelta(days=16),
    )
    source = services.concern_create(
        actor=staff,
        unit=school,
        observation="Fiktivt eksempel: eleven sier ofte at hun ikke har spist frokost.",
        duration="To måneder",
        band=bands[1],
        child_name=f"Kari Prøvesen {FICTITIOUS}",
        birth_date=datetime.date(today.year - 10, 9, 3),
    )
    case = services.concern_decide(
        actor=leader,
        concern=source,
        decision="niva1",
        note="Fiktivt eksempel: vi følger opp sammen med foresatte.",
        holder=staff,
    )
    services.guardian_add(
        actor=staff, case=case, name=f"Foresatt Prøvesen {FICTITIOUS}", contact="999 99 999"
    )
    services.consent_record(
        actor=staff,
        case=case,
        kind="foresatte",
        given_by=f"Foresatt Prøvesen {FICTITIOUS}",
        given_on=today - datetime.timedelta(days=10),
        expires_on=today + datetime.timedelta(days=355),
        services=[school, health],
    )
    services.case_level_change(actor=staff, case=case, level=2)
    nurse = services.team_member_add(
        actor=staff, case=case, user=nurse_leader, unit=health, access=TeamAccess.WRITE
    )
    services.goal_add(actor=staff, case=case, text="Kari har et godt måltid hver skoledag.")
    services.meeting_record(
        actor=staff,
        case=case,
        held_on=today - datetime.timedelta(days=7),
        summary="Fiktivt referat: skole og helsestasjon gikk gjennom situasjonen med foresatte.",
        actions=[
            services.ActionInput(
                "Frokost på skolen tre dager i uka.",
                case.team.get(user=staff),
                today - datetime.timedelta(days=6),
                today + datetime.timedelta(days=2),
            ),
            services.ActionInput(
                "Samtale med helsesykepleier hver fjortende dag.",
                nurse,
                today - datetime.timedelta(days=6),
                today + datetime.timedelta(days=30),
            ),
        ],
    )
    _past_statistics(municipality, today)
    return {
        "bti_concerns": Concern.objects.filter(municipality=municipality).count(),
        "bti_cases": ConcernCase.objects.filter(municipality=municipality).count(),
        "bti_children": Child.objects.filter(municipality=municipality).count(),
    }
