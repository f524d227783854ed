"""tablib's XLSX format without importing openpyxl until a sheet is read or written.

django-import-export lists its formats when ``import_export.admin`` is imported — during
the admin's autodiscovery, so at every start-up — and asks tablib for each, which imports
``tablib.formats._xlsx`` and openpyxl with it (half a second, numpy included). Registering
:class:`XLSXFormat` under tablib's ``"xlsx"`` key first keeps the format listed while
openpyxl waits for the first XLSX import or export (``tests/test_startup_imports.py``)."""

from __future__ import annotations

from typing import Any


class _Deferred(type):
    # Anything the class does not have itself (detect, import_set, export_book …) comes
    # from tablib's own XLSX format, imported on that first use.
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from tablib.formats._xlsx import XLSXFormat as Real

        return getattr(Real, name)


class XLSXFormat(metaclass=_Deferred):
    """Stands in for ``tablib.formats._xlsx.XLSXFormat``; what tablib and import-export
    read when listing formats is answered here, everything else by the real one."""

    title = "xlsx"
    extensions = ("xlsx",)


def defer_xlsx() -> None:
    """Put :class:`XLSXFormat` in tablib's registry (before ``import_export.admin``)."""
    from tablib.formats import registry

    registry.register("xlsx", f"{__name__}.XLSXFormat")
