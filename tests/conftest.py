"""The cast every permission test uses: one persona per role in "our" municipality, the
data admin of another municipality, a user with no membership, and the anonymous visitor."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from plans.models import Role, UnitKind
from tests.factories import MembershipFactory, MunicipalityFactory, UnitFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PERSONAS = (
    "sector_leader",
    "unit_leader",
    "staff",
    "bti_coordinator",
    "elected_official",
    "data_admin",
)


@dataclass
class Cast:
    municipality: object
    school: object
    sfo: object
    kindergarten: object
    other_municipality: object
    other_unit: object
    users: dict

    def __getitem__(self, name):
        return self.users[name]


@pytest.fixture
def cast(db) -> Cast:
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Solvik barneskole", kind=UnitKind.SCHOOL)
    sfo = UnitFactory(
        municipality=municipality, name="Solvik SFO", kind=UnitKind.SFO, parent=school
    )
    kindergarten = UnitFactory(
        municipality=municipality, name="Solbakken barnehage", kind=UnitKind.KINDERGARTEN
    )
    other = MunicipalityFactory(name="Nabovik kommune", number="9902")
    other_unit = UnitFactory(municipality=other, name="Nabovik skole", kind=UnitKind.SCHOOL)

    def member(username, role, unit=None, municipality=municipality):
        user = UserFactory(username=username)
        MembershipFactory(user=user, municipality=municipality, unit=unit, role=role)
        return user

    users = {
        "sector_leader": member("sektorleder", Role.SECTOR_LEADER),
        "unit_leader": member("virksomhetsleder", Role.UNIT_LEADER, school),
        "staff": member("ansatt", Role.STAFF, school),
        "bti_coordinator": member("bti", Role.BTI_COORDINATOR),
        "elected_official": member("folkevalgt", Role.ELECTED_OFFICIAL),
        "data_admin": member("dataansvarlig", Role.DATA_ADMIN),
        "other_municipality": member("nabo-data", Role.DATA_ADMIN, municipality=other),
        "no_membership": UserFactory(username="uten-rolle"),
    }
    MembershipFactory(
        user=users["unit_leader"], municipality=municipality, unit=sfo, role=Role.UNIT_LEADER
    )
    MembershipFactory(user=users["staff"], municipality=municipality, unit=sfo, role=Role.STAFF)
    return Cast(municipality, school, sfo, kindergarten, other, other_unit, users)


@pytest.fixture
def client_for(client):
    """A test client logged in as a persona (or anonymous for ``None``)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks in the test process even when REDIS_URL points at a broker, for
    tests about what a task does rather than how it travels (see tests/services)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
