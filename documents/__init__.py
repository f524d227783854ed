"""Documents the portal makes, below every app so each may use it (docs/architecture.md):
the one PDF entry point (``documents.pdf``, WeasyPrint in ``documents.layout``), its error
page middleware, and tablib's XLSX format loaded on first use (``documents.tablib_formats``).
Not a Django app: its templates and static files live under ``templates/documents/`` and
``static/documents/``."""
