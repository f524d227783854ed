"""Leader dialogues for the cast, built through the services (so the agenda and history are
real), once per test: the sector leader's «virksomhetssamtale» with the school's leader,
the school leader's «ledersamtale» with the staff member, a dialogue with the
kindergarten (whose leader is not in the cast's personas) and one of Nabovik's."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from plans.models import AgreedPoint, Dialogue, DialogueKind, Role
from plans.schoolyear import SchoolYear
from tests.factories import MembershipFactory, UserFactory

UNIT_NOTE = "Fortrolig notat fra virksomhetssamtalen"
TEAM_NOTE = "Fortrolig notat fra ledersamtalen"
NABO_NOTE = "Naboviks fortrolige samtale"


@dataclass
class Dialogues:
    unit: Dialogue  # sector leader ↔ unit leader, the school
    team: Dialogue  # unit leader ↔ staff, the school
    kindergarten: Dialogue  # sector leader ↔ the kindergarten's leader
    other: Dialogue  # Nabovik's
    staff_point: AgreedPoint  # in the unit dialogue, owned by the staff member
    leader_point: AgreedPoint  # in the unit dialogue, owned by the unit leader
    team_point: AgreedPoint
    kindergarten_point: AgreedPoint
    other_point: AgreedPoint
    kg_leader: object
    nabo_sector: object
    nabo_leader: object


def build_dialogues(c) -> Dialogues:
    from plans.services import dialogues as services

    found = getattr(c, "_dialogues", None)
    if found is not None:
        return found
    year = SchoolYear.current().start_year
    day = datetime.date.today()
    kg_leader = UserFactory(username="styrer", first_name="Siri", last_name="Styrer")
    MembershipFactory(
        user=kg_leader, municipality=c.municipality, unit=c.kindergarten, role=Role.UNIT_LEADER
    )
    nabo_sector = UserFactory(username="nabo-sektor")
    nabo_leader = UserFactory(username="nabo-leder-d")
    MembershipFactory(user=nabo_sector, municipality=c.other_municipality, role=Role.SECTOR_LEADER)
    MembershipFactory(
        user=nabo_leader,
        municipality=c.other_municipality,
        unit=c.other_unit,
        role=Role.UNIT_LEADER,
    )

    def make(actor, unit, kind, people, note):
        dialogue = services.dialogue_create(
            actor=actor,
            unit=unit,
            kind=kind,
            school_year=year,
            held_on=day,
            counterparts=people,
        )
        return services.dialogue_update(actor=actor, dialogue=dialogue, held_on=day, notes=note)

    unit = make(c["sector_leader"], c.school, DialogueKind.UNIT, [c["unit_leader"]], UNIT_NOTE)
    team = make(c["unit_leader"], c.school, DialogueKind.TEAM, [c["staff"]], TEAM_NOTE)
    kindergarten = make(
        c["sector_leader"], c.kindergarten, DialogueKind.UNIT, [kg_leader], "Barnehagens notat"
    )
    other = make(nabo_sector, c.other_unit, DialogueKind.UNIT, [nabo_leader], NABO_NOTE)
    in_days = day + datetime.timedelta(days=30)

    def point(actor, dialogue, text, owner):
        return services.agreed_point_add(
            actor=actor, dialogue=dialogue, text=text, owner=owner, due_on=in_days
        )

    found = Dialogues(
        unit=unit,
        team=team,
        kindergarten=kindergarten,
        other=other,
        staff_point=point(c["sector_leader"], unit, "Lesekurs for 1. trinn", c["staff"]),
        leader_point=point(c["sector_leader"], unit, "Ny plan for SFO", c["unit_leader"]),
        team_point=point(c["unit_leader"], team, "Veiledning i klasseledelse", c["staff"]),
        kindergarten_point=point(
            c["sector_leader"], kindergarten, "Språkløype i barnehagen", kg_leader
        ),
        other_point=point(nabo_sector, other, "Naboviks hemmelige punkt", nabo_leader),
        kg_leader=kg_leader,
        nabo_sector=nabo_sector,
        nabo_leader=nabo_leader,
    )
    object.__setattr__(c, "_dialogues", found)
    return found
