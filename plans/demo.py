"""The demo municipality: fictional, shaped after the services in the source documents
(../shared/seeds): kindergartens, schools with their SFO, health station and school health
service, child welfare, PPT, culture school, youth club and the sector's staff office."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from plans import services
from plans.models import Municipality, Role, Unit, UnitKind

DEMO_MUNICIPALITY = {"name": "Solvik kommune", "number": "9901", "historic_numbers": ["9801"]}
DEMO_PASSWORD = "Solvik-demo-2026"

K = UnitKind
# (name, kind, parent name)
DEMO_UNITS: list[tuple[str, str, str | None]] = [
    ("Oppvekst og kultur – stab", K.ADMINISTRATION, None),
    ("Ressursteam barnehage og skole", K.ADMINISTRATION, "Oppvekst og kultur – stab"),
    ("Solbakken barnehage", K.KINDERGARTEN, None),
    ("Elvebredden barnehage", K.KINDERGARTEN, None),
    ("Lyngheia barnehage", K.KINDERGARTEN, None),
    ("Kløverenga barnehage", K.KINDERGARTEN, None),
    ("Tunet naturbarnehage", K.KINDERGARTEN, None),
    ("Fjellstua familiebarnehage", K.KINDERGARTEN, None),
    ("Solvik barneskole", K.SCHOOL, None),
    ("Bakkeli skole", K.SCHOOL, None),
    ("Nordby oppvekstsenter – skole", K.SCHOOL, None),
    ("Solvik ungdomsskole", K.SCHOOL, None),
    ("Solvik SFO", K.SFO, "Solvik barneskole"),
    ("Bakkeli SFO", K.SFO, "Bakkeli skole"),
    ("Nordby SFO", K.SFO, "Nordby oppvekstsenter – skole"),
    ("Helsestasjon og skolehelsetjeneste", K.HEALTH_STATION, None),
    ("Helsestasjon for ungdom", K.HEALTH_STATION, "Helsestasjon og skolehelsetjeneste"),
    ("Barneverntjenesten", K.CHILD_WELFARE, None),
    ("Familieteamet", K.CHILD_WELFARE, "Barneverntjenesten"),
    ("Pedagogisk-psykologisk tjeneste (PPT)", K.PPT, None),
    ("Solvik kulturskole", K.CULTURE, None),
    ("Biblioteket og kulturhuset", K.CULTURE, None),
    ("Ungdomsklubben Verkstedet", K.LEISURE, None),
    ("Fritid for alle – fritidskontakt", K.LEISURE, None),
    ("Utekontakten", K.LEISURE, None),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    grants: tuple[tuple[str, str | None], ...]  # (role, unit name or None for municipality)


DEMO_USERS: list[DemoUser] = [
    DemoUser("sektorleder", "Siri", "Haugen", ((Role.SECTOR_LEADER, None),)),
    DemoUser(
        "virksomhetsleder",
        "Vidar",
        "Lunde",
        ((Role.UNIT_LEADER, "Solvik barneskole"), (Role.UNIT_LEADER, "Solvik SFO")),
    ),
    DemoUser(
        "ansatt",
        "Anne",
        "Berg",
        ((Role.STAFF, "Solvik barneskole"), (Role.STAFF, "Solvik SFO")),
    ),
    DemoUser("bti-koordinator", "Bjørn", "Tangen", ((Role.BTI_COORDINATOR, None),)),
    DemoUser("folkevalgt", "Frida", "Vik", ((Role.ELECTED_OFFICIAL, None),)),
    DemoUser("dataansvarlig", "Dag", "Aas", ((Role.DATA_ADMIN, None),)),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or bring up to date the demo municipality. Running it again changes nothing
    that is already as described here, and never touches other municipalities."""
    municipality, _created = Municipality.objects.get_or_create(
        number=DEMO_MUNICIPALITY["number"],
        defaults={"name": DEMO_MUNICIPALITY["name"]},
    )
    municipality.name = DEMO_MUNICIPALITY["name"]
    municipality.historic_numbers = DEMO_MUNICIPALITY["historic_numbers"]
    services.municipality_save(municipality=municipality)

    units: dict[str, Unit] = {}
    for name, kind, parent_name in DEMO_UNITS:
        unit = Unit.objects.filter(municipality=municipality, name=name).first() or Unit(
            municipality=municipality, name=name
        )
        unit.kind = kind
        unit.parent = units[parent_name] if parent_name else None
        unit.active = True
        units[name] = services.unit_save(unit=unit)

    User = get_user_model()
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = User(username=demo.username)
            user.set_password(DEMO_PASSWORD)
        user.first_name, user.last_name = demo.first_name, demo.last_name
        user.email = f"{demo.username}@solvik.example"
        user.is_active = True
        user.save()
        for role, unit_name in demo.grants:
            services.membership_grant(
                user=user,
                municipality=municipality,
                role=role,
                unit=units[unit_name] if unit_name else None,
            )
    return {"units": len(units), "users": len(DEMO_USERS)}
