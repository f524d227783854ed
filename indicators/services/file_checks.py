"""Checks on an uploaded file before any parser reads it: what is plainly no table gets a
clear Norwegian reason (``FatalImportError``) instead of a parser's confusion or a server
error. An empty file; a picture, a PDF or an archive; an old .xls; a spreadsheet that is
cut off or unpacks to far more than any real export (a zip bomb); UTF-16 big-endian or
UTF-32; text decoded twice («Ã¸» for «ø») or mixing UTF-8 and Latin-1; a line of
megabytes; a download cut off mid-line."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.parsing.base import FatalImportError
from indicators.parsing.text import decode
from indicators.selectors.parsers import file_size_limit_text

# An XLSX is a zip: refuse one that unpacks to far more than any real export does.
XLSX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_MAX_MEMBERS = 5_000
# No table has a line this long; a file that does is not a table (JSON may be one line).
MAX_LINE_CHARS = 1_000_000
# Files that are plainly not a table, by their first bytes.
BINARY_SIGNATURES = (
    (b"\x89PNG", gettext_lazy("et PNG-bilde")),
    (b"\xff\xd8\xff", gettext_lazy("et JPEG-bilde")),
    (b"GIF8", gettext_lazy("et GIF-bilde")),
    (b"%PDF", gettext_lazy("en PDF-fil")),
    (b"\x1f\x8b", gettext_lazy("en gzip-komprimert fil")),
    (b"Rar!", gettext_lazy("et RAR-arkiv")),
    (b"7z\xbc\xaf", gettext_lazy("et 7z-arkiv")),
    (b"MZ", gettext_lazy("et program")),
)
OLD_EXCEL = b"\xd0\xcf\x11\xe0"

# Text decoded once too often: UTF-8 bytes read as Latin-1/Windows-1252 and saved as
# UTF-8 again turn «ø» into «Ã¸», «å» into «Ã¥», a no-break space into «Â ».
_CONTINUATION_CHARS = bytes(range(0x80, 0xC0)).decode("latin-1") + "".join(
    sorted({bytes([b]).decode("cp1252", errors="ignore") for b in range(0x80, 0xC0)} - {""})
)
_DOUBLE_ENCODED = re.compile("[ÃÂ][" + re.escape(_CONTINUATION_CHARS) + "]")
_UTF8_LETTER = re.compile(rb"[\xc2\xc3][\x80-\xbf]")


def file_content_check(*, content: bytes) -> None:
    """Refuse, with a Norwegian reason, what is plainly no table before any parser sees it:
    an empty file, a picture or an archive, a spreadsheet that unpacks to far too much (a
    zip bomb) or is cut off, text decoded twice or mixing encodings, a line of megabytes."""
    if not content.strip():
        raise FatalImportError(_("Filen er tom."))
    if content.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        _check_zip(content)
        return
    if content.startswith(OLD_EXCEL):
        raise FatalImportError(
            _("Filen er et gammelt Excel-regneark (.xls). Lagre det som .xlsx eller CSV.")
        )
    for signature, kind in BINARY_SIGNATURES:
        if content.startswith(signature):
            raise FatalImportError(
                _("Filen er ikke en tabell, den ser ut som %(kind)s.") % {"kind": kind}
            )
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise FatalImportError(_("Filen er lagret som UTF-32. Lagre den som UTF-8."))
    if len(content) >= 4 and content[0] == 0 and content[2] == 0 and content[1] != 0:
        raise FatalImportError(
            _(
                "Filen er lagret som UTF-16 «big-endian» uten merke for tegnkodingen. "
                "Lagre den som UTF-8 (eller eksporter den på nytt fra kilden)."
            )
        )
    text = decode(content)
    if "\x00" in text:
        raise FatalImportError(_("Filen er ikke en tekstfil (den inneholder binære data)."))
    is_utf16 = content.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(content) >= 4 and content[1] == 0 and content[3] == 0
    )
    if not is_utf16:
        _check_encoding(content, text)
    if not text.lstrip("\ufeff \r\n\t").startswith(("{", "[")):
        _check_lines(text)
        _check_truncated(text)


def _check_zip(content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise FatalImportError(
            _(
                "Regnearket er skadet eller ufullstendig (kanskje ble nedlastingen avbrutt). "
                "Last det ned på nytt og prøv igjen."
            )
        ) from error
    unpacked = sum(member.file_size for member in members)
    if (
        len(members) > XLSX_MAX_MEMBERS
        or unpacked > XLSX_MAX_UNPACKED_BYTES
        or unpacked > XLSX_MAX_RATIO * max(len(content), 1)
    ):
        raise FatalImportError(
            _(
                "Regnearket pakker seg ut til %(size)s MB, langt mer enn et vanlig regneark "
                "(høyst %(limit)s MB og %(ratio)s ganger filstørrelsen). Det kan være en "
                "«zip-bombe», og det blir ikke lest."
            )
            % {
                "size": file_size_limit_text(limit=unpacked),
                "limit": file_size_limit_text(limit=XLSX_MAX_UNPACKED_BYTES),
                "ratio": XLSX_MAX_RATIO,
            }
        )
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise FatalImportError(
            _(
                "Zip-filen er ikke et Excel-regneark (.xlsx). Last opp en CSV-, JSON- eller "
                "XLSX-fil."
            )
        )


def _check_encoding(content: bytes, text: str) -> None:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as error:
        if _UTF8_LETTER.search(content):
            line = content.count(b"\n", 0, error.start) + 1
            raise FatalImportError(
                _(
                    "Filen blander tegnkodinger: noe er lagret som UTF-8 og noe som "
                    "Latin-1/Windows-1252 (første gang på linje %(line)s). Lagre hele "
                    "filen med én tegnkoding, helst UTF-8."
                )
                % {"line": line}
            ) from error
        return
    match = _DOUBLE_ENCODED.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise FatalImportError(
            _(
                "Filen ser ut til å være kodet to ganger: «%(sample)s» på linje %(line)s står "
                "der det skulle vært en bokstav som æ, ø eller å. Hent filen på nytt fra "
                "kilden, eller åpne den som UTF-8 og lagre den én gang."
            )
            % {"sample": match.group(0), "line": line}
        )


def _check_lines(text: str) -> None:
    start = 0
    line = 1
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end == -1:
            end = length
        if end - start > MAX_LINE_CHARS:
            raise FatalImportError(
                _(
                    "Linje %(line)s er over %(limit)s tegn lang. Filen ser ikke ut som en "
                    "tabell (mangler den linjeskift?)."
                )
                % {"line": line, "limit": f"{MAX_LINE_CHARS:,}".replace(",", " ")}
            )
        start = end + 1
        line += 1


def _check_truncated(text: str) -> None:
    """A download cut off mid-line ends without a line break: the last line may have
    fewer cells, or its last cell may be cut inside a number (137357 read as 1373), which
    no reader can tell from a whole number. Every table the sources publish ends its last
    line with a line break, so a file that does not is refused, naming the line."""
    if text.rstrip(" \t").endswith(("\n", "\r")):
        return
    lines = text.splitlines()
    number = len(lines)
    last = lines[-1] if lines else ""
    detail = ""
    filled = [line for line in lines[:-1] if line.strip()]
    if filled:
        previous = filled[-1]
        delimiter = max("\t;,", key=previous.count)
        if previous.count(delimiter):
            try:
                expected, found = (
                    len(cells) for cells in csv.reader([previous, last], delimiter=delimiter)
                )
            except (csv.Error, ValueError):
                expected = found = 0
            if found < expected:
                detail = _(" Den har %(found)s kolonner, linjen over har %(expected)s.") % {
                    "found": found,
                    "expected": expected,
                }
    raise FatalImportError(
        _(
            "Filen ser ut til å være avkortet: den siste linjen (%(line)s) slutter uten "
            "linjeskift, så det siste tallet kan være kuttet.%(detail)s Last ned filen på "
            "nytt. Er filen hel, legg til et linjeskift etter siste linje og last den opp "
            "igjen."
        )
        % {"line": number, "detail": detail}
    )
