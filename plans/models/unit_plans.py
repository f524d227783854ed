"""A unit's development plan for one school year: the areas and core components it works
on, local goals, measures, participation processes, review and end-of-year evaluation.

Every editable row carries a ``version``; a save names the version it was edited from and
fails with a conflict when someone saved in between (see ``plans.services.unit_plans``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Unit
from plans.models.quality_plan import CoreComponent, DevelopmentArea, QualityPlan
from plans.querysets import MeasureQuerySet, UnitPlanQuerySet
from plans.schoolyear import SchoolYear
from plans.text_limits import LONG_TEXT, SHORT_TEXT, TEXT, bounded_text, text_length_checks


class UnitPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Utkast")
    SUBMITTED = "submitted", _("Sendt til godkjenning")
    RETURNED = "returned", _("Returnert")
    APPROVED = "approved", _("Godkjent")
    EVALUATED = "evaluated", _("Evaluert")


# The unit edits its plan's content in these states; after approval only the evaluation.
EDITABLE_STATES = frozenset({UnitPlanStatus.DRAFT, UnitPlanStatus.RETURNED})
# What the rest of the municipality (and elected officials, as summaries) may read.
PUBLISHED_STATES = frozenset({UnitPlanStatus.APPROVED, UnitPlanStatus.EVALUATED})


class UnitPlan(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("enhet")
    )
    quality_plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.PROTECT,
        related_name="unit_plans",
        verbose_name=_("kvalitetsplan"),
    )
    school_year = models.PositiveSmallIntegerField(
        _("skoleår"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("Året skoleåret starter, f.eks. 2025 for 2025/26."),
    )
    summary = bounded_text(
        _("innledning"),
        blank=True,
        help_text=_("Kort om enhetens satsing dette året."),
        max_length=TEXT,
    )
    areas = models.ManyToManyField(
        DevelopmentArea, blank=True, related_name="unit_plans", verbose_name=_("utviklingsområder")
    )
    components = models.ManyToManyField(
        CoreComponent, blank=True, related_name="unit_plans", verbose_name=_("kjernekomponenter")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=UnitPlanStatus.choices, default=UnitPlanStatus.DRAFT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_unit_plans",
        verbose_name=_("ansvarlig for oppfølging"),
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bygger på"),
    )
    submitted_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sendt av"),
    )
    reviewed_at = models.DateTimeField(_("behandlet"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("behandlet av"),
    )
    review_comment = bounded_text(_("kommentar fra sektorleder"), blank=True, max_length=TEXT)
    evaluation = bounded_text(_("evaluering av året"), blank=True, max_length=LONG_TEXT)
    evaluated_at = models.DateTimeField(_("evaluert"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    objects = UnitPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("utviklingsplan")
        verbose_name_plural = _("utviklingsplaner")
        ordering = ["-school_year", "unit__name"]
        constraints = [
            *text_length_checks(summary=TEXT, review_comment=TEXT, evaluation=LONG_TEXT),
            models.UniqueConstraint(fields=["unit", "school_year"], name="unit_plan_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.school_year_label}"

    @property
    def school_year_label(self) -> str:
        return SchoolYear(self.school_year).label

    @property
    def municipality_id(self) -> int:
        # Lets the shared in_own_municipality predicate treat unit plans like units.
        return self.unit.municipality_id

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATES


class Attainment(models.TextChoices):
    MET = "met", _("Nådd")
    PARTLY = "partly", _("Delvis nådd")
    NOT_MET = "not_met", _("Ikke nådd")


class UnitGoal(models.Model):
    plan = models.ForeignKey(
        UnitPlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("utviklingsplan")
    )
    # Empty: one of the unit's own goals («Enhetens egne mål»), outside the shared
    # development areas (issue 20). A null area rather than a flag, so a goal cannot be
    # both the unit's own and tied to an area.
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_goals",
        verbose_name=_("utviklingsområde"),
        help_text=_("Tomt betyr et av enhetens egne mål, utenfor de felles utviklingsområdene."),
    )
    text = bounded_text(_("lokalt mål"), max_length=SHORT_TEXT)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    attainment = models.CharField(
        _("måloppnåelse"), max_length=10, choices=Attainment.choices, blank=True
    )
    evaluation = bounded_text(_("evaluering"), blank=True, max_length=TEXT)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("lokalt mål")
        verbose_name_plural = _("lokale mål")
        # The unit's own goals (no area) after the shared areas' goals.
        ordering = ["plan", models.F("area__order").asc(nulls_last=True), "order", "pk"]
        constraints = [*text_length_checks(text=SHORT_TEXT, evaluation=TEXT)]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_own(self) -> bool:
        """One of the unit's own goals, outside the shared development areas."""
        return self.area_id is None


class MeasureStatus(models.TextChoices):
    PLANNED = "planlagt", _("Planlagt")
    IN_PROGRESS = "pagar", _("Pågår")
    DONE = "fullfort", _("Fullført")
    POSTPONED = "utsatt", _("Utsatt")
    CANCELLED = "avlyst", _("Avlyst")


# A measure still owes work: it counts as overdue once its end date has passed.
OPEN_MEASURE_STATES = frozenset(
    {MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS, MeasureStatus.POSTPONED}
)


def overdue_measure_q(today: datetime.date | None = None) -> models.Q:
    """The one definition of an overdue measure: open (``OPEN_MEASURE_STATES``) and
    ended before ``today`` (the local date unless given), so a measure ending today is
    not yet overdue. ``Measure.objects.overdue`` (the reminders) and the dashboard's
    counts and lists all filter with it."""
    return models.Q(status__in=OPEN_MEASURE_STATES, end__lt=today or timezone.localdate())


class TargetGroup(models.TextChoices):
    """The plan's principle of simultaneity: work with all four groups at once."""

    STAFF = "ansatte", _("Ansatte")
    CHILDREN = "barn_unge", _("Barn og unge")
    GUARDIANS = "foresatte", _("Foresatte")
    VOLUNTEERS = "frivillige_kultur", _("Frivillige og kultur")


def validate_target_groups(value: object) -> None:
    allowed = set(TargetGroup.values)
    if not isinstance(value, list) or not value:
        raise ValidationError(_("Velg minst én målgruppe."), code="target_groups_empty")
    unknown = [item for item in value if item not in allowed]
    if unknown:
        raise ValidationError(
            _("Ukjent målgruppe: %(value)s."),
            code="target_groups_unknown",
            params={"value": ", ".join(map(str, unknown))},
        )


class Measure(models.Model):
    plan = models.ForeignKey(
        UnitPlan,
        on_delete=models.CASCADE,
        related_name="measures",
        verbose_name=_("utviklingsplan"),
    )
    description = bounded_text(_("tiltak"), max_length=SHORT_TEXT)
    component = models.ForeignKey(
        CoreComponent,
        on_delete=models.PROTECT,
        related_name="measures",
        verbose_name=_("kjernekomponent"),
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsible_measures",
        verbose_name=_("ansvarlig"),
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("slutt"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    target_groups = models.JSONField(
        _("målgrupper"), default=list, validators=[validate_target_groups]
    )
    evaluation = bounded_text(_("evaluering"), blank=True, max_length=TEXT)
    # What children, youth and parents said that the measure answers: the explicit link
    # the trace page (plans.selectors.trace) follows from a voice to a measure.
    motivated_by_inputs = models.ManyToManyField(
        "plans.ParticipationInput",
        blank=True,
        related_name="motivated_measures",
        verbose_name=_("begrunnet i innspill"),
    )
    motivated_by_journeys = models.ManyToManyField(
        "plans.UserJourney",
        blank=True,
        related_name="motivated_measures",
        verbose_name=_("begrunnet i brukerreiser"),
    )
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")
        ordering = ["plan", "start", "pk"]
        constraints = [*text_length_checks(description=SHORT_TEXT, evaluation=TEXT)]

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Sluttdatoen kan ikke være før startdatoen.")})

    @property
    def reaches_single_group(self) -> bool:
        return len(set(self.target_groups or [])) == 1

    @property
    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels[group]) for group in TargetGroup.values if group in self.target_groups]


class Phase(models.TextChoices):
    PLANNING = "planning", _("Planlegging")
    CARRYING_OUT = "carrying_out", _("Gjennomføring")
    EVALUATING = "evaluating", _("Evaluering")


class ParticipationProcess(models.Model):
    plan = models.ForeignKey(
        UnitPlan,
        on_delete=models.CASCADE,
        related_name="participation",
        verbose_name=_("utviklingsplan"),
    )
    phase = models.CharField(_("fase"), max_length=15, choices=Phase.choices)
    participants = models.CharField(
        _("hvem deltok"), max_length=250, help_text=_("For eksempel elevrådet, FAU, personalet.")
    )
    method = bounded_text(
        _("hvordan"), help_text=_("Arbeidsform, for eksempel verksted."), max_length=SHORT_TEXT
    )
    outcome = bounded_text(_("hva kom ut av det"), blank=True, max_length=TEXT)
    held_on = models.DateField(_("dato"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)

    class Meta:
        verbose_name = _("medvirkningsprosess")
        verbose_name_plural = _("medvirkningsprosesser")
        ordering = ["plan", "held_on", "pk"]
        constraints = [*text_length_checks(method=SHORT_TEXT, outcome=TEXT)]

    def __str__(self) -> str:
        return f"{self.get_phase_display()}: {self.participants}"
