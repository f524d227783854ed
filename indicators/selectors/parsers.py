"""Reads about a file and its parser, before anything is stored: which parser a format
name means and what it is called, which options it takes, the fingerprint of a file's
header row, a batch's stored file and its header cells, whether a failed batch can be
rescued by the mapping step, and the texts for the size limit. The import services
(``indicators.services.imports``) and the pages use the same functions.
"""

from __future__ import annotations

import hashlib
import inspect
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from indicators import parsing, reforms
from indicators.models import ImportBatch, ImportStatus, Place, PlaceLevel
from indicators.parsing import mapped
from indicators.parsing.base import FatalImportError

# ``detected_format`` of a batch whose layout no parser recognised: the mapping step.
UNKNOWN_LAYOUT = "ukjent"
# Parse options a data admin gives in the mapping step when the file does not say them
# (an Ungdata report table names neither its place nor, sometimes, its year).
MAPPING_OPTIONS = ("place", "period")


def batch_parses_in_request(*, batch: ImportBatch) -> bool:
    """Small files are parsed in the request; from ``INDICATOR_IMPORT_ASYNC_BYTES`` on a
    Celery worker does it while the page shows the progress."""
    return batch.file_size < settings.INDICATOR_IMPORT_ASYNC_BYTES


def parser_by_name(*, name: str):
    for module in parsing.parsers():
        if name == module.NAME:
            return module
    return None


def parser_format_label(*, name: str) -> str:
    """The Norwegian name of a parser's format, for the preview and the history."""
    if not name:
        return ""
    if name == UNKNOWN_LAYOUT:
        return _("Ukjent oppsett")
    if name == mapped.NAME:
        return str(mapped.LABEL)
    module = parser_by_name(name=name)
    return str(getattr(module, "LABEL", name)) if module else name


def header_signature(*, content: bytes, filename: str = "") -> str:
    """A fingerprint of a file's header row (``indicators.parsing.mapped``): a saved
    mapping is found by it. "" when the file has no header row."""
    try:
        return mapped.header_signature(content, filename)
    except Exception:  # a file without a readable header has no signature; parsing says why
        return ""


def parser_accepts(*, parser, option: str) -> bool:
    """Whether a parser's ``parse`` takes this keyword option."""
    try:
        return option in inspect.signature(parser.parse).parameters
    except (TypeError, ValueError):
        return False


def batch_needs_mapping(*, batch: ImportBatch) -> bool:
    """A failed batch the mapping step can rescue: no parser knew the layout, or the
    parser needs a place or a year the file does not give."""
    if batch.status != ImportStatus.FAILED or not batch.detected_format:
        return False
    if batch.detected_format == UNKNOWN_LAYOUT:
        return True
    parser = parser_by_name(name=batch.detected_format)
    return parser is not None and any(
        parser_accepts(parser=parser, option=option) for option in MAPPING_OPTIONS
    )


def place_codes_by_name() -> dict[str, tuple[str, str]]:
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


def file_size_limit_text(*, limit: int) -> str:
    """20971520 → «20», 1000 → «0,00095»: the limit in MB, as the message shows it."""
    megabytes = Decimal(limit) / Decimal(1024 * 1024)
    text = f"{megabytes:.1f}" if megabytes >= 1 else f"{megabytes:.2g}"
    if "e" in text.lower():
        text = f"{megabytes:.6f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def file_too_big_message(*, size: int, limit: int) -> str:
    return _("Filen er for stor (%(size)s MB). Største tillatte filstørrelse er %(limit)s MB.") % {
        "size": file_size_limit_text(limit=size),
        "limit": file_size_limit_text(limit=limit),
    }


def batch_stored_content(*, batch: ImportBatch) -> bytes:
    """The batch's stored file, checked against the hash taken at upload: a file changed
    on disk since then is refused, not parsed."""
    if not batch.stored_file:
        raise FatalImportError(_("Filen til denne importen finnes ikke lenger."))
    with batch.stored_file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != batch.sha256:
        raise FatalImportError(_("Den lagrede filen er endret siden den ble lastet opp."))
    return content


def _file_headers(content: bytes, filename: str = "") -> list[str]:
    """The header cells of a file, for the mapping step; [] when it has none."""
    try:
        return list(mapped.headers(content, filename))
    except (FatalImportError, UnicodeDecodeError):
        return []


def batch_headers(*, batch: ImportBatch) -> list[str]:
    """The header cells of a batch's stored file, or [] when it has none we can read."""
    try:
        return _file_headers(batch_stored_content(batch=batch), batch.file_name)
    except FatalImportError:
        return []
