"""Bytes to text for the importers: the encodings the sources actually use."""

from __future__ import annotations

from indicators.parsing.base import FatalImportError


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (LE without BOM, as Udir writes it, or with a
    BOM), else Windows-1252/Latin-1 (SSB's statbank downloads). Raises
    ``FatalImportError`` for content that is no text at all."""
    if not content.strip():
        raise FatalImportError("Filen er tom.")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
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
    except UnicodeDecodeError:
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
