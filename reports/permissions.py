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
# The mapping of indicators to the law's three topics decides what the council is told
# under opplæringslova § 17-12, so it is the sector leader's, as the report is; a data
# admin makes sure the figures arrive but does not choose what the council reads.
rules.add_perm("reports.change_lawtopics", leader)
# Every member reads the mapping (LawTopicIndicatorQuerySet): it only names indicators.
rules.add_perm("reports.view_lawtopicindicator", member)


# --- The council's treatment --------------------------------------------------------------
# Everyone who reads a report year's published version reads its treatment, follow-up
# items and questions (the querysets say so); these rules say who writes them.


@rules.predicate
def is_published_object(user, report) -> bool:
    return report is not None and report.state == ReportState.PUBLISHED


@rules.predicate
def owns_follow_up_item(user, item) -> bool:
    return item is not None and item.owner_id == user.pk


@rules.predicate
def answer_open(user, question) -> bool:
    from reports.selectors.council import answers_frozen

    return question is not None and not answers_frozen(report_year=question.report_year)


@rules.predicate
def report_year_is_published(user, obj) -> bool:
    """The report year (of a treatment, an item, a question) has a published version:
    what every member may then read. ``None`` (a model-level check) passes."""
    from reports.models import ReportYear, StatusReport

    if obj is None:
        return True
    report_year = obj if isinstance(obj, ReportYear) else obj.report_year
    return StatusReport.objects.filter(
        quality_plan_id=report_year.quality_plan_id,
        year=report_year.year,
        state=ReportState.PUBLISHED,
    ).exists()


# As ReportYearQuerySet and the council querysets: sector leaders read every report
# year, the rest of the municipality those with a published version.
for _model in ("reportyear", "treatment", "followupitem", "question"):
    rules.add_perm(
        f"reports.view_{_model}",
        member & (is_superuser | is_sector_leader | report_year_is_published),
    )

# The treatment and the items are recorded by sector leaders only (object: the report
# year, or the item).
rules.add_perm("reports.change_treatment", leader)
rules.add_perm("reports.add_followupitem", leader)
rules.add_perm("reports.change_followupitem", leader)
# The status and its note: the sector leader, or the item's owner for their own item.
rules.add_perm(
    "reports.update_status_followupitem",
    member & (is_superuser | is_sector_leader | owns_follow_up_item),
)
rules.add_perm("reports.view_followup_overview", leader)
# A question is asked on a published version by anyone who reads it.
rules.add_perm("reports.ask_question", member & is_published_object)
rules.add_perm("reports.answer_question", leader & answer_open)


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
