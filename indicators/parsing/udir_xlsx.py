"""Udir statistikkbank's Excel export: the same wide table as the CSV download (see
``udir_csv``) on a sheet named after the download (``20220621-1350_Grunnskolepoeng``),
with a ``Kilde`` sheet beside it.

Numbers are Excel numbers with float noise (``39.299999999999997`` for 39,3): they are
rounded to the decimals Udir shows, whole numbers for counts and one decimal otherwise.
``*`` (hidden for privacy) is text; ``….Brudd`` columns hold notes.

An .xlsx file is a zip archive, so it is checked before anything is unpacked: a file
that would unpack to more than ``MAX_UNPACKED_BYTES``, or a large member packed more
than ``MAX_RATIO`` to 1 (a «zip bomb»), is refused; so is a damaged or cut-off archive.
``zipfile`` never unpacks more than a member's declared size, so the declared sizes are
a safe bound. Formulas are never evaluated: cells are read with ``data_only``."""

from __future__ import annotations

import io
import zipfile

from django.utils.translation import gettext as _

from indicators.parsing.base import FatalImportError, ParseResult
from indicators.parsing.udir_csv import looks_like_udir_header, read_table

NAME = "udir_statistikkbank_xlsx"
LABEL = "Udir statistikkbank (Excel)"

ZIP_MAGIC = b"PK\x03\x04"
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
CONTENT_TYPES = "[Content_Types].xml"
SPREADSHEET_TYPES = (b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024  # a smaller member may be packed as hard as it likes
MAX_MEMBERS = 10_000
MAX_CONTENT_TYPES_BYTES = 1024 * 1024
# The header is the first row in Udir's export; allow a few title rows above it.
HEADER_SEARCH_ROWS = 10


def sniff(content: bytes, filename: str) -> bool:
    """An .xlsx whose sheet has Udir's header. A damaged or oversized .xlsx is claimed too,
    so the data admin hears why it cannot be read rather than «unknown layout»."""
    if not content.startswith(ZIP_MAGIC):
        return False
    try:
        archive = open_archive(content)
    except FatalImportError:
        return filename.lower().endswith(XLSX_EXTENSIONS) or _declares_spreadsheet(content)
    except _NotExcel:
        return False
    archive.close()
    try:
        workbook = _load(content)
    except FatalImportError:
        return True
    try:
        return udir_sheet(workbook) is not None
    except Exception:
        return True  # a damaged sheet: ``parse`` says what is wrong
    finally:
        workbook.close()


def parse(content: bytes, filename: str) -> ParseResult:
    try:
        archive = open_archive(content)
    except _NotExcel as error:
        raise FatalImportError(str(error)) from error
    archive.close()
    workbook = _load(content)
    try:
        found = udir_sheet(workbook)
        if found is not None:
            header, rows = found
            return read_table(header, rows, format_name=NAME)
    except FatalImportError:
        raise
    except Exception as error:
        # openpyxl and zipfile raise many kinds of errors on a damaged sheet (a bad CRC,
        # broken XML, a cell of an unknown type): all of them mean the same to the user.
        raise FatalImportError(
            _("Excel-filen er skadet og kan ikke leses helt. Last den ned på nytt.")
        ) from error
    finally:
        workbook.close()
    raise FatalImportError(
        _(
            "Fant ingen arkfane med en tabell fra Udirs statistikkbank: første rad skal ha "
            "kolonner som «EnhetNivaa» og «2020-21.Begge kjønn.Grunnskolepoeng»."
        )
    )


class _NotExcel(Exception):
    """A readable zip archive that is not a spreadsheet."""


def open_archive(content: bytes) -> zipfile.ZipFile:
    """The .xlsx as a checked zip archive. Raises FatalImportError for a damaged or
    oversized archive and ``_NotExcel`` for a zip file that is not a spreadsheet."""
    if not content.startswith(ZIP_MAGIC):
        raise FatalImportError(_("Filen er ikke en Excel-fil (.xlsx)."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FatalImportError(
            _("Excel-filen er skadet eller ufullstendig og kan ikke åpnes. Last den ned på nytt.")
        ) from error
    try:
        check_unpacked_size(members)
        if not _is_spreadsheet(archive):
            raise _NotExcel(_("Filen er en zip-fil, men ikke en Excel-fil (.xlsx)."))
    except BaseException:
        archive.close()
        raise
    return archive


def check_unpacked_size(members: list[zipfile.ZipInfo]) -> None:
    """Refuse zip bombs before anything is unpacked."""
    if len(members) > MAX_MEMBERS:
        raise FatalImportError(
            _("Excel-filen er for stor utpakket: den har %(count)s deler.")
            % {"count": len(members)}
        )
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_BYTES:
        raise FatalImportError(
            _(
                "Excel-filen er for stor utpakket (%(size)s MB, grensen er %(limit)s MB). "
                "Del opp tabellen eller last ned færre år eller steder om gangen."
            )
            % {"size": total // (1024 * 1024), "limit": MAX_UNPACKED_BYTES // (1024 * 1024)}
        )
    for member in members:
        if member.file_size < RATIO_FROM_BYTES:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_RATIO:
            raise FatalImportError(
                _(
                    "Excel-filen er for stor utpakket: «%(name)s» blir %(ratio)s ganger så stor "
                    "når den pakkes ut. Filen er ikke en vanlig Excel-fil og blir ikke åpnet."
                )
                % {"name": member.filename, "ratio": int(ratio)}
            )


def _is_spreadsheet(archive: zipfile.ZipFile) -> bool:
    try:
        info = archive.getinfo(CONTENT_TYPES)
    except KeyError:
        return False
    if info.file_size > MAX_CONTENT_TYPES_BYTES:
        return False
    try:
        types = archive.read(info)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise FatalImportError(
            _("Excel-filen er skadet eller ufullstendig og kan ikke åpnes. Last den ned på nytt.")
        ) from error
    return any(kind in types for kind in SPREADSHEET_TYPES)


def _declares_spreadsheet(content: bytes) -> bool:
    """A cut-off archive still has its first local headers: is one of them the sheet?"""
    return b"xl/workbook.xml" in content[: 64 * 1024] or b"xl/worksheets/" in content[: 64 * 1024]


def _load(content: bytes):
    # Imported here, on the first upload, not when the project starts (half a second).
    import openpyxl

    try:
        return openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception as error:
        # Whatever openpyxl trips over in a damaged workbook, the user can do one thing.
        raise FatalImportError(
            _("Excel-filen er skadet og kan ikke åpnes. Last den ned på nytt.")
        ) from error


def udir_sheet(workbook):
    """(header, numbered rows after it) of the first sheet with Udir's header among its
    first rows, or None."""
    for sheet in workbook.worksheets:
        rows = sheet.iter_rows(values_only=True)
        for line, cells in enumerate(rows, start=1):
            if looks_like_udir_header(cells):
                return cells, _numbered(rows, line + 1)
            if line >= HEADER_SEARCH_ROWS:
                break
    return None


def _numbered(rows, first_line: int):
    yield from enumerate(rows, start=first_line)
