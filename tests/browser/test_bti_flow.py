"""BTI in a real browser: a staff member sets up TOTP and records an undring; the unit
leader sets up TOTP and decides level 1 with the staff member as relay holder; the holder
records consent, adds an action and a meeting (refused first without an action); a staff
member of another unit gets nothing. Every page visited has 0 axe violations."""

from __future__ import annotations

import base64
import datetime

import pytest
from django.utils import timezone
from django_otp.oath import totp

from btitracker.models import Concern, ConcernCase, Meeting
from plans.models import Role, UnitKind
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.bti.helpers import enrol_code_from_outbox
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    MunicipalityFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHILD = "Fiktiv Nettlesersen"


@pytest.fixture
def people(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Bakkeli skole", kind=UnitKind.SCHOOL)
    kindergarten = UnitFactory(
        municipality=municipality, name="Solbakken barnehage", kind=UnitKind.KINDERGARTEN
    )
    found = {}
    for username, first, last, unit, role in [
        ("laerer", "Live", "Lærer", school, Role.STAFF),
        ("rektor", "Rita", "Rektor", school, Role.UNIT_LEADER),
        ("fremmed", "Frank", "Fremmed", kindergarten, Role.STAFF),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, municipality=municipality, unit=unit, role=role)
        found[username] = user
    return found


def checked(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"bti-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def log_in_with_totp(browser, live_server, username):
    """Password login, then TOTP enrolment in the browser: the code e-mailed first (read
    from the outbox, one wrong try on the way), then the secret read from the page as a
    person would type it into an authenticator app."""
    context = browser.new_context(bypass_csp=True, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/bti/")
    assert "/bti/totrinn/oppsett/" in page.url
    # First the code e-mailed to the address on the account; no secret before it. The live
    # server runs in this process, so its mail is in pytest-django's locmem outbox.
    assert page.locator(".otp-secret").count() == 0
    checked(page, f"{username}-enrol-start")
    page.get_by_role("button", name="Send kode på e-post").click()
    page.get_by_label("Kode fra e-posten").wait_for()
    checked(page, f"{username}-enrol-code")
    page.get_by_label("Kode fra e-posten").fill("00000000")
    page.get_by_role("button", name="Bekreft koden").click()
    page.get_by_text("Koden stemmer ikke").wait_for()
    assert page.locator(".otp-secret").count() == 0
    checked(page, f"{username}-enrol-code-wrong")
    page.get_by_label("Kode fra e-posten").fill(enrol_code_from_outbox(f"{username}@example.no"))
    page.get_by_role("button", name="Bekreft koden").click()
    page.locator(".otp-secret").wait_for()
    assert page.locator("svg").first.is_visible()
    checked(page, f"{username}-enrol")
    secret = page.locator(".otp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Engangskode fra appen").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Bekreft").click()
    page.wait_for_url(f"{live_server.url}/bti/")
    checked(page, f"{username}-home")
    return page


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_undring_to_level_one_to_action_and_meeting(browser, live_server, people):
    today = timezone.localdate()
    # 1. The staff member records an undring without naming the child.
    staff = log_in_with_totp(browser, live_server, "laerer")
    staff.get_by_role("link", name="Ny undring").click()
    checked(staff, "concern-form")
    staff.get_by_label("Din enhet").select_option(label="Bakkeli skole")
    staff.get_by_label("Hva har du sett eller hørt?").fill("Fiktivt: sitter alene hver dag.")
    staff.get_by_label("Hvor lenge har du lagt merke til dette?").fill("Tre uker")
    staff.get_by_label("Grunn til bekymring").check()
    staff.get_by_role("button", name="Lagre undringen").click()
    staff.wait_for_url("**/bti/undring/*/")
    checked(staff, "concern-detail")
    concern = Concern.objects.get()

    # 2. The leader decides level 1, names the child and the relay holder.
    leader = log_in_with_totp(browser, live_server, "rektor")
    leader.get_by_role("link", name=f"Undring nr. {concern.pk} – Bakkeli skole").click()
    checked(leader, "leader-concern")
    leader.get_by_role("link", name="Ta stilling").click()
    checked(leader, "decide-form")
    leader.get_by_label("Nivå 1").check()
    leader.get_by_label("Begrunnelse").fill("Vi følger opp på nivå 1.")
    leader.get_by_label("Barnets navn").fill(CHILD)
    leader.get_by_label("Fødselsdato").fill("2017-05-02")
    leader.get_by_label("Stafettholder").select_option(label="Live Lærer")
    # The child's and the family's view of the decision (issue 19, point 5).
    leader.get_by_label("Barnets eller ungdommens syn").fill(
        "Fiktivt: vil ha en voksen å snakke med."
    )
    leader.get_by_label("Familiens syn").fill("Fiktivt: foreldrene er enige.")
    leader.get_by_role("button", name="Lagre beslutningen").click()
    leader.wait_for_url("**/bti/undring/*/")
    checked(leader, "decided")
    case = ConcernCase.objects.get()
    assert case.level == 1
    assert case.holder == people["laerer"]

    # 3. The holder records consent, an action and a meeting.
    staff.goto(f"{live_server.url}/bti/")
    staff.get_by_role("link", name=f"Stafettlogg nr. {case.pk}").click()
    checked(staff, "case")
    assert CHILD in staff.content()
    staff.get_by_role("link", name="Registrer samtykke").click()
    checked(staff, "consent-form")
    staff.get_by_label("Gitt av (navn)").fill("Fiktiv Forelder")
    staff.locator('[name="given_on"]').fill(today.isoformat())
    staff.get_by_role("button", name="Lagre").click()
    staff.wait_for_url(f"**/bti/logg/{case.pk}/")
    staff.get_by_role("link", name="Legg til tiltak").click()
    checked(staff, "action-form")
    staff.get_by_label("Tiltak").fill("Fiktivt: fast voksen i friminuttene.")
    staff.get_by_label("Ansvarlig").select_option(index=1)
    staff.get_by_label("Start").fill(today.isoformat())
    staff.get_by_label("Oppfølging og evaluering").fill(
        (today + datetime.timedelta(days=30)).isoformat()
    )
    staff.get_by_role("button", name="Lagre").click()
    staff.wait_for_url(f"**/bti/logg/{case.pk}/")
    staff.get_by_role("link", name="Registrer møte").click()
    checked(staff, "meeting-form")
    staff.get_by_label("Møtedato").fill(today.isoformat())
    staff.locator('[name="participants"]').first.check()
    staff.get_by_label("Andre til stede").fill("Fiktivt: eleven og mor")
    staff.get_by_label("Referat").fill("Fiktivt referat fra møtet.")
    staff.get_by_role("button", name="Lagre møtet").click()
    assert staff.get_by_text("minst ett tiltak med ansvarlig person").is_visible()
    checked(staff, "meeting-refused")
    assert not Meeting.objects.exists()
    staff.locator('[name="tiltak-0-description"]').fill("Fiktivt: samtale med foresatte.")
    staff.locator('[name="tiltak-0-responsible"]').select_option(index=1)
    staff.locator('[name="tiltak-0-start_date"]').fill(today.isoformat())
    staff.locator('[name="tiltak-0-evaluation_date"]').fill(
        (today + datetime.timedelta(days=14)).isoformat()
    )
    staff.get_by_role("button", name="Lagre møtet").click()
    staff.wait_for_url(f"**/bti/logg/{case.pk}/")
    checked(staff, "case-with-meeting")
    assert Meeting.objects.get().actions.count() == 1
    assert Meeting.objects.get().participants.count() == 1
    assert "Fiktivt: eleven og mor" in staff.content()

    # An evaluation records the child's and the family's view, or why not.
    staff.get_by_role("link", name="Evaluer").first.click()
    checked(staff, "evaluation-form")
    staff.get_by_label("Evaluert dato").fill(today.isoformat())
    staff.locator('[name="text"]').fill("Fiktivt: går bedre.")
    staff.get_by_role("button", name="Lagre").click()
    assert staff.get_by_text("Skriv hva familien mener").is_visible()
    staff.get_by_label("Hvis synet ikke kunne innhentes: hvorfor").fill(
        "Fiktivt: familien var bortreist."
    )
    staff.get_by_label("Barnets eller ungdommens syn").fill("Fiktivt: liker den faste voksne.")
    staff.get_by_role("button", name="Lagre").click()
    staff.wait_for_url(f"**/bti/logg/{case.pk}/")
    checked(staff, "case-with-evaluation")
    assert "liker den faste voksne" in staff.content()

    # 4. A staff member of another unit gets nothing.
    outsider = log_in_with_totp(browser, live_server, "fremmed")
    assert CHILD not in outsider.content()
    response = outsider.goto(f"{live_server.url}/bti/logg/{case.pk}/")
    assert response.status == 404
    assert CHILD not in outsider.content()
    checked(outsider, "outsider-404")
    response = outsider.goto(f"{live_server.url}/bti/undring/{concern.pk}/")
    assert response.status == 404
