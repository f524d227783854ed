"""Fortellinger: participation input and user journeys — what elected officials may see,
who registers and edits, the filters, and the journey pages with their ordered steps."""

from __future__ import annotations

import datetime
import re

import factory
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import (
    InputGroup,
    InputSetting,
    JourneyStep,
    ParticipationInput,
    StepAssessment,
    UserJourney,
)
from plans.services.participation import participation_input_save, user_journey_save

# --- factories (shared with tests/test_access_matrix.py) ----------------------------------


class ParticipationInputFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipationInput

    municipality = factory.SubFactory("tests.factories.MunicipalityFactory")
    quote = factory.Sequence(lambda n: f"Fortelling nummer {n} om hverdagen.")
    descriptor = "Jente, 5 år"
    group = InputGroup.CHILDREN
    setting = InputSetting.CONVERSATION
    given_on = datetime.date(2025, 3, 12)
    publishable = True


class UserJourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserJourney

    municipality = factory.SubFactory("tests.factories.MunicipalityFactory")
    title = factory.Sequence(lambda n: f"Brukerreise {n}")
    carried_out_on = datetime.date(2025, 2, 1)
    findings = "Familien måtte fortelle historien sin mange ganger.\nOverganger var sårbare."
    publishable = True


class JourneyStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyStep

    journey = factory.SubFactory(UserJourneyFactory)
    order = factory.Sequence(lambda n: n + 1)
    service = "Helsestasjonen"
    what_happened = "Helsesykepleier la merke til at gutten var stille."
    assessment = StepAssessment.GOOD


SECRET = "Dette vil jeg ikke at politikerne skal lese."
OPEN = "Jeg liker best når de voksne leker med oss ute."


@pytest.fixture
def inputs(plan_cast):
    secret = ParticipationInputFactory(
        municipality=plan_cast.municipality,
        quote=SECRET,
        descriptor="Gutt, 15 år",
        group=InputGroup.YOUTH,
        setting=InputSetting.SURVEY,
        unit=plan_cast.school,
        publishable=False,
    )
    shared = ParticipationInputFactory(municipality=plan_cast.municipality, quote=OPEN)
    shared.areas.set([plan_cast.areas[0]])
    return secret, shared


def journey_with_steps(plan_cast, publishable=True):
    journey = UserJourneyFactory(
        municipality=plan_cast.municipality,
        title="Fra barnehage til skole",
        publishable=publishable,
    )
    journey.areas.set([plan_cast.areas[1]])
    JourneyStepFactory(journey=journey, order=1, service="Helsestasjonen")
    JourneyStepFactory(
        journey=journey,
        order=2,
        service="PPT",
        what_happened="Lang ventetid på utredning.",
        assessment=StepAssessment.WEAK,
    )
    return journey


# --- what elected officials see -----------------------------------------------------------


def test_elected_official_never_sees_an_unpublishable_quote(plan_cast, client_for, inputs):
    body = (
        client_for(plan_cast["elected_official"])
        .get(reverse("plans:participation-list"))
        .content.decode()
    )
    assert SECRET not in body
    assert OPEN in body
    assert "Ikke samtykke til publisering" not in body
    # Not even through a filter that names the unit or asks for everything.
    filtered = (
        client_for(plan_cast["elected_official"])
        .get(reverse("plans:participation-list"), {"unit": plan_cast.school.pk})
        .content.decode()
    )
    assert SECRET not in filtered


def test_staff_see_unpublishable_input_marked_as_such(plan_cast, client_for, inputs):
    body = client_for(plan_cast["staff"]).get(reverse("plans:participation-list")).content.decode()
    assert SECRET in body
    assert OPEN in body
    assert body.count("Ikke samtykke til publisering") == 1
    # Each card: the quote as a blockquote, who said it, group, setting, date, unit, areas.
    card = body[body.index(SECRET) - 400 : body.index(SECRET) + 1500]
    assert "<blockquote" in card
    assert "Gutt, 15 år" in card
    assert "Ungdom" in card
    assert "Spørreundersøkelse" in card
    assert "12.03.2025" in card
    assert "Solvik barneskole" in card


def test_elected_official_gets_404_for_an_unpublishable_journey(plan_cast, client_for):
    hidden = journey_with_steps(plan_cast, publishable=False)
    client = client_for(plan_cast["elected_official"])
    assert client.get(reverse("plans:journey-detail", args=[hidden.pk])).status_code == 404
    listing = client.get(reverse("plans:journey-list")).content.decode()
    assert "Fra barnehage til skole" not in listing
    hidden.publishable = True
    hidden.save()
    assert client.get(reverse("plans:journey-detail", args=[hidden.pk])).status_code == 200


# --- the list -----------------------------------------------------------------------------


def test_filters_by_group_setting_area_unit_and_consent(plan_cast, client_for, inputs):
    client = client_for(plan_cast["sector_leader"])
    url = reverse("plans:participation-list")

    def quotes(**params):
        body = client.get(url, params).content.decode()
        return {quote for quote in (SECRET, OPEN) if quote in body}

    assert quotes(group="ungdom") == {SECRET}
    assert quotes(setting="barnesamtale") == {OPEN}
    assert quotes(area=plan_cast.areas[0].pk) == {OPEN}
    assert quotes(unit=plan_cast.school.pk) == {SECRET}
    assert quotes(only_publishable="on") == {OPEN}
    assert quotes() == {SECRET, OPEN}


def test_list_is_paginated_by_25(plan_cast, client_for):
    for _n in range(30):
        ParticipationInputFactory(municipality=plan_cast.municipality)
    client = client_for(plan_cast["staff"])
    first = client.get(reverse("plans:participation-list")).content.decode()
    assert first.count("<blockquote") == 25
    assert "Side 1 av 2" in first
    second = client.get(reverse("plans:participation-list"), {"page": 2}).content.decode()
    assert second.count("<blockquote") == 5


def test_list_query_count_does_not_grow_with_rows(plan_cast, client_for):
    client = client_for(plan_cast["staff"])
    url = reverse("plans:participation-list")

    def add(count):
        for _n in range(count):
            item = ParticipationInputFactory(
                municipality=plan_cast.municipality, unit=plan_cast.sfo
            )
            item.areas.set(plan_cast.areas)
            item.components.set(plan_cast.components[:2])

    add(2)
    client.get(url)  # the first request after login also stamps the session
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    listed = response.context["paginator"].count
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["paginator"].count == listed + 20
    assert len(few) == len(many)


# --- registering and editing ---------------------------------------------------------------


def input_form(plan_cast, **overrides):
    data = {
        "quote": "Vi vil være med å bestemme mer i friminuttene.",
        "descriptor": "Elev, 6. trinn",
        "group": "barn",
        "setting": "elevrad",
        "given_on": "2025-10-01",
        "unit": plan_cast.school.pk,
        "areas": [plan_cast.areas[0].pk],
        "components": [plan_cast.components[2].pk],
        "publishable": "on",
    }
    data.update(overrides)
    return data


def test_unit_leader_registers_input_for_their_own_unit(plan_cast, client_for):
    client = client_for(plan_cast["unit_leader"])
    url = reverse("plans:participation-add")
    refused = client.post(url, input_form(plan_cast, unit=plan_cast.kindergarten.pk))
    assert refused.status_code == 200  # the form again, with the unit not on offer
    assert not ParticipationInput.objects.exists()

    response = client.post(url, input_form(plan_cast))
    assert response.status_code == 302
    item = ParticipationInput.objects.get()
    assert item.municipality == plan_cast.municipality
    assert item.created_by == plan_cast["unit_leader"]
    assert item.unit == plan_cast.school
    # A core component brings its area along.
    assert set(item.areas.all()) == {plan_cast.areas[0], plan_cast.areas[1]}
    assert list(item.components.all()) == [plan_cast.components[2]]


def test_only_areas_of_the_plan_in_force_are_offered(plan_cast, client_for):
    other = plan_cast.other_plan.quality_plan.areas.first()
    client = client_for(plan_cast["sector_leader"])
    page = client.get(reverse("plans:participation-add")).content.decode()
    assert "Inkluderende miljø" in page
    assert "Naboviks område" not in page
    client.post(reverse("plans:participation-add"), input_form(plan_cast, areas=[other.pk]))
    assert not ParticipationInput.objects.exists()


def test_service_refuses_another_municipalitys_unit_and_areas(plan_cast):
    other_area = plan_cast.other_plan.quality_plan.areas.first()
    base = {
        "quote": "Hei",
        "group": "barn",
        "setting": "horing",
        "given_on": datetime.date(2025, 1, 1),
    }
    with pytest.raises(ValidationError) as error:
        participation_input_save(
            municipality=plan_cast.municipality,
            data={**base, "unit": plan_cast.other_unit},
            actor=plan_cast["sector_leader"],
        )
    assert "Enheten hører ikke til kommunen." in str(error.value)
    with pytest.raises(ValidationError):
        participation_input_save(
            municipality=plan_cast.municipality,
            data={**base, "areas": [other_area]},
            actor=plan_cast["sector_leader"],
        )
    assert not ParticipationInput.objects.exists()


def test_edit_and_delete_are_for_sector_leaders_and_data_admins(plan_cast, client_for, inputs):
    _secret, shared = inputs
    edit = reverse("plans:participation-edit", args=[shared.pk])
    delete = reverse("plans:participation-delete", args=[shared.pk])
    assert client_for(plan_cast["unit_leader"]).get(edit).status_code == 403
    assert client_for(plan_cast["unit_leader"]).post(delete).status_code == 403

    client = client_for(plan_cast["data_admin"])
    response = client.post(edit, input_form(plan_cast, quote="Endret sitat", unit=""))
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.quote == "Endret sitat"
    assert shared.unit is None
    assert client.post(delete).status_code == 302
    assert not ParticipationInput.objects.filter(pk=shared.pk).exists()


# --- user journeys -------------------------------------------------------------------------


def test_journey_page_shows_ordered_steps_with_words_and_icons(plan_cast, client_for):
    journey = journey_with_steps(plan_cast)
    body = (
        client_for(plan_cast["staff"])
        .get(reverse("plans:journey-detail", args=[journey.pk]))
        .content.decode()
    )
    steps = re.search(r'<ol class="journey-steps">(.*?)</ol>', body, re.S).group(1)
    assert steps.index("Helsestasjonen") < steps.index("PPT")
    assert "Godt punkt" in steps
    assert "Svakt punkt" in steps
    assert "✓" in steps
    assert "✗" in steps
    assert "<li>Overganger var sårbare.</li>" in body
    assert "Tidlig innsats" in body  # the linked area


def test_journey_is_created_with_its_steps_in_order(plan_cast, client_for):
    client = client_for(plan_cast["sector_leader"])
    data = {
        "title": "Ungdom som trenger hjelp",
        "description": "",
        "carried_out_on": "2025-05-05",
        "findings": "Ventetid\nMange å forholde seg til",
        "areas": [plan_cast.areas[1].pk],
        "publishable": "on",
        "steps-TOTAL_FORMS": "2",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "steps-0-order": "",
        "steps-0-service": "Skolehelsetjenesten",
        "steps-0-what_happened": "Fikk snakke med helsesykepleier samme dag.",
        "steps-0-assessment": "good",
        "steps-1-order": "",
        "steps-1-service": "BUP",
        "steps-1-what_happened": "Sto på venteliste i fire måneder.",
        "steps-1-assessment": "weak",
    }
    response = client.post(reverse("plans:journey-add"), data)
    journey = UserJourney.objects.get()
    assert response["Location"] == reverse("plans:journey-detail", args=[journey.pk])
    assert list(journey.steps.values_list("order", "service", "assessment")) == [
        (1, "Skolehelsetjenesten", "good"),
        (2, "BUP", "weak"),
    ]
    assert journey.municipality == plan_cast.municipality


def test_journey_save_replaces_the_steps(plan_cast):
    journey = journey_with_steps(plan_cast)
    user_journey_save(
        municipality=plan_cast.municipality,
        data={"title": "Fra barnehage til skole"},
        steps=[
            {"service": "Skolen", "what_happened": "Godt mottak.", "assessment": "good"},
            {"service": "SFO", "what_happened": "Ingen visste om behovene.", "assessment": ""},
        ],
        actor=plan_cast["sector_leader"],
        instance=journey,
    )
    assert list(journey.steps.values_list("order", "service", "assessment")) == [
        (1, "Skolen", "good"),
        (2, "SFO", "neutral"),
    ]


def test_unit_leader_may_not_add_journeys(plan_cast, client_for):
    assert client_for(plan_cast["unit_leader"]).get(reverse("plans:journey-add")).status_code == 403
