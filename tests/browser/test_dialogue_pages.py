"""Leader dialogues in a real browser (issue 20): the sector leader's list, create page,
a dialogue with its generated agenda (the indicators' section too) and its print view;
the staff member marks a point done inline (htmx) on the team dialogue; the unit plan page
and the home page with the agreed points. 0 axe violations on every page and state."""

from __future__ import annotations

import pytest
from django.urls import reverse

from plans.models import AgreedPoint, PointStatus
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.factories import PASSWORD
from tests.plans.dialogue_helpers import build_dialogues
from tests.test_access_matrix import _ind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    page.screenshot(path=str(ARTIFACTS / f"dialogue-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_dialogue_pages_have_no_axe_violations_and_a_point_is_marked_inline(
    plan_cast, live_server, browser
):
    c = plan_cast
    _ind(c)["indicator"].areas.add(c.areas[0])  # the agenda gets its indicators' section
    d = build_dialogues(c)

    page = log_in(browser, live_server, c["sector_leader"].username)
    for name, path in (
        ("list", reverse("plans:dialogue-list")),
        ("create", reverse("plans:dialogue-create")),
        ("detail", reverse("plans:dialogue-detail", args=[d.unit.pk])),
        ("print", reverse("plans:dialogue-print", args=[d.unit.pk])),
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        no_violations(page, name)
    page.goto(f"{live_server.url}{reverse('plans:dialogue-detail', args=[d.unit.pk])}")
    assert page.get_by_role("heading", name="Indikatorer for enhetens utviklingsområder").count()
    assert page.get_by_text("Mobbing på skolen").count()
    page.context.close()

    page = log_in(browser, live_server, c["staff"].username)
    no_violations(page, "home-of-the-owner")
    page.goto(f"{live_server.url}{reverse('plans:dialogue-detail', args=[d.team.pk])}")
    row = page.locator(f"#point-{d.team_point.pk}")
    row.get_by_role("link", name="Marker").click()
    page.get_by_label("Kommentar").wait_for()
    no_violations(page, "point-form-inline")
    page.get_by_label("Kommentar").fill("Veiledningen er i gang.")
    page.get_by_role("button", name="Lagre").click()
    page.locator(f"#point-{d.team_point.pk}").get_by_text("Veiledningen er i gang.").wait_for()
    assert page.url.endswith(reverse("plans:dialogue-detail", args=[d.team.pk]))
    assert AgreedPoint.objects.get(pk=d.team_point.pk).status == PointStatus.DONE
    no_violations(page, "point-marked")
    page.goto(f"{live_server.url}{reverse('plans:unit-plan-detail', args=[c.school_plan.pk])}")
    assert page.get_by_role("heading", name="Avtalt i virksomhetssamtale").count()
    no_violations(page, "unit-plan-section")
    page.context.close()
