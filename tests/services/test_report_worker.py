"""Status reports through a real Celery worker on Redis, against PostgreSQL: an order
completes with one PDF; a worker killed with SIGKILL mid-render and started again still
completes the report with exactly one PDF; with Redis stopped the pages load, the order
is kept as queued and says so, and once Redis is back the report is made.

Needs REDIS_URL and a DATABASE_URL for PostgreSQL (see test_celery_worker.py). The
Redis-down test starts a private ``redis-server`` on a free port and stops only that."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from reports.models import ReportState, StatusReport
from tests.reports.synthetic import build_world

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _skip_without_services() -> None:
    reason = None
    if not settings.REDIS_URL:
        reason = "REDIS_URL is not set"
    elif connection.vendor != "postgresql":
        reason = "DATABASE_URL does not point at PostgreSQL"
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the real services: {reason}")
        pytest.skip(reason)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def broker(url: str):
    """Point this process's Celery app (the views dispatch from here) at ``url``."""
    from config.celery import app

    saved = (app.conf.broker_url, app.conf.broker_write_url, app.conf.result_backend)
    app.conf.broker_url = app.conf.broker_write_url = url
    app.conf.result_backend = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.broker_write_url, app.conf.result_backend = saved
        app._pool = None
        app.amqp._producer_pool = None


class Worker:
    """A Celery worker process on its own queue."""

    def __init__(self, redis_url: str, queue: str, media: Path, **env: str):
        self.queue = queue
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--loglevel=INFO",
                "--concurrency=1",
                "--pool=prefork",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "-n",
                f"{queue}@%h",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": _database_url(),
                "REDIS_URL": redis_url,
                "MEDIA_ROOT": str(media),
                **env,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

    def wait_ready(self, app) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if app.control.ping(destination=[f"{self.queue}@{os.uname().nodename}"], timeout=1.0):
                return
            if self.process.poll() is not None:
                pytest.fail("worker exited: " + self.process.stdout.read())
        self.kill()
        pytest.fail("the worker did not answer within 60 s")

    def kill(self) -> None:
        """SIGKILL the worker and its pool child at once: nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def queue_name():
    return f"test-reports-{os.getpid()}-{time.time_ns()}"


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def default_queue(queue_name):
    from config.celery import app

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue_name
    yield queue_name
    app.conf.task_default_queue = previous


def _pdfs(media: Path) -> list[Path]:
    return sorted(media.rglob("*.pdf")) if media.exists() else []


def _wait_for(report: StatusReport, states, seconds: float, client=None) -> StatusReport:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if report.state in states:
            return report
        if client is not None:
            # The page's poll: what re-sends an order the queue never got.
            poll = client.get(
                reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
            )
            assert poll.status_code == 200
        time.sleep(0.5)
    pytest.fail(f"report still {report.state} ({report.stage}) after {seconds} s")


def _order(client, world) -> StatusReport:
    client.force_login(world.sector_leader)
    response = client.post(
        reverse("reports:report-order"), {"quality_plan": world.plan.pk, "year": world.year}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return StatusReport.objects.get()


def test_a_worker_renders_an_ordered_report_to_one_pdf(client, media, default_queue):
    _skip_without_services()
    world = build_world()
    worker = Worker(settings.REDIS_URL, default_queue, media)
    try:
        from config.celery import app

        worker.wait_ready(app)
        report = _order(client, world)
        assert report.dispatched_at is not None
        report = _wait_for(report, {ReportState.READY, ReportState.FAILED}, 120)
        assert report.state == ReportState.READY, report.error
        assert report.attempts == 1
        assert [p.name for p in _pdfs(media)] == [f"tilstandsrapport-2025-v1-{report.pk}.pdf"]
        assert report.pdf_pages >= 12
    finally:
        worker.stop()


@pytest.mark.slow
def test_a_worker_killed_mid_render_is_restarted_and_the_report_completes_with_one_pdf(
    client, media, default_queue
):
    _skip_without_services()
    world = build_world()
    # The layout stage waits 8 s (a test-only setting), long enough to kill it there; the
    # broker hands an unacknowledged message out again after the visibility timeout.
    env = {"REPORT_TEST_LAYOUT_DELAY": "8", "CELERY_VISIBILITY_TIMEOUT": "60"}
    from config.celery import app

    first = Worker(settings.REDIS_URL, default_queue, media, **env)
    second = None
    try:
        first.wait_ready(app)
        report = _order(client, world)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.stage == "Setter opp PDF-en":
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the worker never reached the layout stage: {report.stage}")
        first.kill()
        report.refresh_from_db()
        assert report.state == ReportState.RENDERING
        assert _pdfs(media) == []

        # Started again (without the pause): the redelivered task finishes the report.
        second = Worker(settings.REDIS_URL, default_queue, media, CELERY_VISIBILITY_TIMEOUT="60")
        second.wait_ready(app)
        report = _wait_for(report, {ReportState.READY, ReportState.FAILED}, 150)
        assert report.state == ReportState.READY, report.error
        assert report.attempts == 2
        assert len(_pdfs(media)) == 1
        assert StatusReport.objects.count() == 1
    finally:
        first.stop()
        if second is not None:
            second.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int, directory: Path):
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), 0.2),
            ):
                return
            time.sleep(0.1)
        pytest.fail("the private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(_free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def test_with_redis_stopped_pages_load_the_order_waits_and_completes_once_redis_is_back(
    client, media, default_queue, private_redis, settings
):
    _skip_without_services()
    world = build_world()
    # The cache and the broker are both the private Redis, as REDIS_URL makes them.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url,
        }
    }
    with broker(private_redis.url) as app:
        private_redis.stop()
        client.force_login(world.sector_leader)
        for url in (
            reverse("home"),
            reverse("reports:report-list"),
            reverse("reports:report-order"),
        ):
            assert client.get(url).status_code == 200, url

        response = client.post(
            reverse("reports:report-order"),
            {"quality_plan": world.plan.pk, "year": world.year},
            follow=True,
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert "Rapporten er bestilt og står i kø." in page
        assert "ikke tilgjengelig akkurat nå" in page
        report = StatusReport.objects.get()
        assert (report.state, report.dispatched_at) == (ReportState.QUEUED, None)
        # Polling while Redis is still down keeps it queued and keeps saying so.
        poll = client.get(
            reverse("reports:report-progress", args=[report.pk]), headers={"HX-Request": "true"}
        )
        assert poll.status_code == 200
        assert "ikke tilgjengelig akkurat nå" in poll.content.decode()

        # Redis comes back, and a worker with it: the page's poll sends the order.
        private_redis.start()
        worker = Worker(private_redis.url, default_queue, media)
        try:
            worker.wait_ready(app)
            StatusReport.objects.filter(pk=report.pk).update(dispatch_attempted_at=None)
            report = _wait_for(report, {ReportState.READY, ReportState.FAILED}, 120, client=client)
            assert report.state == ReportState.READY, report.error
            assert report.dispatched_at is not None
            assert len(_pdfs(media)) == 1
        finally:
            worker.stop()


def test_requeue_reports_command_sends_an_order_made_while_redis_was_down(
    client, media, default_queue, private_redis
):
    _skip_without_services()
    from django.core.management import call_command

    world = build_world()
    with broker(private_redis.url) as app:
        private_redis.stop()
        report = _order(client, world)
        assert report.dispatched_at is None
        private_redis.start()
        worker = Worker(private_redis.url, default_queue, media)
        try:
            worker.wait_ready(app)
            call_command("requeue_reports")
            report = _wait_for(report, {ReportState.READY, ReportState.FAILED}, 120)
            assert report.state == ReportState.READY, report.error
            assert len(_pdfs(media)) == 1
        finally:
            worker.stop()
