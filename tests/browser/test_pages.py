"""The login page and every role's home page in a real browser, with 0 axe violations."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from plans.demo import DEMO_PASSWORD
from tests.browser.chromium import ARTIFACTS, axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "sektorleder": "Sektoren i tall",
    "virksomhetsleder": "Enhetene du leder",
    "ansatt": "Arbeidsstedene dine",
    "bti-koordinator": "Sektoren i tall",
    "folkevalgt": "Sektoren i tall",
    "dataansvarlig": "Brukere og roller",
}


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", reports=False, stdout=open("/dev/null", "w"))  # noqa: SIM115


# The login page and the language switch need no data: no demo load for them.
def test_login_page_has_no_axe_violations(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Logg inn"
    assert axe_violations(page) == []


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")


def test_skip_link_is_first_and_moves_focus_to_main(demo, live_server, page):
    log_in(page, live_server, "ansatt")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnholdet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_each_role_logs_in_and_sees_its_home(demo, live_server, page):
    # One demo load for every role (a load per role cost a minute of the suite); each
    # role starts signed out, and a failure names the role.
    ARTIFACTS.mkdir(exist_ok=True)
    for username, heading in ROLES.items():
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/")
        page.get_by_label("Brukernavn").fill(username)
        page.get_by_label("Passord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(f"{live_server.url}/")
        assert page.get_by_role("heading", name=heading).is_visible(), username
        nav = page.get_by_role("navigation", name="Hovedmeny")
        assert nav.get_by_role("link", name="Administrasjon").count() == (
            1 if username == "dataansvarlig" else 0
        ), username
        page.screenshot(path=str(ARTIFACTS / f"home-{username}.png"), full_page=True)
        assert axe_violations(page) == [], username


def test_language_switch_in_the_browser(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Språk").select_option("nn")
    page.get_by_role("button", name="Bytt språk").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nn"
    assert page.get_by_role("link", name="Hopp til hovudinnhaldet").count() == 1
    assert axe_violations(page) == []


def test_unit_list_has_no_axe_violations(demo, live_server, page):
    log_in(page, live_server, "ansatt")
    page.goto(f"{live_server.url}/plans/units/")
    assert page.get_by_role("cell", name="Solvik SFO").count() == 1
    assert axe_violations(page) == []
