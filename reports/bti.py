"""The status report's BTI section, and the hook ``btitracker`` plugs its statistics into.

``btitracker``'s ``AppConfig.ready()`` calls :func:`register_statistics` with a function
``(user, quality_plan, school_year) -> {"rows": [{"label", "count": Cell}], "total": Cell}``
whose cells are already suppressed by ``plans.disclosure`` — the statistics page's row for
that school year, so the report publishes nothing the page does not. Without a provider
the section says plainly that the figures are not available: no made-up numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

StatisticsProvider = Callable[[Any, Any, int], dict]

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
    figures = _provider(user, quality_plan, year)
    return {
        "available": True,
        "message": "",
        "rows": [{"label": str(row["label"]), "count": row["count"]} for row in figures["rows"]],
        "total": figures["total"],
    }
