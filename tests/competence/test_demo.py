"""The demo municipality's competence plan: the Ås table's 2022/23 facts, last school year
over with attendance and feedback, a current year with sessions to sign up for and sessions
attended, needs, the annual wheel's events."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone

from competence.models import (
    Activity,
    CalendarEvent,
    CompetenceNeed,
    EventKind,
    Feedback,
    FundingGrant,
    NeedSurvey,
    Registration,
    RegistrationStatus,
    Session,
)
from competence.selectors.needs import needs_coverage
from demo.services.loading import demo_load
from plans.demo import DEMO_MUNICIPALITY
from plans.models import UnitKind
from plans.schoolyear import SchoolYear

pytestmark = pytest.mark.django_db

COMPETENCE_KEYS = (
    "competence_schemes",
    "competence_themes",
    "competence_activities",
    "competence_sessions",
    "competence_registrations",
    "competence_feedback",
    "competence_surveys",
    "competence_needs",
    "competence_events",
    "competence_training_requirements",
)


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at the end; each
    test runs in a savepoint within it, so the tests still cannot affect one another."""
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load(reports=False)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    return None


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


def _local_dates(activity):
    return [timezone.localtime(session.starts_at).date() for session in activity.sessions.all()]


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_load_demo_twice_gives_the_same_competence_counts():
    first = demo_load(reports=False)
    second = demo_load(reports=False)
    assert {key: first[key] for key in COMPETENCE_KEYS} == {
        key: second[key] for key in COMPETENCE_KEYS
    }
    municipality_activities = Activity.objects.filter(
        municipality__number=DEMO_MUNICIPALITY["number"]
    )
    assert second["competence_activities"] == municipality_activities.count()
    assert second["competence_schemes"] == 5
    assert second["competence_activities"] >= 20
    assert second["competence_registrations"] > 100
    assert second["competence_feedback"] > 50


def test_the_2022_23_table_is_there_with_its_dates(demo):
    bti = Activity.objects.get(school_year=2022, title="BTI-nettverk for ressurspersoner")
    assert _local_dates(bti) == [
        datetime.date(2022, 9, 14),
        datetime.date(2023, 1, 16),
        datetime.date(2023, 5, 23),
    ]
    first = timezone.localtime(bti.sessions.first().starts_at)
    assert (first.hour, first.minute) == (13, 0)
    assert bti.funding_scheme.name == "Kompetanseløftet"
    assert [area.name for area in bti.areas.all()] == ["Tidlig innsatskompetanse"]
    assert [user.username for user in bti.organisers.all()] == ["bti-koordinator"]

    tibir = Activity.objects.get(school_year=2022, title__startswith="TIBIR")
    assert len(_local_dates(tibir)) == 9
    assert tibir.partners == "NUBU"
    autism = Activity.objects.get(school_year=2022, title__startswith="Autisme")
    assert _local_dates(autism) == [
        datetime.date(2023, 1, 4),
        datetime.date(2023, 2, 3),
        datetime.date(2023, 3, 3),
    ]
    violence = Activity.objects.get(school_year=2022, title="Fagdag om vold i nære relasjoner")
    assert violence.funding_scheme.name == "BUFDIR"
    assert _local_dates(violence) == [datetime.date(2022, 8, 29)]
    assert Activity.objects.filter(school_year=2022).count() == 14
    # Every activity form of the table is used.
    assert set(Activity.objects.filter(school_year=2022).values_list("form", flat=True)) >= {
        "plandag",
        "nettverk",
        "fagdag",
        "kurs",
        "fagsamling",
        "veiledning",
        "ledernettverk",
        "opplaering",
    }


def test_last_school_year_is_over_with_attendance_and_feedback_in_every_area(demo):
    """The year the demo's status report covers: every session held, every confirmed
    sign-up marked, feedback given, and competence work in each of the plan's areas."""
    year = SchoolYear.current().start_year - 1
    last = Activity.objects.filter(
        municipality__number=DEMO_MUNICIPALITY["number"], school_year=year
    )
    assert last.count() == 16
    sessions = Session.objects.filter(activity__in=last)
    assert sessions.count() == 38
    assert not sessions.filter(starts_at__gte=timezone.now()).exists()
    confirmed = Registration.objects.filter(
        session__activity__in=last, status=RegistrationStatus.CONFIRMED
    )
    assert confirmed.count() > 200
    assert not confirmed.filter(attended__isnull=True).exists()
    assert confirmed.filter(attended=True).count() > confirmed.filter(attended=False).count() > 0
    assert Feedback.objects.filter(registration__in=confirmed).count() > 100
    assert set(last.values_list("areas__name", flat=True)) == {
        "Lærende organisasjon",
        "Inkluderende miljø",
        "Tidlig innsatskompetanse",
        "Helsefremmende møteplasser",
    }
    # This school year's plan is the same as before.
    assert Activity.objects.filter(school_year=year + 1).count() == 11


def test_funding_schemes_have_grants_for_2022_and_the_last_two_years(demo):
    year = SchoolYear.current().start_year
    years = set(
        FundingGrant.objects.filter(scheme__name="Dekomp").values_list("school_year", flat=True)
    )
    assert years == {2022, year - 1, year}


def test_ansatt_has_an_activity_meant_for_them_with_a_future_session(demo):
    ansatt = _user("ansatt")
    now = timezone.now()
    meant = (
        Activity.objects.visible_to(ansatt)
        .meant_for(ansatt)
        .for_year(SchoolYear.current().start_year)
    )
    coming = Session.objects.filter(activity__in=meant, starts_at__gt=now)
    assert coming.exists()
    # A staff course with places left that she is not on yet, and one with a waiting list.
    autism = meant.get(title__startswith="Autisme")
    assert [user.username for user in autism.organisers.all()] == ["maria.olsen"]
    upcoming = list(autism.sessions.filter(starts_at__gt=now))
    full, nearly_full = upcoming[0], upcoming[1]
    assert full.registrations.confirmed().count() == full.capacity
    assert full.registrations.waiting().count() == 2
    assert nearly_full.registrations.confirmed().count() == nearly_full.capacity - 1
    assert not nearly_full.registrations.filter(user=ansatt).exists()


def test_unit_leader_sees_attendance_for_their_unit(demo):
    leader = _user("virksomhetsleder")
    year = SchoolYear.current().start_year
    attended = (
        Registration.objects.visible_to(leader)
        .filter(
            user__username="ansatt",
            session__activity__school_year=year,
            attended__isnull=False,
        )
        .count()
    )
    assert attended >= 2


def test_evaluation_has_attendance_and_feedback(demo):
    past = Registration.objects.filter(
        session__activity__school_year=2022, status=RegistrationStatus.CONFIRMED
    )
    assert past.filter(attended=True).count() > past.filter(attended=False).count() > 0
    assert not past.filter(attended__isnull=True).exists()
    average = Feedback.objects.filter(registration__session__activity__school_year=2022).aggregate(
        average=Avg("score")
    )["average"]
    assert 3 < average < 5
    # Coming sessions have sign-ups but no attendance yet.
    coming = Registration.objects.filter(session__starts_at__gt=timezone.now())
    assert coming.exists()
    assert not coming.filter(attended__isnull=False).exists()


def test_needs_survey_and_coverage(demo):
    year = SchoolYear.current().start_year
    survey = NeedSurvey.objects.get(school_year=year)
    assert survey.conducted_on == datetime.date(year - 1, 11, 18)
    needs = CompetenceNeed.objects.filter(survey=survey)
    assert set(needs.values_list("theme__name", flat=True)) == {
        "Inkluderende læringsmiljø",
        "Psykisk helse",
        "Lærevansker",
        "Atferd",
    }
    assert set(needs.values_list("unit_kind", flat=True)) == {
        UnitKind.KINDERGARTEN,
        UnitKind.SCHOOL,
        UnitKind.SFO,
        UnitKind.PPT,
    }
    overview = needs_coverage(_user("sektorleder"), survey, year)
    assert 0 < overview.covered_count < overview.total == 16


def test_annual_wheel_events_for_the_current_year(demo):
    year = SchoolYear.current().start_year
    events = CalendarEvent.objects.filter(municipality__number=DEMO_MUNICIPALITY["number"])
    kinds = set(events.values_list("kind", flat=True))
    assert {
        EventKind.UNIT_PLAN_DUE,
        EventKind.EVALUATION_DUE,
        EventKind.BTI_NETWORK,
        EventKind.REPORT,
        EventKind.PARENT_MEETING,
        EventKind.COUNCIL,
    } <= kinds
    assert events.get(kind=EventKind.UNIT_PLAN_DUE).starts_on == datetime.date(year, 10, 15)
    assert events.get(kind=EventKind.EVALUATION_DUE).starts_on == datetime.date(year + 1, 6, 15)


def test_the_bti_requirement_shows_people_done_and_missing(demo, client):
    """Solvik's BTI requirement (fixtures/demo/competence_training.json), set by the sector
    leader: the attendance on the BTI activities leaves some staff done, others missing."""
    from competence.models import TrainingRequirement
    from competence.selectors.training import training_status
    from plans.models import Unit

    requirement = TrainingRequirement.objects.get(
        municipality__number=DEMO_MUNICIPALITY["number"], name="BTI-modellen"
    )
    assert requirement.changes.get().actor == _user("sektorleder")
    statuses = training_status(
        requirement=requirement,
        units=Unit.objects.filter(municipality=requirement.municipality),
        whole_municipality=True,
    )
    done = [person.done for status in statuses for person in status.people]
    assert any(done)
    assert not all(done)
    client.force_login(_user("bti-koordinator"))
    body = client.get("/competence/bti-opplaering/").content.decode()
    assert "Gjennomført" in body
    assert "Mangler" in body
