"""Celery adapters for the indicators app: they take ids and call the import service."""

from __future__ import annotations

from celery import shared_task

from indicators.models import ImportBatch, ImportStatus
from indicators.services.imports import batch_parse, batch_progress_record


@shared_task(name="indicators.parse_import_batch")
def parse_import_batch(batch_id: int) -> str:
    """Parse a big uploaded file into its preview, saving the stage and percentage on the
    batch row a few times on the way for the page's progress bar. Safe to run twice: a
    batch that is already previewed, failed or discarded is left alone, and one left
    RUNNING by a worker that died is read again from the start (nothing but the batch row
    is written before the data admin commits)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return "missing"
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch.status

    with batch_progress_record(batch=batch) as record:
        return batch_parse(batch=batch, progress=record).status
