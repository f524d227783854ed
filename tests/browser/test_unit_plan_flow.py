"""A unit leader writes a plan, adds a measure inline and submits it; the sector leader
returns it with a comment, the unit leader resubmits, the sector leader approves. Every
page on the way has 0 axe violations. The same measure form also works without JavaScript."""

from __future__ import annotations

import re

import pytest

from plans.models import Role, UnitKind, UnitPlan, UnitPlanStatus
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.factories import (
    PASSWORD,
    CoreComponentFactory,
    DevelopmentAreaFactory,
    MembershipFactory,
    MunicipalityFactory,
    QualityPlanFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sector(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Bakkeli skole", kind=UnitKind.SCHOOL)
    plan = QualityPlanFactory(municipality=municipality, title="Kvalitetsplan for Solvik")
    area = DevelopmentAreaFactory(plan=plan, name="Inkluderende miljø", order=1)
    CoreComponentFactory(area=area, name="Alle opplever tilhørighet", order=1)
    other = DevelopmentAreaFactory(plan=plan, name="Tidlig innsats", order=2)
    CoreComponentFactory(area=other, name="Fra oppmerksomhet til handling", order=1)
    leader = UserFactory(username="rektor", first_name="Rita", last_name="Rektor")
    MembershipFactory(user=leader, municipality=municipality, unit=school, role=Role.UNIT_LEADER)
    chief = UserFactory(username="sjef", first_name="Siri", last_name="Sektor")
    MembershipFactory(user=chief, municipality=municipality, role=Role.SECTOR_LEADER)
    return school


def log_in(browser, live_server, username):
    context = browser.new_context(bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def no_violations(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"unit-plan-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_unit_leader_writes_and_submits_sector_leader_returns_then_approves(
    sector, live_server, browser
):
    leader = log_in(browser, live_server, "rektor")
    leader.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Utviklingsplaner"
    ).click()
    no_violations(leader, "list")
    leader.get_by_role("button", name="Opprett plan for Bakkeli skole").click()
    leader.wait_for_url(re.compile(r"/plans/unit-plans/\d+/$"))
    assert (
        leader.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Utviklingsplan for Bakkeli skole")
    )
    no_violations(leader, "new")

    # Areas, owner and introduction on their own page (a plan without an owner cannot
    # be submitted).
    leader.get_by_role("link", name="Endre områder, ansvarlig og innledning").click()
    leader.get_by_label("Ansvarlig for oppfølging").select_option(index=1)
    leader.get_by_label("Innledning").fill("Vi satser på vennskap og trygghet.")
    leader.get_by_label("Inkluderende miljø", exact=True).check()
    leader.get_by_label("Inkluderende miljø: Alle opplever tilhørighet").check()
    no_violations(leader, "edit")
    leader.get_by_role("button", name="Lagre").click()
    leader.wait_for_url(re.compile(r"/plans/unit-plans/\d+/$"))

    # A goal and a measure inline, with htmx.
    leader.get_by_role("link", name="Legg til mål").click()
    goal_form = leader.locator("#goal-form-slot form")
    goal_form.get_by_label("Lokalt mål").fill("Alle elever har minst én venn på skolen.")
    goal_form.get_by_label("Utviklingsområde").select_option(label="Inkluderende miljø")
    no_violations(leader, "goal-form")
    goal_form.get_by_role("button", name="Lagre").click()
    leader.locator("#section-goal li p").get_by_text("Alle elever har minst én venn").wait_for()

    leader.get_by_role("link", name="Legg til tiltak").click()
    form = leader.locator("#measure-form-slot form")
    form.get_by_role("textbox", name=re.compile(r"^Tiltak")).fill(
        "Vennskapsbenk og faste lekegrupper i friminuttene"
    )
    form.get_by_label("Kjernekomponent").select_option(
        label="Inkluderende miljø: Alle opplever tilhørighet"
    )
    form.get_by_label("Ansvarlig").select_option(label="Rita Rektor")
    form.get_by_label("Start").fill("2026-09-01")
    form.get_by_label("Slutt").fill("2027-06-15")
    form.get_by_label("Ansatte").check()
    form.get_by_label("Barn og unge").check()
    form.get_by_label("Foresatte").check()
    no_violations(leader, "measure-form")
    form.get_by_role("button", name="Lagre").click()
    measures = leader.locator("#section-measure")
    measures.get_by_role("rowheader", name=re.compile("Vennskapsbenk")).wait_for()
    assert leader.locator("#measure-form-slot form").count() == 0
    no_violations(leader, "with-measure")

    leader.get_by_role("button", name="Send planen til godkjenning").click()
    leader.get_by_text("Planen er sendt til godkjenning.").wait_for()
    no_violations(leader, "submitted")
    plan = UnitPlan.objects.get(unit=sector)
    assert plan.status == UnitPlanStatus.SUBMITTED

    chief = log_in(browser, live_server, "sjef")
    chief.goto(f"{live_server.url}/plans/unit-plans/{plan.pk}/")
    chief.get_by_role("link", name="Behandle planen").click()
    no_violations(chief, "review")
    chief.get_by_label("Returner til enheten").check()
    chief.get_by_label("Kommentar til enheten").fill("Ta med frivillige og kultur i tiltaket.")
    chief.get_by_role("button", name="Lagre vedtaket").click()
    chief.get_by_text("Planen er returnert til enheten.").wait_for()
    no_violations(chief, "returned")

    leader.reload()
    assert leader.get_by_role("note").get_by_text("Ta med frivillige og kultur").is_visible()
    leader.get_by_role("button", name="Send planen til godkjenning").click()
    leader.get_by_text("Planen er sendt til godkjenning.").wait_for()

    chief.reload()
    chief.get_by_role("link", name="Behandle planen").click()
    chief.get_by_label("Godkjenn planen").check()
    chief.get_by_role("button", name="Lagre vedtaket").click()
    chief.get_by_text("Planen er godkjent.").wait_for()
    no_violations(chief, "approved")
    chief.get_by_role("link", name="Historikk").click()
    assert chief.get_by_text("Returnert til enheten").count() == 1
    no_violations(chief, "history")
    plan.refresh_from_db()
    assert plan.status == UnitPlanStatus.APPROVED
    assert [m.description for m in plan.measures.all()] == [
        "Vennskapsbenk og faste lekegrupper i friminuttene"
    ]


def test_measure_form_works_without_javascript(sector, live_server, browser):
    from plans.services.unit_plans import unit_plan_create

    plan = unit_plan_create(unit=sector, school_year=2026, actor=None, start_from_previous=False)
    context = browser.new_context(bypass_csp=True, locale="nb-NO", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill("rektor")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.goto(f"{live_server.url}/plans/unit-plans/{plan.pk}/")
    page.get_by_role("link", name="Legg til tiltak").click()
    page.wait_for_url(re.compile(r"/measure/add/$"))
    page.get_by_role("textbox", name=re.compile(r"^Tiltak")).fill("Foreldrekafé om skolemiljø")
    page.get_by_label("Kjernekomponent").select_option(
        label="Inkluderende miljø: Alle opplever tilhørighet"
    )
    page.get_by_label("Start").fill("2026-10-01")
    page.get_by_label("Slutt").fill("2026-12-01")
    page.get_by_label("Foresatte").check()
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url(re.compile(r"/plans/unit-plans/\d+/"))
    assert page.get_by_text("Tiltaket når bare én målgruppe").is_visible()
    assert plan.measures.get().description == "Foreldrekafé om skolemiljø"
    context.close()
