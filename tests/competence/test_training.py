"""Mandatory training (the BTI model): the requirement, who has completed it per unit,
new staff, the staff member's reminder and who may see the names."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from competence.models import Registration, TrainingRequirement, TrainingRequirementChange
from competence.selectors.training import training_due_for, training_status
from competence.services.training import training_requirement_save
from plans.models import Membership, Role, Unit, UnitKind
from tests.factories import (
    ActivityFactory,
    MembershipFactory,
    SessionFactory,
    ThemeFactory,
    UserFactory,
)

URL = "/competence/bti-opplaering/"


def _session(activity, days):
    start = timezone.now() + datetime.timedelta(days=days)
    return SessionFactory(
        activity=activity, starts_at=start, ends_at=start + datetime.timedelta(hours=2)
    )


def _attended(session, user, attended=True):
    return Registration.objects.create(
        session=session, user=user, status="pameldt", attended=attended
    )


@pytest.fixture
def bti(cast):
    """Solvik's BTI requirement for staff and unit leaders, a BTI course held 30 days ago
    that the unit leader attended and the staff member did not, and a coming session."""
    theme = ThemeFactory(municipality=cast.municipality, name="BTI")
    course = ActivityFactory(municipality=cast.municipality, title="BTI for nyansatte")
    course.themes.add(theme)
    held = _session(course, -30)
    _attended(held, cast["unit_leader"])
    _attended(held, cast["staff"], attended=False)
    coming = _session(course, 20)
    requirement = training_requirement_save(
        municipality=cast.municipality,
        data={
            "name": "BTI-modellen",
            "themes": [theme],
            "roles": [Role.STAFF, Role.UNIT_LEADER],
        },
        actor=cast["sector_leader"],
    )
    return {"theme": theme, "course": course, "held": held, "coming": coming, "req": requirement}


def _people(statuses):
    return {
        (status.unit.name if status.unit else None, person.user.username): person
        for status in statuses
        for person in status.people
    }


def test_completion_comes_from_attendance_on_a_counting_activity(cast, bti):
    statuses = training_status(
        requirement=bti["req"], units=Unit.objects.all(), whole_municipality=True
    )
    people = _people(statuses)
    assert people[("Solvik barneskole", "virksomhetsleder")].done
    assert people[("Solvik barneskole", "virksomhetsleder")].completed_on == (
        timezone.localdate(bti["held"].starts_at)
    )
    # Signed up but marked absent: not done.
    assert not people[("Solvik barneskole", "ansatt")].done
    # Roles the requirement does not name are not listed; nor is another municipality.
    names = {username for _unit, username in people}
    assert names == {"virksomhetsleder", "ansatt"}
    school = next(status for status in statuses if status.unit == cast.school)
    assert (school.done_count, school.missing_count) == (1, 1)


def test_only_counting_activities_and_confirmed_attendance_count(cast, bti):
    other = ActivityFactory(municipality=cast.municipality, title="Lesekurs")
    _attended(_session(other, -5), cast["staff"])
    waiting = _session(bti["course"], -3)
    Registration.objects.create(
        session=waiting, user=cast["staff"], status="venteliste", attended=True
    )
    people = _people(
        training_status(requirement=bti["req"], units=[cast.school], whole_municipality=False)
    )
    assert not people[("Solvik barneskole", "ansatt")].done
    # Marking the activity itself makes it count.
    bti["req"].activities.add(other)
    people = _people(
        training_status(requirement=bti["req"], units=[cast.school], whole_municipality=False)
    )
    assert people[("Solvik barneskole", "ansatt")].done


def test_a_coming_session_does_not_count_before_it_is_held(cast, bti):
    _attended(bti["coming"], cast["staff"])
    people = _people(
        training_status(requirement=bti["req"], units=[cast.school], whole_municipality=False)
    )
    assert not people[("Solvik barneskole", "ansatt")].done


def test_training_must_be_renewed_after_the_valid_years(cast, bti):
    old = _session(bti["course"], -3 * 365)
    _attended(old, cast["staff"])
    requirement = bti["req"]
    people = _people(
        training_status(requirement=requirement, units=[cast.school], whole_municipality=False)
    )
    assert people[("Solvik barneskole", "ansatt")].done
    requirement.valid_years = 2
    requirement.save()
    people = _people(
        training_status(requirement=requirement, units=[cast.school], whole_municipality=False)
    )
    assert not people[("Solvik barneskole", "ansatt")].done
    leader = people[("Solvik barneskole", "virksomhetsleder")]
    assert leader.expires_on == leader.completed_on.replace(year=leader.completed_on.year + 2)


def test_unit_kinds_limit_who_must_have_it(cast, bti):
    requirement = bti["req"]
    requirement.unit_kinds = [UnitKind.SFO]
    requirement.save()
    people = _people(
        training_status(requirement=requirement, units=Unit.objects.all(), whole_municipality=True)
    )
    assert {unit for unit, _name in people} == {"Solvik SFO"}


def test_new_staff_are_those_whose_role_took_effect_recently(cast, bti):
    newcomer = UserFactory(username="ny", first_name="Nora", last_name="Ny")
    MembershipFactory(
        user=newcomer,
        municipality=cast.municipality,
        unit=cast.school,
        role=Role.STAFF,
        confirmed_at=timezone.now() - datetime.timedelta(days=40),
    )
    Membership.objects.filter(user=cast["staff"]).update(
        confirmed_at=timezone.now() - datetime.timedelta(days=800)
    )
    statuses = training_status(
        requirement=bti["req"], units=[cast.school], whole_municipality=False
    )
    people = _people(statuses)
    assert people[("Solvik barneskole", "ny")].is_new
    assert not people[("Solvik barneskole", "ansatt")].is_new
    school = statuses[0]
    assert [person.user.username for person in school.new_missing] == ["ny"]
    # Listed until they have it.
    _attended(bti["held"], newcomer)
    school = training_status(requirement=bti["req"], units=[cast.school], whole_municipality=False)[
        0
    ]
    assert school.new_missing == []


def test_pending_memberships_and_inactive_users_are_not_listed(cast, bti):
    waiting = UserFactory(username="venter")
    MembershipFactory(user=waiting, municipality=cast.municipality, unit=cast.school, pending=True)
    gone = UserFactory(username="sluttet", is_active=False)
    MembershipFactory(user=gone, municipality=cast.municipality, unit=cast.school)
    people = _people(
        training_status(requirement=bti["req"], units=[cast.school], whole_municipality=False)
    )
    assert {name for _unit, name in people} == {"virksomhetsleder", "ansatt"}


# --- The requirement: who sets it, validation, history ------------------------------------


def test_the_requirement_records_who_changed_what(cast, bti):
    requirement = bti["req"]
    first = requirement.changes.get()
    assert first.actor == cast["sector_leader"]
    training_requirement_save(
        municipality=cast.municipality,
        data={"valid_years": 3, "roles": [Role.STAFF]},
        actor=cast["sector_leader"],
        instance=requirement,
    )
    change = requirement.changes.order_by("-pk").first()
    fields = {field["field"]: (field["old"], field["new"]) for field in change.fields}
    assert fields["Fornyes etter (år)"] == ("Fornyes ikke", "3")
    assert fields["Roller som må ha opplæringen"] == ("Ansatt, Virksomhetsleder", "Ansatt")
    assert len(fields) == 2


@pytest.mark.parametrize("persona", ["bti_coordinator", "unit_leader", "staff", "data_admin"])
def test_only_the_sector_leader_sets_requirements(cast, bti, persona):
    with pytest.raises(PermissionDenied):
        training_requirement_save(
            municipality=cast.municipality,
            data={"name": "Førstehjelp", "themes": [bti["theme"]], "roles": [Role.STAFF]},
            actor=cast[persona],
        )
    assert not TrainingRequirement.objects.filter(name="Førstehjelp").exists()


def test_another_municipalitys_theme_or_activity_is_refused(cast, bti):
    foreign = ThemeFactory(municipality=cast.other_municipality, name="BTI")
    foreign_activity = ActivityFactory(municipality=cast.other_municipality)
    for data in ({"themes": [foreign]}, {"activities": [foreign_activity]}):
        with pytest.raises(ValidationError):
            training_requirement_save(
                municipality=cast.municipality,
                data={"name": "Førstehjelp", "roles": [Role.STAFF], **data},
                actor=cast["sector_leader"],
            )
    assert not TrainingRequirement.objects.filter(name="Førstehjelp").exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["sjef"]}, "roles"),
        ({"unit_kinds": ["slott"]}, "unit_kinds"),
        ({"name": "BTI\u202emodellen"}, "name"),
        ({"description": "x" * 1_000_000}, "description"),
        ({"description": "Les\u2066 dette"}, "description"),
        ({"valid_years": 0}, "valid_years"),
        ({"themes": []}, "themes"),
    ],
)
def test_bad_requirements_are_refused_and_nothing_is_written(cast, bti, data, field):
    payload = {"name": "Førstehjelp", "themes": [bti["theme"]], "roles": [Role.STAFF], **data}
    with pytest.raises(ValidationError) as error:
        training_requirement_save(
            municipality=cast.municipality, data=payload, actor=cast["sector_leader"]
        )
    assert field in error.value.message_dict
    assert TrainingRequirement.objects.count() == 1
    assert TrainingRequirementChange.objects.count() == 1


def test_the_form_refuses_another_municipalitys_theme(cast, bti, client_for):
    foreign = ThemeFactory(municipality=cast.other_municipality, name="Naboviks BTI")
    response = client_for(cast["sector_leader"]).post(
        reverse("competence:training-requirement-add"),
        {"name": "Førstehjelp", "themes": [foreign.pk], "roles": [Role.STAFF]},
    )
    assert response.status_code == 400
    assert "themes" in response.context["form"].errors
    assert not TrainingRequirement.objects.filter(name="Førstehjelp").exists()


def test_the_sector_leader_changes_the_requirement_on_its_page(cast, bti, client_for):
    client = client_for(cast["sector_leader"])
    url = reverse("competence:training-requirement-edit", args=[bti["req"].pk])
    page = client.get(url)
    assert "Opplæringskrav satt" in page.content.decode()
    response = client.post(
        url,
        {
            "name": "BTI-modellen",
            "themes": [bti["theme"].pk],
            "roles": [Role.STAFF],
            "new_staff_months": "6",
            "active": "on",
        },
    )
    assert response.status_code == 302
    bti["req"].refresh_from_db()
    assert (bti["req"].roles, bti["req"].new_staff_months) == ([Role.STAFF], 6)


# --- The follow-up page --------------------------------------------------------------------


def test_the_coordinator_sees_every_unit_with_names(cast, bti, client_for):
    body = client_for(cast["bti_coordinator"]).get(URL).content.decode()
    assert "Solvik barneskole" in body
    assert "Solvik SFO" in body
    assert cast["staff"].get_full_name() in body
    assert "Mangler" in body


def test_a_unit_leader_sees_only_the_units_they_lead(cast, bti, client_for):
    kg_staff = UserFactory(username="barnehage", first_name="Kari", last_name="Barnehage")
    MembershipFactory(user=kg_staff, municipality=cast.municipality, unit=cast.kindergarten)
    client = client_for(cast["unit_leader"])
    body = client.get(URL).content.decode()
    assert "Solvik barneskole" in body
    assert "Kari Barnehage" not in body
    assert client.get(URL, {"enhet": cast.kindergarten.pk}).status_code == 404
    coordinator = client_for(cast["bti_coordinator"])
    assert "Kari Barnehage" in coordinator.get(URL).content.decode()


def test_the_filter_shows_one_unit_and_only_those_missing(cast, bti, client_for):
    client = client_for(cast["bti_coordinator"])
    response = client.get(URL, {"enhet": cast.school.pk, "mangler": "1"})
    people = _people(response.context["statuses"])
    assert set(people) == {("Solvik barneskole", "ansatt")}


@pytest.mark.parametrize(
    "query", [{"enhet": "x"}, {"enhet": "99999999999999999999"}, {"krav": "0"}]
)
def test_bad_filters_are_not_found(cast, bti, client_for, query):
    assert client_for(cast["bti_coordinator"]).get(URL, query).status_code == 404


def test_another_municipalitys_unit_is_not_found(cast, bti, client_for):
    response = client_for(cast["bti_coordinator"]).get(URL, {"enhet": cast.other_unit.pk})
    assert response.status_code == 404


def test_the_csv_lists_the_same_rows_with_formula_cells_escaped(cast, bti, client_for):
    cast["staff"].first_name = "=HYPERLINK(1)"
    cast["staff"].save()
    response = client_for(cast["sector_leader"]).get(
        reverse("competence:bti-training-export"), {"mangler": "1"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("Enhet;Navn;Roller")
    assert any("'=HYPERLINK(1)" in line and "Mangler" in line for line in lines)
    assert not any("virksomhetsleder" in line.lower() for line in lines[1:])


def test_the_page_asks_the_same_few_queries_for_one_and_many_units(
    cast, bti, client_for, django_assert_max_num_queries
):
    client = client_for(cast["bti_coordinator"])
    client.get(URL)  # warm the session and the caches

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = count()
    for index in range(12):
        unit = Unit.objects.create(
            municipality=cast.municipality, name=f"Skole {index}", kind=UnitKind.SCHOOL
        )
        for person in range(4):
            user = UserFactory(username=f"ansatt-{index}-{person}")
            MembershipFactory(user=user, municipality=cast.municipality, unit=unit)
            if person % 2:
                _attended(bti["held"], user)
    with django_assert_max_num_queries(few):
        response = client.get(URL)
    assert len(_people(response.context["statuses"])) == 2 + 2 + 48


def test_no_requirement_yet_invites_the_sector_leader(cast, client_for):
    body = client_for(cast["sector_leader"]).get(URL).content.decode()
    assert reverse("competence:training-requirement-add") in body
    body = client_for(cast["bti_coordinator"]).get(URL).content.decode()
    assert reverse("competence:training-requirement-add") not in body


# --- The staff member's own page -----------------------------------------------------------


def test_staff_see_that_they_need_it_and_which_session_gives_it(cast, bti, client_for):
    due = training_due_for(cast["staff"])
    assert [item.requirement for item in due] == [bti["req"]]
    assert due[0].sessions == [bti["coming"]]
    body = client_for(cast["staff"]).get(reverse("competence:mine")).content.decode()
    assert "Du mangler opplæring: BTI-modellen" in body
    assert reverse("competence:activity-detail", args=[bti["course"].pk]) in body


def test_those_who_have_it_or_need_not_see_no_reminder(cast, bti, client_for):
    assert training_due_for(cast["unit_leader"]) == []
    assert training_due_for(cast["data_admin"]) == []
    bti["req"].active = False
    bti["req"].save()
    assert training_due_for(cast["staff"]) == []
