"""Quality tools (statements of very good practice per service field) and the units'
self-assessments against them, repeated over time."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Municipality, Unit
from plans.models.quality_plan import CoreComponent, DevelopmentArea, QualityPlan, ServiceField
from plans.querysets import QualityToolQuerySet, SelfAssessmentQuerySet
from plans.text_limits import SHORT_TEXT, TEXT, bounded_text, text_length_checks


class QualityTool(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="quality_tools",
        verbose_name=_("kommune"),
    )
    quality_plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.PROTECT,
        related_name="quality_tools",
        verbose_name=_("kvalitetsplan"),
    )
    service_field = models.CharField(
        _("tjenesteområde"), max_length=20, choices=ServiceField.choices
    )
    title = models.CharField(_("tittel"), max_length=200)
    introduction = bounded_text(_("innledning"), blank=True, max_length=TEXT)

    objects = QualityToolQuerySet.as_manager()

    class Meta:
        verbose_name = _("kvalitetsverktøy")
        verbose_name_plural = _("kvalitetsverktøy")
        ordering = ["municipality__name", "service_field"]
        constraints = [
            *text_length_checks(introduction=TEXT),
            models.UniqueConstraint(
                fields=["quality_plan", "service_field"], name="quality_tool_one_per_field"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if (
            self.quality_plan_id
            and self.municipality_id
            and self.quality_plan.municipality_id != self.municipality_id
        ):
            raise ValidationError(
                {"quality_plan": _("Kvalitetsplanen hører til en annen kommune.")}
            )


class ToolStatement(models.Model):
    tool = models.ForeignKey(
        QualityTool,
        on_delete=models.CASCADE,
        related_name="statements",
        verbose_name=_("kvalitetsverktøy"),
    )
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        related_name="tool_statements",
        verbose_name=_("utviklingsområde"),
    )
    component = models.ForeignKey(
        CoreComponent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tool_statements",
        verbose_name=_("kjernekomponent"),
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    text = bounded_text(
        _("påstand"), help_text=_("Slik ser det ut når vi jobber meget bra."), max_length=SHORT_TEXT
    )

    class Meta:
        verbose_name = _("påstand")
        verbose_name_plural = _("påstander")
        ordering = ["tool", "area__order", "order", "pk"]
        constraints = [*text_length_checks(text=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.text[:80]


class Score(models.IntegerChoices):
    LOW = 1, _("1 – Dette kjenner vi lite igjen")
    SOME = 2, _("2 – Dette kjenner vi noe igjen")
    MOSTLY = 3, _("3 – Dette kjenner vi godt igjen")
    FULLY = 4, _("4 – Slik jobber vi")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Pågår")
    COMPLETED = "completed", _("Fullført")


class SelfAssessment(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="self_assessments", verbose_name=_("enhet")
    )
    tool = models.ForeignKey(
        QualityTool,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("kvalitetsverktøy"),
    )
    conducted_on = models.DateField(_("dato"))
    participants = models.CharField(
        _("hvem deltok"), max_length=250, blank=True, help_text=_("For eksempel hele personalet.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("opprettet av"),
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    objects = SelfAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("egenvurdering")
        verbose_name_plural = _("egenvurderinger")
        ordering = ["unit__name", "-conducted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} {self.conducted_on:%d.%m.%Y}"

    @property
    def municipality_id(self) -> int:
        return self.unit.municipality_id


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(
        SelfAssessment,
        on_delete=models.CASCADE,
        related_name="answers",
        verbose_name=_("egenvurdering"),
    )
    statement = models.ForeignKey(
        ToolStatement, on_delete=models.PROTECT, related_name="answers", verbose_name=_("påstand")
    )
    score = models.PositiveSmallIntegerField(
        _("vurdering"), choices=Score.choices, null=True, blank=True
    )
    reflection = bounded_text(_("refleksjon"), blank=True, max_length=TEXT)

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        ordering = ["assessment", "statement__area__order", "statement__order", "pk"]
        constraints = [
            *text_length_checks(reflection=TEXT),
            models.UniqueConstraint(
                fields=["assessment", "statement"], name="answer_one_per_statement"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=4),
                name="answer_score_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement}: {self.score}"
