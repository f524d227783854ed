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
    # A group session open for the participants' anonymous scores; closing it turns it
    # into a draft, where the facilitator records the group's joint conclusion.
    COLLECTING = "collecting", _("Samler inn svar")
    DRAFT = "draft", _("Pågår")
    COMPLETED = "completed", _("Fullført")


# Not yet completed: a unit (or a group) has at most one of these at a time.
UNFINISHED_STATES = frozenset({AssessmentStatus.COLLECTING, AssessmentStatus.DRAFT})


class AssessmentGroup(models.TextChoices):
    """Who assesses. ``UNIT`` is the unit leader scoring for the unit; the others are
    group sessions where every participant scores on their own, anonymously, and the
    facilitator records the group's joint conclusion."""

    UNIT = "unit", _("Enheten")
    UNIT_STAFF = "unit_staff", _("Enhetens ansatte")
    LEADERS = "leaders", _("Lederne i sektoren")
    ADMINISTRATION = "administration", _("Administrasjon og politikk")


# Groups that span the municipality: no unit, run by a sector leader.
MUNICIPALITY_GROUPS = frozenset({AssessmentGroup.LEADERS, AssessmentGroup.ADMINISTRATION})
SESSION_GROUPS = frozenset({AssessmentGroup.UNIT_STAFF, *MUNICIPALITY_GROUPS})


class SelfAssessment(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="self_assessments",
        verbose_name=_("kommune"),
    )
    # Empty for the groups that span the municipality (MUNICIPALITY_GROUPS).
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_assessments",
        verbose_name=_("enhet"),
    )
    group = models.CharField(
        _("gruppe"), max_length=20, choices=AssessmentGroup.choices, default=AssessmentGroup.UNIT
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group__in=sorted(MUNICIPALITY_GROUPS), unit__isnull=True)
                | (~models.Q(group__in=sorted(MUNICIPALITY_GROUPS)) & models.Q(unit__isnull=False)),
                name="assessment_unit_matches_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.conducted_on:%d.%m.%Y}"

    def save(self, *args, **kwargs) -> None:
        # A unit's assessment belongs to the unit's municipality; callers that name only
        # the unit (the demo, older code) need not repeat it.
        if self.municipality_id is None and self.unit is not None:
            self.municipality_id = self.unit.municipality_id
        super().save(*args, **kwargs)

    @property
    def is_session(self) -> bool:
        return self.group in SESSION_GROUPS

    @property
    def subject_label(self) -> str:
        """Who was assessed, for lists and titles: the unit, or the group when the
        assessment spans the municipality."""
        if self.unit is None:
            return str(AssessmentGroup(self.group).label)
        return self.unit.name

    def clean(self) -> None:
        errors = {}
        if (
            self.unit is not None
            and self.municipality_id
            and self.unit.municipality_id != self.municipality_id
        ):
            errors["unit"] = _("Enheten hører til en annen kommune.")
        if self.group in MUNICIPALITY_GROUPS and self.unit_id:
            errors["unit"] = _("Denne gruppen gjelder hele kommunen, ikke én enhet.")
        if self.group not in MUNICIPALITY_GROUPS and not self.unit_id:
            errors["unit"] = _("Velg enheten egenvurderingen gjelder.")
        if errors:
            raise ValidationError(errors)


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


class SessionParticipant(models.Model):
    """A person invited to a group session, and *whether* they have answered — never what:
    their scores go into ``ScoreTally`` counts that hold no link to anyone."""

    assessment = models.ForeignKey(
        SelfAssessment,
        on_delete=models.CASCADE,
        related_name="session_participants",
        verbose_name=_("egenvurdering"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="assessment_sessions",
        verbose_name=_("deltaker"),
    )
    has_answered = models.BooleanField(_("har svart"), default=False)

    class Meta:
        verbose_name = _("deltaker i egenvurdering")
        verbose_name_plural = _("deltakere i egenvurdering")
        ordering = ["assessment", "user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "user"], name="session_participant_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.assessment}"


class ScoreTally(models.Model):
    """How many participants of a group session gave a statement a score. The anonymous
    answers are only these counts: no person, no time and no row per answer, so neither
    a field nor the order of rows can tie a score to whoever gave it. The rows exist from
    the session's start (count 0) and an answer adds one to a count in place."""

    assessment = models.ForeignKey(
        SelfAssessment,
        on_delete=models.CASCADE,
        related_name="score_tallies",
        verbose_name=_("egenvurdering"),
    )
    statement = models.ForeignKey(
        ToolStatement,
        on_delete=models.PROTECT,
        related_name="score_tallies",
        verbose_name=_("påstand"),
    )
    score = models.PositiveSmallIntegerField(_("vurdering"), choices=Score.choices)
    count = models.PositiveIntegerField(_("antall"), default=0)

    class Meta:
        verbose_name = _("antall svar per vurdering")
        verbose_name_plural = _("antall svar per vurdering")
        ordering = ["assessment", "statement", "score"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "statement", "score"], name="score_tally_one_per_score"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=4), name="score_tally_in_scale"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement}: {self.score} × {self.count}"
