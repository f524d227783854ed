"""The portal's one PDF entry point: a named Django template and a named stylesheet in,
PDF bytes out.

Every PDF the portal makes — the activity table, the yearly evaluation, the status report,
the BTI archive — goes through :func:`render_pdf`, so they share one layout (running
header and footer with page numbers from ``documents/pdf/base.css``), one set of fonts
(DejaVu Sans or Liberation Sans from the system) and one security stance:

* nothing is fetched from the network. The URL fetcher answers only URLs under
  ``STATIC_URL`` and reads them through the staticfiles finders (or the collected files),
  so a template that points at ``https://…``, ``file:///etc/passwd`` or a ``data:`` URL
  gets nothing, and a hostile value in the data cannot make the server call out. The one
  exception fetches nothing either: a base64 ``data:`` URL of a PNG or SVG image (a
  report's logo, checked at upload) is decoded in place;
* the PDF is tagged for accessibility (PDF/UA-1 where WeasyPrint supports it, tagged PDF
  otherwise), its language is set on the ``<html>`` element and its title comes from the
  template's ``<title>``.

Templates extend ``documents/pdf/base.html`` and fill its blocks::

    {% extends "documents/pdf/base.html" %}
    {% block title %}Tiltaksplan 2026/27{% endblock %}
    {% block header_right %}Solvik kommune{% endblock %}
    {% block content %}<h1>…</h1><table>…</table>{% endblock %}

and a caller does ``render_pdf("competence/pdf/evaluation.html", context)``. Charts from
``plans.charts`` are inline SVG and print as they are. A template that needs more CSS
links it with ``{% static %}``; the fetcher serves it like the base stylesheet.

Every render has a time limit (``PDF_RENDER_TIMEOUT``, or ``timeout=``). WeasyPrint has
no timeout of its own and cannot be interrupted from inside Python (it is pure
computation: a thread cannot be stopped, a signal only lands between bytecodes of the
thread that owns the main loop), so the template is rendered here (it may read the
database) and the layout runs in a forked child process that is killed (SIGKILL) when
the limit is reached. The caller gets :class:`PdfRenderTimeout`, a
:class:`PdfRenderError` whose text is a Norwegian message for the user, never a hung
worker. ``os.fork`` rather than ``multiprocessing``: Celery's worker processes are
daemonic and may not start ``multiprocessing`` children.

The WeasyPrint side — the static-files-only URL fetcher, the PDF/UA variant, the layout
itself — is :mod:`documents.layout`, imported on the first render: WeasyPrint and
fontTools take over a second to import, and no other command should pay for them.
"""

from __future__ import annotations

import os
import select
import signal
import time
from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

__all__ = [
    "DEFAULT_STYLESHEET",
    "PdfRenderError",
    "PdfRenderTimeout",
    "render_html",
    "render_pdf",
]

DEFAULT_STYLESHEET = "documents/pdf/base.css"


class PdfRenderError(Exception):
    """The PDF could not be made; ``str()`` is a Norwegian message for the user."""


class PdfRenderTimeout(PdfRenderError):
    """The layout took longer than the limit and was stopped."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            _(
                "Det tok for lang tid å lage PDF-en (over %(seconds)s sekunder), så den ble "
                "stoppet. Er det svært lange tekster i innholdet, kort dem ned og prøv igjen; "
                "kontakt brukerstøtte hvis det gjentar seg."
            )
            % {"seconds": f"{seconds:g}"}
        )


def _in_child(work: Callable[[], bytes], seconds: float) -> bytes:
    """Run ``work`` in a forked child and return its bytes; kill it after ``seconds``.

    The child writes one status byte and the result (or the error's text) to a pipe and
    leaves with ``os._exit`` — no atexit handlers, no test-runner teardown in the child.
    The parent reads with ``select`` against a deadline, so a PDF bigger than the pipe's
    buffer cannot deadlock it."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its result is checked in the parent
        try:
            os.close(read_end)
            try:
                payload = b"0" + work()
            except BaseException as error:
                payload = b"1" + f"{type(error).__name__}: {error}".encode("utf-8", "replace")
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PdfRenderTimeout(seconds)
            ready, _unused, _unused2 = select.select([read_end], [], [], remaining)
            if not ready:
                raise PdfRenderTimeout(seconds)
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        finished = True
    finally:
        os.close(read_end)
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    result = b"".join(chunks)
    if result[:1] != b"0":
        detail = result[1:].decode("utf-8", "replace") or _("prosessen stoppet uten svar")
        raise PdfRenderError(
            _("PDF-en kunne ikke lages (%(detail)s). Prøv igjen, eller kontakt brukerstøtte.")
            % {"detail": detail[:300]}
        )
    return result[1:]


def render_html(template_name: str, context: dict) -> str:
    """The template as HTML, exactly as :func:`render_pdf` lays it out (for previews)."""
    return render_to_string(template_name, context)


def render_pdf(
    template_name: str,
    context: dict,
    *,
    stylesheet: str = DEFAULT_STYLESHEET,
    base_url: str | None = None,
    timeout: float | None = None,
) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes.

    ``stylesheet`` is a static file name (``documents/pdf/base.css``), looked up through
    the staticfiles finders; a missing one is an error rather than an unstyled report.
    ``base_url`` is what relative links in the template resolve against; by default a
    placeholder origin, so ``{% static %}`` links resolve to static files. The result is
    PDF/UA-1 when WeasyPrint supports it, tagged PDF otherwise.

    The layout is stopped after ``timeout`` seconds (default ``PDF_RENDER_TIMEOUT``) with
    :class:`PdfRenderTimeout`; any failure in it is a :class:`PdfRenderError`."""
    # WeasyPrint (and fontTools under it) takes a second or more to import: imported
    # here, on the first PDF, not when the project starts (tests/test_startup_imports.py).
    from documents.layout import StaticFilesOnly, lay_out

    fetcher = StaticFilesOnly(base_url)
    stylesheet_url = fetcher.static_url(stylesheet)
    if fetcher.static_file(stylesheet_url) is None:
        raise FileNotFoundError(f"Fant ikke stilarket {stylesheet} blant de statiske filene.")
    html = render_html(template_name, context)

    def layout() -> bytes:
        return lay_out(html, stylesheet_url, fetcher)

    seconds = settings.PDF_RENDER_TIMEOUT if timeout is None else timeout
    if not hasattr(os, "fork"):  # pragma: no cover - not on the Linux the portal runs on
        return layout()
    return _in_child(layout, seconds)
