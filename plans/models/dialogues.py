"""Leader dialogues: the yearly «virksomhetssamtale» between the sector leader and a unit
leader, and the «ledersamtale» a unit leader may hold with a staff team, with the agenda
as it was generated and the points agreed.

A dialogue is private to its two parties and their superiors (see
``plans.querysets.DialogueQuerySet``); its agreed points are also read by the point's
owner, since they are followed up in the unit's plan, reminders and home page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.history import ChangeRecord
from plans.models.organisation import Municipality, Unit
from plans.querysets import AgreedPointQuerySet, DialogueQuerySet
from plans.schoolyear import SchoolYear
from plans.text_limits import SHORT_TEXT, TEXT, bounded_text, text_length_checks


class DialogueKind(models.TextChoices):
    # The sector leader with the unit's leader(s).
    UNIT = "unit", _("Virksomhetssamtale")
    # A unit leader with chosen staff of the unit (a team, or one person).
    TEAM = "team", _("Ledersamtale")


class DialogueStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    HELD = "held", _("Gjennomført")
    CLOSED = "closed", _("Avsluttet")


class Dialogue(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="dialogues",
        verbose_name=_("kommune"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="dialogues", verbose_name=_("enhet")
    )
    kind = models.CharField(_("type samtale"), max_length=8, choices=DialogueKind.choices)
    school_year = models.PositiveSmallIntegerField(
        _("skoleår"),
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("Året skoleåret starter, f.eks. 2025 for 2025/26."),
    )
    held_on = models.DateField(_("dato"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="dialogues_led",
        verbose_name=_("samtaleleder"),
    )
    counterparts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="dialogues_joined",
        verbose_name=_("samtalepartnere"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=DialogueStatus.choices, default=DialogueStatus.PLANNED
    )
    notes = bounded_text(_("notater"), blank=True, max_length=TEXT)
    # The agenda as generated (plans.selectors.dialogues.dialogue_agenda_build): frozen,
    # so the record shows what was discussed even after the plan or the figures change.
    agenda = models.JSONField(_("dagsorden"), default=dict, blank=True)
    agenda_generated_at = models.DateTimeField(_("dagsorden laget"), null=True, blank=True)
    version = models.PositiveIntegerField(_("versjon"), default=1, editable=False)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("sist endret"), auto_now=True)

    objects = DialogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("lederdialog")
        verbose_name_plural = _("lederdialoger")
        ordering = ["-school_year", "-held_on", "-pk"]
        constraints = [*text_length_checks(notes=TEXT)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.unit} {self.school_year_label}"

    @property
    def school_year_label(self) -> str:
        return SchoolYear(self.school_year).label

    @property
    def agenda_open(self) -> bool:
        """The agenda may be generated again until the dialogue is held."""
        return self.status == DialogueStatus.PLANNED


class PointStatus(models.TextChoices):
    OPEN = "open", _("Åpent")
    DONE = "done", _("Utført")
    DROPPED = "dropped", _("Droppet")


class AgreedPoint(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="points", verbose_name=_("samtale")
    )
    text = bounded_text(_("avtalt punkt"), max_length=SHORT_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="agreed_points",
        verbose_name=_("ansvarlig"),
    )
    due_on = models.DateField(_("frist"))
    status = models.CharField(
        _("status"), max_length=8, choices=PointStatus.choices, default=PointStatus.OPEN
    )
    done_note = bounded_text(_("kommentar"), blank=True, max_length=SHORT_TEXT)
    done_at = models.DateTimeField(_("markert"), null=True, blank=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)

    objects = AgreedPointQuerySet.as_manager()

    class Meta:
        verbose_name = _("avtalt punkt")
        verbose_name_plural = _("avtalte punkter")
        ordering = ["due_on", "pk"]
        constraints = [*text_length_checks(text=SHORT_TEXT, done_note=SHORT_TEXT)]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def municipality_id(self) -> int:
        # Lets the shared in_own_municipality predicate treat points like their dialogue.
        return self.dialogue.municipality_id


class DialogueChange(ChangeRecord):
    """The dialogue's history: created, agenda refreshed, notes changed, held, closed,
    points added and marked. Read with the dialogue, by those who may read it."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="changes", verbose_name=_("samtale")
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring i samtale")
        verbose_name_plural = _("endringer i samtaler")
