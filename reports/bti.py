"""The status report's BTI section.

Its figures come from the provider ``btitracker`` registers as ``BTI`` in
``plans.report_statistics`` (``btitracker.statistics.report_rows``): cells already
suppressed by ``plans.disclosure`` — the statistics page's row for that school year, so
the report publishes nothing the page does not. Without a provider the section says
plainly that the figures are not available: no made-up numbers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plans import report_statistics


def bti_section(user, quality_plan, year: int) -> dict:
    provider = report_statistics.provider(report_statistics.BTI)
    if provider is None:
        return {
            "available": False,
            "message": _(
                "BTI-statistikken er ikke tilgjengelig ennå. Den kommer i rapporten når "
                "BTI-modulen i portalen er tatt i bruk."
            ),
            "rows": [],
            "total": None,
        }
    figures = provider(user, quality_plan, year)
    return {
        "available": True,
        "message": "",
        "rows": [{"label": str(row["label"]), "count": row["count"]} for row in figures["rows"]],
        "total": figures["total"],
    }
