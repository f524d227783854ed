"""Fortellinger: what children, youth, parents, staff and others said (participation
input), and user journeys through the services. Input reaches elected officials and
reports only when its publishing was consented to."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.organisation import Municipality, Unit
from plans.models.quality_plan import CoreComponent, DevelopmentArea
from plans.querysets import ParticipationInputQuerySet, UserJourneyQuerySet
from plans.text_limits import SHORT_TEXT, TEXT, bounded_text, text_length_checks


class InputGroup(models.TextChoices):
    CHILDREN = "barn", _("Barn")
    YOUTH = "ungdom", _("Ungdom")
    GUARDIANS = "foresatte", _("Foresatte")
    STAFF = "ansatte", _("Ansatte")
    VOLUNTEERS = "frivillige", _("Frivillige")
    POLITICIANS = "folkevalgte", _("Folkevalgte")


class InputSetting(models.TextChoices):
    WORKSHOP = "samskapingsverksted", _("Samskapingsverksted")
    CONVERSATION = "barnesamtale", _("Barnesamtale")
    STUDENT_COUNCIL = "elevrad", _("Elevråd")
    SURVEY = "sporreundersokelse", _("Spørreundersøkelse")
    HEARING = "horing", _("Høring")


class ParticipationInput(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="participation_inputs",
        verbose_name=_("kommune"),
    )
    quote = bounded_text(_("sitat"), max_length=SHORT_TEXT)
    descriptor = models.CharField(
        _("hvem sa det"),
        max_length=100,
        blank=True,
        help_text=_("Uten navn, for eksempel «Jente, 5 år»."),
    )
    group = models.CharField(_("gruppe"), max_length=12, choices=InputGroup.choices)
    setting = models.CharField(_("sammenheng"), max_length=20, choices=InputSetting.choices)
    given_on = models.DateField(_("dato"))
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participation_inputs",
        verbose_name=_("enhet"),
    )
    areas = models.ManyToManyField(
        DevelopmentArea,
        blank=True,
        related_name="participation_inputs",
        verbose_name=_("utviklingsområder"),
    )
    components = models.ManyToManyField(
        CoreComponent,
        blank=True,
        related_name="participation_inputs",
        verbose_name=_("kjernekomponenter"),
    )
    publishable = models.BooleanField(
        _("samtykke til publisering"),
        default=False,
        help_text=_("Bare innspill med samtykke vises for folkevalgte og i rapporter."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrert av"),
    )
    created_at = models.DateTimeField(_("registrert"), auto_now_add=True)

    objects = ParticipationInputQuerySet.as_manager()

    class Meta:
        verbose_name = _("innspill")
        verbose_name_plural = _("innspill")
        ordering = ["-given_on", "-pk"]
        constraints = [*text_length_checks(quote=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.quote[:80]

    def clean(self) -> None:
        unit = self.unit if self.unit_id else None
        if (
            unit is not None
            and self.municipality_id
            and unit.municipality_id != self.municipality_id
        ):
            raise ValidationError({"unit": _("Enheten hører ikke til kommunen.")})


class UserJourney(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="user_journeys",
        verbose_name=_("kommune"),
    )
    title = models.CharField(_("tittel"), max_length=200)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    carried_out_on = models.DateField(_("gjennomført"), null=True, blank=True)
    findings = bounded_text(
        _("funn"), blank=True, help_text=_("Ett funn per linje."), max_length=TEXT
    )
    areas = models.ManyToManyField(
        DevelopmentArea,
        blank=True,
        related_name="user_journeys",
        verbose_name=_("utviklingsområder"),
    )
    publishable = models.BooleanField(_("samtykke til publisering"), default=False)

    objects = UserJourneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("brukerreise")
        verbose_name_plural = _("brukerreiser")
        ordering = ["-carried_out_on", "title"]
        constraints = [*text_length_checks(description=TEXT, findings=TEXT)]

    def __str__(self) -> str:
        return self.title

    def finding_lines(self) -> list[str]:
        """The findings, one per line as written, blank lines left out."""
        return [line.strip() for line in self.findings.splitlines() if line.strip()]


class StepAssessment(models.TextChoices):
    GOOD = "good", _("Godt punkt")
    WEAK = "weak", _("Svakt punkt")
    NEUTRAL = "neutral", _("Nøytralt")


class JourneyStep(models.Model):
    journey = models.ForeignKey(
        UserJourney, on_delete=models.CASCADE, related_name="steps", verbose_name=_("brukerreise")
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"), default=0)
    service = models.CharField(_("tjeneste"), max_length=150)
    what_happened = bounded_text(_("hva skjedde"), max_length=SHORT_TEXT)
    assessment = models.CharField(
        _("vurdering"),
        max_length=10,
        choices=StepAssessment.choices,
        default=StepAssessment.NEUTRAL,
    )

    class Meta:
        verbose_name = _("steg")
        verbose_name_plural = _("steg")
        ordering = ["journey", "order", "pk"]
        constraints = [*text_length_checks(what_happened=SHORT_TEXT)]

    def __str__(self) -> str:
        return f"{self.order}. {self.service}"
