"""The yearly status report (tilstandsrapport) and its rendering job.

A report is ordered for one quality plan and one year. A Celery task collects the data
into ``snapshot`` (plain JSON), draws the charts, lays out the PDF and stores it; the
stage and percentage live on the row so the page can show a progress bar. Publishing
freezes the row: a published report is never written again (the service refuses, and
``save``/``delete``/``QuerySet.update`` refuse as a last guard). A new version is a new
draft row for the same plan and year."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, QualityPlan
from plans.schoolyear import SchoolYear
from reports.querysets import ReportYearQuerySet, StatusReportQuerySet


class ReportState(models.TextChoices):
    QUEUED = "i_ko", _("I kø")
    RENDERING = "lages", _("Lages")
    READY = "klar", _("Utkast klart")
    FAILED = "feilet", _("Feilet")
    PUBLISHED = "publisert", _("Publisert")
    # Publishing renders the final PDF (no «Utkast» mark) from the stored snapshot in the
    # worker; the report is published when that file is stored, or back to READY if not.
    PUBLISHING = "publiseres", _("Publiseres")


# States a worker may still move the report out of.
PENDING_STATES = frozenset({ReportState.QUEUED, ReportState.RENDERING, ReportState.PUBLISHING})


class PublishedReportError(ValidationError):
    """Raised on any attempt to change or delete a published report."""


def report_file_name(report: StatusReport, filename: str = "") -> str:
    """The stable name of a report's PDF: a rerun stores its file under the same name."""
    return (
        f"status-reports/{report.municipality.number}/"
        f"tilstandsrapport-{report.year}-v{report.version}-{report.pk}.pdf"
    )


def published_file_name(report: StatusReport) -> str:
    """The stable name of a published report's final PDF, beside (never over) the draft's."""
    return report_file_name(report).removesuffix(".pdf") + "-publisert.pdf"


class StatusReport(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("kommune"),
    )
    quality_plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.PROTECT,
        related_name="status_reports",
        verbose_name=_("kvalitetsplan"),
    )
    year = models.PositiveSmallIntegerField(
        _("år"), help_text=_("Året skoleåret starter, f.eks. 2025 for 2025/26.")
    )
    version = models.PositiveSmallIntegerField(_("versjon"), default=1)
    state = models.CharField(
        _("status"), max_length=12, choices=ReportState.choices, default=ReportState.QUEUED
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bestilt av"),
    )
    ordered_at = models.DateTimeField(_("bestilt"), auto_now_add=True)
    snapshot = models.JSONField(_("datagrunnlag"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to=report_file_name, blank=True, max_length=255)
    pdf_pages = models.PositiveIntegerField(_("sider"), default=0)
    pdf_size = models.PositiveIntegerField(_("filstørrelse"), default=0)
    rendered_at = models.DateTimeField(_("laget"), null=True, blank=True)
    published_at = models.DateTimeField(_("publisert"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publisert av"),
    )
    # The rendering job: what the progress bar shows, and what requeueing looks at.
    stage = models.CharField(_("steg"), max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(_("fremdrift (%)"), default=0)
    error = models.TextField(_("feilmelding"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("forsøk"), default=0)
    task_id = models.CharField(_("jobb-ID"), max_length=64, blank=True)
    dispatched_at = models.DateTimeField(_("sendt til køen"), null=True, blank=True)
    dispatch_attempted_at = models.DateTimeField(
        _("siste forsøk på å sende til køen"), null=True, blank=True
    )
    started_at = models.DateTimeField(_("startet"), null=True, blank=True)
    finished_at = models.DateTimeField(_("ferdig"), null=True, blank=True)

    objects = StatusReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("tilstandsrapport")
        verbose_name_plural = _("tilstandsrapporter")
        ordering = ["-year", "-version", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["quality_plan", "year", "version"], name="status_report_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return _("Tilstandsrapport %(year)s, versjon %(version)s") % {
            "year": self.year_label,
            "version": self.version,
        }

    def save(self, *args, **kwargs) -> None:
        # The last guard behind the services: whatever the caller, a row that is published
        # in the database is never written again.
        if self._stored_state() == ReportState.PUBLISHED:
            raise PublishedReportError(_("En publisert rapport kan ikke endres."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_state() == ReportState.PUBLISHED:
            raise PublishedReportError(_("En publisert rapport kan ikke slettes."))
        return super().delete(*args, **kwargs)

    @property
    def year_label(self) -> str:
        return SchoolYear(self.year).label

    @property
    def is_published(self) -> bool:
        return self.state == ReportState.PUBLISHED

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING_STATES

    def clean(self) -> None:
        if (
            self.quality_plan_id
            and self.municipality_id
            and self.quality_plan.municipality_id != self.municipality_id
        ):
            raise ValidationError({"quality_plan": _("Planen hører til en annen kommune.")})

    def _stored_state(self) -> str | None:
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values_list("state", flat=True).first()


class ReportYear(models.Model):
    """One plan's report for one year, across its versions: what outlives a re-render and
    a new version — the administration's assessment, the council's treatment and the
    follow-up it asks for. ``StatusReport`` rows are the rendered versions of it (same
    plan and year); a published version freezes a copy of the text in its snapshot."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="report_years",
        verbose_name=_("kommune"),
    )
    quality_plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.PROTECT,
        related_name="report_years",
        verbose_name=_("kvalitetsplan"),
    )
    year = models.PositiveSmallIntegerField(
        _("år"), help_text=_("Året skoleåret starter, f.eks. 2025 for 2025/26.")
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    objects = ReportYearQuerySet.as_manager()

    class Meta:
        verbose_name = _("rapportår")
        verbose_name_plural = _("rapportår")
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["quality_plan", "year"], name="report_year_unique"),
        ]

    def __str__(self) -> str:
        return _("Tilstandsrapport %(year)s") % {"year": self.year_label}

    @property
    def year_label(self) -> str:
        return SchoolYear(self.year).label

    def reports(self) -> models.QuerySet[StatusReport]:
        """The rendered versions of this report, newest first."""
        return StatusReport.objects.filter(quality_plan_id=self.quality_plan_id, year=self.year)

    def clean(self) -> None:
        if (
            self.quality_plan_id
            and self.municipality_id
            and self.quality_plan.municipality_id != self.municipality_id
        ):
            raise ValidationError({"quality_plan": _("Planen hører til en annen kommune.")})


class LogoKind(models.TextChoices):
    SVG = "image/svg+xml", "SVG"
    PNG = "image/png", "PNG"


class ReportBranding(models.Model):
    """The municipality's coat of arms or logo on the report's title page, uploaded by a
    sector leader. Kept in the database (it is small and capped) so a report's snapshot can
    take a copy as a data URI: a published report keeps the logo of its day."""

    municipality = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        related_name="report_branding",
        verbose_name=_("kommune"),
    )
    logo = models.BinaryField(_("kommunevåpen eller logo"))
    content_type = models.CharField(_("filtype"), max_length=20, choices=LogoKind.choices)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endret av"),
    )

    class Meta:
        verbose_name = _("rapportprofil")
        verbose_name_plural = _("rapportprofiler")

    def __str__(self) -> str:
        return _("Kommunevåpen for %(municipality)s") % {"municipality": self.municipality}
