"""Scoped reads of status reports: sector leaders see their municipality's reports in
every state; every other member (elected officials above all) only published ones."""

from __future__ import annotations

from django.db import models

from plans.querysets import _MunicipalityScope


class StatusReportQuerySet(_MunicipalityScope):
    def narrow(self, own, access, user):
        from plans.models import Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        return own.published()

    def published(self):
        from reports.models import ReportState

        return self.filter(state=ReportState.PUBLISHED)

    def update(self, **kwargs):
        # Bulk updates bypass save(); refuse them on published rows all the same.
        from reports.models import PublishedReportError

        if self.published().exists():
            raise PublishedReportError("En publisert rapport kan ikke endres.")
        return super().update(**kwargs)

    def delete(self):
        from reports.models import PublishedReportError

        if self.published().exists():
            raise PublishedReportError("En publisert rapport kan ikke slettes.")
        return super().delete()


class ReportYearQuerySet(_MunicipalityScope):
    """Sector leaders see every report year of their municipality; other members those
    with a published version (what they can read is what has been published)."""

    def narrow(self, own, access, user):
        from plans.models import Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        return own.filter(models.Exists(_published_version("")))


class LawTopicIndicatorQuerySet(_MunicipalityScope):
    """The municipality's mapping of indicators to the law's topics: every member of the
    municipality may read it (it only names indicators, which they see anyway); changing
    it is the sector leader's (``reports.permissions``)."""


def _published_version(prefix: str):
    """A published version of the report year found at ``prefix`` (``""`` for the report
    year itself, ``"report_year__"`` for what hangs on it)."""
    from reports.models import ReportState, StatusReport

    return StatusReport.objects.filter(
        quality_plan_id=models.OuterRef(f"{prefix}quality_plan_id"),
        year=models.OuterRef(f"{prefix}year"),
        state=ReportState.PUBLISHED,
    )


class _CouncilScope(_MunicipalityScope):
    """The council's treatment, follow-up items and questions are read by whoever reads
    the report year they hang on (ReportYearQuerySet): sector leaders always, every other
    member once a version is published."""

    municipality_lookup = "report_year__municipality_id"

    def narrow(self, own, access, user):
        from plans.models import Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        return own.filter(models.Exists(_published_version("report_year__")))


class TreatmentQuerySet(_CouncilScope):
    pass


class FollowUpItemQuerySet(_CouncilScope):
    def open(self):
        from reports.models import OPEN_FOLLOW_UP_STATES

        return self.filter(status__in=OPEN_FOLLOW_UP_STATES)


class QuestionQuerySet(_CouncilScope):
    def unanswered(self):
        return self.filter(answered_at__isnull=True)


class AssessmentQuerySet(_MunicipalityScope):
    """The administration's assessment while it is written: sector leaders see every one of
    their municipality, an invited writer the ones they are invited to. Nobody else —
    elected officials read the text in the published report only, so they never see it
    here even if someone invited them."""

    def narrow(self, own, access, user):
        from plans.models import Role

        if access.has_role(Role.SECTOR_LEADER):
            return own
        if access.has_role(Role.ELECTED_OFFICIAL):
            return own.none()
        # One invitation per writer and assessment (a unique constraint): no duplicates.
        return own.filter(writers__user=user)
