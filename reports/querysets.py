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
        from reports.models import ReportState, StatusReport

        if access.has_role(Role.SECTOR_LEADER):
            return own
        published = StatusReport.objects.filter(
            quality_plan_id=models.OuterRef("quality_plan_id"),
            year=models.OuterRef("year"),
            state=ReportState.PUBLISHED,
        )
        return own.filter(models.Exists(published))


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
