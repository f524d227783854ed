"""What changed in a plan, by whom and when. Written only by the services in
``plans.services``; never edited, so the history can be trusted as a record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.quality_plan import QualityPlan
from plans.models.unit_plans import UnitPlan


class ChangeRecord(models.Model):
    """One change, by whom and when, in the user's words: the shape every history page
    shows (``templates/plans/_history.html``). Written only by services; never edited, so
    a history can be trusted as a record."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("endret av"),
    )
    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    action = models.CharField(_("handling"), max_length=30)
    # What was touched, in the user's words: "Tiltak «Leseløftet»".
    subject = models.CharField(_("gjelder"), max_length=300)
    # [{"field": label, "old": text, "new": text}, …], texts as shown to the user.
    fields = models.JSONField(_("felt"), default=list)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.action} {self.subject}"


class PlanChange(ChangeRecord):
    quality_plan = models.ForeignKey(
        QualityPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("kvalitetsplan"),
    )
    unit_plan = models.ForeignKey(
        UnitPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("utviklingsplan"),
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring")
        verbose_name_plural = _("endringer")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quality_plan__isnull=False, unit_plan__isnull=True)
                | models.Q(quality_plan__isnull=True, unit_plan__isnull=False),
                name="plan_change_one_plan",
            ),
        ]


class ReminderDigest(models.Model):
    """One row per person and week: the weekly reminder job sends a digest only for rows
    it creates, so running it twice in a week sends nothing more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_digests",
        verbose_name=_("mottaker"),
    )
    week = models.CharField(_("uke"), max_length=8, help_text=_("ISO-uke, f.eks. 2026-W48."))
    sent_at = models.DateTimeField(_("sendt"), null=True, blank=True)
    overdue_measures = models.PositiveIntegerField(_("forfalte tiltak"), default=0)
    unsubmitted_plans = models.PositiveIntegerField(_("planer ikke sendt"), default=0)

    class Meta:
        verbose_name = _("påminnelse")
        verbose_name_plural = _("påminnelser")
        ordering = ["-week", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "week"], name="reminder_once_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.week}"
