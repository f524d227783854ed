"""The directory of services (tjenesteoversikt): «alle vet hvor de kan få hjelp». Every
service in the municipality — its own units and outside ones such as Statped or the family
counselling office — with what it helps with, for whom, how to get in touch and whether a
referral is needed. No personal data about children: a directory entry describes a service.

The support services that attend the consultation meetings (``consultations``) are entries
here, so «attendance by service» counts the same services the directory lists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from btitracker.querysets import ServiceNeedQuerySet, ServiceQuerySet
from plans.models import Municipality, Unit
from plans.text_limits import bounded_text, text_length_checks

SERVICE_TEXT_MAX = 2_000
FOR_WHOM_MAX = 300


class Referral(models.TextChoices):
    DIRECT = "direkte", _("Ta kontakt direkte, uten henvisning")
    REFERRAL = "henvisning", _("Krever henvisning")
    EITHER = "begge", _("Direkte kontakt eller henvisning")


class ServiceNeed(models.Model):
    """A need people search by («språk», «angst», «vold i nære relasjoner»), shared by the
    entries that help with it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="service_needs"
    )
    name = models.CharField(_("behov"), max_length=100)

    objects = ServiceNeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("behov")
        verbose_name_plural = _("behov")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "municipality", Lower("name"), name="service_need_unique_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """One entry of the directory: a unit of the municipality (``unit`` set) or an outside
    service (``unit`` empty)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="bti_services"
    )
    unit = models.OneToOneField(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directory_entry",
        verbose_name=_("kommunal enhet"),
        help_text=_("Tom for tjenester utenfor kommunen, som Statped eller familievernkontoret."),
    )
    name = models.CharField(_("navn"), max_length=150)
    # Blank only while inactive (the CHECK below): an entry made from a unit has its name
    # and nothing else until the coordinator writes the rest and switches it on.
    helps_with = bounded_text(
        _("hva tjenesten hjelper med"), max_length=SERVICE_TEXT_MAX, blank=True
    )
    for_whom = models.CharField(_("for hvem"), max_length=FOR_WHOM_MAX, blank=True)
    contact = bounded_text(
        _("slik tar du kontakt"),
        max_length=SERVICE_TEXT_MAX,
        blank=True,
        help_text=_("Telefon, e-post, nettside, åpningstider eller oppmøtested."),
    )
    referral = models.CharField(
        _("henvisning"), max_length=12, choices=Referral.choices, default=Referral.DIRECT
    )
    needs = models.ManyToManyField(
        ServiceNeed, blank=True, related_name="services", verbose_name=_("behov")
    )
    is_public = models.BooleanField(
        _("offentlig"),
        default=False,
        help_text=_("Offentlige oppføringer kan leses av alle, også uten innlogging."),
    )
    attends_consultations = models.BooleanField(
        _("deltar i samarbeidsmøter"),
        default=False,
        help_text=_("Støttetjenester som møter barnehager og skoler i samarbeidsmøtene."),
    )
    active = models.BooleanField(_("aktiv"), default=True)
    updated_at = models.DateTimeField(_("endret"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endret av"),
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("tjeneste")
        verbose_name_plural = _("tjenesteoversikt")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "municipality", Lower("name"), name="service_name_unique_per_municipality"
            ),
            # An entry people can find says what it helps with, for whom and how to reach it.
            models.CheckConstraint(
                condition=models.Q(active=False)
                | (~models.Q(helps_with="") & ~models.Q(for_whom="") & ~models.Q(contact="")),
                name="service_active_is_complete",
            ),
            *text_length_checks(helps_with=SERVICE_TEXT_MAX, contact=SERVICE_TEXT_MAX),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def missing(self) -> list[str]:
        """The labels of the texts an entry still lacks before it can be switched on."""
        return [
            str(getattr(self._meta.get_field(name), "verbose_name", name))
            for name in ("helps_with", "for_whom", "contact")
            if not getattr(self, name)
        ]
