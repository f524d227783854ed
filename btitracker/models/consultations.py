"""Consultation meetings (samarbeidsmøter): the monthly meeting between the support
services and each kindergarten and school (Asker's «tverrfaglig samarbeidssystem»).

A schedule per unit and school year plans the meetings; each held meeting records who came
from which service, the matters discussed — anonymously: no names, no birth dates, no
identity numbers; a matter that needs a named child goes on through the normal level-0 or
log flow, with consent — and ends with actions, each with a responsible person and a
follow-up date. The coordinator's follow-up counts from these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from btitracker.models.directory import Service
from btitracker.models.logs import SHORT_TEXT_MAX
from btitracker.querysets import (
    ConsultationActionQuerySet,
    ConsultationMatterQuerySet,
    ConsultationMeetingQuerySet,
    ConsultationScheduleQuerySet,
)
from plans.models import Municipality, Unit


class ConsultationSchedule(models.Model):
    """One unit's consultation meetings for one school year, and the services that attend."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="consultation_schedules",
        verbose_name=_("enhet"),
    )
    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    services = models.ManyToManyField(
        Service, related_name="consultation_schedules", verbose_name=_("tjenester som deltar")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ConsultationScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = _("møteplan for samarbeidsmøter")
        verbose_name_plural = _("møteplaner for samarbeidsmøter")
        ordering = ["-school_year", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "school_year"], name="consultation_schedule_once_a_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.school_year}/{(self.school_year + 1) % 100:02d}"


class ConsultationStatus(models.TextChoices):
    PLANNED = "planlagt", _("Planlagt")
    HELD = "avholdt", _("Avholdt")
    CANCELLED = "avlyst", _("Avlyst")


class ConsultationMeeting(models.Model):
    schedule = models.ForeignKey(
        ConsultationSchedule, on_delete=models.PROTECT, related_name="meetings"
    )
    planned_on = models.DateField(_("planlagt dato"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsultationStatus.choices,
        default=ConsultationStatus.PLANNED,
    )
    held_on = models.DateField(_("holdt"), null=True, blank=True)
    cancelled_reason = models.CharField(_("grunn til avlysning"), max_length=300, blank=True)
    protocol_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("protokoll ført av"),
    )
    protocol_at = models.DateTimeField(_("protokoll ført"), null=True, blank=True)
    moved_from = models.DateField(_("flyttet fra"), null=True, blank=True)

    objects = ConsultationMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("samarbeidsmøte")
        verbose_name_plural = _("samarbeidsmøter")
        ordering = ["planned_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "planned_on"], name="consultation_meeting_once_a_day"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="avholdt") | models.Q(held_on__isnull=False),
                name="consultation_held_has_date",
            ),
        ]

    def __str__(self) -> str:
        return _("Samarbeidsmøte %(day)s") % {"day": self.planned_on.strftime("%d.%m.%Y")}


class ConsultationAttendance(models.Model):
    """Who came, from which service (empty: the unit itself). People of the services, not
    children: names here are staff names."""

    meeting = models.ForeignKey(
        ConsultationMeeting, on_delete=models.CASCADE, related_name="attendance"
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_attendance",
        verbose_name=_("tjeneste"),
    )
    name = models.CharField(_("navn"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deltaker")
        verbose_name_plural = _("deltakere")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class MatterOutcome(models.TextChoices):
    DISCUSSED = "drøftet", _("Drøftet, ingen videre sak")
    CONCERN = "undring", _("Går videre som undring (nivå 0)")
    LOG = "logg", _("Går videre i stafettlogg")
    REFERRED = "henvist", _("Henvist til tjeneste")


class ConsultationMatter(models.Model):
    """A matter discussed anonymously: never a name, a birth date or an identity number."""

    meeting = models.ForeignKey(
        ConsultationMeeting, on_delete=models.CASCADE, related_name="matters"
    )
    number = models.PositiveSmallIntegerField(_("nummer"))
    summary = models.TextField(_("sak (anonymisert)"), max_length=SHORT_TEXT_MAX)
    outcome = models.CharField(
        _("utfall"), max_length=10, choices=MatterOutcome.choices, default=MatterOutcome.DISCUSSED
    )

    objects = ConsultationMatterQuerySet.as_manager()

    class Meta:
        verbose_name = _("drøftet sak")
        verbose_name_plural = _("drøftede saker")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="consultation_matter_number")
        ]

    def __str__(self) -> str:
        return _("Sak %(number)s") % {"number": self.number}


class ConsultationActionStatus(models.TextChoices):
    PLANNED = "planlagt", _("Planlagt")
    DONE = "fulgt_opp", _("Fulgt opp")
    STOPPED = "avbrutt", _("Avbrutt")


class ConsultationAction(models.Model):
    """What the meeting decided, who answers for it and when it is followed up (the same
    rule as a log meeting: no meeting ends without one)."""

    meeting = models.ForeignKey(
        ConsultationMeeting, on_delete=models.CASCADE, related_name="actions"
    )
    matter = models.ForeignKey(
        ConsultationMatter,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("sak"),
    )
    description = models.TextField(_("tiltak"), max_length=SHORT_TEXT_MAX)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consultation_actions",
        verbose_name=_("ansvarlig"),
    )
    follow_up_on = models.DateField(_("oppfølgingsdato"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ConsultationActionStatus.choices,
        default=ConsultationActionStatus.PLANNED,
    )
    followed_up_at = models.DateTimeField(_("fulgt opp"), null=True, blank=True)
    follow_up_note = models.TextField(_("oppfølging"), max_length=SHORT_TEXT_MAX, blank=True)

    objects = ConsultationActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("tiltak fra samarbeidsmøte")
        verbose_name_plural = _("tiltak fra samarbeidsmøter")
        ordering = ["follow_up_on", "pk"]

    def __str__(self) -> str:
        return _("Tiltak nr. %(pk)s") % {"pk": self.pk}

    @property
    def is_late(self) -> bool:
        """Still open after its follow-up date (the rule of ``ConsultationActionQuerySet.late``,
        asked of a row already loaded)."""
        return (
            self.status == ConsultationActionStatus.PLANNED
            and self.follow_up_on < timezone.localdate()
        )
