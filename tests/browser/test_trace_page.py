"""The trace page of a development area in a real browser: 0 axe violations, and a link
in the chain («begrunnet i») takes the reader to the row it names. Built with factories,
not the demo."""

from __future__ import annotations

import datetime

import pytest

from plans.models import PracticeCharacteristic, Role, UnitKind, UnitPlanStatus
from plans.schoolyear import SchoolYear
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.browser.test_unit_plan_flow import log_in
from tests.factories import (
    CoreComponentFactory,
    DevelopmentAreaFactory,
    MeasureFactory,
    MembershipFactory,
    MunicipalityFactory,
    QualityPlanFactory,
    UnitFactory,
    UnitGoalFactory,
    UnitPlanFactory,
    UserFactory,
)
from tests.plans.test_participation import ParticipationInputFactory, UserJourneyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def traced_area(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Bakkeli skole", kind=UnitKind.SCHOOL)
    plan = QualityPlanFactory(municipality=municipality, title="Kvalitetsplan for Solvik")
    area = DevelopmentAreaFactory(plan=plan, name="Inkluderende miljø", order=1)
    component = CoreComponentFactory(area=area, name="Alle opplever tilhørighet", order=1)
    official = UserFactory(username="folkevalgt", first_name="Finn", last_name="Folkevalgt")
    MembershipFactory(user=official, municipality=municipality, role=Role.ELECTED_OFFICIAL)
    said = SchoolYear.current().start + datetime.timedelta(days=20)
    voice = ParticipationInputFactory(
        municipality=municipality, quote="Jeg vil ha noen å leke med i friminuttet.", given_on=said
    )
    voice.areas.add(area)
    journey = UserJourneyFactory(municipality=municipality, title="Fra barnehage til skole")
    journey.areas.add(area)
    mark = PracticeCharacteristic.objects.create(area=area, order=1, text="Alle barn har en venn.")
    mark.source_inputs.add(voice)
    PracticeCharacteristic.objects.create(area=area, order=2, text="Voksne ser hvert barn.")
    unit_plan = UnitPlanFactory(
        unit=school,
        quality_plan=plan,
        school_year=SchoolYear.current().start_year,
        status=UnitPlanStatus.APPROVED,
    )
    UnitGoalFactory(plan=unit_plan, area=area, text="Alle elever har en venn.")
    measure = MeasureFactory(
        plan=unit_plan, component=component, description="Vennebenk i skolegården"
    )
    measure.motivated_by_inputs.add(voice)
    measure.motivated_by_journeys.add(journey)
    return area, voice, measure


def test_trace_page_has_no_axe_violations_and_its_links_lead_to_their_rows(
    traced_area, live_server, browser
):
    area, voice, measure = traced_area
    page = log_in(browser, live_server, "folkevalgt")
    response = page.goto(f"{live_server.url}/plans/trace/{area.pk}/")
    assert response.status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "trace.png"), full_page=True)
    assert axe_violations(page) == []
    # «Begrunnet i»: the measure's row links to the voice's row, and the link goes there.
    page.locator(f"#tiltak-{measure.pk} a[href='#innspill-{voice.pk}']").click()
    page.wait_for_url(f"**#innspill-{voice.pk}")
    assert page.locator(f"#innspill-{voice.pk}").is_visible()
    # The way back: the voice names the measure that answers it.
    assert page.locator(f"#innspill-{voice.pk} a[href='#tiltak-{measure.pk}']").count() == 1
