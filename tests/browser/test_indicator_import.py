"""A data admin uploads a real Udir file (Elevundersøkelsen, as Udir publishes it: UTF-16LE,
`sep=` line, dotted wide headers), sees the preview, commits, and the indicator page
shows the chart with its data table. Every page has 0 axe violations."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicators.models import ImportBatch, ImportStatus, Indicator, Observation
from plans.models import Role
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.factories import (
    PASSWORD,
    DevelopmentAreaFactory,
    MembershipFactory,
    MunicipalityFactory,
    QualityPlanFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UDIR_FILE = (
    Path(__file__).resolve().parents[1]
    / "indicators"
    / "data"
    / "udir_elevundersokelsen_mobbing_vgs_utf16le.csv"
)


@pytest.fixture
def data_admin(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    user = UserFactory(username="data", first_name="Dina", last_name="Data")
    MembershipFactory(user=user, municipality=municipality, role=Role.DATA_ADMIN)
    plan = QualityPlanFactory(municipality=municipality)
    DevelopmentAreaFactory(plan=plan, name="Inkluderende miljø", order=1)
    return user


def no_violations(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"indicators-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_data_admin_imports_a_udir_file_and_sees_the_chart(browser, live_server, data_admin):
    context = browser.new_context(bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill("data")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Tellinger", exact=True
    ).click()
    no_violations(page, "list-empty")
    page.goto(f"{live_server.url}/indicators/imports/new/")
    no_violations(page, "upload")
    page.get_by_label("Fil").set_input_files(str(UDIR_FILE))
    page.get_by_role("button", name="Les filen").click()

    # The preview: counts and nothing stored yet.
    page.get_by_role("heading", name="Dette skjer hvis du lagrer").wait_for()
    new = int(page.locator('[data-count="new"]').inner_text())
    assert new == 144
    assert Observation.objects.count() == 0
    # The sample of parsed rows, as a table: the file's first line of figures is the
    # country's 2020/21 total for boys and girls.
    sample = page.locator("#import-sample")
    assert sample.is_visible()
    assert sample.locator("tbody tr").count() == 10
    first = sample.locator("tbody tr").first.inner_text()
    assert "Hele landet" in first
    assert "2020/21" in first
    # The file holds no figure for Solvik: the preview says so.
    assert (
        "Ingen av radene i filen gjelder Solvik kommune"
        in page.locator("#import-own-rows").inner_text()
    )
    no_violations(page, "preview")
    # The new indicator is linked to a development area in place (htmx).
    indicators = page.locator("#import-indicators")
    assert "Ny" in indicators.inner_text()
    indicators.get_by_label("Utviklingsområde for Mobbing på skolen (prosent)").select_option(
        label="Inkluderende miljø"
    )
    mobbing = indicators.locator("li", has_text="Mobbing på skolen (prosent)")
    mobbing.get_by_role("button", name="Knytt til området").click()
    mobbing = indicators.locator("li", has_text="Mobbing på skolen (prosent)")
    mobbing.get_by_text("Knyttes ved lagring til: Inkluderende miljø").wait_for()
    no_violations(page, "preview-linked")

    page.get_by_role("button", name="Lagre tallene").click()
    page.get_by_text("Importen er lagret: 144 nye").wait_for()
    assert Observation.objects.count() == 144
    assert ImportBatch.objects.get().status == ImportStatus.COMMITTED
    linked = Indicator.objects.get(name="Mobbing på skolen (prosent)")
    assert [area.name for area in linked.areas.all()] == ["Inkluderende miljø"]
    no_violations(page, "committed")

    page.get_by_role("link", name="Mobbing på skolen (prosent)").click()
    page.get_by_role("heading", level=1, name="Mobbing på skolen (prosent)").wait_for()
    chart = page.locator("figure svg").first
    assert chart.is_visible()
    assert "Hele landet" in page.locator("table").first.inner_text()
    no_violations(page, "indicator")

    page.goto(f"{live_server.url}/indicators/imports/")
    no_violations(page, "history")
    context.close()
