"""Who a person is at their municipality's identity provider, and which of the
provider's groups give which role in the portal."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Municipality, Role, Unit, role_placement_errors


class MappingStatus(models.TextChoices):
    PENDING = "pending", _("Venter på godkjenning")
    CONFIRMED = "confirmed", _("I kraft")
    REJECTED = "rejected", _("Avvist")


class OidcIdentity(models.Model):
    """The link between a portal account and a provider's stable subject (``sub``, or
    Entra ID's ``oid``). Sign-in matches on (provider, subject) only — never on e-mail or
    username — so nobody at one provider can reach an account made through another, and
    a local account with the same name is never taken over."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oidc_identity",
        verbose_name=_("bruker"),
    )
    provider = models.CharField(_("identitetsleverandør"), max_length=50)
    # The issuer the link was made with: if a provider key is later pointed at another
    # issuer, that issuer's subjects must not walk into these accounts.
    issuer = models.CharField(_("utsteder"), max_length=300)
    subject = models.CharField(_("subjekt"), max_length=255)
    created = models.DateTimeField(_("opprettet"), auto_now_add=True)
    last_login = models.DateTimeField(_("sist innlogget"), null=True, blank=True)

    class Meta:
        verbose_name = _("innloggingskobling")
        verbose_name_plural = _("innloggingskoblinger")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "subject"], name="oidc_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.provider}"


class GroupRoleMapping(models.Model):
    """A group the provider names in its groups claim, and the role it gives in one
    municipality (in one unit, or in the whole municipality). Memberships follow the
    groups at every login (``identity.services.oidc.oidc_memberships_sync``)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="group_role_mappings",
        verbose_name=_("kommune"),
    )
    provider = models.CharField(
        _("identitetsleverandør"),
        max_length=50,
        help_text=_("Nøkkelen fra OIDC_PROVIDERS, for eksempel «entra»."),
    )
    group = models.CharField(
        _("gruppe"),
        max_length=255,
        help_text=_("Gruppens ID slik den står i gruppekravet (i Entra ID: objekt-ID-en)."),
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_role_mappings",
        verbose_name=_("enhet"),
        help_text=_("Tom betyr hele kommunen."),
    )
    # Whoever last saved the mapping (the admin sets it). Nobody gets a role through a
    # mapping they edited themselves: the portal's rule that nobody changes their own
    # memberships (plans.services.organisation) holds for mappings too.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("sist endret av"),
    )
    # Four eyes on the rule instead of on each of the thousands of people it reaches: a
    # mapping to a CONFIRMED_ROLES role grants nothing until a sector leader other than its
    # editor confirms it (identity.services.oidc.group_mapping_confirm). Other roles are
    # confirmed when saved.
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MappingStatus.choices,
        default=MappingStatus.PENDING,
        editable=False,
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("godkjent av"),
    )
    confirmed_at = models.DateTimeField(_("godkjent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("gruppekobling")
        verbose_name_plural = _("gruppekoblinger")
        ordering = ["municipality__name", "provider", "group", "role"]
        constraints = [
            # As for memberships: NULL units are distinct in SQL, so the whole-municipality
            # mappings get their own constraint.
            models.UniqueConstraint(
                fields=["provider", "group", "role", "unit"],
                name="group_role_mapping_unique_in_unit",
                condition=models.Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["provider", "group", "role", "municipality"],
                name="group_role_mapping_unique_in_municipality",
                condition=models.Q(unit__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        place = self.unit.name if self.unit_id and self.unit else self.municipality.name
        return f"{self.group} → {self.get_role_display()} – {place}"

    def clean(self) -> None:
        errors = role_placement_errors(
            role=self.role,
            municipality_id=self.municipality_id,
            unit=self.unit if self.unit_id else None,
        )
        provider = settings.OIDC_PROVIDERS.get(self.provider)
        if provider is None:
            errors["provider"] = _("Ingen identitetsleverandør med denne nøkkelen er satt opp.")
        elif self.municipality_id and provider.municipality_number != self.municipality.number:
            errors["provider"] = _("Identitetsleverandøren hører til en annen kommune.")
        if errors:
            raise ValidationError(errors)


class MappingAction(models.TextChoices):
    CREATED = "created", _("Opprettet")
    CHANGED = "changed", _("Endret")
    DELETED = "deleted", _("Slettet")
    CONFIRMED = "confirmed", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


class GroupMappingChange(models.Model):
    """One creation, change, deletion, confirmation or rejection of a group mapping.
    Written only by ``identity.services.oidc``, never edited. A log of its own rather than
    rows in ``plans.MembershipChange``: that log is about one person's membership (its
    subject is required) and lives in ``plans``, which must not depend on ``identity``."""

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    action = models.CharField(_("handling"), max_length=20, choices=MappingAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utført av"),
    )
    # Names are copied so the record still reads right after a user or unit is gone.
    actor_name = models.CharField(_("utført av (navn)"), max_length=300, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="group_mapping_changes",
        verbose_name=_("kommune"),
    )
    mapping_pk = models.PositiveIntegerField(_("gruppekobling-id"), null=True, blank=True)
    provider = models.CharField(_("identitetsleverandør"), max_length=50)
    group = models.CharField(_("gruppe"), max_length=255)
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    unit_name = models.CharField(_("enhet"), max_length=150, blank=True)
    # {"group": …, "role": …, "unit": …, "status": …} before and after.
    before = models.JSONField(_("før"), default=dict, blank=True)
    after = models.JSONField(_("etter"), default=dict, blank=True)

    class Meta:
        verbose_name = _("endring i gruppekobling")
        verbose_name_plural = _("endringer i gruppekoblinger")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_action_display()} {self.group}"

    @staticmethod
    def _describe(state: dict) -> str:
        if not state:
            return ""
        role = str(dict(Role.choices).get(state.get("role", ""), state.get("role", "")))
        text = f"{state.get('group', '')} → {role}"
        if state.get("unit"):
            text += f", {state['unit']}"
        status = state.get("status")
        if status and status != MappingStatus.CONFIRMED:
            text += f" ({dict(MappingStatus.choices).get(status, status)})"
        return text

    @property
    def before_text(self) -> str:
        return self._describe(self.before)

    @property
    def after_text(self) -> str:
        return self._describe(self.after)
