"""Turns a PDF that could not be made into a page that says so."""

from __future__ import annotations

from django.shortcuts import render

from documents.pdf import PdfRenderError


class PdfRenderErrorMiddleware:
    """Any view that renders a PDF (the exports of competence, BTI and reports) answers a
    render that timed out or failed with a Norwegian message and 503, not a 500 or a
    hung worker. Views with more to say (closing a BTI log) catch the error themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PdfRenderError):
            return render(
                request, "documents/pdf_error.html", {"message": str(exception)}, status=503
            )
        return None
