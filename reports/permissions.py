"""Who may do what with status reports, as django-rules predicates mirroring
``StatusReport.objects.visible_to``: sector leaders order, read every state, publish and
make new versions; every other member of the municipality reads published reports only."""

from __future__ import annotations

import rules

from plans.permissions import (
    in_own_municipality,
    is_elected_official,
    is_portal_member,
    is_sector_leader,
    is_superuser,
)
from reports.models import EDITABLE_ASSESSMENT_STATES, AssessmentState, ReportState


@rules.predicate
def is_published_report(user, report) -> bool:
    # A model-level check (no object) passes: the list is scoped by visible_to.
    return report is None or report.state == ReportState.PUBLISHED


@rules.predicate
def is_ready_draft(user, report) -> bool:
    return report is not None and report.state == ReportState.READY


@rules.predicate
def is_unpublished(user, report) -> bool:
    return report is not None and report.state != ReportState.PUBLISHED


member = is_portal_member & in_own_municipality
leader = member & (is_superuser | is_sector_leader)

rules.add_perm(
    "reports.view_statusreport", member & (is_superuser | is_sector_leader | is_published_report)
)
rules.add_perm("reports.order_statusreport", leader)
rules.add_perm("reports.publish_statusreport", leader & is_ready_draft)
rules.add_perm("reports.rerender_statusreport", leader & is_unpublished)
rules.add_perm("reports.new_version_statusreport", leader & ~is_unpublished)


# --- The administration's assessment ---------------------------------------------------------


@rules.predicate
def is_invited_writer(user, assessment) -> bool:
    """Invited to write this assessment (and not an elected official: they read the text
    in the published report only, as ``Assessment.objects.visible_to`` says)."""
    if assessment is None or is_elected_official(user):
        return False
    return assessment.writers.filter(user_id=user.pk).exists()


@rules.predicate
def is_assessment_editable(user, assessment) -> bool:
    return assessment is not None and assessment.state in EDITABLE_ASSESSMENT_STATES


@rules.predicate
def is_assessment_draft(user, assessment) -> bool:
    return assessment is not None and assessment.state == AssessmentState.DRAFT


@rules.predicate
def is_assessment_returnable(user, assessment) -> bool:
    return assessment is not None and assessment.state in (
        AssessmentState.REVIEW,
        AssessmentState.FINAL,
    )


assessment_writer = member & (is_superuser | is_sector_leader | is_invited_writer)

rules.add_perm("reports.view_assessment", assessment_writer)
rules.add_perm("reports.change_assessment", assessment_writer & is_assessment_editable)
rules.add_perm("reports.submit_assessment", assessment_writer & is_assessment_draft)
rules.add_perm("reports.approve_assessment", leader & is_assessment_editable)
rules.add_perm("reports.return_assessment", leader & is_assessment_returnable)
rules.add_perm("reports.invite_assessment", leader)
# Start the writing of a report year (the object is the municipality): sector leaders.
rules.add_perm("reports.open_assessment", leader)
