"""Without Redis: a real Celery worker on the folder broker (config/local_broker.py), as
`make run` starts it, renders a report ordered through the page, and the order returns at
once with the progress bar rather than waiting for the PDF.

The worker must see the rows this test commits, so it needs PostgreSQL (DATABASE_URL);
the test's SQLite database lives in memory, out of the worker's reach, so there it skips
(and fails under CI=true, as the other service tests do). Redis is not needed: with
REDIS_URL set, this process and the worker are both pointed at the folder anyway."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from config import local_broker
from config.launcher import celery_command
from reports.models import ReportState, StatusReport
from tests.reports.synthetic import build_world

ROOT = Path(__file__).resolve().parents[2]
# About 20 s (a worker start, a render, a warm shutdown): a drill for `make test-slow`.
pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _skip_without_postgresql() -> None:
    if connection.vendor != "postgresql":
        reason = "DATABASE_URL does not point at PostgreSQL"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the real services: {reason}")
        pytest.skip(reason)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def folder_worker(folder: Path, media: Path, **env: str):
    """The worker `make run` starts (the launcher's command and options), on ``folder``."""
    environment = {
        key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_EAGER"}
    }
    process = subprocess.Popen(
        celery_command(*local_broker.worker_options(folder)),
        cwd=ROOT,
        env={
            **environment,
            "CELERY_BROKER_DIR": str(folder),
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(media),
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # Ready is when it has registered, which is also what the pages look at.
        deadline = time.monotonic() + 60
        while not local_broker.running_workers(folder):
            if process.poll() is not None:
                pytest.fail("worker exited: " + process.stdout.read())
            if time.monotonic() > deadline:
                pytest.fail("the worker did not get ready within 60 s")
            time.sleep(0.2)
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_an_order_returns_at_once_and_the_worker_on_the_folder_makes_the_report(
    client, folder_broker, tmp_path, settings
):
    _skip_without_postgresql()
    settings.MEDIA_ROOT = media = tmp_path / "media"
    world = build_world(areas=1, indicators=1, units=1, activities_per_area=1)
    # The layout stage waits 3 s in the worker, so the report cannot be done before the
    # order's response is back, however fast the machine.
    with folder_worker(folder_broker, media, REPORT_TEST_LAYOUT_DELAY="3"):
        client.force_login(world.sector_leader)
        assert client.get(reverse("healthz")).json()["checks"] == {
            "database": "ok",
            "broker": "ok",
            "worker": "ok",
        }
        started = time.monotonic()
        response = client.post(
            reverse("reports:report-order"),
            {"quality_plan": world.plan.pk, "year": world.year},
            follow=True,
        )
        elapsed = time.monotonic() - started
        report = StatusReport.objects.get()
        assert report.state in (ReportState.QUEUED, ReportState.RENDERING), report.state
        assert elapsed < 3, f"the order took {elapsed:.1f} s"
        assert [str(m) for m in response.context["messages"]] == [
            "Rapporten er bestilt. Fremdriften vises under."
        ]
        page = response.content.decode()
        assert 'id="report-progress-bar"' in page
        assert 'id="report-queue-warning"' not in page

        deadline = time.monotonic() + 120
        seen = set()
        while time.monotonic() < deadline:
            report.refresh_from_db()
            seen.add(report.state)
            if not report.is_pending:
                break
            poll = client.get(
                reverse("reports:report-progress", args=[report.pk]),
                headers={"HX-Request": "true"},
            )
            assert poll.status_code == 200
            time.sleep(0.5)
        assert report.state == ReportState.READY, report.error or report.stage
        assert ReportState.RENDERING in seen
        assert report.attempts == 1
        assert sorted(p.name for p in media.rglob("*.pdf")) == [
            f"tilstandsrapport-{world.year}-v1-{report.pk}.pdf"
        ]
        # The message file was taken; nothing is left in the queue.
        assert list((folder_broker / "queue").iterdir()) == []
    # Stopped, the worker takes its registration with it.
    assert local_broker.running_workers(folder_broker) == []
    assert list((folder_broker / "workers").iterdir()) == []
