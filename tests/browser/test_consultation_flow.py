"""Consultation meetings in a real browser, from schedule to protocol to follow-up: the
coordinator sets up a school's schedule (sees the dates and the skipped ones first); the
school's leader writes the protocol (refused first without an action, then with a birth
date in a matter); the staff member named responsible marks the action followed up. Every
page visited has 0 axe violations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from btitracker.models import ConsultationAction, ConsultationMeeting, ConsultationSchedule, Service
from plans.models import Role, UnitKind

# One way to log in with a password and to screenshot-and-axe a page, shared with the other
# browser drills.
from tests.browser.test_bti_flow import checked as bti_checked
from tests.browser.test_competence_flow import log_in
from tests.factories import (
    MembershipFactory,
    MunicipalityFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Bakkeli skole", kind=UnitKind.SCHOOL)
    ppt = UnitFactory(municipality=municipality, name="Solvik PPT", kind=UnitKind.PPT)
    Service.objects.create(
        municipality=municipality,
        unit=ppt,
        name="PPT",
        helps_with="Fiktiv: råd om tilrettelegging.",
        for_whom="Barn og unge",
        contact="Ring PPT.",
        attends_consultations=True,
    )
    found = {}
    for username, first, last, unit, role in [
        ("koordinator", "Kari", "Koordinator", None, Role.BTI_COORDINATOR),
        ("rektor", "Rita", "Rektor", school, Role.UNIT_LEADER),
        ("laerer", "Live", "Lærer", school, Role.STAFF),
        ("radgiver", "Per", "Rådgiver", ppt, Role.STAFF),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, municipality=municipality, unit=unit, role=role)
        found[username] = user
    return found


def checked(page, name):
    bti_checked(page, f"consultation-{name}")


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_schedule_to_protocol_to_follow_up(browser, live_server, people):
    today = timezone.localdate()
    # The coordinator: the overview, a schedule for the school with a preview first.
    coordinator = log_in(browser, live_server, "koordinator")
    coordinator.get_by_role("link", name="Samarbeidsmøter").first.click()
    checked(coordinator, "list-empty")
    coordinator.get_by_role("link", name="Ny møteplan").click()
    checked(coordinator, "schedule-form")
    coordinator.get_by_label("Bakkeli skole").check()
    # First Thursdays: in most years one falls in the autumn break or on Ascension Day.
    coordinator.get_by_label("Uke i måneden").select_option(label="første")
    coordinator.get_by_label("Ukedag").select_option(label="torsdag")
    coordinator.get_by_role("button", name="Vis møtedatoene").click()
    coordinator.get_by_role("heading", name="Møtedatoer").wait_for()
    assert ConsultationSchedule.objects.count() == 0
    checked(coordinator, "schedule-preview")
    coordinator.get_by_role("button", name="Lagre møteplanen").click()
    coordinator.get_by_role("link", name="Bakkeli skole", exact=True).click()
    checked(coordinator, "schedule-detail")
    schedule = ConsultationSchedule.objects.get()
    meeting = schedule.meetings.order_by("planned_on").first()
    coordinator.get_by_role("link", name="Flytt eller avlys").first.click()
    checked(coordinator, "meeting-change")

    # The school's leader writes the protocol.
    leader = log_in(browser, live_server, "rektor")
    leader.goto(f"{live_server.url}/bti/samarbeidsmoter/mote/{meeting.pk}/protokoll/")
    checked(leader, "protocol-form")
    held_on = min(max(meeting.planned_on, today - datetime.timedelta(days=1)), today)
    leader.get_by_label("Møtedato").fill(held_on.isoformat())
    leader.locator('[name="deltaker-0-name"]').fill("Rita Rektor")
    leader.locator('[name="deltaker-1-name"]').fill("Per Rådgiver")
    leader.locator('[name="deltaker-1-service"]').select_option(label="PPT")
    leader.locator('[name="sak-0-summary"]').fill("Gutt, født 3. april 2017, mye fravær.")
    leader.get_by_role("button", name="Lagre protokollen").click()
    leader.get_by_text("fødselsdato").first.wait_for()
    leader.get_by_text("minst ett tiltak").first.wait_for()
    checked(leader, "protocol-refused")
    leader.locator('[name="sak-0-summary"]').fill("Gutt, 3. trinn, mye fravær siden høstferien.")
    leader.locator('[name="tiltak-0-description"]').fill("Kontaktlærer inviterer foresatte.")
    leader.locator('[name="tiltak-0-responsible"]').select_option(label="Live Lærer")
    leader.locator('[name="tiltak-0-follow_up_on"]').fill(
        (today + datetime.timedelta(days=14)).isoformat()
    )
    leader.locator('[name="tiltak-0-matter_number"]').fill("1")
    leader.get_by_role("button", name="Lagre protokollen").click()
    leader.get_by_role("heading", name="Saker (anonymt)").wait_for()
    checked(leader, "meeting-detail")
    meeting.refresh_from_db()
    assert meeting.status == "avholdt"

    # The staff member named responsible follows the action up.
    staff = log_in(browser, live_server, "laerer")
    staff.goto(f"{live_server.url}/bti/samarbeidsmoter/")
    checked(staff, "list-mine")
    staff.get_by_role("link", name="Tiltak nr.").first.click()
    checked(staff, "follow-up-form")
    staff.get_by_label("Hva ble gjort").fill("Samtale holdt, ny avtale om to uker.")
    staff.get_by_role("button", name="Lagre oppfølgingen").click()
    staff.wait_for_url(f"{live_server.url}/bti/samarbeidsmoter/")
    assert ConsultationAction.objects.get().status == "fulgt_opp"
    assert ConsultationMeeting.objects.filter(status="avholdt").count() == 1
