"""The WeasyPrint side of :mod:`documents.pdf`: the URL fetcher that serves only static
files, the PDF/UA-1 variant and the layout of rendered HTML to PDF bytes.

Only :func:`documents.pdf.render_pdf` imports this module, inside the function: importing
WeasyPrint (and fontTools under it) takes over a second, which every ``manage.py``
command and every worker would otherwise pay at start-up
(``tests/test_startup_imports.py``)."""

from __future__ import annotations

import base64
import binascii
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

try:  # Where WeasyPrint lists the PDF variants it can write (PDF/A, PDF/UA …).
    from weasyprint.pdf import VARIANTS as _PDF_VARIANTS
except ImportError:  # pragma: no cover - older WeasyPrint
    _PDF_VARIANTS = {}

__all__ = [
    "DEFAULT_LANGUAGE",
    "PDF_VARIANT",
    "STATIC_ORIGIN",
    "StaticFilesOnly",
    "lay_out",
    "lay_out_pages",
]

DEFAULT_LANGUAGE = "nb"
# The base URL relative links resolve against. ``.invalid`` never resolves (RFC 2606), and
# the fetcher below never goes to the network anyway: it only maps the path to a file.
STATIC_ORIGIN = "https://static.invalid/"
PDF_VARIANT = "pdf/ua-1" if "pdf/ua-1" in _PDF_VARIANTS else None
# The only data: URLs a PDF may use: images, at most about 1 MB encoded.
DATA_IMAGE_TYPES = ("image/png", "image/svg+xml")
DATA_IMAGE_MAX_CHARS = 1_400_000


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves static files and refuses everything else.

    A URL is served when it lies under ``STATIC_URL`` (relative to the document's base
    URL or absolute) and names a file the staticfiles finders, or the collected static
    files, have. Anything else raises, which WeasyPrint logs and skips."""

    def __init__(self, base_url: str | None = None):
        super().__init__(allowed_protocols=())
        self.base_url = base_url or STATIC_ORIGIN

    def fetch(self, url, headers=None):
        image = self.data_image(url)
        if image is not None:
            return URLFetcherResponse(url, image[1], {"Content-Type": image[0]})
        path = self.static_file(url)
        if path is None:
            raise ValueError(f"PDF-en kan bare bruke statiske filer, ikke {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    @staticmethod
    def data_image(url: str) -> tuple[str, bytes] | None:
        """A base64 ``data:`` URL of a PNG or SVG image (a report's logo, checked when it
        was uploaded): decoded here, nothing fetched. Any other ``data:`` URL is refused."""
        for content_type in DATA_IMAGE_TYPES:
            prefix = f"data:{content_type};base64,"
            if url.startswith(prefix) and len(url) <= DATA_IMAGE_MAX_CHARS:
                try:
                    return content_type, base64.b64decode(url[len(prefix) :], validate=True)
                except (binascii.Error, ValueError):
                    return None
        return None

    def static_url(self, name: str) -> str:
        """The URL a static file name (``documents/pdf/base.css``) has in the PDF."""
        return urljoin(urljoin(self.base_url, settings.STATIC_URL), name)

    def static_file(self, url: str) -> Path | None:
        """The local file a static URL names, or None for any other URL."""
        name = self._static_name(url)
        if name is None:
            return None
        try:
            found = finders.find(name)
            if not found and hasattr(staticfiles_storage, "path"):
                # After collectstatic the templates link hashed names the finders lack.
                candidate = staticfiles_storage.path(name)
                found = candidate if Path(candidate).is_file() else None
        except (SuspiciousFileOperation, NotImplementedError):
            return None
        if isinstance(found, list):
            found = found[0] if found else None
        return Path(found) if found else None

    def _static_name(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
        prefixes = {
            urljoin(self.base_url, settings.STATIC_URL),
            urljoin(STATIC_ORIGIN, settings.STATIC_URL),
        }
        for prefix in prefixes:
            if bare.startswith(prefix):
                name = unquote(bare[len(prefix) :])
                normalised = posixpath.normpath(name)
                if not name or normalised.startswith(("..", "/")) or normalised != name:
                    return None
                return name
        return None


def lay_out_pages(html: str, stylesheet_url: str, fetcher: StaticFilesOnly) -> Document:
    """Lay ``html`` out into WeasyPrint's pages (boxes per page) without writing the PDF:
    what :func:`lay_out` writes, and what the tests walk to see where the pages break."""
    document = HTML(string=html, base_url=fetcher.base_url, url_fetcher=fetcher)
    root = document.etree_element
    if not root.get("lang"):
        root.set("lang", DEFAULT_LANGUAGE)
    font_config = FontConfiguration()
    css = CSS(url=stylesheet_url, url_fetcher=fetcher, font_config=font_config)
    options: dict = {"pdf_variant": PDF_VARIANT} if PDF_VARIANT else {"pdf_tags": True}
    rendered = document.render(stylesheets=[css], font_config=font_config, **options)
    rendered.pdf_options = options  # type: ignore[attr-defined]
    return rendered


def lay_out(html: str, stylesheet_url: str, fetcher: StaticFilesOnly) -> bytes:
    """Lay ``html`` out with the stylesheet at ``stylesheet_url`` into tagged PDF bytes."""
    rendered = lay_out_pages(html, stylesheet_url, fetcher)
    return rendered.write_pdf(**rendered.pdf_options)  # type: ignore[attr-defined]
