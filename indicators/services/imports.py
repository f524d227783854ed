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

import hashlib
import inspect
import logging
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from importlib import import_module
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from indicators import parsing, reforms
from indicators.models import (
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Source,
)
from indicators.parsing.base import FatalImportError, ParsedRow, ParseResult, Problem
from indicators.services.file_checks import check_content, size_limit_text

logger = logging.getLogger(__name__)

Progress = Callable[[str, int], None]

MAX_PROBLEMS = 100
# ``detected_format`` of a batch whose layout no parser recognised: the mapping step.
UNKNOWN_LAYOUT = "ukjent"
# Parse options a data admin gives in the mapping step when the file does not say them
# (an Ungdata report table names neither its place nor, sometimes, its year).
MAPPING_OPTIONS = ("place", "period")
CHUNK = 500

SOURCE_NAMES = {
    "ssb": ("Statistisk sentralbyrå (SSB)", "https://www.ssb.no/statbank"),
    "udir": ("Utdanningsdirektoratet (Udir)", "https://www.udir.no/tall-og-forskning/"),
    "fhi": ("Folkehelseinstituttet (FHI)", "https://statistikk.fhi.no/"),
    "ungdata": ("Ungdata (NOVA, OsloMet)", "https://www.ungdata.no/"),
    "kommunebarometeret": ("Kommunebarometeret (Kommunal Rapport)", ""),
    "lokal": ("Lokal kartlegging", ""),
}

_VALIDITY = re.compile(r"\s*\(\s*(\d{4})?\s*[-–]\s*(\d{4})?\s*\)\s*$")
_FOUR_PLACES = Decimal("0.0001")
MAX_VALUE = Decimal(10) ** 12

STATUS_VALUES = set(ObservationStatus.values)
LEVEL_VALUES = set(PlaceLevel.values)


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
FIELD_LABELS = {
    "indicator_code": "indikatorkoden",
    "indicator_name": "indikatornavnet",
    "place_code": "stedskoden",
    "place_name": "stedsnavnet",
    "period_label": "perioden",
    "subgroup": "undergruppen",
    "symbol": "symbolet",
}


# --- Creating a batch ---------------------------------------------------------------------


def too_big_message(size: int, limit: int) -> str:
    return _("Filen er for stor (%(size)s MB). Største tillatte filstørrelse er %(limit)s MB.") % {
        "size": size_limit_text(size),
        "limit": size_limit_text(limit),
    }


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
            raise ValidationError(too_big_message(size, limit), code="too_big")
        for chunk in uploaded_file.chunks():
            digest.update(chunk)
        uploaded_file.seek(0)
        stored = uploaded_file
    elif content is not None:
        size = len(content)
        if size > limit:
            raise ValidationError(too_big_message(size, limit), code="too_big")
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


def parses_in_request(batch: ImportBatch) -> bool:
    """Small files are parsed in the request; from ``INDICATOR_IMPORT_ASYNC_BYTES`` on a
    Celery worker does it while the page shows the progress."""
    return batch.file_size < settings.INDICATOR_IMPORT_ASYNC_BYTES


# --- Parsing and the preview --------------------------------------------------------------


def batch_parse(batch: ImportBatch, *, progress: Progress | None = None) -> ImportBatch:
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
        content = _stored_content(batch)
        report(_("Kontrollerer filen"), 10)
        check_content(content)
        report(_("Kjenner igjen formatet"), 15)
        parser_name, result = _parse(batch, content)
        report(_("Tolker tallene"), 50)
        source = _source(result.source_code)
        comparison = _compare(result, source=source, progress=report)
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
    except _TimeLimit as error:
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
    if comparison.total == 0:
        return _fail(batch, _("Fant ingen tall i filen."), detected_format=parser_name)
    report(_("Klar til gjennomgang"), 100)
    _finish(
        batch,
        status=ImportStatus.PREVIEW,
        stage=str(_("Klar til gjennomgang")),
        progress=100,
        detected_format=parser_name,
        source=source,
        rows_total=comparison.total,
        rows_new=len(comparison.new),
        rows_changed=len(comparison.changed),
        rows_unchanged=comparison.unchanged,
        rows_rejected=comparison.rejected,
        problems=comparison.problems,
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


try:  # Celery's soft time limit, raised inside a task that runs too long.
    from celery.exceptions import SoftTimeLimitExceeded as _TimeLimit
except ImportError:  # pragma: no cover
    _TimeLimit = TimeoutError  # type: ignore[assignment,misc]


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
        problems=[],
    )


def _remapping_format(batch: ImportBatch) -> str:
    if batch.mapping is None:
        return ""
    return (batch.mapping.columns or {}).get("parser") or UNKNOWN_LAYOUT


def _stored_content(batch: ImportBatch) -> bytes:
    if not batch.stored_file:
        raise FatalImportError(_("Filen til denne importen finnes ikke lenger."))
    with batch.stored_file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        raise FatalImportError(_("Den lagrede filen er endret siden den ble lastet opp."))
    return content


# --- Choosing the parser ------------------------------------------------------------------


def parser_by_name(name: str):
    for module_name in parsing.PARSER_MODULES:
        try:
            module = import_module(module_name)
        except ImportError:
            continue
        if getattr(module, "NAME", None) == name:
            return module
    return None


def format_label(name: str) -> str:
    """The Norwegian name of a parser's format, for the preview and the history."""
    if not name:
        return ""
    if name == UNKNOWN_LAYOUT:
        return _("Ukjent oppsett")
    mapped = _mapped_module()
    if mapped is not None and name == mapped.NAME:
        return str(mapped.LABEL)
    module = parser_by_name(name)
    return str(getattr(module, "LABEL", name)) if module else name


def _mapped_module():
    try:
        return import_module("indicators.parsing.mapped")
    except ImportError:
        return None


def file_headers(content: bytes, filename: str = "") -> list[str]:
    """The header cells of a file, for the mapping step; [] when it has none."""
    mapped = _mapped_module()
    if mapped is None:  # pragma: no cover
        return []
    try:
        return list(mapped.headers(content, filename))
    except (FatalImportError, UnicodeDecodeError):
        return []


def batch_headers(batch: ImportBatch) -> list[str]:
    """The header cells of a batch's stored file, or [] when it has none we can read."""
    try:
        return file_headers(_stored_content(batch), batch.file_name)
    except FatalImportError:
        return []


def header_signature(content: bytes, filename: str = "") -> str:
    """A fingerprint of a file's header row (``indicators.parsing.mapped``): a saved
    mapping is found by it. "" when the file has no header row."""
    mapped = _mapped_module()
    if mapped is None:  # pragma: no cover
        return ""
    try:
        return mapped.header_signature(content, filename)
    except Exception:  # a file without a readable header has no signature; parsing says why
        return ""


def parser_accepts(parser, option: str) -> bool:
    """Whether a parser's ``parse`` takes this keyword option."""
    try:
        return option in inspect.signature(parser.parse).parameters
    except (TypeError, ValueError):
        return False


def needs_mapping(batch: ImportBatch) -> bool:
    """A failed batch the mapping step can rescue: no parser knew the layout, or the
    parser needs a place or a year the file does not give."""
    if batch.status != ImportStatus.FAILED or not batch.detected_format:
        return False
    if batch.detected_format == UNKNOWN_LAYOUT:
        return True
    parser = parser_by_name(batch.detected_format)
    return parser is not None and any(parser_accepts(parser, option) for option in MAPPING_OPTIONS)


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
        if result.rows or not any(parser_accepts(parser, option) for option in MAPPING_OPTIONS):
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
    signature = header_signature(content, batch.file_name)
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
        parser = parser_by_name(parser_name)
        if parser is None:
            raise FatalImportError(
                _("Kolonneoppsettet «%(name)s» viser til et format som ikke finnes lenger.")
                % {"name": mapping.name}
            )
        options: dict[str, Any] = {}
        if columns.get("place") and parser_accepts(parser, "place"):
            options["place"] = tuple(columns["place"])
        if columns.get("period") and parser_accepts(parser, "period"):
            options["period"] = columns["period"]
        if mapping.indicator_code and parser_accepts(parser, "indicator_code"):
            options["indicator_code"] = mapping.indicator_code
        if mapping.indicator_name and parser_accepts(parser, "indicator_name"):
            options["indicator_name"] = mapping.indicator_name
        options.update(
            (key, value) for key, value in _automatic_options(parser).items() if key not in options
        )
        return parser.NAME, parser.parse(content, name, **options)
    mapped = _mapped_module()
    if mapped is None:  # pragma: no cover - the module is part of the app
        raise FatalImportError(_("Importen med eget kolonneoppsett er ikke tilgjengelig."))
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
    if parser_accepts(parser, "place_codes"):
        options["place_codes"] = place_codes()
    return options


def place_codes() -> dict[str, tuple[str, str]]:
    """Lower-case place name → (level, code) for the municipalities and counties of today,
    for files that give places by name only (FHI's API). A name two places share is left
    out: such a file keeps its own stable name code for it."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for name, code in reforms.current_municipalities().items():
        found[name.lower()].add((PlaceLevel.MUNICIPALITY, code))
    stored = Place.objects.filter(
        level__in=[PlaceLevel.MUNICIPALITY, PlaceLevel.COUNTY], valid_to__isnull=True
    ).values_list("level", "code", "name")
    stored_names: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for level, code, name in stored:
        if not code.startswith("navn:"):
            stored_names[name.lower()].add((level, code))
    found.update(stored_names)
    return {name: next(iter(codes)) for name, codes in found.items() if len(codes) == 1}


# --- Comparing with what is stored --------------------------------------------------------


@dataclass
class _Existing:
    pk: int
    value: Decimal | None
    status: str
    symbol: str
    batch_id: int
    previous: Any


@dataclass
class _Comparison:
    new: list[ParsedRow] = field(default_factory=list)
    changed: list[tuple[ParsedRow, _Existing]] = field(default_factory=list)
    unchanged: int = 0
    rejected: int = 0
    problems: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.new) + len(self.changed) + self.unchanged + self.rejected

    @property
    def accepted(self) -> list[ParsedRow]:
        return self.new + [row for row, _old in self.changed]

    def problem(self, line, column, value, reason) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(
                {
                    "line": line,
                    "column": str(column or "")[:200],
                    "value": str(value if value is not None else "")[:200],
                    "reason": str(reason),
                }
            )


def _cell_key(row: ParsedRow) -> tuple[str, str, str, str, str]:
    return (row.indicator_code, row.place_level, row.place_code, row.period_label, row.subgroup)


def _compare(
    result: ParseResult, *, source: Source | None, progress: Progress = _no_progress
) -> _Comparison:
    comparison = _Comparison()
    for problem in sorted(result.problems, key=_problem_order):
        comparison.problem(problem.line, problem.column, problem.value, problem.reason)
    accepted: dict[tuple, ParsedRow] = {}
    for row in result.rows:
        reason = row_problem(row)
        if reason:
            comparison.problem(row.line, row.column, _shown_value(row), reason)
            continue
        row = _normalised(row)
        key = _cell_key(row)
        if key in accepted:
            comparison.problem(
                row.line,
                row.column,
                _shown_value(row),
                _("Det samme tallet (sted, periode og undergruppe) står også på linje %(line)s.")
                % {"line": accepted[key].line},
            )
            continue
        accepted[key] = row
    existing = _existing_cells(accepted.values(), source=source, progress=progress)
    for key, row in accepted.items():
        old = existing.get(key)
        if old is None:
            comparison.new.append(row)
        elif (old.value, old.status, old.symbol) == (row.value, row.status, row.symbol):
            comparison.unchanged += 1
        else:
            comparison.changed.append((row, old))
    return comparison


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.line or 0, problem.column or "")


def _shown_value(row: ParsedRow) -> str:
    return str(row.value) if row.value is not None else row.symbol


def row_problem(row: ParsedRow) -> str | None:
    """Why a parsed row cannot be stored, in Norwegian, or None."""
    for name, limit in LIMITS.items():
        text = getattr(row, name) or ""
        if "\x00" in text:
            return _("Inneholder et ugyldig tegn (NUL).")
        if len(text) > limit:
            return _("%(field)s er for lang (høyst %(limit)s tegn).") % {
                "field": FIELD_LABELS[name].capitalize(),
                "limit": limit,
            }
    if not row.indicator_code.strip():
        return _("Mangler indikatorkode.")
    if not row.place_code.strip():
        return _("Mangler stedskode.")
    if not row.period_label.strip():
        return _("Mangler periode.")
    if row.place_level not in LEVEL_VALUES:
        return _("Ukjent stedsnivå «%(level)s».") % {"level": row.place_level}
    if row.status not in STATUS_VALUES:
        return _("Ukjent status «%(status)s».") % {"status": row.status}
    if row.period_end < row.period_start:
        return _("Perioden slutter før den begynner.")
    if row.status == ObservationStatus.VALUE:
        if row.value is None:
            return _("Mangler tall.")
        if not row.value.is_finite():
            return _("«%(value)s» er ikke et tall.") % {"value": row.value}
        if abs(row.value) >= MAX_VALUE:
            return _("Tallet er for stort.")
    elif row.value is not None:
        return _("En celle uten verdi (status «%(status)s») kan ikke ha et tall.") % {
            "status": row.status
        }
    return None


def _normalised(row: ParsedRow) -> ParsedRow:
    """The row as the database keeps it: at most four decimals (the column's precision)."""
    if row.value is not None and row.value.as_tuple().exponent < -4:  # type: ignore[operator]
        from dataclasses import replace

        return replace(row, value=row.value.quantize(_FOUR_PLACES, rounding=ROUND_HALF_UP))
    return row


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_cells(
    rows: Iterable[ParsedRow], *, source: Source | None, progress: Progress = _no_progress
) -> dict[tuple, _Existing]:
    rows = list(rows)
    if source is None or source.pk is None or not rows:
        return {}
    codes = sorted({row.indicator_code for row in rows})
    indicator_codes: dict[int, str] = {}
    for chunk in _chunks(codes):
        indicator_codes.update(
            (pk, code)
            for code, pk in Indicator.objects.filter(source=source, code__in=chunk).values_list(
                "code", "pk"
            )
        )
    if not indicator_codes:
        return {}
    place_keys = _place_ids({(row.place_level, row.place_code) for row in rows})
    places = {pk: key for key, pk in place_keys.items()}
    found: dict[tuple, _Existing] = {}
    place_ids = sorted(places)
    chunks = list(_chunks(place_ids))
    for number, chunk in enumerate(chunks, start=1):
        observations = Observation.objects.filter(
            indicator_id__in=list(indicator_codes), place_id__in=chunk
        ).values_list(
            "indicator_id",
            "place_id",
            "period_label",
            "subgroup",
            "pk",
            "value",
            "status",
            "symbol",
            "batch_id",
            "previous",
        )
        for (
            indicator_id,
            place_id,
            label,
            subgroup,
            pk,
            value,
            status,
            symbol,
            batch,
            before,
        ) in observations:
            level, code = places[place_id]
            found[(indicator_codes[indicator_id], level, code, label, subgroup)] = _Existing(
                pk=pk, value=value, status=status, symbol=symbol, batch_id=batch, previous=before
            )
        # A few steps of the bar over the comparison, not one per chunk.
        if len(chunks) > 4 and number % max(len(chunks) // 4, 1) == 0:
            progress(_("Sammenligner med lagrede tall"), 50 + int(45 * number / len(chunks)))
    return found


def _place_ids(keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_level: dict[str, list[str]] = defaultdict(list)
    for level, code in keys:
        by_level[level].append(code)
    found: dict[tuple[str, str], int] = {}
    for level, codes in by_level.items():
        for chunk in _chunks(sorted(codes)):
            found.update(
                ((level, code), pk)
                for code, pk in Place.objects.filter(level=level, code__in=chunk).values_list(
                    "code", "pk"
                )
            )
    return found


# --- Committing ---------------------------------------------------------------------------


def batch_commit(batch: ImportBatch, *, user) -> ImportBatch:
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
            if locked.rows_total == locked.rows_rejected:
                raise ValidationError(
                    _("Alle radene i filen ble avvist, så det er ingenting å lagre.")
                )
            try:
                content = _stored_content(locked)
                parser_name, result = _parse(locked, content)
            except (FatalImportError, _NeedsMapping) as error:
                raise ValidationError(str(error)) from error
            except _UnknownLayout as error:
                raise ValidationError(_("Kjenner ikke igjen oppsettet i filen.")) from error
            source = _source(result.source_code)
            comparison = _compare(result, source=source)
            accepted = comparison.accepted
            indicators = _ensure_indicators(source, accepted)
            places = _ensure_places(accepted)
            Observation.objects.bulk_create(
                [
                    Observation(
                        indicator_id=indicators[row.indicator_code],
                        place_id=places[(row.place_level, row.place_code)],
                        period_label=row.period_label,
                        period_start=row.period_start,
                        period_end=row.period_end,
                        subgroup=row.subgroup,
                        value=row.value,
                        status=row.status,
                        symbol=row.symbol,
                        batch=locked,
                    )
                    for row in comparison.new
                ],
                batch_size=1000,
            )
            changed = []
            for row, old in comparison.changed:
                changed.append(
                    Observation(
                        pk=old.pk,
                        value=row.value,
                        status=row.status,
                        symbol=row.symbol,
                        batch=locked,
                        previous={
                            "value": None if old.value is None else str(old.value),
                            "status": old.status,
                            "symbol": old.symbol,
                            "batch": old.batch_id,
                            "previous": old.previous,
                        },
                    )
                )
            Observation.objects.bulk_update(
                changed, ["value", "status", "symbol", "batch", "previous"], batch_size=500
            )
            locked.status = ImportStatus.COMMITTED
            locked.stage = str(_("Lagret"))
            locked.detected_format = parser_name
            locked.source = source
            locked.rows_total = comparison.total
            locked.rows_new = len(comparison.new)
            locked.rows_changed = len(comparison.changed)
            locked.rows_unchanged = comparison.unchanged
            locked.rows_rejected = comparison.rejected
            locked.problems = comparison.problems
            locked.committed_at = timezone.now()
            locked.save()
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


def _decimals(value: Decimal | None) -> int:
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0


def _ensure_indicators(source: Source | None, rows: list[ParsedRow]) -> dict[str, int]:
    if source is None:
        if rows:
            raise ValidationError(_("Filen sier ikke hvilken kilde tallene kommer fra."))
        return {}
    wanted: dict[str, dict] = {}
    for row in rows:
        entry = wanted.setdefault(
            row.indicator_code,
            {"name": row.indicator_name or row.indicator_code, "unit": "", "decimals": None},
        )
        if not entry["unit"] and row.unit_of_measure:
            entry["unit"] = row.unit_of_measure[:40]
        if row.value is not None:
            entry["decimals"] = max(entry["decimals"] or 0, _decimals(row.value))
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(wanted)):
        found.update(
            Indicator.objects.filter(source=source, code__in=chunk).values_list("code", "pk")
        )
    missing = [code for code in wanted if code not in found]
    Indicator.objects.bulk_create(
        [
            Indicator(
                source=source,
                code=code,
                name=wanted[code]["name"][: LIMITS["indicator_name"]],
                unit_of_measure=wanted[code]["unit"],
                decimals=1 if wanted[code]["decimals"] is None else wanted[code]["decimals"],
            )
            for code in missing
        ],
        batch_size=500,
    )
    for chunk in _chunks(missing):
        found.update(
            Indicator.objects.filter(source=source, code__in=chunk).values_list("code", "pk")
        )
    return found


def split_validity(name: str) -> tuple[str, int | None, int | None]:
    """«Horten (-2019)» → ("Horten", None, 2019), «Sandefjord (2017-2019)» → (…, 2017,
    2019); SSB marks a historic municipality number this way."""
    match = _VALIDITY.search(name)
    if not match or not (match.group(1) or match.group(2)):
        return name.strip(), None, None
    first, last = match.group(1), match.group(2)
    return name[: match.start()].strip(), int(first) if first else None, int(last) if last else None


def _ensure_places(rows: list[ParsedRow]) -> dict[tuple[str, str], int]:
    """The places the rows need, created when missing, and for municipality numbers the
    chain of numbers that continue them (``indicators.reforms``), linked by ``successor``."""
    wanted: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row.place_level, row.place_code)
        if key in wanted:
            continue
        name, first, last = split_validity(row.place_name or row.place_code)
        first = getattr(row, "place_valid_from", None) or first
        last = getattr(row, "place_valid_to", None) or last
        wanted[key] = {"name": name or row.place_code, "from": first, "to": last}
    links: dict[str, str] = {}
    for level, code in list(wanted):
        if level != PlaceLevel.MUNICIPALITY:
            continue
        while True:
            step = reforms.successor(code)
            if step is None:
                break
            successor, successor_name, year = step
            links[code] = successor
            old = wanted[(level, code)]
            if old["to"] is None:
                old["to"] = year - 1
            key = (PlaceLevel.MUNICIPALITY, successor)
            if key not in wanted:
                wanted[key] = {"name": successor_name, "from": year, "to": None}
            elif wanted[key]["from"] is None:
                wanted[key]["from"] = year
            code = successor
        reform_years = reforms.valid_from(code)
        if reform_years and wanted[(level, code)]["from"] is None:
            wanted[(level, code)]["from"] = reform_years
    found = _place_ids(set(wanted))
    missing = [key for key in wanted if key not in found]
    Place.objects.bulk_create(
        [
            Place(
                level=level,
                code=code,
                name=wanted[(level, code)]["name"][: LIMITS["place_name"]],
                valid_from=wanted[(level, code)]["from"],
                valid_to=wanted[(level, code)]["to"],
            )
            for level, code in missing
        ],
        batch_size=500,
    )
    found.update(_place_ids(set(missing)))
    if links:
        municipality = PlaceLevel.MUNICIPALITY
        unlinked = Place.objects.filter(
            level=municipality, code__in=list(links), successor__isnull=True
        ).values_list("pk", "code")
        updates = [
            Place(pk=pk, successor_id=found[(municipality, links[code])]) for pk, code in unlinked
        ]
        Place.objects.bulk_update(updates, ["successor"], batch_size=500)
    return found


# --- Rolling back and discarding ----------------------------------------------------------


def batch_rollback(batch: ImportBatch, *, user) -> ImportBatch:
    """Undo a committed batch in one transaction: delete the observations it created and
    restore those it changed to what they were. Refused while a later committed batch has
    changed any of the same cells (roll that one back first)."""
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
        "indicator import %s rolled back by %s: %s deleted, %s restored",
        locked.pk,
        user,
        deleted,
        len(restored),
    )
    return locked


def batch_discard(batch: ImportBatch, *, user) -> ImportBatch:
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
        content = _stored_content(batch)
    except FatalImportError as error:
        raise ValidationError(str(error)) from error
    source = _source(source_code)
    if source is None:
        raise ValidationError(_("Velg hvilken kilde tallene kommer fra."))
    with transaction.atomic():
        mapping = ImportMapping.objects.create(
            municipality_id=batch.municipality_id,
            name=name[:120],
            header_signature=header_signature(content, batch.file_name),
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
