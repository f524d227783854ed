"""What the page says right after ordering, retrying or a new version: the truth about
where the report stands. Made already (tasks in-process) → «Rapporten er laget.»; queued
on the folder broker with no worker running (``runserver`` alone) → «står i kø»; on its
way → «Fremdriften vises under.» (tests/services/test_folder_broker_worker.py, with a
real worker)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import ReportState, StatusReport
from reports.services import status_reports as services
from tests.reports.conftest import order_written_and_render, publish
from tests.reports.synthetic import build_world

QUEUED = "Rapporten er bestilt og står i kø."
# Real commits: the task runs when the order's transaction commits, inside the request,
# as it does with CELERY_EAGER=true outside the tests.
IN_PROCESS = pytest.mark.django_db(transaction=True)
ON_ITS_WAY = "Fremdriften vises under."


@pytest.fixture
def world(db, media):
    # The smallest world that makes a report: what is said is the point here, and each
    # in-process render costs seconds.
    return build_world(areas=1, indicators=1, units=1, activities_per_area=1)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _order(client, world):
    client.force_login(world.sector_leader)
    return client.post(
        reverse("reports:report-order"),
        {"quality_plan": world.plan.pk, "year": world.year},
        follow=True,
    )


@IN_PROCESS
def test_an_order_made_in_process_says_it_is_made(world, client, tasks_in_process):
    response = _order(client, world)
    assert StatusReport.objects.get().state == ReportState.READY
    assert _messages(response) == ["Rapporten er laget."]
    assert "lages nå" not in response.content.decode()


@IN_PROCESS
def test_a_render_that_fails_in_process_claims_no_success(
    world, client, tasks_in_process, monkeypatch
):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(services, "build_snapshot", broken)
    response = _order(client, world)
    assert StatusReport.objects.get().state == ReportState.FAILED
    assert _messages(response) == []
    assert "Rapporten kunne ikke lages" in response.content.decode()


@IN_PROCESS
def test_retry_and_new_version_made_in_process_say_they_are_made(world, client, tasks_in_process):
    report = order_written_and_render(world)
    client.force_login(world.sector_leader)
    response = client.post(reverse("reports:report-retry", args=[report.pk]), follow=True)
    assert _messages(response) == ["Rapporten er laget på nytt med dagens tall."]
    # In-process, publishing's final render runs at once.
    services.status_report_publish(report=StatusReport.objects.get(), user=world.sector_leader)
    assert StatusReport.objects.get().state == ReportState.PUBLISHED
    response = client.post(reverse("reports:report-new-version", args=[report.pk]), follow=True)
    assert _messages(response) == ["En ny versjon er laget."]


def test_with_no_worker_on_the_folder_broker_the_order_waits_in_the_folder_and_says_so(
    world, client, django_capture_on_commit_callbacks, folder_broker
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _order(client, world)
    report = StatusReport.objects.get()
    # The broker took it (a file in the folder); nothing runs it until a worker starts.
    assert report.state == ReportState.QUEUED
    assert report.dispatched_at is not None
    files = list((folder_broker / "queue").iterdir())
    assert len(files) == 1
    assert "reports.render_status_report" in files[0].read_text()
    assert len(_messages(response)) == 1
    assert _messages(response)[0].startswith(QUEUED)
    page = response.content.decode()
    assert 'id="report-progress-bar"' in page
    assert 'id="report-queue-warning"' in page
    poll = client.get(
        reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
    )
    assert QUEUED in poll.content.decode()
    # The poll does not send it again: the file is there for the worker.
    assert len(list((folder_broker / "queue").iterdir())) == 1


@pytest.mark.parametrize("action", ["report-retry", "report-new-version"])
def test_with_no_worker_retry_and_new_version_say_they_wait(
    world, client, django_capture_on_commit_callbacks, folder_broker, action
):
    report = order_written_and_render(world)
    if action == "report-new-version":
        publish(report, world.sector_leader)
    client.force_login(world.sector_leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(f"reports:{action}", args=[report.pk]), follow=True)
    messages = _messages(response)
    assert len(messages) == 1
    assert messages[0].startswith(QUEUED)
    assert ON_ITS_WAY not in messages[0]
