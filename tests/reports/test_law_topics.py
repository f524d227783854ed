"""The law's three topics (opplæringslova § 17-12): the sector leader maps indicators to
læringsmiljø, læringsresultater and gjennomføring on a page under /reports/; nobody else
may, and nobody may map another municipality's indicator; ordering warns (never blocks)
when a topic has no indicator or no figure for the year."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans.schoolyear import SchoolYear
from reports.models import LawTopic, LawTopicIndicator, ReportState, StatusReport
from reports.selectors.law_topics import law_topic_warnings, law_topics_for
from reports.services.law_topics import law_topics_save
from tests.conftest import PERSONAS
from tests.indicators.factories_pages import IndicatorFactory, observe, solvik

URL = reverse("reports:law-topics")
LAST_YEAR = SchoolYear.current().start_year - 1  # what the order form offers first


@pytest.fixture
def indicators(cast):
    """The installation's indicator, Solvik's own (with a figure for last school year),
    and the neighbour's own."""
    shared = IndicatorFactory(name="Felles trivsel", municipality=None)
    own = IndicatorFactory(name="Solviks mobbing", municipality=cast.municipality)
    observe(own, solvik(), SchoolYear(LAST_YEAR).label, "6.5")
    foreign = IndicatorFactory(name="Naboviks hemmelige", municipality=cast.other_municipality)
    return shared, own, foreign


def mapping(municipality) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {topic: [] for topic in LawTopic.values}
    for link in LawTopicIndicator.objects.filter(municipality=municipality).order_by(
        "topic", "order"
    ):
        found[link.topic].append(link.indicator.name)
    return found


def post(client, **places) -> object:
    return client.post(URL, {key: str(value) for key, value in places.items()})


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_sector_leader_opens_the_mapping_page(cast, client_for, indicators, persona):
    response = client_for(cast[persona]).get(URL)
    assert response.status_code == (200 if persona == "sector_leader" else 403)


@pytest.mark.parametrize("persona", ["anonymous", "no_membership", "other_municipality"])
def test_outsiders_never_reach_the_mapping_page(cast, client_for, indicators, persona):
    user = None if persona == "anonymous" else cast[persona]
    response = client_for(user).get(URL)
    if persona == "anonymous":
        assert response.status_code == 302
        assert "/login" in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "sector_leader"])
def test_no_one_but_the_sector_leader_changes_the_mapping(cast, client_for, indicators, persona):
    _shared, own, _foreign = indicators
    response = post(client_for(cast[persona]), laeringsmiljo_1=own.pk)
    assert response.status_code == 403
    assert not LawTopicIndicator.objects.exists()


def test_the_neighbours_data_admin_cannot_change_solviks_mapping(cast, client_for, indicators):
    shared, own, _foreign = indicators
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    response = post(client_for(cast["other_municipality"]), laeringsmiljo_1=shared.pk)
    assert response.status_code == 403
    assert mapping(cast.municipality)["laeringsmiljo"] == ["Solviks mobbing"]


def test_the_report_list_links_to_the_mapping_for_the_sector_leader_only(
    cast, client_for, indicators
):
    leader = client_for(cast["sector_leader"]).get(reverse("reports:report-list"))
    assert URL in leader.content.decode()
    official = client_for(cast["elected_official"]).get(reverse("reports:report-list"))
    assert URL not in official.content.decode()


# --- What is stored -----------------------------------------------------------------------


def test_the_sector_leader_maps_indicators_in_order_and_sees_them_again(
    cast, client_for, indicators
):
    shared, own, _foreign = indicators
    client = client_for(cast["sector_leader"])
    response = post(
        client,
        laeringsmiljo_1=own.pk,
        laeringsmiljo_2="",
        laeringsmiljo_3=shared.pk,
        laeringsresultater_1=shared.pk,
    )
    assert response.status_code == 302
    assert mapping(cast.municipality) == {
        "laeringsmiljo": ["Solviks mobbing", "Felles trivsel"],
        "laeringsresultater": ["Felles trivsel"],
        "gjennomforing": [],
    }
    page = client.get(URL).content.decode()
    # The stored order comes back in the places, with empty places to add more.
    assert f'<option value="{own.pk}" selected>' in page.split('id="id_laeringsmiljo_2"')[0]
    assert 'id="id_laeringsmiljo_5"' in page
    # Saving again replaces the mapping: a topic left empty keeps nothing.
    post(client, gjennomforing_1=own.pk)
    assert mapping(cast.municipality) == {
        "laeringsmiljo": [],
        "laeringsresultater": [],
        "gjennomforing": ["Solviks mobbing"],
    }


def test_another_municipalitys_indicator_is_refused_by_name_and_nothing_is_stored(
    cast, client_for, indicators
):
    shared, own, foreign = indicators
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    client = client_for(cast["sector_leader"])
    response = post(client, laeringsmiljo_1=shared.pk, gjennomforing_2=foreign.pk)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Gjennomføring, plass 2: velg en indikator fra listen." in page
    assert "Naboviks hemmelige" not in page  # never offered, never named
    assert mapping(cast.municipality)["laeringsmiljo"] == ["Solviks mobbing"]  # untouched


@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "-1", "1.5", "\u200b"])
def test_nonsense_ids_are_a_norwegian_error_not_a_crash(cast, client_for, indicators, value):
    response = post(client_for(cast["sector_leader"]), laeringsresultater_1=value)
    assert response.status_code == 400
    assert "Læringsresultater, plass 1: velg en indikator fra listen." in response.content.decode()
    assert not LawTopicIndicator.objects.exists()


def test_an_indicator_twice_in_one_topic_is_refused_naming_both_places(
    cast, client_for, indicators
):
    _shared, own, _foreign = indicators
    response = post(
        client_for(cast["sector_leader"]), laeringsmiljo_1=own.pk, laeringsmiljo_3=own.pk
    )
    assert response.status_code == 400
    assert (
        "Læringsmiljø, plass 3: indikatoren står allerede på plass 1." in response.content.decode()
    )
    assert not LawTopicIndicator.objects.exists()


def test_places_beyond_the_limit_are_not_made_from_a_flood_of_fields(cast, client_for, indicators):
    _shared, own, _foreign = indicators
    # Django stops more than 1000 fields itself; within that, at most MAX_PLACES are made.
    data = {f"laeringsmiljo_{n}": "" for n in range(1, 900)}
    data["laeringsmiljo_1"] = own.pk
    response = client_for(cast["sector_leader"]).post(URL, data)
    assert response.status_code == 302
    assert mapping(cast.municipality)["laeringsmiljo"] == ["Solviks mobbing"]


def test_a_form_never_makes_more_than_the_limit_of_places(cast, indicators):
    from reports.forms import LawTopicsForm

    data = {f"laeringsmiljo_{n}": "" for n in range(1, 900)}
    form = LawTopicsForm(data, indicators=list(indicators), current={})
    assert len(form.places["laeringsmiljo"]) == LawTopicsForm.MAX_PLACES
    assert len(form.places["gjennomforing"]) == LawTopicsForm.MIN_PLACES


def test_the_service_refuses_another_municipalitys_indicator_and_writes_nothing(cast, indicators):
    shared, own, foreign = indicators
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    with pytest.raises(ValidationError) as refused:
        law_topics_save(
            municipality=cast.municipality,
            topics={"laeringsmiljo": [shared], "gjennomforing": [foreign]},
        )
    assert "Gjennomføring: indikatoren finnes ikke i kommunen." in str(refused.value)
    assert mapping(cast.municipality)["laeringsmiljo"] == ["Solviks mobbing"]


def test_the_service_refuses_an_indicator_twice_in_a_topic(cast, indicators):
    _shared, own, _foreign = indicators
    with pytest.raises(ValidationError, match="er valgt mer enn én gang"):
        law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own, own]})
    assert not LawTopicIndicator.objects.exists()


def test_the_same_indicator_may_stand_under_several_topics(cast, indicators):
    _shared, own, _foreign = indicators
    law_topics_save(
        municipality=cast.municipality,
        topics={"laeringsmiljo": [own], "laeringsresultater": [own], "gjennomforing": [own]},
    )
    assert LawTopicIndicator.objects.count() == 3


def test_the_mapping_is_read_only_within_the_readers_municipality(cast, indicators):
    shared, own, _foreign = indicators
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [shared, own]})
    assert [
        i.name
        for i in law_topics_for(user=cast["sector_leader"], municipality=cast.municipality)[
            "laeringsmiljo"
        ]
    ] == ["Felles trivsel", "Solviks mobbing"]
    # The neighbour's member reads none of Solvik's mapping.
    other = law_topics_for(user=cast["other_municipality"], municipality=cast.municipality)
    assert other == {topic: [] for topic in LawTopic.values}


# --- Warnings -----------------------------------------------------------------------------


def test_the_order_page_warns_about_a_topic_without_indicator_and_one_without_figures(
    cast, client_for, indicators
):
    shared, own, _foreign = indicators
    # Læringsmiljø has a figure for last school year; læringsresultater only an indicator
    # without one; gjennomføring nothing.
    law_topics_save(
        municipality=cast.municipality,
        topics={"laeringsmiljo": [own, shared], "laeringsresultater": [shared]},
    )
    response = client_for(cast["sector_leader"]).get(reverse("reports:report-order"))
    assert response.status_code == 200
    page = response.content.decode()
    warnings = page.split('id="topic-warnings"')[1].split("</div>")[0]
    year = SchoolYear(LAST_YEAR).label
    assert "Temaet «Gjennomføring» har ingen indikator." in warnings
    assert (
        f"Ingen av indikatorene under «Læringsresultater» har tall for {year}: Felles trivsel."
        in warnings
    )
    assert "Læringsmiljø" not in warnings


def test_the_order_page_has_no_warning_when_every_topic_has_a_figure(cast, client_for, indicators):
    _shared, own, _foreign = indicators
    law_topics_save(
        municipality=cast.municipality,
        topics={topic: [own] for topic in LawTopic.values},
    )
    page = client_for(cast["sector_leader"]).get(reverse("reports:report-order")).content.decode()
    assert 'id="topic-warnings"' not in page


def test_a_figure_from_another_year_does_not_count_for_the_report_year(cast, indicators):
    _shared, own, _foreign = indicators
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    warnings = law_topic_warnings(
        user=cast["sector_leader"], municipality=cast.municipality, year=LAST_YEAR + 1
    )
    assert next((w.topic, w.indicators) for w in warnings) == ("laeringsmiljo", ["Solviks mobbing"])


def test_warnings_take_a_fixed_number_of_queries(cast, indicators, django_assert_max_num_queries):
    shared, own, _foreign = indicators
    many = [IndicatorFactory(name=f"Mange {n}", municipality=cast.municipality) for n in range(30)]
    for indicator in many:
        observe(indicator, solvik(), SchoolYear(LAST_YEAR).label, "1.0")
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    with django_assert_max_num_queries(9) as few:
        law_topic_warnings(
            user=cast["sector_leader"], municipality=cast.municipality, year=LAST_YEAR
        )
    law_topics_save(
        municipality=cast.municipality,
        topics={"laeringsmiljo": many, "laeringsresultater": many, "gjennomforing": [shared]},
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        law_topic_warnings(
            user=cast["sector_leader"], municipality=cast.municipality, year=LAST_YEAR
        )


def test_the_mapping_page_takes_a_fixed_number_of_queries(
    cast, client_for, indicators, django_assert_max_num_queries
):
    _shared, own, _foreign = indicators
    client = client_for(cast["sector_leader"])
    law_topics_save(municipality=cast.municipality, topics={"laeringsmiljo": [own]})
    client.get(URL)  # session and the like warmed up
    with django_assert_max_num_queries(30) as few:
        client.get(URL)
    many = [IndicatorFactory(name=f"Mange {n}", municipality=cast.municipality) for n in range(30)]
    law_topics_save(
        municipality=cast.municipality,
        topics={"laeringsmiljo": many, "laeringsresultater": many[:10]},
    )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL).status_code == 200


def test_the_draft_report_page_warns_and_the_published_one_does_not(cast, client_for, indicators):
    from tests.factories import QualityPlanFactory

    plan = QualityPlanFactory(municipality=cast.municipality)
    draft = StatusReport.objects.create(
        municipality=cast.municipality, quality_plan=plan, year=LAST_YEAR, state=ReportState.READY
    )
    client = client_for(cast["sector_leader"])
    page = client.get(reverse("reports:report-detail", args=[draft.pk])).content.decode()
    assert "Temaet «Læringsmiljø» har ingen indikator." in page
    published = StatusReport.objects.create(
        municipality=cast.municipality,
        quality_plan=plan,
        year=LAST_YEAR,
        version=2,
        state=ReportState.PUBLISHED,
    )
    page = client.get(reverse("reports:report-detail", args=[published.pk])).content.decode()
    assert 'id="topic-warnings"' not in page
    # An elected official reading the published report gets no warnings either.
    page = client_for(cast["elected_official"]).get(
        reverse("reports:report-detail", args=[published.pk])
    )
    assert 'id="topic-warnings"' not in page.content.decode()
