"""The demo's status reports as every role finds them after ``load_demo``: last school
year's published (read back from the PDF: Solvik's figures, only consented fortellinger,
the full report's size), this school year's a draft only the sector leader sees.

``demo_load`` renders two full reports (about 10 s on a busy 2-core machine), so the tests
that only read share one load per module (``loaded_demo``, rolled back at the end); the
reload drill, which needs two loads of its own, is ``slow``."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from demo.services.loading import demo_load
from plans.models import Municipality, ParticipationInput
from plans.schoolyear import SchoolYear
from reports.charts import chart_count
from reports.models import ReportState, StatusReport
from tests.pdf_reading import pdf_page_texts
from tests.reports.conftest import pdf_text


@dataclass(frozen=True)
class LoadedDemo:
    municipality: Municipality
    published: StatusReport  # last school year's
    draft: StatusReport  # this school year's


@pytest.fixture(scope="module")
def loaded_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One ``demo_load`` for the module, in a transaction rolled back at its end (each
    test's own transaction nests inside it), with the PDFs in a directory of its own."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        demo_load()
        municipality = Municipality.objects.get(number="9901")
        reports = StatusReport.objects.filter(municipality=municipality)
        yield LoadedDemo(
            municipality=municipality,
            published=reports.get(state=ReportState.PUBLISHED),
            draft=reports.get(state=ReportState.READY),
        )
        transaction.set_rollback(True)


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _title_page_text(content: bytes) -> str:
    """The downloaded PDF's title page, where the municipality and the school year stand
    (the whole text is read once, in the figures test: 40 pages take seconds)."""
    return pdf_page_texts(content)[0]


def test_load_demo_leaves_last_years_report_published_and_this_years_a_draft(loaded_demo, db):
    this_year = SchoolYear.current().start_year
    leader = _user("sektorleder")
    published, draft = loaded_demo.published, loaded_demo.draft

    assert published.year == this_year - 1  # the demo's last school year with figures
    assert draft.year == this_year
    assert published.ordered_by == published.published_by == leader
    assert draft.ordered_by == leader
    assert published.quality_plan == draft.quality_plan
    assert published.quality_plan.is_adopted
    assert StatusReport.objects.filter(municipality=loaded_demo.municipality).count() == 2


def test_the_demo_report_shows_solviks_figures_and_only_consented_fortellinger(loaded_demo, db):
    report = loaded_demo.published
    text = pdf_text(report)
    assert "Tilstandsrapport for oppvekst" in text
    assert "Elever som opplever mobbing (demo)" in text
    # Solvik's latest bullying figure against the country's, and the missed target.
    assert "Siste tall: 5,2 prosent" in text
    assert "Landet: 7,3 prosent." in text
    assert "5,0 prosent." in text
    assert "Grunnskolepoeng (demo)" in text
    # The law's three topics, each with the demo's indicators for it.
    topics = {topic["name"]: topic for topic in report.snapshot["law_topics"]}
    assert [i["name"] for i in topics["Læringsmiljø"]["indicators"]] == [
        "Elever som opplever mobbing (demo)",
        "Trivsel på skolen (demo)",
    ]
    assert [i["name"] for i in topics["Læringsresultater"]["indicators"]] == [
        "Nasjonale prøver i lesing, 5. trinn (demo)",
        "Nasjonale prøver i regning, 5. trinn (demo)",
        "Grunnskolepoeng (demo)",
    ]
    assert [i["name"] for i in topics["Gjennomføring"]["indicators"]] == [
        "Gjennomføring i videregående opplæring (demo)"
    ]
    assert all(not topic["without_year_figure"] for topic in topics.values())
    assert "Tellinger: Gjennomføring Gjennomføring i videregående opplæring (demo)" in text
    # The demo's consented journey stands in its areas; the one without consent nowhere.
    journeys = {j["title"] for area in report.snapshot["areas"] for j in area["journeys"]}
    assert journeys == {"Fra bekymring i barnehagen til god skolestart"}
    assert "En ungdom på vei tilbake til fellesskapet" not in text
    # The full report issue 7 sizes (about 40 pages, 30 or more charts, from the demo
    # alone), since issue 18 the law's three topic chapters on top (48 pages), and since
    # issue 20 each area's linked trace, the units' own goals and the targets' adoption.
    assert chart_count(report.snapshot) >= 36
    assert 40 <= report.pdf_pages <= 70
    # Every area has the year's competence work, with attendance.
    for area in report.snapshot["areas"]:
        assert area["competence"]["activities"] > 0, area["name"]
        assert area["competence"]["sessions_held"] > 0, area["name"]
    assert report.snapshot["summary"]["competence"]["rate"]
    stories = [story for area in report.snapshot["areas"] for story in area["stories"]]
    assert stories
    assert all(story["quote"][:30] in text for story in stories)
    hidden = ParticipationInput.objects.filter(
        municipality=loaded_demo.municipality, publishable=False
    )
    assert hidden.exists()
    assert all(item.quote[:40] not in text for item in hidden)


def test_an_elected_official_reads_last_years_published_report(loaded_demo, db, client):
    published, draft = loaded_demo.published, loaded_demo.draft
    client.force_login(_user("folkevalgt"))

    listing = client.get(reverse("reports:report-list"))
    assert listing.status_code == 200
    assert "Ingen rapporter ennå" not in listing.content.decode()
    assert list(listing.context["reports"]) == [published]
    assert reverse("reports:report-detail", args=[published.pk]) in listing.content.decode()

    detail = client.get(reverse("reports:report-detail", args=[published.pk]))
    assert detail.status_code == 200
    read = client.get(reverse("reports:report-read", args=[published.pk]))
    assert read.status_code == 200
    assert published.year_label in read.content.decode()

    pdf = client.get(reverse("reports:report-pdf", args=[published.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = _title_page_text(b"".join(pdf.streaming_content))
    assert "Solvik kommune" in text
    assert f"Tilstandsrapport for oppvekst {published.year_label}" in text

    # This year's draft does not exist for them, not even by its id.
    for name in ("report-detail", "report-read", "report-pdf"):
        assert client.get(reverse(f"reports:{name}", args=[draft.pk])).status_code == 404


def test_the_sector_leader_sees_this_years_draft_beside_last_years_report(loaded_demo, db, client):
    published, draft = loaded_demo.published, loaded_demo.draft
    client.force_login(_user("sektorleder"))

    listing = client.get(reverse("reports:report-list"))
    assert listing.status_code == 200
    assert list(listing.context["reports"]) == [draft, published]

    detail = client.get(reverse("reports:report-detail", args=[draft.pk]))
    assert detail.status_code == 200
    assert detail.context["has_pdf"]
    assert not detail.context["running"]
    # This year's text is half written: publishing waits, and the page says for what.
    assert not detail.context["can_publish"]
    assert detail.context["assessment_problems"]
    pdf = client.get(reverse("reports:report-pdf", args=[draft.pk]))
    assert pdf.status_code == 200
    text = _title_page_text(b"".join(pdf.streaming_content))
    assert "Solvik kommune" in text
    assert f"Tilstandsrapport for oppvekst {draft.year_label}" in text
    assert "UTKAST" in text.upper().replace(" ", "")  # the mark is letter-spaced


@pytest.mark.slow  # a drill: `make test-slow` and CI run it
def test_load_demo_again_leaves_exactly_last_years_published_and_this_years_draft(
    db, media, django_capture_on_commit_callbacks
):
    """`make run` reloads the demo every time: the published report it made the first time
    must not stop that. The reset removes the demo's reports and their files, and the
    load makes the same two anew."""
    with django_capture_on_commit_callbacks(execute=True):
        demo_load()
    first = list(StatusReport.objects.filter(municipality__number="9901"))
    first_files = [report.pdf.name for report in first]
    storage = first[0].pdf.storage
    assert len(first) == 2
    assert all(storage.exists(name) for name in first_files)

    with django_capture_on_commit_callbacks(execute=True):
        demo_load()

    second = StatusReport.objects.filter(municipality__number="9901")
    this_year = SchoolYear.current().start_year
    assert sorted(second.values_list("year", "state", "version")) == [
        (this_year - 1, ReportState.PUBLISHED, 1),
        (this_year, ReportState.READY, 1),
    ]
    assert not {report.pk for report in first} & {report.pk for report in second}
    assert not any(storage.exists(name) for name in first_files)
    assert all(storage.exists(report.pdf.name) for report in second)
