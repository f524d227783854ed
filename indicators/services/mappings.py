"""Correcting and deleting a municipality's saved column mappings.

A mapping is found again by the header signature of the next file with the same
columns (``indicators.services.imports``); a wrong one would be reused for every such
file, so the data admin can correct it (the batches in preview that were read with it
are read again) or delete it (the next such file goes to the mapping step)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import ImportBatch, ImportMapping, ImportStatus
from indicators.services.imports import LIMITS, _requeue, _source, batch_discard


def mapping_update(
    *,
    mapping: ImportMapping,
    actor,
    name: str,
    columns: dict,
    source_code: str,
    indicator_code: str = "",
    indicator_name: str = "",
) -> list[ImportBatch]:
    """Save the corrected mapping and queue the batches in preview that were read with it
    to be read again (their counts were the old mapping's). Returns those batches; the
    caller starts their reading. Raises ``ValidationError`` (Norwegian) without saving."""
    if not name.strip():
        raise ValidationError({"name": _("Oppsettet må ha et navn.")})
    source = _source(source_code)
    if source is None:
        raise ValidationError({"source": _("Velg hvilken kilde tallene kommer fra.")})
    with transaction.atomic():
        locked = ImportMapping.objects.select_for_update().get(pk=mapping.pk)
        locked.name = name.strip()[:120]
        locked.columns = columns
        locked.source = source
        locked.indicator_code = indicator_code[: LIMITS["indicator_code"]]
        locked.indicator_name = indicator_name[: LIMITS["indicator_name"]]
        locked.save()
        again = list(
            ImportBatch.objects.select_for_update().filter(
                mapping=locked, status=ImportStatus.PREVIEW
            )
        )
        for batch in again:
            _requeue(batch, locked)
    mapping.refresh_from_db()
    return again


def mapping_delete(*, mapping: ImportMapping, actor) -> None:
    """Delete a saved mapping: the next file with the same columns is no longer read with
    it. Batches in preview that were read with it are discarded (their commit would read
    the file without it); committed batches keep their figures."""
    with transaction.atomic():
        for batch in ImportBatch.objects.filter(mapping=mapping, status=ImportStatus.PREVIEW):
            batch_discard(batch=batch, user=actor)
        mapping.delete()
