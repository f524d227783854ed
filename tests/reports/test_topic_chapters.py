"""The report's chapters for the law's three topics, and the user journeys in their areas,
in the snapshot, the HTML read view and the PDF read back: only what an elected official
may read."""

from __future__ import annotations

import json
from pathlib import Path

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from plans.models import UserJourney
from reports.models import LawTopic, LawTopicIndicator, ReportState, StatusReport
from reports.schema import upgrade
from reports.selectors.status_reports import status_report_pdf_context
from reports.snapshot import build_snapshot
from tests.reports.conftest import order_written_and_render, pdf_text, publish

SNAPSHOTS = Path(__file__).parent / "snapshots"


def _snapshot(world) -> dict:
    report = StatusReport(
        municipality=world.municipality, quality_plan=world.plan, year=world.year, version=1
    )
    return build_snapshot(report, world.sector_leader)


def test_a_chapter_per_topic_with_its_indicators_built_as_in_the_areas(world):
    snapshot = _snapshot(world)
    topics = snapshot["law_topics"]
    assert [t["name"] for t in topics] == ["Læringsmiljø", "Læringsresultater", "Gjennomføring"]
    environment, results, completion = topics
    first = world.indicators[0]
    assert [i["name"] for i in environment["indicators"]] == [first.name]
    # The same entry as the area's: one builder, the same figures and attainment.
    area_entry = next(i for i in snapshot["areas"][0]["indicators"] if i["id"] == first.pk)
    assert environment["indicators"][0] == area_entry
    assert environment["indicators"][0] is not area_entry  # its own copy for its own chart
    assert [i["name"] for i in results["indicators"]] == [world.indicators[-2].name]
    assert completion["indicators"] == []
    assert environment["without_year_figure"] == []


def test_a_topic_indicator_without_a_figure_for_the_year_is_named(world):
    from indicators.models import Observation

    first = world.indicators[0]
    Observation.objects.filter(
        indicator=first, place__code=world.municipality.number, period_label="2025/26"
    ).delete()
    topics = _snapshot(world)["law_topics"]
    assert topics[0]["without_year_figure"] == [first.name]
    assert topics[1]["without_year_figure"] == []


def test_topic_indicators_follow_the_mapping_order_and_skip_other_municipalities(world):
    from indicators.models import Place, PlaceLevel
    from tests.factories import MunicipalityFactory
    from tests.indicators.factories_pages import IndicatorFactory, observe

    foreign = IndicatorFactory(name="Nabovik sin", municipality=MunicipalityFactory())
    # Figures where the report looks, so only the scope keeps it out.
    place = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code=world.municipality.number)
    observe(foreign, place, "2025/26", "12.0")
    LawTopicIndicator.objects.filter(municipality=world.municipality).delete()
    for order, indicator in enumerate([world.indicators[1], world.indicators[0], foreign], 1):
        # A row written past the service (say, by the admin) still never shows another
        # municipality's indicator.
        LawTopicIndicator.objects.create(
            municipality=world.municipality,
            topic=LawTopic.COMPLETION,
            indicator=indicator,
            order=order,
        )
    completion = _snapshot(world)["law_topics"][2]
    assert [i["name"] for i in completion["indicators"]] == [
        world.indicators[1].name,
        world.indicators[0].name,
    ]


def test_only_consented_journeys_of_the_year_stand_in_their_area(world):
    snapshot = _snapshot(world)
    first, second = snapshot["areas"][:2]
    assert [j["title"] for j in first["journeys"]] == [
        "Brukerreise med samtykke for Testvik kommune"
    ]
    journey = first["journeys"][0]
    assert journey["findings"] == ["Møtene bør samordnes.", "Informasjonen må følge barnet."]
    assert journey["steps"] == [
        {
            "service": "Helsestasjonen",
            "what_happened": "Fireårskontrollen fant språkvansker.",
            "assessment": "good",
            "assessment_label": "Godt punkt",
        }
    ]
    assert second["journeys"] == []
    # Linked to the second area as well: it stands there too.
    UserJourney.objects.get(title__startswith="Brukerreise med samtykke").areas.add(world.areas[1])
    assert [j["title"] for j in _snapshot(world)["areas"][1]["journeys"]] == [
        "Brukerreise med samtykke for Testvik kommune"
    ]


def test_the_snapshot_takes_the_same_queries_with_more_topic_indicators_and_journeys(
    world, django_assert_max_num_queries
):
    with django_assert_max_num_queries(200) as few:
        _snapshot(world)
    for indicator in world.indicators:
        for topic in LawTopic.values:
            LawTopicIndicator.objects.get_or_create(
                municipality=world.municipality, topic=topic, indicator=indicator
            )
    for journey in UserJourney.objects.all():
        journey.publishable = True
        journey.save()
        journey.areas.set(world.areas)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _snapshot(world)


def test_the_pdf_and_the_read_view_have_the_topic_chapters_and_the_journeys(world, client):
    report = order_written_and_render(world)
    text = pdf_text(report)
    assert "Opplæringslova § 17-12 sier at kommunestyret skal få informasjon" in text
    assert f"Tellinger: Læringsmiljø {world.indicators[0].name}" in text
    assert "Kommunen har ikke valgt indikatorer for Gjennomføring" in text
    assert "Brukerreiser: Område 1: Inkluderende miljø Brukerreise med samtykke" in text
    assert "Fireårskontrollen fant språkvansker." in text
    assert "Hemmelig brukerreise" not in text
    assert "Brukerreise fra året før" not in text

    publish(report, world.sector_leader)
    client.force_login(world.official)
    html = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    environment = html.split('id="tema-laeringsmiljo"')[1].split("</section>")[0]
    assert world.indicators[0].name in environment
    assert 'id="chart-tema-laeringsmiljo-1"' in environment
    completion = html.split('id="tema-gjennomforing"')[1].split("</section>")[0]
    assert "Kommunen har ikke valgt indikatorer for Gjennomføring" in completion
    assert 'href="#tema-laeringsresultater"' in html  # in the table of contents
    assert "Brukerreise med samtykke for Testvik kommune" in html
    assert "Hemmelig brukerreise" not in html


def test_a_version_4_report_reads_without_topic_chapters_or_journeys(world, client):
    stored = json.loads((SNAPSHOTS / "v4.json").read_text(encoding="utf-8"))
    upgraded = upgrade(stored)
    assert upgraded["law_topics"] == []
    assert all(area["journeys"] == [] for area in upgraded["areas"])
    html = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=stored)
    )
    assert "tema-laeringsmiljo" not in html
    assert "Opplæringslova § 17-12" not in html
    report = StatusReport.objects.create(
        municipality=world.municipality,
        quality_plan=world.plan,
        year=world.year,
        state=ReportState.PUBLISHED,
        snapshot=stored,
        published_at=timezone.now(),
    )
    client.force_login(world.official)
    page = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert "Brukerreiser:" in page  # the heading, saying there were none
    assert "Ingen brukerreiser med samtykke til publisering" in page
