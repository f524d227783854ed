"""The portal's one PDF entry point: a named Django template and a named stylesheet in,
PDF bytes out.

Every PDF the portal makes — the activity table, the yearly evaluation, the status report,
the BTI archive — goes through :func:`render_pdf`, so they share one layout (running
header and footer with page numbers from ``reports/pdf/base.css``), one set of fonts
(DejaVu Sans or Liberation Sans from the system) and one security stance:

* nothing is fetched from the network. The URL fetcher answers only URLs under
  ``STATIC_URL`` and reads them through the staticfiles finders (or the collected files),
  so a template that points at ``https://…``, ``file:///etc/passwd`` or a ``data:`` URL
  gets nothing, and a hostile value in the data cannot make the server call out;
* the PDF is tagged for accessibility (PDF/UA-1 where WeasyPrint supports it, tagged PDF
  otherwise), its language is set on the ``<html>`` element and its title comes from the
  template's ``<title>``.

Templates extend ``reports/pdf/base.html`` and fill its blocks::

    {% extends "reports/pdf/base.html" %}
    {% block title %}Tiltaksplan 2026/27{% endblock %}
    {% block header_right %}Solvik kommune{% endblock %}
    {% block content %}<h1>…</h1><table>…</table>{% endblock %}

and a caller does ``render_pdf("competence/pdf/evaluation.html", context)``. Charts from
``plans.charts`` are inline SVG and print as they are. A template that needs more CSS
links it with ``{% static %}``; the fetcher serves it like the base stylesheet.
"""

from __future__ import annotations

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcherResponse

try:  # Where WeasyPrint lists the PDF variants it can write (PDF/A, PDF/UA …).
    from weasyprint.pdf import VARIANTS as _PDF_VARIANTS
except ImportError:  # pragma: no cover - older WeasyPrint
    _PDF_VARIANTS = {}

__all__ = ["DEFAULT_LANGUAGE", "PDF_VARIANT", "StaticFilesOnly", "render_html", "render_pdf"]

DEFAULT_LANGUAGE = "nb"
DEFAULT_STYLESHEET = "reports/pdf/base.css"
# The base URL relative links resolve against. ``.invalid`` never resolves (RFC 2606), and
# the fetcher below never goes to the network anyway: it only maps the path to a file.
STATIC_ORIGIN = "https://static.invalid/"
PDF_VARIANT = "pdf/ua-1" if "pdf/ua-1" in _PDF_VARIANTS else None


class StaticFilesOnly(URLFetcher):
    """A WeasyPrint URL fetcher that serves static files and refuses everything else.

    A URL is served when it lies under ``STATIC_URL`` (relative to the document's base
    URL or absolute) and names a file the staticfiles finders, or the collected static
    files, have. Anything else raises, which WeasyPrint logs and skips."""

    def __init__(self, base_url: str | None = None):
        super().__init__(allowed_protocols=())
        self.base_url = base_url or STATIC_ORIGIN

    def fetch(self, url, headers=None):
        path = self.static_file(url)
        if path is None:
            raise ValueError(f"PDF-en kan bare bruke statiske filer, ikke {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

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


def render_html(template_name: str, context: dict) -> str:
    """The template as HTML, exactly as :func:`render_pdf` lays it out (for previews)."""
    return render_to_string(template_name, context)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    stylesheet: str = DEFAULT_STYLESHEET,
    base_url: str | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes.

    ``stylesheet`` is a static file name (``reports/pdf/base.css``), looked up through
    the staticfiles finders; a missing one is an error rather than an unstyled report.
    ``base_url`` is what relative links in the template resolve against; by default a
    placeholder origin, so ``{% static %}`` links resolve to static files. The result is
    PDF/UA-1 when WeasyPrint supports it, tagged PDF otherwise."""
    fetcher = StaticFilesOnly(base_url)
    stylesheet_url = urljoin(urljoin(fetcher.base_url, settings.STATIC_URL), stylesheet)
    if fetcher.static_file(stylesheet_url) is None:
        raise FileNotFoundError(f"Fant ikke stilarket {stylesheet} blant de statiske filene.")
    document = HTML(
        string=render_html(template_name, context),
        base_url=fetcher.base_url,
        url_fetcher=fetcher,
    )
    root = document.etree_element
    if not root.get("lang"):
        root.set("lang", DEFAULT_LANGUAGE)
    font_config = FontConfiguration()
    css = CSS(url=stylesheet_url, url_fetcher=fetcher, font_config=font_config)
    options: dict = {"pdf_variant": PDF_VARIANT} if PDF_VARIANT else {"pdf_tags": True}
    return document.write_pdf(stylesheets=[css], font_config=font_config, **options)
