"""Bytes to text for the importers: the encodings the sources actually use."""

from __future__ import annotations

import codecs

from django.utils.translation import gettext as _

from indicators.parsing.base import FatalImportError


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (LE without BOM, as Udir writes it, or with a
    BOM), else Windows-1252/Latin-1 (SSB's statbank downloads). Raises
    ``FatalImportError`` for content that is no text at all."""
    if not content.strip():
        raise FatalImportError("Filen er tom.")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _utf16_with_bom(content)
    # UTF-16LE without BOM: every other byte of ASCII text is NUL.
    if len(content) >= 4 and content[1] == 0 and content[3] == 0 and content[0] != 0:
        try:
            return content.decode("utf-16-le")
        except UnicodeDecodeError as error:
            raise FatalImportError("Filen ser ut som UTF-16, men kan ikke leses.") from error
    if b"\x00" in content:
        raise FatalImportError("Filen er ikke en tekstfil (den inneholder binære data).")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if content.startswith(codecs.BOM_UTF8):
            # A tool put the UTF-8 mark on text it did not convert (a Latin-1 body).
            line = content.count(b"\n", 0, error.start) + 1
            raise FatalImportError(
                _(
                    "Filen begynner med merket for UTF-8 (BOM), men teksten er ikke UTF-8 "
                    "(første gang på linje %(line)s; den ser ut som Latin-1/Windows-1252). "
                    "Lagre filen på nytt som UTF-8, eller hent den på nytt fra kilden."
                )
                % {"line": line}
            ) from error
        return (
            content.decode("cp1252", errors="strict")
            if _is_cp1252(content)
            else content.decode("latin-1")
        )


def _is_cp1252(content: bytes) -> bool:
    try:
        content.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _utf16_with_bom(content: bytes) -> str:
    """UTF-16 after its byte order mark, refused with a reason when the mark does not fit
    the bytes behind it (a big-endian mark on little-endian text, a UTF-16 mark put on
    UTF-8 or Latin-1 text, or a file cut off inside a character)."""
    big_endian = content.startswith(codecs.BOM_UTF16_BE)
    body = content[2:]
    # ASCII in UTF-16 has a NUL in every other byte: the first byte for big-endian text,
    # the second for little-endian text.
    looks_le = len(body) >= 4 and body[1] == 0 and body[3] == 0 and body[0] != 0
    looks_be = len(body) >= 4 and body[0] == 0 and body[2] == 0 and body[1] != 0
    if (big_endian and looks_le) or (not big_endian and looks_be):
        raise FatalImportError(
            _(
                "Filen begynner med merket for UTF-16 %(mark)s, men teksten er lagret som "
                "UTF-16 %(body)s. Merket for tegnkodingen stemmer ikke med innholdet: hent "
                "filen på nytt fra kilden, eller lagre den som UTF-8."
            )
            % {
                "mark": "big-endian" if big_endian else "little-endian",
                "body": "little-endian" if big_endian else "big-endian",
            }
        )
    if body and not (looks_le or looks_be) and b"\x00" not in body[:200]:
        raise FatalImportError(
            _(
                "Filen begynner med merket for UTF-16 (BOM), men teksten bak merket er ikke "
                "UTF-16. Merket for tegnkodingen stemmer ikke med innholdet: lagre filen på "
                "nytt som UTF-8."
            )
        )
    try:
        return body.decode("utf-16-be" if big_endian else "utf-16-le")
    except UnicodeDecodeError as error:
        raise FatalImportError(
            _(
                "Filen er lagret som UTF-16, men slutter midt i et tegn eller har ugyldige "
                "tegn (byte %(position)s). Kanskje ble nedlastingen avbrutt: last ned filen "
                "på nytt."
            )
            % {"position": error.start + 2}
        ) from error
