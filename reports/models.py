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
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from plans.models import ChangeRecord, DevelopmentArea, Municipality, QualityPlan
from plans.schoolyear import SchoolYear
from plans.text_limits import LONG_TEXT, SHORT_TEXT, TEXT, bounded_text, text_length_checks
from reports.querysets import (
    AssessmentQuerySet,
    FollowUpItemQuerySet,
    LawTopicIndicatorQuerySet,
    QuestionQuerySet,
    ReportYearQuerySet,
    StatusReportQuerySet,
    TreatmentQuerySet,
)


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
# States waiting for a worker to take them (a poll or the requeue sends them again).
WAITING_STATES = frozenset({ReportState.QUEUED, ReportState.PUBLISHING})


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


def _require_plan_of_municipality(row: StatusReport | ReportYear) -> None:
    """A report (a version or its year) is about a plan of its own municipality."""
    if (
        row.quality_plan_id
        and row.municipality_id
        and row.quality_plan.municipality_id != row.municipality_id
    ):
        raise ValidationError({"quality_plan": _("Planen hører til en annen kommune.")})


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
        _require_plan_of_municipality(self)

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
        _require_plan_of_municipality(self)


class LawTopic(models.TextChoices):
    """The three things opplæringslova § 17-12 says the council must hear about at least
    once a year (Udir's tilstandsrapport template has a chapter for each)."""

    # A context of their own: «Gjennomføring» is also a measure's phase elsewhere, and
    # here it means completing upper secondary.
    LEARNING_ENVIRONMENT = "laeringsmiljo", pgettext_lazy("opplæringslova", "Læringsmiljø")
    LEARNING_RESULTS = "laeringsresultater", pgettext_lazy("opplæringslova", "Læringsresultater")
    COMPLETION = "gjennomforing", pgettext_lazy("opplæringslova", "Gjennomføring")


class LawTopicIndicator(models.Model):
    """One indicator the municipality reports under one of the law's topics, in its place
    within the topic. The same indicator may stand under several topics, once in each."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="law_topic_indicators",
        verbose_name=_("kommune"),
    )
    topic = models.CharField(_("tema"), max_length=20, choices=LawTopic.choices)
    indicator = models.ForeignKey(
        "indicators.Indicator",
        on_delete=models.CASCADE,
        related_name="law_topic_links",
        verbose_name=_("indikator"),
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)

    objects = LawTopicIndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikator for lovens tema")
        verbose_name_plural = _("indikatorer for lovens tema")
        ordering = ["municipality", "topic", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "topic", "indicator"], name="law_topic_indicator_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_topic_display()}: {self.indicator}"


# --- The council's treatment (politisk behandling) ------------------------------------------
# What happens to a report after it is published: the committee and the council treat it
# (case number, meeting dates, decision), the council asks for follow-up items that the
# administration carries out, and elected officials ask questions the sector leader
# answers. All of it hangs on the ReportYear, so it outlives a new version of the report,
# and next year's report reads it (reports.selectors.council).

# «2025/1234»: the archive's year (two or four digits) and the case's running number.
CASE_NUMBER_RE = r"^(\d{2}|\d{4})/\d{1,7}$"


class Treatment(models.Model):
    report_year = models.OneToOneField(
        ReportYear,
        on_delete=models.CASCADE,
        related_name="treatment",
        verbose_name=_("rapportår"),
    )
    committee = models.CharField(
        _("utvalg"), max_length=200, blank=True, help_text=_("F.eks. Hovedutvalg for oppvekst.")
    )
    committee_meeting_on = models.DateField(_("møte i utvalget"), null=True, blank=True)
    council_meeting_on = models.DateField(_("møte i kommunestyret"), null=True, blank=True)
    case_number = models.CharField(
        _("saksnummer"),
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                CASE_NUMBER_RE,
                message=_("Skriv saksnummeret som år/løpenummer, f.eks. 2025/1234."),
                code="case_number",
            )
        ],
    )
    decision = bounded_text(_("vedtak"), max_length=LONG_TEXT, blank=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sist endret av"),
    )

    objects = TreatmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("politisk behandling")
        verbose_name_plural = _("politiske behandlinger")
        constraints = [*text_length_checks(decision=LONG_TEXT)]

    def __str__(self) -> str:
        return _("Politisk behandling av %(report)s") % {"report": self.report_year}

    @property
    def municipality_id(self) -> int:
        return self.report_year.municipality_id

    def clean(self) -> None:
        if (
            self.committee_meeting_on
            and self.council_meeting_on
            and self.council_meeting_on < self.committee_meeting_on
        ):
            raise ValidationError(
                {
                    "council_meeting_on": _(
                        "Møtet i kommunestyret kan ikke være før møtet i utvalget."
                    )
                }
            )


class TreatmentChange(models.Model):
    """One save of the treatment: who, when, and each field's old and new text."""

    treatment = models.ForeignKey(
        Treatment, on_delete=models.CASCADE, related_name="changes", verbose_name=_("behandling")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("endret av"),
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    # [{"field": label, "old": text, "new": text}, …], as plans.PlanChange.
    fields = models.JSONField(_("felt"), default=list)

    class Meta:
        verbose_name = _("endring i behandlingen")
        verbose_name_plural = _("endringer i behandlingen")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.treatment_id}"


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "ikke_startet", _("Ikke påbegynt")
    IN_PROGRESS = "pagar", _("Pågår")
    DONE = "fullfort", _("Fullført")
    DROPPED = "utgar", _("Utgår")


OPEN_FOLLOW_UP_STATES = frozenset({FollowUpStatus.NOT_STARTED, FollowUpStatus.IN_PROGRESS})


class FollowUpItem(models.Model):
    """A follow-up item (oppfølgingspunkt) the council asked the administration for."""

    report_year = models.ForeignKey(
        ReportYear,
        on_delete=models.CASCADE,
        related_name="follow_up_items",
        verbose_name=_("rapportår"),
    )
    title = models.CharField(_("tittel"), max_length=200)
    description = bounded_text(_("beskrivelse"), max_length=TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_up_items",
        verbose_name=_("ansvarlig"),
    )
    due_on = models.DateField(_("frist"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FollowUpStatus.choices,
        default=FollowUpStatus.NOT_STARTED,
    )
    status_note = bounded_text(_("merknad til status"), max_length=SHORT_TEXT, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    objects = FollowUpItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("oppfølgingspunkt")
        verbose_name_plural = _("oppfølgingspunkter")
        ordering = ["due_on", "pk"]
        constraints = [*text_length_checks(description=TEXT, status_note=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.title

    @property
    def municipality_id(self) -> int:
        return self.report_year.municipality_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FOLLOW_UP_STATES


class FollowUpStatusChange(models.Model):
    """Every status change of a follow-up item: who, when, from what to what, and why."""

    item = models.ForeignKey(
        FollowUpItem,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("oppfølgingspunkt"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("endret av"),
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True)
    old_status = models.CharField(
        _("fra status"), max_length=12, choices=FollowUpStatus.choices, blank=True
    )
    new_status = models.CharField(_("til status"), max_length=12, choices=FollowUpStatus.choices)
    note = bounded_text(_("merknad"), max_length=SHORT_TEXT, blank=True)

    class Meta:
        verbose_name = _("statusendring")
        verbose_name_plural = _("statusendringer")
        ordering = ["-at", "-pk"]
        constraints = [*text_length_checks(note=SHORT_TEXT)]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.old_status} → {self.new_status}"


class Question(models.Model):
    """An elected official's question on a published report, and the sector leader's
    answer (one, editable until next year's report is published and freezes it)."""

    report_year = models.ForeignKey(
        ReportYear, on_delete=models.CASCADE, related_name="questions", verbose_name=_("rapportår")
    )
    report = models.ForeignKey(
        StatusReport,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("rapportversjon"),
    )
    text = bounded_text(_("spørsmål"), max_length=SHORT_TEXT)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("stilt av"),
    )
    asked_at = models.DateTimeField(_("stilt"), auto_now_add=True)
    answer = bounded_text(_("svar"), max_length=TEXT, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besvart av"),
    )
    answered_at = models.DateTimeField(_("besvart"), null=True, blank=True)
    answer_updated_at = models.DateTimeField(_("svar sist endret"), null=True, blank=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("spørsmål")
        verbose_name_plural = _("spørsmål")
        ordering = ["asked_at", "pk"]
        constraints = [*text_length_checks(text=SHORT_TEXT, answer=TEXT)]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def municipality_id(self) -> int:
        return self.report_year.municipality_id

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


# --- The administration's assessment (KS's five questions) ----------------------------------


class AssessmentQuestion(models.TextChoices):
    """KS's five questions for the tilstandsrapport as a dialogue; the value is the stem of
    the question's two fields on ``Assessment`` (``<stem>_text``, ``<stem>_no_change``)."""

    WHERE_ARE_WE = "where_are_we", _("Hvor er vi?")
    NEED_FOR_CHANGE = "need_for_change", _("Behov for endring?")
    WHERE_TO = "where_to", _("Hvor vil vi?")
    WHO_DOES_WHAT = "who_does_what", _("Hvem gjør hva?")
    HOW = "how", _("Hvordan får vi det til?")


class AssessmentState(models.TextChoices):
    DRAFT = "utkast", _("Utkast")
    REVIEW = "gjennomsyn", _("Til gjennomsyn")
    FINAL = "ferdig", _("Ferdig")


# States in which the text may still be written; a final text is sent back to draft first.
EDITABLE_ASSESSMENT_STATES = frozenset({AssessmentState.DRAFT, AssessmentState.REVIEW})


class Assessment(models.Model):
    """The administration's own assessment for one report year: one row per development
    area of the plan, and one for the whole report (``area`` empty). Each of KS's five
    questions is answered by a text or by an explicit «Ingen endring»."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("kommune"),
    )
    report_year = models.ForeignKey(
        ReportYear,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("rapportår"),
    )
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_assessments",
        verbose_name=_("utviklingsområde"),
        help_text=_("Tomt for vurderingen av hele rapporten."),
    )
    state = models.CharField(
        _("status"),
        max_length=12,
        choices=AssessmentState.choices,
        default=AssessmentState.DRAFT,
    )
    return_comment = bounded_text(_("kommentar ved retur"), max_length=SHORT_TEXT, blank=True)
    # Each question: a text, or «Ingen endring» as an answer of its own (never a magic
    # text); ``clean`` refuses both at once.
    where_are_we_text = bounded_text(_("Hvor er vi?"), max_length=TEXT, blank=True)
    where_are_we_no_change = models.BooleanField(_("Hvor er vi? Ingen endring"), default=False)
    need_for_change_text = bounded_text(_("Behov for endring?"), max_length=TEXT, blank=True)
    need_for_change_no_change = models.BooleanField(
        _("Behov for endring? Ingen endring"), default=False
    )
    where_to_text = bounded_text(_("Hvor vil vi?"), max_length=TEXT, blank=True)
    where_to_no_change = models.BooleanField(_("Hvor vil vi? Ingen endring"), default=False)
    who_does_what_text = bounded_text(_("Hvem gjør hva?"), max_length=TEXT, blank=True)
    who_does_what_no_change = models.BooleanField(_("Hvem gjør hva? Ingen endring"), default=False)
    how_text = bounded_text(_("Hvordan får vi det til?"), max_length=TEXT, blank=True)
    how_no_change = models.BooleanField(_("Hvordan får vi det til? Ingen endring"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sist endret av"),
    )
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)
    # When an answer last changed (not the state): what a rendered draft is compared with.
    text_changed_at = models.DateTimeField(_("tekst sist endret"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("administrasjonens vurdering")
        verbose_name_plural = _("administrasjonens vurderinger")
        ordering = ["report_year", "area__order", "area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report_year", "area"],
                condition=models.Q(area__isnull=False),
                name="assessment_one_per_area",
            ),
            models.UniqueConstraint(
                fields=["report_year"],
                condition=models.Q(area__isnull=True),
                name="assessment_one_for_whole_report",
            ),
            *text_length_checks(
                return_comment=SHORT_TEXT,
                **{f"{question.value}_text": TEXT for question in AssessmentQuestion},
            ),
        ]

    def __str__(self) -> str:
        if self.area is None:
            return str(_("Vurdering av hele rapporten"))
        return _("Vurdering: %(area)s") % {"area": self.area.name}

    @property
    def title(self) -> str:
        return str(self)

    def answer(self, question: str) -> tuple[str, bool]:
        return getattr(self, f"{question}_text"), getattr(self, f"{question}_no_change")

    def unanswered(self) -> list[AssessmentQuestion]:
        """The questions with neither a text nor «Ingen endring»."""
        return [
            question
            for question in AssessmentQuestion
            if not self.answer(question.value)[0].strip() and not self.answer(question.value)[1]
        ]

    @property
    def answered_count(self) -> int:
        return len(AssessmentQuestion) - len(self.unanswered())

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_ASSESSMENT_STATES

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.report_year_id and self.municipality_id:
            if self.report_year.municipality_id != self.municipality_id:
                errors["report_year"] = str(_("Rapportåret hører til en annen kommune."))
            elif self.area is not None and self.area.plan_id != self.report_year.quality_plan_id:
                errors["area"] = str(_("Utviklingsområdet hører til en annen plan."))
        for question in AssessmentQuestion:
            text, no_change = self.answer(question.value)
            if no_change and text.strip():
                errors[f"{question.value}_text"] = str(
                    _(
                        "«%(question)s»: velg enten «Ingen endring» eller skriv en tekst, "
                        "ikke begge."
                    )
                    % {"question": question.label}
                )
        if errors:
            raise ValidationError(errors)


class AssessmentWriter(models.Model):
    """A member of the municipality the sector leader has invited to write one assessment."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="writers",
        verbose_name=_("vurdering"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assessment_invitations",
        verbose_name=_("skribent"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invitert av"),
    )
    invited_at = models.DateTimeField(_("invitert"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitert skribent")
        verbose_name_plural = _("inviterte skribenter")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="assessment_writer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.assessment}"


class AssessmentChange(ChangeRecord):
    """What changed in an assessment, by whom and when (``fields``: each question's old and
    new text, as the writer saw them): the plans' history shape, so the plan history
    template shows it. Written only by ``reports.services.assessments``; never edited."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("vurdering"),
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring i vurdering")
        verbose_name_plural = _("endringer i vurdering")


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
