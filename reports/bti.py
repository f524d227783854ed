"""The status report's BTI section, and the hook issue 4 plugs its statistics into.

``btitracker`` has no statistics yet. When it has, its ``AppConfig.ready()`` calls
:func:`register_statistics` with a function ``(user, quality_plan, year) -> rows``, each
row ``{"label": str, "count": int}`` (e.g. new concerns per level). The report then shows
the rows with small counts suppressed and a total that cannot reveal them. Until then the
section says plainly that the figures are not available: no made-up numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from reports.suppression import suppress_column

StatisticsProvider = Callable[[Any, Any, int], list[dict]]

_provider: StatisticsProvider | None = None


def register_statistics(provider: StatisticsProvider | None) -> None:
    """Register (or with None, remove) the function that gives the BTI statistics."""
    global _provider
    _provider = provider


def bti_section(user, quality_plan, year: int) -> dict:
    if _provider is None:
        return {
            "available": False,
            "message": _(
                "BTI-statistikken er ikke tilgjengelig ennå. Den kommer i rapporten når "
                "BTI-modulen i portalen er tatt i bruk."
            ),
            "rows": [],
            "total": None,
        }
    rows = _provider(user, quality_plan, year)
    cells, total = suppress_column([int(row["count"]) for row in rows])
    return {
        "available": True,
        "message": "",
        "rows": [
            {"label": str(row["label"]), "count": cell}
            for row, cell in zip(rows, cells, strict=True)
        ],
        "total": total,
    }
