"""A stored document handed to the browser as a download.

The file name is given twice in ``Content-Disposition``: an ASCII fallback for old clients
(letters folded to ASCII, anything outside a small safe set replaced) and the real name in
RFC 5987 form (``filename*=UTF-8''…``), so «Samtaleguide for små barn.pdf» keeps its
letters where the browser can. ``nosniff`` keeps a browser from guessing a type other
than the one stored, and ``attachment`` from showing it inline."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.http import HttpResponse

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ -]+")
# Letters Unicode does not decompose to ASCII, spelt as Norwegians do without them.
_SPELT_OUT = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "ß": "ss"})


def ascii_file_name(name: str, *, fallback: str = "dokument") -> str:
    """``name`` folded to ASCII letters, digits, dot, dash, underscore and space."""
    folded = (
        unicodedata.normalize("NFKD", name.translate(_SPELT_OUT))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    cleaned = _UNSAFE_ASCII.sub("_", folded).strip(" ._")
    return cleaned[:150] or fallback


def attachment_response(data: bytes, *, file_name: str, content_type: str) -> HttpResponse:
    """``data`` as a download named ``file_name`` (no path, no line breaks: give the name
    the way it should be saved)."""
    name = " ".join(file_name.replace("/", "_").replace("\\", "_").split())
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_file_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(len(data))
    return response
