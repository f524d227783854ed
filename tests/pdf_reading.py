"""Reading a generated PDF's text back in tests: one helper for every app.

PDFium (pypdfium2, also what the report service counts pages with) extracts a 40-page
report in a few hundredths of a second; pypdf took seconds, and the suite reads dozens
of reports. pypdf stays for what PDFium does not expose as simply (metadata, outline,
tagging): tests/reports/conftest.py ``pdf_reader``."""

from __future__ import annotations

import pypdfium2


def pdf_page_texts(data: bytes) -> list[str]:
    """Each page's text, whitespace collapsed."""
    assert data.startswith(b"%PDF-"), data[:20]
    document = pypdfium2.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(" ".join(textpage.get_text_range().split()))
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


def pdf_text(data: bytes) -> str:
    """The text of a PDF the portal rendered, whitespace collapsed."""
    return " ".join(pdf_page_texts(data))
