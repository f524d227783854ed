"""The one way an indicator file comes in.

``batch_create`` stores the uploaded file; ``batch_parse`` reads it, recognises the
layout, parses it and compares every row with what is stored (the preview: new, changed,
unchanged and rejected rows, the first problems); ``batch_commit`` writes it in one
transaction; ``batch_rollback`` undoes a commit; ``batch_discard`` drops a batch that was
never committed. The upload pages, the admin, ``manage.py import_indicators`` and the
Celery task ``indicators.tasks.parse_import_batch`` all call these functions.

Nothing but the batch row (and the source, once its file has been recognised) is written
before ``batch_commit``. The preview keeps no copy of the parsed rows: the commit reads
the stored file again with the same parser and mapping (the checksum proves it is the
same file) and compares again inside its transaction, so what it writes is what the file
says against what is stored at that moment.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from indicators import parsing
from indicators.models import (
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    Place,
    Source,
)
from indicators.parsing import mapped, streaming
from indicators.parsing.base import FatalImportError, ParseResult
from indicators.parsing.streaming import StreamingParse
from indicators.selectors.parsers import (
    MAPPING_OPTIONS,
    UNKNOWN_LAYOUT,
    batch_stored_content,
    file_too_big_message,
    header_signature,
    parser_accepts,
    parser_by_name,
    place_codes_by_name,
)
from indicators.selectors.tenancy import import_scope, import_skip_reason
from indicators.services import bulk
from indicators.services.file_checks import file_content_check
from indicators.services.preview import PreviewCollector, batch_links_apply
from plans.services.common import model_update

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]

MAX_PROBLEMS = 100

SOURCE_NAMES = {
    "ssb": ("Statistisk sentralbyrå (SSB)", "https://www.ssb.no/statbank"),
    "udir": ("Utdanningsdirektoratet (Udir)", "https://www.udir.no/tall-og-forskning/"),
    "fhi": ("Folkehelseinstituttet (FHI)", "https://statistikk.fhi.no/"),
    "ungdata": ("Ungdata (NOVA, OsloMet)", "https://www.ungdata.no/"),
    "kommunebarometeret": ("Kommunebarometeret (Kommunal Rapport)", ""),
    "lokal": ("Lokal kartlegging", ""),
}


class _UnknownLayout(Exception):
    pass


class _NeedsMapping(Exception):
    """The parser knows the layout but needs the data admin to say something the file
    does not (which place, which year)."""

    def __init__(self, message: str, parser_name: str) -> None:
        super().__init__(message)
        self.message = message
        self.parser_name = parser_name


def _field_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


LIMITS = {
    "indicator_code": _field_length(Indicator, "code"),
    "indicator_name": _field_length(Indicator, "name"),
    "place_code": _field_length(Place, "code"),
    "place_name": _field_length(Place, "name"),
    "period_label": _field_length(Observation, "period_label"),
    "subgroup": _field_length(Observation, "subgroup"),
    "symbol": _field_length(Observation, "symbol"),
}


# --- Creating a batch ---------------------------------------------------------------------


def batch_create(
    *,
    uploaded_file=None,
    content: bytes | None = None,
    name: str = "",
    user,
    municipality,
) -> ImportBatch:
    """Store a file for import (an ``UploadedFile``, or ``content`` with its ``name``) and
    return its batch, QUEUED for ``batch_parse``. Raises ``ValidationError`` for a file
    over ``settings.INDICATOR_IMPORT_MAX_BYTES``; nothing is stored then."""
    limit = settings.INDICATOR_IMPORT_MAX_BYTES
    digest = hashlib.sha256()
    if uploaded_file is not None:
        name = name or uploaded_file.name or ""
        size = uploaded_file.size or 0
        if size > limit:
            raise ValidationError(file_too_big_message(size=size, limit=limit), code="too_big")
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
        uploaded_file.seek(0)
        stored = uploaded_file
    elif content is not None:
        size = len(content)
        if size > limit:
            raise ValidationError(file_too_big_message(size=size, limit=limit), code="too_big")
        digest.update(content)
        stored = ContentFile(content)
    else:
        raise TypeError("batch_create needs uploaded_file or content")
    display_name = PurePath(name.replace("\\", "/")).name.replace("\x00", "")[:255] or "fil"
    batch = ImportBatch(
        uploaded_by=user,
        municipality=municipality,
        file_name=display_name,
        file_size=size,
        sha256=digest.hexdigest(),
        status=ImportStatus.QUEUED,
        stage=_("Venter på tur"),
    )
    batch.stored_file.save(_storage_name(display_name), stored, save=False)
    batch.save()
    logger.info(
        "indicator import %s stored: %s (%s bytes) by %s", batch.pk, display_name, size, user
    )
    return batch


def _storage_name(name: str) -> str:
    stem, suffix = os.path.splitext(name)
    safe = get_valid_filename(stem)[:80] or "fil"
    suffix = get_valid_filename(suffix)[:10] if suffix else ""
    return f"{timezone.now():%Y/%m}/{safe}{suffix}"


# --- Parsing and the preview --------------------------------------------------------------


def batch_parse(*, batch: ImportBatch, progress: Progress | None = None) -> ImportBatch:
    """Read the stored file, recognise its layout (or use a saved mapping for it), parse it
    and compare every row with what is stored. Ends in PREVIEW with the counts and the
    first problems, or FAILED with a Norwegian message; never raises for a bad file.

    ``progress(stage, percent)`` is called a few times on the way (the Celery task saves
    it on the batch row for the progress bar). A batch that is no longer QUEUED or
    RUNNING is left as it is, so running this twice does no harm."""
    if batch.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return batch
    report = progress or _no_progress
    batch.status = ImportStatus.RUNNING
    batch.error = ""
    batch.save(update_fields=["status", "error"])
    try:
        report(_("Leser filen"), 5)
        content = batch_stored_content(batch=batch)
        report(_("Kontrollerer filen"), 10)
        file_content_check(content=content)
        report(_("Kjenner igjen formatet"), 15)
        parser_name, parse, fraction = _reader(batch, content)
        report(_("Tolker og sammenligner tallene"), 20)
        source = _source(parse.source_code)
        scope = import_scope(municipality=batch.municipality, detected_format=parser_name)
        collector = PreviewCollector(scope)
        tally = bulk.observations_preview(
            rows=collector.watch(parse.rows),
            source_code=source.code if source else "",
            progress=lambda _rows: report(
                _("Tolker og sammenligner tallene"), 20 + int(75 * fraction())
            ),
            municipality_id=batch.municipality_id,
            scope=scope,
        )
        counts = _counts(parse, tally)
        shown = collector.result(
            source=source, municipality_id=batch.municipality_id, changes=tally["changes"]
        )
    except _UnknownLayout:
        return _fail(
            batch,
            _(
                "Kjenner ikke igjen oppsettet i filen. Angi hvilke kolonner som er sted, "
                "periode, undergruppe og verdi, så leses filen på nytt."
            ),
            detected_format=UNKNOWN_LAYOUT,
        )
    except _NeedsMapping as needs:
        return _fail(batch, needs.message, detected_format=needs.parser_name)
    except FatalImportError as error:
        # A file read with a mapping that does not fit it goes back to the mapping step.
        return _fail(batch, str(error), detected_format=_remapping_format(batch))
    except SoftTimeLimitExceeded as error:  # Celery's: the task ran too long
        logger.warning("indicator import %s stopped: %s", batch.pk, error)
        return _fail(
            batch, _("Innlesingen tok for lang tid og ble stoppet. Del filen opp og prøv igjen.")
        )
    except Exception:
        logger.exception("indicator import %s failed", batch.pk)
        return _fail(
            batch,
            _(
                "Filen kunne ikke leses. Feilen er logget. Kontroller at filen er en "
                "uendret eksport fra SSB, Udir, FHI eller portalens mal, og prøv igjen."
            ),
        )
    if counts["rows_total"] == 0:
        return _fail(batch, _("Fant ingen tall i filen."), detected_format=parser_name)
    if counts["rows_total"] == counts["rows_skipped"]:
        return _fail(
            batch,
            _("Ingen av tallene i filen kan lagres med denne kommunens import. %(reason)s")
            % {"reason": " ".join(entry["reason"] for entry in counts["skipped"])},
            detected_format=parser_name,
        )
    report(_("Klar til gjennomgang"), 100)
    _finish(
        batch,
        status=ImportStatus.PREVIEW,
        stage=str(_("Klar til gjennomgang")),
        progress=100,
        detected_format=parser_name,
        source=source,
        preview=shown,
        **counts,
    )
    logger.info(
        "indicator import %s previewed: %s new, %s changed, %s unchanged, %s rejected",
        batch.pk,
        batch.rows_new,
        batch.rows_changed,
        batch.rows_unchanged,
        batch.rows_rejected,
    )
    return batch


def _no_progress(stage: str, percent: int) -> None:
    pass


@contextlib.contextmanager
def batch_progress_record(*, batch: ImportBatch) -> Iterator[Progress]:
    """A ``progress(stage, percent)`` that saves both on the batch row, where the page
    polls them. Most of the reading happens inside a transaction (the bulk writer's), so
    on PostgreSQL the row is updated through a connection of its own, in autocommit, to
    be seen at once; it skips a row another transaction holds rather than wait for it
    (the next call tries again). Elsewhere (SQLite) it saves through the ORM."""
    side: list[Any] = []
    # Called inside a transaction already (a test, a dry run): no one else can see the
    # row before that transaction ends, so the ORM will do.
    outer = connection.in_atomic_block

    def record(stage: str, percent: int) -> None:
        batch.stage = str(stage)[:120]
        batch.progress = max(0, min(int(percent), 100))
        if outer or connection.vendor != "postgresql" or not connection.in_atomic_block:
            batch.save(update_fields=["stage", "progress"])
            return
        if not side:
            side.append(psycopg.connect(**connection.get_connection_params(), autocommit=True))
        table = ImportBatch._meta.db_table
        side[0].execute(
            f"UPDATE {table} SET stage = %s, progress = %s WHERE id = ("  # noqa: S608
            f"SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
            [batch.stage, batch.progress, batch.pk],
        )

    try:
        yield record
    finally:
        for side_connection in side:
            side_connection.close()


def _finish(batch: ImportBatch, **fields) -> ImportBatch:
    """Record the outcome unless the batch was discarded meanwhile (the page may discard
    a batch while a worker is still reading it)."""
    updated = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(batch, name, value)
    else:
        batch.refresh_from_db()
    return batch


def _fail(batch: ImportBatch, message: str, *, detected_format: str = "") -> ImportBatch:
    logger.info("indicator import %s failed: %s", batch.pk, message)
    return _finish(
        batch,
        status=ImportStatus.FAILED,
        stage=str(_("Feilet")),
        progress=100,
        error=str(message),
        detected_format=detected_format,
        rows_total=0,
        rows_new=0,
        rows_changed=0,
        rows_unchanged=0,
        rows_rejected=0,
        rows_skipped=0,
        skipped=[],
        problems=[],
        preview={},
    )


def _remapping_format(batch: ImportBatch) -> str:
    if batch.mapping is None:
        return ""
    return (batch.mapping.columns or {}).get("parser") or UNKNOWN_LAYOUT


# --- Choosing the parser ------------------------------------------------------------------


def _parse(batch: ImportBatch, content: bytes) -> tuple[str, ParseResult]:
    """(format name, result) for the stored file: with the batch's mapping; else with the
    parser that recognises the layout; else, when no parser does (or the parser needs a
    place or year the file does not give), with a mapping the municipality saved for
    this header."""
    name = batch.file_name
    if batch.mapping is not None:
        return _parse_mapped(batch.mapping, content, name)
    parser = parsing.detect(content, name)
    result = None
    if parser is not None:
        result = parser.parse(content, name, **_automatic_options(parser))
        if result.rows or not any(
            parser_accepts(parser=parser, option=option) for option in MAPPING_OPTIONS
        ):
            return parser.NAME, result
    mapping = _saved_mapping(batch, content)
    if mapping is not None:
        batch.mapping = mapping
        batch.save(update_fields=["mapping"])
        return _parse_mapped(mapping, content, name)
    if parser is None or result is None:
        raise _UnknownLayout
    reason = (
        result.problems[0].reason if result.problems else _("Filen sier ikke hvor tallene gjelder.")
    )
    raise _NeedsMapping(reason, parser.NAME)


def _saved_mapping(batch: ImportBatch, content: bytes) -> ImportMapping | None:
    if batch.municipality_id is None:
        return None
    saved = ImportMapping.objects.filter(municipality_id=batch.municipality_id)
    if not saved.exists():
        return None
    signature = header_signature(content=content, filename=batch.file_name)
    if not signature:
        return None
    return (
        saved.filter(header_signature=signature)
        .select_related("source")
        .order_by("-created_at")
        .first()
    )


def _parse_mapped(mapping: ImportMapping, content: bytes, name: str) -> tuple[str, ParseResult]:
    columns = mapping.columns or {}
    parser_name = columns.get("parser")
    if parser_name:
        parser = parser_by_name(name=parser_name)
        if parser is None:
            raise FatalImportError(
                _("Kolonneoppsettet «%(name)s» viser til et format som ikke finnes lenger.")
                % {"name": mapping.name}
            )
        options: dict[str, Any] = {}
        if columns.get("place") and parser_accepts(parser=parser, option="place"):
            options["place"] = tuple(columns["place"])
        if columns.get("period") and parser_accepts(parser=parser, option="period"):
            options["period"] = columns["period"]
        if mapping.indicator_code and parser_accepts(parser=parser, option="indicator_code"):
            options["indicator_code"] = mapping.indicator_code
        if mapping.indicator_name and parser_accepts(parser=parser, option="indicator_name"):
            options["indicator_name"] = mapping.indicator_name
        options.update(
            (key, value) for key, value in _automatic_options(parser).items() if key not in options
        )
        return parser.NAME, parser.parse(content, name, **options)
    return mapped.NAME, mapped.parse_with_mapping(
        content,
        name,
        columns=columns,
        source_code=mapping.source.code,
        indicator_code=mapping.indicator_code,
        indicator_name=mapping.indicator_name,
    )


def _automatic_options(parser) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if parser_accepts(parser=parser, option="place_codes"):
        options["place_codes"] = place_codes_by_name()
    return options


# --- Comparing with what is stored --------------------------------------------------------


def _reader(batch: ImportBatch, content: bytes) -> tuple[str, StreamingParse, Callable[[], float]]:
    """(format name, the rows one by one, how far through the file the reading is, 0–1).

    The two long layouts a national file comes in (SSB's statbank CSV and the portal's
    template) are read by ``indicators.parsing.streaming`` without holding their rows;
    every other layout, and a file read with a mapping, by its own parser into a list
    (those files are one municipality's tables)."""
    name = batch.file_name
    if batch.mapping is None:
        parser = parsing.detect(content, name)
        if parser is not None and parser.NAME in streaming.STREAMED:
            binary = io.BytesIO(content)
            parse = streaming.iter_parse(binary, name)
            if parse.format == parser.NAME:
                size = max(len(content), 1)
                return parser.NAME, parse, lambda: min(binary.tell() / size, 1.0)
    parser_name, result = _parse(batch, content)
    parse = streaming.from_result(result)
    total = max(len(result.rows), 1)
    handed = parse.counter or (lambda: 0)
    return parser_name, parse, lambda: min(handed() / total, 1.0)


def _counts(parse: StreamingParse, tally: dict[str, Any]) -> dict[str, Any]:
    """The batch's counts from the bulk writer's tally and the parser's problems: a
    problem the parser found is a rejected row, as is a row the writer refused."""
    problems = [
        {
            "line": problem.line,
            "column": str(problem.column or "")[:200],
            "value": str(problem.value if problem.value is not None else "")[:200],
            "reason": str(problem.reason),
        }
        for problem in parse.problems
    ]
    problems.extend(tally["problems"])
    problems.sort(key=lambda problem: (problem["line"] or 0, problem["column"]))
    rejected = parse.problem_count + tally["rejected"]
    skipped = tally["rows_skipped"]
    return {
        "rows_total": tally["new"] + tally["changed"] + tally["unchanged"] + rejected + skipped,
        "rows_new": tally["new"],
        "rows_changed": tally["changed"],
        "rows_unchanged": tally["unchanged"],
        "rows_rejected": rejected,
        "rows_skipped": skipped,
        # The reason in Norwegian, as the problems are: the page and the command show it.
        "skipped": [
            {
                "key": entry["reason"],
                "reason": str(import_skip_reason(key=entry["reason"])),
                "count": entry["count"],
                "lines": entry["lines"],
            }
            for entry in tally["skipped"]
        ],
        "problems": problems[:MAX_PROBLEMS],
    }


# --- Committing ---------------------------------------------------------------------------


def batch_commit(*, batch: ImportBatch, user) -> ImportBatch:
    """Write a previewed batch in one transaction: the source, new indicators and places
    (historic municipality numbers linked to the number that continues them), new
    observations, and changed ones with what they were before (so a rollback can restore
    them). Rejected rows are not written; unchanged cells are not touched. Raises
    ``ValidationError`` (Norwegian) when the batch cannot be committed."""
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status != ImportStatus.PREVIEW:
                raise ValidationError(
                    _(
                        "Bare en import som er klar til gjennomgang kan lagres "
                        "(denne er «%(status)s»)."
                    )
                    % {"status": locked.get_status_display()}
                )
            if locked.rows_total == locked.rows_rejected + locked.rows_skipped:
                raise ValidationError(
                    _("Alle radene i filen ble avvist, så det er ingenting å lagre.")
                )
            try:
                content = batch_stored_content(batch=locked)
                parser_name, parse, _fraction = _reader(locked, content)
            except (FatalImportError, _NeedsMapping) as error:
                raise ValidationError(str(error)) from error
            except _UnknownLayout as error:
                raise ValidationError(_("Kjenner ikke igjen oppsettet i filen.")) from error
            source = _source(parse.source_code)
            if source is None:
                raise ValidationError(_("Filen sier ikke hvilken kilde tallene kommer fra."))
            try:
                tally = bulk.observations_upsert(
                    rows=parse.rows,
                    batch=locked,
                    source_code=source.code,
                    scope=import_scope(
                        municipality=locked.municipality, detected_format=parser_name
                    ),
                )
            except FatalImportError as error:
                raise ValidationError(str(error)) from error
            outcome = {
                "status": ImportStatus.COMMITTED,
                "stage": str(_("Lagret")),
                "detected_format": parser_name,
                "source": source,
                **_counts(parse, tally),
                "committed_at": timezone.now(),
            }
            model_update(instance=locked, fields=outcome.keys(), data=outcome, clean=False)
            # After the update: the links are looked up under the batch's source.
            batch_links_apply(batch=locked)
    except IntegrityError as error:
        logger.warning("indicator import %s: commit conflict: %s", batch.pk, error)
        raise ValidationError(
            _("Andre tall ble lagret samtidig. Les filen inn på nytt og prøv igjen.")
        ) from error
    logger.info(
        "indicator import %s committed by %s: %s new, %s changed",
        locked.pk,
        user,
        locked.rows_new,
        locked.rows_changed,
    )
    return locked


def _source(code: str) -> Source | None:
    code = (code or "").strip().lower()
    if not code:
        return None
    name, url = SOURCE_NAMES.get(code, (code, ""))
    source, _created = Source.objects.get_or_create(code=code, defaults={"name": name, "url": url})
    return source


# --- Rolling back and discarding ----------------------------------------------------------


def batch_rollback(*, batch: ImportBatch, user) -> ImportBatch:
    """Undo a committed batch in one transaction: delete the observations it created,
    restore those it changed to what they were, and take it out of the history
    (``previous``) of cells later batches changed after it. Refused while a later
    committed batch of the same municipality (or, for an installation-wide batch, another
    installation-wide one) has changed a cell it wrote: roll that one back first. A later
    batch of another municipality never blocks it: such a batch can only have changed or
    taken over a shared figure, and keeps its own value."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.COMMITTED:
            raise ValidationError(
                _("Bare en lagret import kan tilbakestilles (denne er «%(status)s»).")
                % {"status": locked.get_status_display()}
            )
        later = (
            Observation.objects.filter(previous__batch=locked.pk)
            .exclude(batch=locked)
            .filter(
                Q(batch__municipality__isnull=True)
                if locked.municipality_id is None
                else Q(batch__municipality_id=locked.municipality_id)
            )
            .select_related("batch")
            .order_by("batch__created_at")
            .first()
        )
        if later is not None:
            raise ValidationError(
                _(
                    "Importen kan ikke tilbakestilles: en senere import («%(name)s», "
                    "%(when)s) har endret noen av de samme tallene. Tilbakestill den først."
                )
                % {
                    "name": later.batch.file_name,
                    "when": timezone.localtime(later.batch.created_at).strftime("%d.%m.%Y %H:%M"),
                }
            )
        spliced = _splice_out(locked.pk)
        written = Observation.objects.filter(batch=locked)
        deleted, _by_model = written.filter(previous__isnull=True).delete()
        restored = []
        for observation in written.filter(previous__isnull=False).only("pk", "previous"):
            before: dict[str, Any] = observation.previous or {}
            restored.append(
                Observation(
                    pk=observation.pk,
                    value=None if before["value"] is None else Decimal(before["value"]),
                    status=before["status"],
                    symbol=before["symbol"],
                    batch_id=before["batch"],
                    previous=before.get("previous"),
                )
            )
        Observation.objects.bulk_update(
            restored, ["value", "status", "symbol", "batch", "previous"], batch_size=500
        )
        locked.status = ImportStatus.ROLLED_BACK
        locked.stage = str(_("Tilbakestilt"))
        locked.rolled_back_at = timezone.now()
        locked.save(update_fields=["status", "stage", "rolled_back_at"])
    logger.info(
        "indicator import %s rolled back by %s: %s deleted, %s restored, %s left to later batches",
        locked.pk,
        user,
        deleted,
        len(restored),
        spliced,
    )
    return locked


def _splice_out(batch_id: int) -> int:
    """Take a batch out of the history of the cells later batches wrote over it: the link
    that says «before, this batch had …» is replaced by what was before that batch, so a
    later rollback never brings back a value of a batch that was rolled back. Returns the
    number of cells changed."""
    # The history is nested JSON; its text names the batch as «"batch": 12,» on both
    # databases (a later key always follows), which finds the candidates in one scan.
    needle = f'"batch": {int(batch_id)},'
    candidates = (
        Observation.objects.exclude(batch_id=batch_id)
        .filter(previous__isnull=False)
        .annotate(history=Cast("previous", TextField()))
        .filter(history__contains=needle)
        .only("pk", "previous")
    )
    changed = []
    for observation in candidates:
        history = observation.previous
        holder: dict[str, Any] | None = None
        link = history
        while isinstance(link, dict) and link.get("batch") != batch_id:
            holder, link = link, link.get("previous")
        if not isinstance(link, dict):
            continue
        if holder is None:
            observation.previous = link.get("previous")
        else:
            holder["previous"] = link.get("previous")
            observation.previous = history
        changed.append(observation)
    Observation.objects.bulk_update(changed, ["previous"], batch_size=500)
    return len(changed)


def batch_discard(*, batch: ImportBatch, user) -> ImportBatch:
    """Drop a batch that was never committed, and its stored file."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (
            ImportStatus.QUEUED,
            ImportStatus.RUNNING,
            ImportStatus.PREVIEW,
            ImportStatus.FAILED,
        ):
            raise ValidationError(
                _("Bare en import som ikke er lagret kan forkastes (denne er «%(status)s»).")
                % {"status": locked.get_status_display()}
            )
        locked.status = ImportStatus.DISCARDED
        locked.stage = str(_("Forkastet"))
        locked.save(update_fields=["status", "stage"])
        storage, name = locked.stored_file.storage, locked.stored_file.name
        if name:
            transaction.on_commit(lambda: storage.delete(name))
    logger.info("indicator import %s discarded by %s", locked.pk, user)
    return locked


# --- The mapping step ---------------------------------------------------------------------


def mapping_create(
    *,
    batch: ImportBatch,
    user,
    name: str,
    columns: dict,
    source_code: str,
    indicator_code: str = "",
    indicator_name: str = "",
) -> ImportMapping:
    """Save a data admin's answer to «which column is what» (or, for a layout the importer
    knows but that leaves out the place or year, the answer to that) under the file's
    header signature, and queue the batch to be read again with it."""
    if batch.status != ImportStatus.FAILED:
        raise ValidationError(_("Kolonneoppsett kan bare angis for en import som feilet."))
    if batch.municipality_id is None:
        raise ValidationError(_("Importen hører ikke til en kommune."))
    try:
        content = batch_stored_content(batch=batch)
    except FatalImportError as error:
        raise ValidationError(str(error)) from error
    source = _source(source_code)
    if source is None:
        raise ValidationError(_("Velg hvilken kilde tallene kommer fra."))
    with transaction.atomic():
        mapping = ImportMapping.objects.create(
            municipality_id=batch.municipality_id,
            name=name[:120],
            header_signature=header_signature(content=content, filename=batch.file_name),
            columns=columns,
            source=source,
            indicator_code=indicator_code[: LIMITS["indicator_code"]],
            indicator_name=indicator_name[: LIMITS["indicator_name"]],
            created_by=user,
        )
        _requeue(batch, mapping)
    return mapping


def _requeue(batch: ImportBatch, mapping: ImportMapping) -> None:
    batch.mapping = mapping
    batch.status = ImportStatus.QUEUED
    batch.stage = str(_("Venter på tur"))
    batch.progress = 0
    batch.error = ""
    batch.save(update_fields=["mapping", "status", "stage", "progress", "error"])
