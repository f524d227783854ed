"""The report pages as each role sees them: sector leaders order, follow, preview and
publish; elected officials read only what is published, also when they guess ids;
another municipality's report does not exist for anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import status_reports as services
from tests.reports.conftest import order_and_render, order_written_and_render, publish
from tests.reports.synthetic import build_world


@pytest.fixture
def two_worlds(db, media):
    ours = build_world()
    theirs = build_world(name="Nabovik kommune", number="9951", username_prefix="nabo-")
    return ours, theirs


def test_sector_leader_orders_a_report_and_it_is_rendered(
    world, client, django_capture_on_commit_callbacks, tasks_in_process
):
    client.force_login(world.sector_leader)
    page = client.get(reverse("reports:report-order"))
    assert page.status_code == 200
    assert "Bestill rapporten" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report-order"),
            {"quality_plan": world.plan.pk, "year": world.year},
        )
    report = StatusReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:report-detail", args=[report.pk])
    assert report.state == ReportState.READY
    detail = client.get(response["Location"]).content.decode()
    assert "Publiser rapporten" in detail
    assert "Forhåndsvis utkastet" in detail
    preview = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert "Forhåndsvisning av et utkast" in preview
    assert "Indikator 1.1 for Testvik kommune" in preview
    assert "<svg" in preview
    assert 'role="img"' in preview
    pdf = client.get(reverse("reports:report-pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_the_order_form_says_in_norwegian_what_is_wrong(world, client):
    client.force_login(world.sector_leader)
    response = client.post(reverse("reports:report-order"), {"year": "1999"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Velg kvalitetsplanen rapporten gjelder." in text
    assert "Velg et skoleår i listen." in text
    services.status_report_order(user=world.sector_leader, quality_plan=world.plan, year=world.year)
    response = client.post(
        reverse("reports:report-order"), {"quality_plan": world.plan.pk, "year": world.year}
    )
    assert response.status_code == 400
    assert "Det finnes allerede et upublisert utkast" in response.content.decode()


def test_publishing_needs_a_post_and_then_the_official_reads_it(
    world, client, django_capture_on_commit_callbacks, tasks_in_process
):
    report = order_written_and_render(world)
    official = world.official
    client.force_login(official)
    for name in ("report-detail", "report-read", "report-pdf", "report-progress"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert reverse("reports:report-detail", args=[report.pk]) not in listing
    assert "Ingen rapporter ennå." in listing
    assert client.post(reverse("reports:report-publish", args=[report.pk])).status_code == 404

    client.force_login(world.sector_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:report-publish", args=[report.pk]))
    # The page answered before the worker laid out the final PDF; it has done so since.
    page = client.get(response["Location"]).content.decode()
    assert "Rapporten publiseres nå" in page
    assert StatusReport.objects.get().state == ReportState.PUBLISHED

    client.force_login(official)
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert reverse("reports:report-detail", args=[report.pk]) in listing
    assert "Bestill tilstandsrapport" not in listing
    detail = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "Les rapporten" in detail
    assert "Last ned PDF" in detail
    assert "Publiser rapporten" not in detail
    assert "Lag ny versjon" not in detail
    read = client.get(reverse("reports:report-read", args=[report.pk])).content.decode()
    assert "Fortelling 1.1: jeg liker" in read
    assert "Hemmelig fortelling" not in read
    assert client.get(reverse("reports:report-pdf", args=[report.pk])).status_code == 200
    assert client.post(reverse("reports:report-new-version", args=[report.pk])).status_code == 403
    assert client.post(reverse("reports:report-retry", args=[report.pk])).status_code == 403


def test_an_official_never_reaches_a_draft_and_no_one_another_municipalitys_report(
    two_worlds, client
):
    ours, theirs = two_worlds
    draft = order_and_render(ours)
    their_report = order_written_and_render(theirs)
    publish(their_report, theirs.sector_leader)
    client.force_login(ours.official)
    listing = client.get(reverse("reports:report-list")).content.decode()
    assert reverse("reports:report-detail", args=[draft.pk]) not in listing
    assert "Nabovik" not in listing
    for pk in (draft.pk, their_report.pk, draft.pk + 1000):
        for name in ("report-detail", "report-read", "report-pdf", "report-progress"):
            assert client.get(reverse(f"reports:{name}", args=[pk])).status_code == 404
    client.force_login(ours.sector_leader)
    for name in ("report-detail", "report-read", "report-pdf"):
        assert client.get(reverse(f"reports:{name}", args=[their_report.pk])).status_code == 404
    assert (
        client.post(reverse("reports:report-new-version", args=[their_report.pk])).status_code
        == 404
    )


def test_a_failed_report_shows_the_message_and_a_retry_button(world, client):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )

    def broken(*args, **kwargs):
        raise OSError("disk full")

    services.status_report_render(report_id=report.pk, render=broken)
    client.force_login(world.sector_leader)
    page = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert "Rapporten kunne ikke lages" in page
    assert "(OSError)" in page
    assert "Prøv igjen" in page
    response = client.post(reverse("reports:report-retry", args=[report.pk]))
    assert response.status_code == 302
    assert StatusReport.objects.get().state in (ReportState.QUEUED, ReportState.READY)


def test_the_progress_view_polls_with_the_stage_and_reloads_when_done(world, client):
    report = services.status_report_order(
        user=world.sector_leader, quality_plan=world.plan, year=world.year
    )
    StatusReport.objects.filter(pk=report.pk).update(
        state=ReportState.RENDERING, stage="Tegner diagrammer (5 av 12)", progress=42
    )
    client.force_login(world.sector_leader)
    detail = client.get(reverse("reports:report-detail", args=[report.pk])).content.decode()
    assert 'hx-get="' + reverse("reports:report-progress", args=[report.pk]) in detail
    assert 'aria-live="polite"' in detail
    poll = client.get(
        reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
    )
    text = poll.content.decode()
    assert "<progress" in text
    assert 'value="42"' in text
    assert "Tegner diagrammer (5 av 12)" in text
    StatusReport.objects.filter(pk=report.pk).update(state=ReportState.READY, progress=100)
    done = client.get(
        reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
    )
    assert done["HX-Refresh"] == "true"


def test_the_menu_shows_the_reports_to_members(world, client):
    client.force_login(world.official)
    page = client.get(reverse("home")).content.decode()
    assert reverse("reports:report-list") in page


@pytest.mark.parametrize("name", ["report-detail", "report-read", "report-pdf"])
def test_report_pages_and_the_pdf_are_private_and_never_stored(world, client, name):
    report = order_and_render(world)
    client.force_login(world.sector_leader)
    response = client.get(reverse(f"reports:{name}", args=[report.pk]))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
