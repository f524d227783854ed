"""The demo municipality's status reports: last school year's report published, and this
school year's as a rendered draft, so that every role finds a report from the first
``make run`` (issue 18, item 5).

Both are ordered by the demo's sector leader and rendered here, in-process, with the same
services the Celery task calls: loading the demo needs no worker and no broker, and it is
done when the command returns. The years come from the demo's own «today» (the day every
other demo date is counted from), never from a fixed year."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction

from plans.models import Municipality, QualityPlan
from plans.schoolyear import SchoolYear
from reports.models import ReportState, StatusReport
from reports.services.status_reports import (
    status_report_order,
    status_report_publish,
    status_report_render,
)


class DemoReportError(RuntimeError):
    """A demo report could not be rendered: the demo would lie about having one."""


def _report_render(report: StatusReport) -> StatusReport:
    """Render a report that is waiting, here and now; a failed render stops the load with
    the report's own error text rather than leaving a demo without its report."""
    state = status_report_render(report_id=report.pk)
    report.refresh_from_db()
    if state == ReportState.FAILED or report.is_pending:
        raise DemoReportError(
            f"Demorapporten for {report.year_label} kunne ikke lages: "
            f"{report.error or report.get_state_display()}"
        )
    return report


@transaction.atomic
def demo_reports_load(
    *,
    municipality: Municipality,
    plan: QualityPlan,
    sector_leader,
    today: datetime.date,
    after_publishing: Callable[[StatusReport], dict[str, int]] | None = None,
) -> dict[str, int]:
    """Last school year's report (the last year with figures) ordered, rendered and
    published by the sector leader, then this school year's ordered and rendered as a
    draft. Expects the demo's reports to have been purged (``demo_load`` does that first).
    All or nothing: a render that fails raises ``DemoReportError`` and no report is left.
    Returns the number of reports by state."""
    if plan.municipality_id != municipality.pk:
        raise ValueError("the plan belongs to another municipality")
    this_year = SchoolYear.current(today).start_year
    last_year = this_year - 1

    last = status_report_order(
        user=sector_leader, quality_plan=plan, year=last_year, dispatch=False
    )
    last = _report_render(last)
    last = status_report_publish(report=last, user=sector_leader, dispatch=False)
    # Publishing may ask for a final render of the published file (queued, not done): the
    # demo does it here as well, so the published report is whole when the load returns.
    if last.is_pending:
        last = _report_render(last)

    # The council's treatment of last year's report, its follow-up items and questions:
    # after publishing (the portal refuses them before), and before this year's draft is
    # rendered, since this year's report opens with what became of those items.
    # (``demo_load`` passes ``demo_council_load`` as ``after_publishing``.)
    council = after_publishing(last) if after_publishing else {}

    draft = status_report_order(
        user=sector_leader, quality_plan=plan, year=this_year, dispatch=False
    )
    _report_render(draft)
    return council | {
        "status_reports_published": StatusReport.objects.filter(
            municipality=municipality, state=ReportState.PUBLISHED
        ).count(),
        "status_reports_draft": StatusReport.objects.filter(
            municipality=municipality, state=ReportState.READY
        ).count(),
    }
