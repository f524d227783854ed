"""A teacher finds a course meant for her and signs up; the organiser marks attendance
after the session; the school's leader sees it; the teacher gives feedback. A colleague
signing up for the last seat lands on the waiting list. Every page visited has 0 axe
violations."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from competence.models import Activity, Registration, RegistrationStatus, Session
from plans.models import Role, UnitKind
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    MunicipalityFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sector(transactional_db):
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    school = UnitFactory(municipality=municipality, name="Bakkeli skole", kind=UnitKind.SCHOOL)
    kindergarten = UnitFactory(
        municipality=municipality, name="Solbakken barnehage", kind=UnitKind.KINDERGARTEN
    )
    people = {}
    for username, first, last, unit, role in [
        ("lærer", "Live", "Lærer", school, Role.STAFF),
        ("kollega", "Kari", "Kollega", school, Role.STAFF),
        ("rektor", "Rita", "Rektor", school, Role.UNIT_LEADER),
        ("ppt", "Per", "Pedagog", kindergarten, Role.STAFF),
        ("sjef", "Siri", "Sektor", None, Role.SECTOR_LEADER),
    ]:
        user = UserFactory(username=username, first_name=first, last_name=last)
        MembershipFactory(user=user, municipality=municipality, unit=unit, role=role)
        people[username] = user
    activity = Activity.objects.create(
        municipality=municipality,
        school_year=2026,
        form="kurs",
        title="Kurs om problematisk skolefravær",
        content="Å fange opp fravær tidlig",
        target_kinds=[UnitKind.SCHOOL],
        target_description="Lærere og miljøarbeidere",
        place="Kulturhuset",
    )
    activity.organisers.add(people["ppt"])
    start = timezone.now() + datetime.timedelta(days=14)
    session = Session.objects.create(
        activity=activity, starts_at=start, ends_at=start + datetime.timedelta(hours=3), capacity=1
    )
    return people, session


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
    page.screenshot(path=str(ARTIFACTS / f"competence-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def test_sign_up_attendance_leader_view_and_feedback(browser, live_server, sector):
    people, session = sector

    # The teacher finds the course through the menu and her own page.
    teacher = log_in(browser, live_server, "lærer")
    teacher.get_by_role("link", name="Kompetanse").first.click()
    no_violations(teacher, "table")
    teacher.get_by_role("link", name="Mine kurs").click()
    no_violations(teacher, "mine")
    teacher.get_by_role("link", name="Kurs om problematisk skolefravær").click()
    no_violations(teacher, "activity")
    teacher.get_by_role("button", name="Meld meg på").click()
    teacher.get_by_text("Du er påmeldt.").wait_for()
    assert Registration.objects.get(user=people["lærer"]).status == RegistrationStatus.CONFIRMED
    no_violations(teacher, "activity-registered")

    # The only seat is taken: the colleague goes on the waiting list.
    colleague = log_in(browser, live_server, "kollega")
    colleague.goto(f"{live_server.url}/competence/activities/{session.activity_id}/")
    colleague.get_by_role("button", name="Sett meg på venteliste").click()
    colleague.get_by_text("Du står på ventelisten").wait_for()
    assert Registration.objects.get(user=people["kollega"]).status == RegistrationStatus.WAITING

    # The kindergarten's organiser is not in the target group and gets no button.
    organiser = log_in(browser, live_server, "ppt")
    organiser.goto(f"{live_server.url}/competence/activities/{session.activity_id}/")
    assert organiser.get_by_role("button", name="Meld meg på").count() == 0

    # The session is held (time passes), and the organiser records who came.
    start = timezone.now() - datetime.timedelta(hours=4)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=3)
    )
    organiser.reload()
    organiser.get_by_role("link", name="Deltakere og oppmøte").click()
    no_violations(organiser, "attendance")
    organiser.get_by_label("Live Lærer").check()
    organiser.get_by_role("button", name="Lagre oppmøte").click()
    organiser.get_by_text("1 møtte, 0 møtte ikke").wait_for()
    assert Registration.objects.get(user=people["lærer"]).attended is True

    # The school's leader sees it.
    leader = log_in(browser, live_server, "rektor")
    leader.get_by_role("link", name="Kompetanse").first.click()
    leader.get_by_role("link", name="Oppmøte").click()
    row = leader.get_by_role("row", name="Live Lærer")
    row.get_by_text("Møtte", exact=True).wait_for()
    no_violations(leader, "unit-attendance")

    # The teacher rates the session.
    teacher.goto(f"{live_server.url}/competence/mine/")
    teacher.get_by_role("link", name="Gi tilbakemelding").click()
    no_violations(teacher, "feedback")
    teacher.get_by_label("5 – svært nyttig").check()
    teacher.get_by_label("Kommentar").fill("Konkret og nyttig")
    teacher.get_by_role("button", name="Send").click()
    teacher.get_by_text("Takk for tilbakemeldingen.").wait_for()
    assert Registration.objects.get(user=people["lærer"]).feedback.score == 5
    for page in (teacher, colleague, organiser, leader):
        page.context.close()
