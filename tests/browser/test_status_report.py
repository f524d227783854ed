"""A sector leader finishes the administration's text, orders a status report in Chromium,
watches the progress bar while a real Celery worker renders it, previews and publishes it
(the worker lays out the final file); an elected official then opens it, reads it and
downloads the PDF. Every page has 0 axe violations.

Needs Chromium, Redis and PostgreSQL (the worker reads the rows the live server writes)."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.urls import reverse

from reports.models import AssessmentQuestion, AssessmentState, ReportState, StatusReport
from reports.services import assessments as assessment_services
from tests.browser.chromium import ARTIFACTS, axe_violations
from tests.reports.conftest import write_assessments
from tests.reports.synthetic import PASSWORD, build_world
from tests.services.test_report_worker import Worker, _skip_without_services

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def no_violations(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reports-{name}.png"), full_page=True)
    assert axe_violations(page) == [], name


def log_in(browser, live_server, username):
    context = browser.new_context(bypass_csp=True, locale="nb-NO", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{live_server.url}/")
    return context, page


@pytest.fixture
def report_worker(tmp_path, settings):
    _skip_without_services()
    from config.celery import app

    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    queue = f"test-browser-reports-{time.time_ns()}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    # A short pause in the layout stage keeps the progress bar on screen for a moment.
    worker = Worker(settings.REDIS_URL, queue, media, REPORT_TEST_LAYOUT_DELAY="2")
    worker.wait_ready(app)
    yield worker
    worker.stop()
    app.conf.task_default_queue = previous


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_sector_leader_orders_watches_and_publishes_and_the_official_reads_it(
    browser, live_server, report_worker
):
    world = build_world()
    # The text written for every part but the whole report's first question, which the
    # sector leader writes here; the areas' set to final.
    report_year = write_assessments(
        plan=world.plan, year=world.year, user=world.sector_leader, approve=False
    )
    whole = report_year.assessments.get(area=None)
    assessment_services.assessment_update(
        assessment=whole,
        user=world.sector_leader,
        answers={AssessmentQuestion.WHERE_ARE_WE.value: ("", False)},
    )
    for assessment in report_year.assessments.exclude(area=None):
        assessment_services.assessment_approve(assessment=assessment, user=world.sector_leader)

    context, page = log_in(browser, live_server, "sektorleder")
    page.goto(f"{live_server.url}{reverse('reports:assessment-year', args=[report_year.pk])}")
    page.get_by_role("heading", level=1).wait_for()
    no_violations(page, "assessment-year")
    page.goto(f"{live_server.url}{reverse('reports:assessment-edit', args=[whole.pk])}")
    no_violations(page, "assessment-edit")
    page.get_by_label("Hvor er vi?", exact=True).fill("Vi har kommet et godt stykke på vei.")
    page.get_by_role("button", name="Lagre teksten").click()
    page.get_by_text("Teksten er lagret.").wait_for()
    page.get_by_role("button", name="Sett til ferdig").click()
    page.wait_for_load_state()
    whole.refresh_from_db()
    assert whole.state == AssessmentState.FINAL
    assert whole.where_are_we_text == "Vi har kommet et godt stykke på vei."

    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Tilstandsrapporter", exact=True
    ).click()
    page.get_by_role("heading", level=1, name="Tilstandsrapporter").wait_for()
    no_violations(page, "list-empty")

    page.get_by_role("link", name="Bestill tilstandsrapport").click()
    page.get_by_role("heading", level=1, name="Bestill tilstandsrapport").wait_for()
    no_violations(page, "order")
    page.get_by_label("Skoleår").select_option(str(world.year))
    page.get_by_role("button", name="Bestill rapporten").click()

    # The progress bar with its stage, polled by htmx, until the page reloads as ready.
    progress = page.locator("#report-progress progress")
    progress.wait_for(timeout=30_000)
    assert page.locator("#report-stage").inner_text()
    no_violations(page, "progress")
    seen = {progress.get_attribute("value")}
    deadline = time.monotonic() + 120
    while (
        time.monotonic() < deadline and page.locator("#report-state").inner_text() != "Utkast klart"
    ):
        # One read in the page: the bar may go between a check and a read (htmx reloads
        # the page when the report is ready).
        seen.add(
            page.evaluate(
                "() => document.querySelector('#report-progress progress')"
                "?.getAttribute('value') ?? null"
            )
        )
        page.wait_for_timeout(250)
    assert page.locator("#report-state").inner_text() == "Utkast klart", seen
    assert len(seen - {None}) >= 2, seen  # the bar moved while we watched
    report = StatusReport.objects.get()
    assert report.state == ReportState.READY
    no_violations(page, "draft")

    page.get_by_role("link", name="Forhåndsvis utkastet").click()
    page.get_by_role("heading", level=2, name="Sammendrag").wait_for()
    assert page.locator("figure svg").first.is_visible()
    no_violations(page, "preview")
    page.go_back()

    page.get_by_label("Jeg har lest utkastet og vil publisere det.", exact=False).check()
    page.get_by_role("button", name="Publiser rapporten").click()
    # The worker lays the final file out without the «Utkast» mark; the page follows it.
    page.get_by_text("Rapporten publiseres nå").wait_for()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and page.locator("#report-state").inner_text() != "Publisert":
        page.wait_for_timeout(250)
    assert page.locator("#report-state").inner_text() == "Publisert"
    assert StatusReport.objects.get().state == ReportState.PUBLISHED
    no_violations(page, "published")
    context.close()

    context, page = log_in(browser, live_server, "folkevalgt")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role(
        "link", name="Tilstandsrapporter", exact=True
    ).click()
    no_violations(page, "official-list")
    page.get_by_role("link", name=str(report)).click()
    page.get_by_role("link", name="Les rapporten").wait_for()
    assert page.get_by_role("button", name="Publiser rapporten").count() == 0
    no_violations(page, "official-detail")
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned PDF").click()
    assert download.value.suggested_filename == "tilstandsrapport-9950-2025-v1.pdf"
    page.get_by_role("link", name="Les rapporten").click()
    page.get_by_role("heading", level=2, name="Sammendrag").wait_for()
    assert "Hemmelig fortelling" not in page.content()
    no_violations(page, "official-read")
    context.close()
    assert settings.SUPPRESSION_THRESHOLD == 5
