"""Activities, sessions, sign-up with a waiting list, attendance and feedback."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from competence.models import Activity, Feedback, Registration, RegistrationStatus, Session, Theme
from competence.services import activities as services
from plans.models import Role, UnitKind
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def school_staff(cast, name):
    user = UserFactory(username=name, email=f"{name}@example.no")
    MembershipFactory(user=user, municipality=cast.municipality, unit=cast.school, role=Role.STAFF)
    return user


def move_to_past(session, days=1):
    """Time passes: the session was held ``days`` ago."""
    start = timezone.now() - datetime.timedelta(days=days)
    Session.objects.filter(pk=session.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )
    session.refresh_from_db()


# --- Sign-up and the waiting list -------------------------------------------------------


def test_signup_fills_seats_then_the_waiting_list(competence_cast, client_for):
    session = competence_cast.session  # capacity 2
    people = [school_staff(competence_cast, f"lærer{n}") for n in range(3)]
    for person in people:
        response = client_for(person).post(
            reverse("competence:session-register", args=[session.pk])
        )
        assert response.status_code == 302
    statuses = [Registration.objects.get(session=session, user=person).status for person in people]
    assert statuses == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ]
    page = client_for(people[2]).get(
        reverse("competence:activity-detail", args=[session.activity_id])
    )
    assert "2 av 2 plasser tatt" in page.content.decode()
    assert "På venteliste" in page.content.decode()


def test_cancelling_gives_the_seat_to_the_first_on_the_waiting_list(
    competence_cast, client_for, tasks_in_process, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    session = competence_cast.session
    first, second, third, fourth = (school_staff(competence_cast, f"p{n}") for n in range(4))
    for person in (first, second, third, fourth):
        services.registration_create(session=session, user=person)
    client = client_for(first)
    registration = Registration.objects.get(session=session, user=first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("competence:registration-cancel", args=[registration.pk]))
    assert response.status_code == 302
    assert (
        Registration.objects.get(session=session, user=first).status == RegistrationStatus.CANCELLED
    )
    assert (
        Registration.objects.get(session=session, user=third).status == RegistrationStatus.CONFIRMED
    )
    assert (
        Registration.objects.get(session=session, user=fourth).status == RegistrationStatus.WAITING
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["p2@example.no"]
    assert "Fagdag om skolefravær" in message.subject
    assert f"/competence/activities/{session.activity_id}/" in message.body
    # A link and the session's time, never other participants.
    assert "p3" not in message.body


def test_signup_refusals_are_clear_and_write_nothing(competence_cast, client_for):
    session = competence_cast.session
    teacher = school_staff(competence_cast, "lærer")
    services.registration_create(session=session, user=teacher)
    with pytest.raises(ValidationError, match="allerede påmeldt"):
        services.registration_create(session=session, user=teacher)

    # A kindergarten employee is not in the target group (schools).
    kindergarten_staff = UserFactory(username="bhg")
    MembershipFactory(
        user=kindergarten_staff,
        municipality=competence_cast.municipality,
        unit=competence_cast.kindergarten,
        role=Role.STAFF,
    )
    response = client_for(kindergarten_staff).post(
        reverse("competence:session-register", args=[session.pk]), follow=True
    )
    assert "ikke for din målgruppe" in response.content.decode()
    assert not Registration.objects.filter(user=kindergarten_staff).exists()

    move_to_past(session)
    late = school_staff(competence_cast, "sen")
    with pytest.raises(ValidationError, match="påmeldingen er stengt"):
        services.registration_create(session=session, user=late)
    assert not Registration.objects.filter(user=late).exists()


def test_signing_up_again_after_cancelling_goes_to_the_back(competence_cast):
    session = competence_cast.session
    a, b, c = (school_staff(competence_cast, name) for name in "abc")
    services.registration_create(session=session, user=a)
    services.registration_create(session=session, user=b)
    services.registration_cancel(registration=Registration.objects.get(user=a, session=session))
    services.registration_create(session=session, user=c)
    again = services.registration_create(session=session, user=a)
    assert again.status == RegistrationStatus.WAITING
    assert Registration.objects.filter(session=session).count() == 3


def test_an_untargeted_activity_is_for_everyone(cast):
    activity = ActivityFactory(municipality=cast.municipality)
    session = SessionFactory(
        activity=activity, starts_at=timezone.now() + datetime.timedelta(days=3)
    )
    registration = services.registration_create(session=session, user=cast["bti_coordinator"])
    assert registration.status == RegistrationStatus.CONFIRMED


def test_role_and_unit_targets(cast):
    leaders = ActivityFactory(municipality=cast.municipality, target_roles=[Role.UNIT_LEADER])
    kindergarten_only = ActivityFactory(municipality=cast.municipality)
    kindergarten_only.target_units.add(cast.kindergarten)
    sfo_kind = ActivityFactory(municipality=cast.municipality, target_kinds=[UnitKind.SFO])
    meant = set(Activity.objects.visible_to(cast["unit_leader"]).meant_for(cast["unit_leader"]))
    assert meant == {leaders, sfo_kind}
    meant = set(Activity.objects.visible_to(cast["staff"]).meant_for(cast["staff"]))
    assert meant == {sfo_kind}


def test_elected_officials_read_but_do_not_sign_up(competence_cast, client_for):
    client = client_for(competence_cast["elected_official"])
    session = competence_cast.session
    page = client.get(reverse("competence:activity-detail", args=[session.activity_id]))
    assert page.status_code == 200
    assert "Meld meg på" not in page.content.decode()
    response = client.post(reverse("competence:session-register", args=[session.pk]))
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_another_municipality_is_not_found(competence_cast, client_for):
    client = client_for(competence_cast["staff"])
    other = competence_cast.other_session
    assert (
        client.get(reverse("competence:activity-detail", args=[other.activity_id])).status_code
        == 404
    )
    assert client.post(reverse("competence:session-register", args=[other.pk])).status_code == 404
    foreign = RegistrationFactory(session=other)
    assert (
        client.post(reverse("competence:registration-cancel", args=[foreign.pk])).status_code == 404
    )
    assert Registration.objects.get(pk=foreign.pk).status == RegistrationStatus.CONFIRMED


def test_nobody_cancels_someone_elses_registration(competence_cast, client_for):
    victim = school_staff(competence_cast, "offer")
    registration = services.registration_create(session=competence_cast.session, user=victim)
    response = client_for(competence_cast["staff"]).post(
        reverse("competence:registration-cancel", args=[registration.pk])
    )
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


# --- Capacity ---------------------------------------------------------------------------


def test_capacity_cannot_drop_below_the_confirmed_and_raising_it_promotes(competence_cast):
    session = competence_cast.session
    people = [school_staff(competence_cast, f"k{n}") for n in range(4)]
    for person in people:
        services.registration_create(session=session, user=person)
    session.capacity = 1
    with pytest.raises(ValidationError, match="2 er allerede påmeldt"):
        services.session_save(session=session)
    session.capacity = 3
    services.session_save(session=session)
    statuses = list(
        Registration.objects.filter(session=session)
        .order_by("registered_at", "pk")
        .values_list("status", flat=True)
    )
    assert statuses == [*[RegistrationStatus.CONFIRMED] * 3, RegistrationStatus.WAITING]


def test_session_form_rejects_end_before_start(competence_cast, client_for):
    client = client_for(competence_cast["sector_leader"])
    activity = competence_cast.activity
    response = client.post(
        reverse("competence:session-add", args=[activity.pk]),
        {
            "starts_at": "2027-03-02T12:00",
            "ends_at": "2027-03-02T11:00",
            "place": "",
            "capacity": "",
        },
    )
    assert response.status_code == 400
    assert "Slutt må være etter start." in response.content.decode()
    assert activity.sessions.count() == 1


def test_organiser_adds_a_session(competence_cast, client_for):
    client = client_for(competence_cast.organiser)
    activity = competence_cast.activity
    response = client.post(
        reverse("competence:session-add", args=[activity.pk]),
        {
            "starts_at": "2027-03-02T12:00",
            "ends_at": "2027-03-02T15:30",
            "place": "",
            "capacity": "30",
        },
    )
    assert response.status_code == 302
    added = activity.sessions.get(capacity=30)
    assert timezone.localtime(added.starts_at).strftime("%d.%m.%Y %H:%M") == "02.03.2027 12:00"


# --- Attendance and feedback ------------------------------------------------------------


def test_organiser_marks_attendance_and_the_participant_gives_feedback(competence_cast, client_for):
    session = competence_cast.session
    came, stayed_away = school_staff(competence_cast, "kom"), school_staff(competence_cast, "borte")
    r_came = services.registration_create(session=session, user=came)
    services.registration_create(session=session, user=stayed_away)

    organiser = client_for(competence_cast.organiser)
    url = reverse("competence:session-attendance", args=[session.pk])
    early = organiser.post(url, {"attended": [r_came.pk]})
    assert early.status_code == 400
    assert "fra dagen samlingen holdes" in early.content.decode()
    assert not Registration.objects.filter(attended__isnull=False).exists()

    move_to_past(session)
    response = organiser.post(url, {"attended": [r_came.pk]}, follow=True)
    assert "1 møtte, 1 møtte ikke" in response.content.decode()
    assert Registration.objects.get(user=came).attended is True
    assert Registration.objects.get(user=stayed_away).attended is False

    absent = Registration.objects.get(user=stayed_away)
    assert (
        client_for(stayed_away)
        .get(reverse("competence:registration-feedback", args=[absent.pk]))
        .status_code
        == 404
    )
    participant = client_for(came)
    feedback_url = reverse("competence:registration-feedback", args=[r_came.pk])
    bad = participant.post(feedback_url, {"score": "7", "comment": ""})
    assert bad.status_code == 400
    assert not Feedback.objects.exists()
    participant.post(feedback_url, {"score": "4", "comment": "Nyttig"})
    participant.post(feedback_url, {"score": "5", "comment": "Svært nyttig"})
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (5, "Svært nyttig")


def test_attendance_is_for_organisers_and_sector_leaders(competence_cast, client_for):
    url = reverse("competence:session-attendance", args=[competence_cast.session.pk])
    assert client_for(competence_cast["staff"]).get(url).status_code == 403
    assert client_for(competence_cast["unit_leader"]).get(url).status_code == 403
    assert client_for(competence_cast["sector_leader"]).get(url).status_code == 200
    assert client_for(competence_cast.organiser).get(url).status_code == 200


def test_attendance_only_for_registered_people(competence_cast):
    session = competence_cast.session
    outsider = RegistrationFactory(session=competence_cast.other_session)
    move_to_past(session)
    with pytest.raises(ValidationError, match="bare føres for påmeldte"):
        services.attendance_save(session=session, attended_ids={outsider.pk})


# --- Activities -------------------------------------------------------------------------


def activity_post(cast, **overrides):
    data = {
        "school_year": "2026",
        "form": "kurs",
        "title": "Kurs i relasjonskompetanse",
        "content": "Hvordan bygge gode relasjoner",
        "new_themes": "Relasjoner, Psykisk helse",
        "target_kinds": ["barnehage"],
        "target_roles": [],
        "target_description": "Assistenter",
        "partners": "Universitetet",
        "place": "Kulturhuset",
        "budget": "12000",
        "spent": "0",
    }
    data.update(overrides)
    return data


def test_sector_leader_creates_an_activity_with_new_themes(competence_cast, client_for):
    client = client_for(competence_cast["sector_leader"])
    response = client.post(reverse("competence:activity-add"), activity_post(competence_cast))
    assert response.status_code == 302
    activity = Activity.objects.get(title="Kurs i relasjonskompetanse")
    assert activity.municipality == competence_cast.municipality
    assert activity.target_kinds == [UnitKind.KINDERGARTEN]
    assert sorted(activity.themes.values_list("name", flat=True)) == ["Psykisk helse", "Relasjoner"]
    # The existing theme is reused, not duplicated.
    assert (
        Theme.objects.filter(
            municipality=competence_cast.municipality, name="Psykisk helse"
        ).count()
        == 1
    )


def test_activity_form_refuses_another_municipalitys_units_and_bad_numbers(
    competence_cast, client_for
):
    client = client_for(competence_cast["sector_leader"])
    response = client.post(
        reverse("competence:activity-add"),
        activity_post(competence_cast, target_units=[competence_cast.other_unit.pk], budget="-5"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Velg et gyldig valg" in body or "Select a valid choice" in body
    assert not Activity.objects.filter(title="Kurs i relasjonskompetanse").exists()
    response = client.post(
        reverse("competence:activity-add"), activity_post(competence_cast, new_themes="=CMD()")
    )
    assert "kan ikke begynne med «=»" in response.content.decode()


def test_who_may_change_activities(competence_cast, client_for):
    edit = reverse("competence:activity-edit", args=[competence_cast.activity.pk])
    assert client_for(competence_cast["staff"]).get(edit).status_code == 403
    assert client_for(competence_cast.organiser).get(edit).status_code == 200
    assert (
        client_for(competence_cast["sector_leader"])
        .get(reverse("competence:activity-add"))
        .status_code
        == 200
    )
    assert (
        client_for(competence_cast["unit_leader"])
        .get(reverse("competence:activity-add"))
        .status_code
        == 403
    )
    delete = reverse("competence:activity-delete", args=[competence_cast.activity.pk])
    assert client_for(competence_cast.organiser).post(delete).status_code == 403
    other = reverse("competence:activity-edit", args=[competence_cast.other_activity.pk])
    assert client_for(competence_cast["sector_leader"]).get(other).status_code == 404
    assert client_for(competence_cast["sector_leader"]).post(delete).status_code == 302
    assert not Activity.objects.filter(pk=competence_cast.activity.pk).exists()


def test_activity_detail_queries_do_not_grow_with_sessions(
    competence_cast, client_for, django_assert_max_num_queries
):
    client = client_for(competence_cast["staff"])
    activity = competence_cast.activity
    url = reverse("competence:activity-detail", args=[activity.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        response = client.get(url)
    assert response.status_code == 200
    shown = len(response.context["sessions"])
    start = timezone.now() + datetime.timedelta(days=40)
    for n in range(12):
        session = SessionFactory(
            activity=activity,
            starts_at=start + datetime.timedelta(days=n),
            ends_at=start + datetime.timedelta(days=n, hours=2),
        )
        RegistrationFactory(session=session)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["sessions"]) == shown + 12


# --- Overviews --------------------------------------------------------------------------


def test_my_page_lists_what_is_meant_for_me_and_my_registrations(competence_cast, client_for):
    staff = competence_cast["staff"]
    client = client_for(staff)
    page = client.get(reverse("competence:mine")).content.decode()
    assert "Fagdag om skolefravær" in page
    assert "Du er ikke påmeldt noen kommende samlinger." in page
    services.registration_create(session=competence_cast.session, user=staff)
    page = client.get(reverse("competence:mine")).content.decode()
    assert "Meld meg av" in page
    assert "Nabovik-kurs" not in page
    assert (
        client_for(competence_cast["elected_official"]).get(reverse("competence:mine")).status_code
        == 403
    )


def test_leader_sees_attendance_for_own_units_only(competence_cast, client_for):
    session = competence_cast.session
    teacher = school_staff(competence_cast, "skolelærer")
    teacher.first_name, teacher.last_name = "Siri", "Skole"
    teacher.save()
    registration = services.registration_create(session=session, user=teacher)
    move_to_past(session)
    services.attendance_save(session=session, attended_ids={registration.pk})

    leader = client_for(competence_cast["unit_leader"])
    url = reverse("competence:unit-attendance")
    page = leader.get(url, {"unit": competence_cast.school.pk, "year": 2026}).content.decode()
    assert "Siri Skole" in page
    assert "Oppmøte på holdte samlinger: 100 % (1 av 1)." in page
    assert leader.get(url, {"unit": competence_cast.kindergarten.pk}).status_code == 404
    assert client_for(competence_cast["staff"]).get(url).status_code == 403
    sector = client_for(competence_cast["sector_leader"]).get(
        url, {"unit": competence_cast.kindergarten.pk, "year": 2026}
    )
    assert "Siri Skole" not in sector.content.decode()


def test_home_page_lists_my_next_sessions(competence_cast, client_for):
    staff = competence_cast["staff"]
    client = client_for(staff)
    assert "Kurs og samlinger du er påmeldt" not in client.get("/").content.decode()
    services.registration_create(session=competence_cast.session, user=staff)
    page = client.get("/").content.decode()
    assert "Kurs og samlinger du er påmeldt" in page
    assert "Fagdag om skolefravær" in page
