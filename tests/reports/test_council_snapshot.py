"""Next year's report opens with what became of last year's follow-up items and ends with
last year's questions and answers; the title page gets this year's case number. Read
back from the snapshot, the HTML page and the PDF."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Membership, QualityPlan, Role
from reports.models import FollowUpStatus, ReportState, StatusReport
from reports.selectors.council import previous_report_year
from reports.services import council as services
from reports.services.report_years import report_year_open
from tests.factories import MunicipalityFactory, QualityPlanFactory
from tests.reports.conftest import order_and_render, pdf_text
from tests.reports.synthetic import build_world


@pytest.fixture
def small_world(db, media):
    return build_world(areas=1, indicators=1, units=1, activities_per_area=1)


def _last_year(world):
    """Last year's report, published, with its treatment, items and questions."""
    last = StatusReport.objects.create(
        municipality=world.municipality,
        quality_plan=world.plan,
        year=world.year - 1,
        state=ReportState.PUBLISHED,
        snapshot={"schema_version": 5},
        published_at=timezone.now(),
    )
    report_year = report_year_open(quality_plan=world.plan, year=world.year - 1)
    owner = world.official.__class__.objects.create_user(
        username="rektor", first_name="Randi", last_name="Rektor"
    )
    Membership.objects.create(
        user=owner, municipality=world.municipality, unit=world.units[0], role=Role.UNIT_LEADER
    )
    leader = world.sector_leader
    done = services.follow_up_item_create(
        report_year=report_year,
        user=leader,
        title="Handlingsplan mot mobbing",
        description="Legg fram en plan innen sommeren.",
        owner=owner,
        due_on=datetime.date(2025, 6, 1),
    )
    services.follow_up_item_status_update(
        item=done, user=owner, status=FollowUpStatus.DONE, note="Vedtatt i juni 2025."
    )
    services.follow_up_item_create(
        report_year=report_year,
        user=leader,
        title="Kartlegging av skolefravær",
        description="",
        owner=leader,
        due_on=datetime.date(2025, 12, 1),
    )
    answered = services.question_submit(
        report=last, user=world.official, text="Hvor mange elever har økt fravær?"
    )
    services.question_answer_save(
        question=answered, user=leader, answer="Andelen har økt fra 8 til 11 prosent."
    )
    services.question_submit(report=last, user=world.official, text="Når kommer ny plan?")
    services.treatment_save(
        report_year=report_year_open(quality_plan=world.plan, year=world.year),
        user=leader,
        committee="Hovedutvalg for oppvekst",
        committee_meeting_on=None,
        council_meeting_on=None,
        case_number="2026/4711",
        decision="",
    )
    return last


def test_next_years_report_shows_last_years_follow_up_and_questions(small_world, client):
    _last_year(small_world)
    report = order_and_render(small_world)
    snapshot = report.snapshot
    assert snapshot["case_number"] == "2026/4711"
    items = snapshot["previous_follow_up"]["items"]
    assert snapshot["previous_follow_up"]["year_label"] == "2024/25"
    assert [(i["title"], i["status"], i["note"]) for i in items] == [
        ("Handlingsplan mot mobbing", FollowUpStatus.DONE, "Vedtatt i juni 2025."),
        ("Kartlegging av skolefravær", FollowUpStatus.NOT_STARTED, ""),
    ]
    assert (items[0]["owner"], items[0]["owner_role"]) == ("Randi Rektor", "Virksomhetsleder")
    questions = snapshot["previous_questions"]["items"]
    assert [q["answer"] for q in questions] == ["Andelen har økt fra 8 til 11 prosent.", ""]

    client.force_login(small_world.sector_leader)
    html = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert html.index("Slik står de nå") < html.index('id="sammendrag"')
    assert "Vedtatt i juni 2025." in html
    assert "(virksomhetsleder)" in html
    assert html.index('id="om-rapporten"') < html.index("Hvor mange elever har økt fravær?")

    text = pdf_text(report)
    assert "Oppfølging av fjorårets vedtak" in text
    assert text.index("Slik står de nå") < text.index("Hvor er vi?")
    for expected in (
        "Handlingsplan mot mobbing",
        "Fullført",
        "Vedtatt i juni 2025.",
        "Randi Rektor",
        "Kartlegging av skolefravær",
        "Ikke påbegynt",
        "Vedlegg: Spørsmål og svar",
        "Hvor mange elever har økt fravær?",
        "Andelen har økt fra 8 til 11 prosent.",
        "Spørsmålet ble ikke besvart i portalen.",
    ):
        assert expected in text, expected


def test_a_report_with_no_treatment_last_year_shows_none_of_it(small_world):
    report = order_and_render(small_world)
    assert report.snapshot["case_number"] == ""
    assert report.snapshot["previous_follow_up"]["items"] == []
    text = pdf_text(report)
    assert "Oppfølging av fjorårets vedtak" not in text
    assert "Vedlegg: Spørsmål og svar" not in text


def test_last_year_under_another_plan_is_the_plan_in_force_that_year(small_world):
    world = small_world
    older = QualityPlan.objects.create(
        municipality=world.municipality,
        title="Forrige kvalitetsplan",
        period_start=2020,
        period_end=2024,
        adopted_on=datetime.date(2020, 6, 1),
    )
    # Another municipality's report year of that year is never taken.
    theirs = QualityPlanFactory(municipality=MunicipalityFactory(name="Nabovik", number="9951"))
    report_year_open(quality_plan=theirs, year=world.year - 1)
    expected = report_year_open(quality_plan=older, year=world.year - 1)
    report = StatusReport(municipality=world.municipality, quality_plan=world.plan, year=world.year)
    assert previous_report_year(report=report) == expected
    same = report_year_open(quality_plan=world.plan, year=world.year - 1)
    assert previous_report_year(report=report) == same
