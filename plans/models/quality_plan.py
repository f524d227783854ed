"""The sector's quality plan: values, anchoring, development areas with their goal, core
components and marks of good practice, and quality descriptions per service field.

A plan is a *revision*: adopting it freezes it, and the next revision starts as a copy of
an adopted one. Areas and core components carry a ``key`` that survives the copy, so two
revisions can be compared and a unit plan can follow its components into the new one.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Municipality, UnitKind
from plans.querysets import QualityPlanQuerySet
from plans.text_limits import LONG_TEXT, SHORT_TEXT, TEXT, bounded_text, text_length_checks


class ServiceField(models.TextChoices):
    """The service fields the plan's quality tools and descriptions are written for."""

    KINDERGARTEN = "barnehage", _("Barnehage")
    SCHOOL = "skole_sfo", _("Skole og SFO")
    PREVENTIVE = "forebyggende", _("Forebyggende tjenester og barnevern")
    CULTURE = "kultur", _("Kultur og frivillighet")
    ADMINISTRATION = "administrasjon", _("Administrasjon og politikk")

    @classmethod
    def for_unit_kind(cls, kind: str) -> ServiceField:
        mapping: dict[str, ServiceField] = {
            UnitKind.KINDERGARTEN: cls.KINDERGARTEN,
            UnitKind.SCHOOL: cls.SCHOOL,
            UnitKind.SFO: cls.SCHOOL,
            UnitKind.HEALTH_STATION: cls.PREVENTIVE,
            UnitKind.CHILD_WELFARE: cls.PREVENTIVE,
            UnitKind.PPT: cls.PREVENTIVE,
            UnitKind.CULTURE: cls.CULTURE,
            UnitKind.LEISURE: cls.CULTURE,
        }
        return mapping.get(kind, cls.ADMINISTRATION)


class QualityPlan(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="quality_plans",
        verbose_name=_("kommune"),
    )
    title = models.CharField(_("tittel"), max_length=200)
    period_start = models.PositiveSmallIntegerField(
        _("periode fra"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    period_end = models.PositiveSmallIntegerField(
        _("periode til"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    purpose = bounded_text(
        _("formål"),
        blank=True,
        help_text=_("Planens formål, vist i midten av rammeverkshjulet."),
        max_length=LONG_TEXT,
    )
    introduction = bounded_text(_("innledning"), blank=True, max_length=LONG_TEXT)
    revision = models.PositiveSmallIntegerField(_("revisjon"), default=1)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("forrige revisjon"),
    )
    adopted_on = models.DateField(_("vedtatt dato"), null=True, blank=True)
    council_case = models.CharField(_("saksnummer i kommunestyret"), max_length=50, blank=True)
    # Who follows the plan up (issue 20). Null for plans made before owners existed and
    # when the owner's account is deleted: the plan then waits for a new owner, and
    # adoption refuses it (plans.selectors.owners).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_quality_plans",
        verbose_name=_("ansvarlig for oppfølging"),
    )
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    objects = QualityPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("kvalitetsplan")
        verbose_name_plural = _("kvalitetsplaner")
        ordering = ["municipality__name", "-period_start", "-revision"]
        constraints = [
            *text_length_checks(purpose=LONG_TEXT, introduction=LONG_TEXT),
            models.UniqueConstraint(
                fields=["municipality", "period_start", "revision"],
                name="quality_plan_revision_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="quality_plan_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_label})"

    @property
    def period_label(self) -> str:
        return f"{self.period_start}–{self.period_end}"

    @property
    def is_adopted(self) -> bool:
        return self.adopted_on is not None

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("Perioden kan ikke slutte før den starter.")})
        if self.adopted_on and not self.council_case.strip():
            raise ValidationError(
                {"council_case": _("Oppgi saksnummeret i kommunestyret når planen er vedtatt.")}
            )


class PlanValue(models.Model):
    plan = models.ForeignKey(
        QualityPlan, on_delete=models.CASCADE, related_name="values", verbose_name=_("plan")
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    name = models.CharField(_("verdi"), max_length=100)
    meaning = bounded_text(
        _("dette betyr for barnet og familien"),
        help_text=_("Ett punkt per linje."),
        max_length=TEXT,
    )

    class Meta:
        verbose_name = _("verdi")
        verbose_name_plural = _("verdier")
        ordering = ["plan", "order", "pk"]
        constraints = [*text_length_checks(meaning=TEXT)]

    def __str__(self) -> str:
        return self.name


class AnchoringKind(models.TextChoices):
    LAW = "lov", _("Lovgrunnlag")
    NATIONAL = "nasjonal", _("Nasjonale føringer")
    LOCAL = "lokal", _("Lokale føringer")


class Anchoring(models.Model):
    plan = models.ForeignKey(
        QualityPlan, on_delete=models.CASCADE, related_name="anchorings", verbose_name=_("plan")
    )
    kind = models.CharField(_("type"), max_length=10, choices=AnchoringKind.choices)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    title = models.CharField(_("tittel"), max_length=250)
    url = models.URLField(_("lenke"), blank=True)
    note = bounded_text(_("merknad"), blank=True, max_length=SHORT_TEXT)

    class Meta:
        verbose_name = _("forankring")
        verbose_name_plural = _("forankring")
        ordering = ["plan", "kind", "order", "pk"]
        constraints = [*text_length_checks(note=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.title


class DevelopmentArea(models.Model):
    plan = models.ForeignKey(
        QualityPlan, on_delete=models.CASCADE, related_name="areas", verbose_name=_("plan")
    )
    # Stable across revisions: the same area in revision 1 and 2 shares its key.
    key = models.UUIDField(_("nøkkel"), default=uuid.uuid4, editable=False)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    name = models.CharField(_("navn"), max_length=150)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    goal = bounded_text(_("mål"), max_length=SHORT_TEXT)
    meaning_for_individual = bounded_text(
        _("dette betyr for barnet, ungdommen og familien"),
        blank=True,
        help_text=_("Ett punkt per linje."),
        max_length=TEXT,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_areas",
        verbose_name=_("ansvarlig for oppfølging"),
    )

    class Meta:
        verbose_name = _("utviklingsområde")
        verbose_name_plural = _("utviklingsområder")
        ordering = ["plan", "order", "pk"]
        constraints = [
            *text_length_checks(description=TEXT, goal=SHORT_TEXT, meaning_for_individual=TEXT),
            models.UniqueConstraint(fields=["plan", "key"], name="area_key_unique_in_plan"),
        ]

    def __str__(self) -> str:
        return self.name


class CoreComponent(models.Model):
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.CASCADE,
        related_name="components",
        verbose_name=_("utviklingsområde"),
    )
    key = models.UUIDField(_("nøkkel"), default=uuid.uuid4, editable=False)
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    name = models.CharField(_("navn"), max_length=250)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)

    class Meta:
        verbose_name = _("kjernekomponent")
        verbose_name_plural = _("kjernekomponenter")
        ordering = ["area__order", "order", "pk"]
        constraints = [
            *text_length_checks(description=TEXT),
            models.UniqueConstraint(fields=["area", "key"], name="component_key_unique_in_area"),
        ]

    def __str__(self) -> str:
        return self.name


class PracticeCharacteristic(models.Model):
    area = models.ForeignKey(
        DevelopmentArea,
        on_delete=models.CASCADE,
        related_name="characteristics",
        verbose_name=_("utviklingsområde"),
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    text = bounded_text(_("kjennetegn"), max_length=SHORT_TEXT)
    # Marks of good practice are «utelukkende basert på innspill» (Jevnaker): the input
    # and journeys a mark came from, so the trace page can show where it was said.
    source_inputs = models.ManyToManyField(
        "plans.ParticipationInput",
        blank=True,
        related_name="characteristics",
        verbose_name=_("bygger på innspill"),
    )
    source_journeys = models.ManyToManyField(
        "plans.UserJourney",
        blank=True,
        related_name="characteristics",
        verbose_name=_("bygger på brukerreiser"),
    )

    class Meta:
        verbose_name = _("kjennetegn på god praksis")
        verbose_name_plural = _("kjennetegn på god praksis")
        ordering = ["area", "order", "pk"]
        constraints = [*text_length_checks(text=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.text[:80]


class QualityDescription(models.Model):
    plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.CASCADE,
        related_name="quality_descriptions",
        verbose_name=_("plan"),
    )
    service_field = models.CharField(
        _("tjenesteområde"), max_length=20, choices=ServiceField.choices
    )
    title = models.CharField(_("tittel"), max_length=200)
    content = bounded_text(
        _("kjennetegn på kvalitet"), help_text=_("Ett punkt per linje."), max_length=LONG_TEXT
    )
    source = models.CharField(_("kilde"), max_length=250)

    class Meta:
        verbose_name = _("kvalitetsbeskrivelse")
        verbose_name_plural = _("kvalitetsbeskrivelser")
        ordering = ["plan", "service_field", "pk"]
        constraints = [*text_length_checks(content=LONG_TEXT)]

    def __str__(self) -> str:
        return self.title
