"""The plan pages with the demo municipality in a real browser: 0 axe violations on each,
and the framework wheel works with the keyboard alone."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from plans.demo import DEMO_PASSWORD
from plans.models import SelfAssessment, UnitPlan, UserJourney
from tests.browser.chromium import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", reports=False, stdout=open("/dev/null", "w"))  # noqa: SIM115


def log_in(browser, live_server, username):
    context = browser.new_context(bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def visit_all(page, live_server, paths, prefix):
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    for index, path in enumerate(paths):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.screenshot(path=str(ARTIFACTS / f"{prefix}-{index}.png"), full_page=True)
        violations = axe_violations(page)
        if violations:
            problems[path] = violations
    assert problems == {}


def test_sector_leaders_pages_have_no_axe_violations(demo, live_server, browser):
    unit_plan = UnitPlan.objects.filter(status="approved").order_by("pk").first()
    assessed = SelfAssessment.objects.filter(status="completed").order_by("pk").first()
    journey = UserJourney.objects.order_by("pk").first()
    group_session = SelfAssessment.objects.get(group="administration")
    page = log_in(browser, live_server, "sektorleder")
    visit_all(
        page,
        live_server,
        [
            "/",
            "/plans/dashboard/",
            "/plans/quality/",
            f"/plans/quality/{unit_plan.quality_plan_id}/",
            f"/plans/quality/compare/?a={unit_plan.quality_plan_id}&b="
            f"{unit_plan.quality_plan.revisions.get().pk}",
            f"/plans/quality/{unit_plan.quality_plan.revisions.get().pk}/history/",
            "/plans/unit-plans/",
            f"/plans/unit-plans/{unit_plan.pk}/",
            f"/plans/unit-plans/{unit_plan.pk}/history/",
            "/plans/quality-tools/",
            "/plans/self-assessments/",
            "/plans/self-assessments/sector/",
            f"/plans/self-assessments/units/{assessed.unit_id}/",
            f"/plans/self-assessments/{assessed.pk}/",
            f"/plans/self-assessments/{group_session.pk}/",
            "/plans/self-assessments/sessions/",
            "/plans/self-assessments/group/start/?group=administration",
            "/plans/participation/",
            "/plans/journeys/",
            f"/plans/journeys/{journey.pk}/",
        ],
        "sector",
    )


def test_elected_official_reads_the_framework_with_the_keyboard(demo, live_server, browser):
    page = log_in(browser, live_server, "folkevalgt")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Rammeverk").click()
    page.wait_for_url(re.compile(r"/plans/framework/$"))
    assert axe_violations(page) == []
    # Tab through the page from the top: the wheel's segments are links in reading order.
    for _ in range(30):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label') || ''")
        if label.startswith("Inkluderende miljø"):
            break
    else:
        pytest.fail("Tab never reached the wheel's «Inkluderende miljø» segment")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/plans/framework/areas/\d+/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Inkluderende miljø"
    assert axe_violations(page) == []
    page.get_by_role("link", name=re.compile("Tilhørighet")).first.click()
    page.wait_for_url(re.compile(r"/plans/framework/components/\d+/$"))
    assert axe_violations(page) == []
    approved = UnitPlan.objects.filter(status="approved").order_by("pk").first()
    page.goto(f"{live_server.url}/plans/unit-plans/{approved.pk}/summary/")
    assert axe_violations(page) == []


def test_competence_pages_have_no_axe_violations(demo, live_server, browser):
    """Every competence page with the demo's data: the sector leader's view of all of
    them, the elected official's budget and evaluation, the staff member's own page."""
    from competence.models import Activity, CalendarEvent, FundingScheme, NeedSurvey, Registration

    activity = Activity.objects.filter(sessions__isnull=False).order_by("-school_year", "pk")[0]
    session = activity.sessions.order_by("starts_at").first()
    event = CalendarEvent.objects.order_by("pk").first()
    scheme = FundingScheme.objects.order_by("pk").first()
    page = log_in(browser, live_server, "sektorleder")
    visit_all(
        page,
        live_server,
        [
            "/competence/",
            "/competence/?year=2022",
            f"/competence/activities/{activity.pk}/",
            f"/competence/activities/{activity.pk}/edit/",
            f"/competence/activities/{activity.pk}/sessions/new/",
            f"/competence/sessions/{session.pk}/attendance/",
            "/competence/activities/new/",
            "/competence/budget/",
            "/competence/funding/",
            f"/competence/funding/{scheme.pk}/edit/",
            "/competence/evaluation/",
            "/competence/evaluation/?year=2022",
            "/competence/needs/",
            "/competence/needs/import/",
            f"/competence/needs/{NeedSurvey.objects.order_by('pk').first().pk}/delete/",
            "/competence/wheel/",
            "/competence/events/new/",
            f"/competence/events/{event.pk}/edit/",
            "/competence/feeds/",
            "/competence/attendance/",
        ],
        "competence-sector",
    )
    page.context.close()

    page = log_in(browser, live_server, "ansatt")
    attended = Registration.objects.filter(user__username="ansatt", attended=True).first()
    paths = ["/", "/competence/mine/", "/competence/wheel/"]
    if attended is not None:
        paths.append(f"/competence/registrations/{attended.pk}/feedback/")
    visit_all(page, live_server, paths, "competence-staff")
    page.context.close()

    page = log_in(browser, live_server, "folkevalgt")
    visit_all(
        page,
        live_server,
        ["/competence/", "/competence/budget/", "/competence/evaluation/"],
        "competence-elected",
    )


def test_indicator_pages_have_no_axe_violations(demo, live_server, browser):
    """The demo's indicators: the list, findings, a detail page with chart and tables,
    its targets and commentary forms, the import history and the API's documentation."""
    from indicators.models import Indicator

    indicator = Indicator.objects.filter(observations__place__code="9901").distinct()[0]
    page = log_in(browser, live_server, "sektorleder")
    visit_all(
        page,
        live_server,
        [
            "/indicators/",
            "/indicators/?group=source",
            "/indicators/findings/",
            f"/indicators/{indicator.pk}/",
            f"/indicators/{indicator.pk}/targets/",
            f"/indicators/{indicator.pk}/commentary/",
            f"/indicators/{indicator.pk}/edit/",
            "/indicators/imports/",
            "/indicators/api/",
        ],
        "indicators-sector",
    )
    page.context.close()
    page = log_in(browser, live_server, "folkevalgt")
    visit_all(
        page,
        live_server,
        ["/indicators/", "/indicators/findings/", f"/indicators/{indicator.pk}/"],
        "indicators-elected",
    )
