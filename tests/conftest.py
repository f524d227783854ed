"""The cast every permission test uses: one persona per role in "our" municipality, the
data admin of another municipality, a user with no membership, and the anonymous visitor."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from plans.models import Role, UnitKind

# Chromium for every directory's browser tests, one Playwright per process.
from tests.browser.chromium import browser, page  # noqa: F401
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


@pytest.fixture
def folder_broker(tmp_path, settings):
    """This process queues tasks on a folder broker of its own in tmp_path, as `make run`
    does without Redis (config/local_broker.py), instead of running them in-process.
    A worker started with CELERY_BROKER_DIR set to the folder takes them."""
    from config import local_broker
    from config.celery import app

    folder = tmp_path / "broker"
    local_broker.prepare(folder)
    conf = app.conf
    saved = (
        conf.task_always_eager,
        conf.broker_url,
        conf.broker_write_url,
        conf.broker_read_url,
        conf.broker_transport_options,
    )
    conf.task_always_eager = False
    conf.broker_url = conf.broker_write_url = conf.broker_read_url = "filesystem://"
    conf.broker_transport_options = local_broker.transport_options(folder)
    settings.REDIS_URL = None
    settings.LOCAL_BROKER_DIR = folder
    app._pool = None
    app.amqp._producer_pool = None
    yield folder
    (
        conf.task_always_eager,
        conf.broker_url,
        conf.broker_write_url,
        conf.broker_read_url,
        conf.broker_transport_options,
    ) = saved
    app._pool = None
    app.amqp._producer_pool = None


@dataclass
class PlanCast:
    """The cast plus an adopted quality plan in each municipality and unit plans in the
    states the access rules distinguish."""

    cast: Cast
    quality_plan: object
    areas: list
    components: list
    school_plan: object  # the unit leader's unit, a draft
    kindergarten_plan: object  # another unit of the municipality, approved
    sfo_plan: object  # the unit leader's second unit, submitted
    other_plan: object  # another municipality's, approved

    def __getattr__(self, name):
        return getattr(self.cast, name)

    def __getitem__(self, name):
        return self.cast[name]


@pytest.fixture
def plan_cast(cast) -> PlanCast:
    from plans.models import UnitPlanStatus
    from plans.schoolyear import SchoolYear
    from tests.factories import (
        CoreComponentFactory,
        DevelopmentAreaFactory,
        MeasureFactory,
        QualityPlanFactory,
        UnitGoalFactory,
        UnitPlanFactory,
    )

    year = SchoolYear.current().start_year
    # Every plan, area and unit plan has its owner (issue 20): the sector leader follows
    # up the quality plan and its areas, the unit leader their units' plans.
    chief = cast["sector_leader"]
    plan = QualityPlanFactory(
        municipality=cast.municipality, title="Kvalitetsplan for Solvik", owner=chief
    )
    areas = [
        DevelopmentAreaFactory(plan=plan, name="Inkluderende miljø", order=1, owner=chief),
        DevelopmentAreaFactory(plan=plan, name="Tidlig innsats", order=2, owner=chief),
    ]
    components = [
        CoreComponentFactory(area=areas[0], name="Alle opplever tilhørighet", order=1),
        CoreComponentFactory(area=areas[0], name="Ansatte tar ansvar", order=2),
        CoreComponentFactory(area=areas[1], name="Fra oppmerksomhet til handling", order=1),
        CoreComponentFactory(area=areas[1], name="Foreldremedvirkning", order=2),
    ]

    def unit_plan(unit, status, measure):
        owner = cast["unit_leader"] if unit in (cast.school, cast.sfo) else chief
        unit_plan = UnitPlanFactory(
            unit=unit, quality_plan=plan, school_year=year, status=status, owner=owner
        )
        unit_plan.areas.set(areas[:1])
        unit_plan.components.set(components[:1])
        UnitGoalFactory(plan=unit_plan, area=areas[0], text=f"Mål for {unit.name}")
        MeasureFactory(
            plan=unit_plan,
            component=components[0],
            description=measure,
            responsible=cast["staff"],
        )
        return unit_plan

    other_plan_q = QualityPlanFactory(municipality=cast.other_municipality, title="Nabovik-planen")
    other_area = DevelopmentAreaFactory(plan=other_plan_q, name="Naboviks område")
    other_component = CoreComponentFactory(area=other_area, name="Naboviks komponent")
    other = UnitPlanFactory(
        unit=cast.other_unit,
        quality_plan=other_plan_q,
        school_year=year,
        status=UnitPlanStatus.APPROVED,
    )
    MeasureFactory(plan=other, component=other_component, description="Naboviks tiltak")
    return PlanCast(
        cast=cast,
        quality_plan=plan,
        areas=areas,
        components=components,
        school_plan=unit_plan(cast.school, UnitPlanStatus.DRAFT, "Leseløftet i 1.–4. trinn"),
        kindergarten_plan=unit_plan(
            cast.kindergarten, UnitPlanStatus.APPROVED, "Språkgrupper i barnehagen"
        ),
        sfo_plan=unit_plan(cast.sfo, UnitPlanStatus.SUBMITTED, "Leksehjelp i SFO"),
        other_plan=other,
    )
