"""Who may do what with status reports, as django-rules predicates mirroring
``StatusReport.objects.visible_to``: sector leaders order, read every state, publish and
make new versions; every other member of the municipality reads published reports only."""

from __future__ import annotations

import rules

from plans.permissions import in_own_municipality, is_portal_member, is_sector_leader, is_superuser
from reports.models import ReportState


@rules.predicate
def is_published_report(user, report) -> bool:
    # A model-level check (no object) passes: the list is scoped by visible_to.
    return report is None or report.state == ReportState.PUBLISHED


@rules.predicate
def is_ready_draft(user, report) -> bool:
    return report is not None and report.state == ReportState.READY


@rules.predicate
def is_unpublished(user, report) -> bool:
    # A report being published is on its way out of the drafts: not rendered again.
    return report is not None and report.state not in (
        ReportState.PUBLISHED,
        ReportState.PUBLISHING,
    )


member = is_portal_member & in_own_municipality
leader = member & (is_superuser | is_sector_leader)

rules.add_perm(
    "reports.view_statusreport", member & (is_superuser | is_sector_leader | is_published_report)
)
rules.add_perm("reports.order_statusreport", leader)
# The title page's logo (object: the municipality).
rules.add_perm("reports.change_reportbranding", leader)
rules.add_perm("reports.publish_statusreport", leader & is_ready_draft)
rules.add_perm("reports.rerender_statusreport", leader & is_unpublished)
rules.add_perm("reports.new_version_statusreport", leader & ~is_unpublished)
