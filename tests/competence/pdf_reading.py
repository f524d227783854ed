"""Reading a generated PDF's text back in tests, with pypdf (a dev dependency)."""

from __future__ import annotations

import io

import pypdf


def pdf_text(data: bytes) -> str:
    """The text of a PDF the portal rendered, whitespace collapsed."""
    assert data.startswith(b"%PDF-"), data[:20]
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())
