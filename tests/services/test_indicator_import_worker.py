"""A real Celery worker on Redis parses an indicator file too big to read in the request,
against PostgreSQL, while the page polls the progress.

Needs REDIS_URL and a DATABASE_URL for PostgreSQL (see test_celery_worker.py, whose
``worker`` fixture this reuses); elsewhere the test skips, under CI=true it fails."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch, ImportStatus, Observation
from plans.models import Role
from tests.factories import MembershipFactory, MunicipalityFactory
from tests.indicators.conftest import real_file
from tests.services.test_celery_worker import worker  # noqa: F401 - the fixture

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

XLSX = "udir_grunnskolepoeng_export.xlsx"


@pytest.fixture
def shared_media(tmp_path, settings, monkeypatch):
    """One media directory for the test and the worker it starts (set before ``worker``)."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    return media


def test_worker_parses_a_big_file_to_its_preview_with_the_progress_on_the_row(
    shared_media,
    worker,  # noqa: F811
    client,
    settings,
):
    content = real_file(XLSX)
    assert len(content) >= settings.INDICATOR_IMPORT_ASYNC_BYTES  # the real threshold
    municipality = MunicipalityFactory(name="Solvik kommune", number="9901")
    admin = MembershipFactory(
        user__username="dataansvarlig", municipality=municipality, unit=None, role=Role.DATA_ADMIN
    ).user
    client.force_login(admin)

    response = client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(XLSX, content, content_type="application/octet-stream")},
    )

    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    progress_url = reverse("indicators:import-progress", args=[batch.pk])
    seen = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        seen.add((batch.status, batch.progress))
        if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
            break
        poll = client.get(progress_url, headers={"HX-Request": "true"})
        assert poll.status_code == 200
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not finish the batch: {sorted(seen)}")

    assert batch.status == ImportStatus.PREVIEW, batch.error
    assert batch.progress == 100
    assert batch.detected_format == "udir_statistikkbank_xlsx"
    # Every row was read; Solvik's import keeps the shared figures and leaves the other
    # municipalities' rows out (indicators/selectors/tenancy.py).
    assert batch.rows_new + batch.rows_skipped > 10_000
    assert batch.rows_new > 0
    assert not Observation.objects.exists()  # a preview writes nothing
    done = client.get(progress_url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"
    page = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert f'data-count="new">{batch.rows_new}<' in page
