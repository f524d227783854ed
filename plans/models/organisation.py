"""The organisation every other record belongs to: municipalities, units and memberships."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.querysets import (
    MembershipChangeQuerySet,
    MembershipQuerySet,
    MunicipalityQuerySet,
    UnitQuerySet,
)
from plans.text import normalise_name, validate_name

municipality_number_validator = RegexValidator(
    r"^\d{4}\Z", _("Kommunenummeret må være fire sifre, for eksempel 0301.")
)


def validate_organisation_number(value: str) -> None:
    """Nine digits with a valid modulus-11 check digit (Brønnøysundregistrene's rule)."""
    if len(value) != 9 or not value.isdigit():
        raise ValidationError(_("Organisasjonsnummeret må være ni sifre."), code="format")
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    remainder = sum(int(d) * w for d, w in zip(value[:8], weights, strict=True)) % 11
    check = 0 if remainder == 0 else 11 - remainder
    if check == 10 or check != int(value[8]):
        raise ValidationError(
            _("Organisasjonsnummeret %(value)s har feil kontrollsiffer."),
            code="checksum",
            params={"value": value},
        )


def validate_historic_numbers(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(_("Tidligere kommunenumre må være en liste med tekst."))
    for item in value:
        # A code of its own: JSONField would replace an "invalid" message with its own.
        if not (len(item) == 4 and item.isdigit()):
            raise ValidationError(
                _("Tidligere kommunenummer «%(value)s» må være fire sifre."),
                code="historic_number",
                params={"value": item},
            )


class Municipality(models.Model):
    name = models.CharField(_("navn"), max_length=100)
    number = models.CharField(
        _("kommunenummer"), max_length=4, unique=True, validators=[municipality_number_validator]
    )
    historic_numbers = models.JSONField(
        _("tidligere kommunenumre"),
        default=list,
        blank=True,
        validators=[validate_historic_numbers],
        help_text=_("Numre kommunen har hatt før kommunereformene, f.eks. før 2020 og 2024."),
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class UnitKind(models.TextChoices):
    KINDERGARTEN = "barnehage", _("Barnehage")
    SCHOOL = "skole", _("Skole")
    SFO = "sfo", _("SFO")
    HEALTH_STATION = "helsestasjon", _("Helsestasjon og skolehelsetjeneste")
    CHILD_WELFARE = "barnevern", _("Barnevern")
    PPT = "ppt", _("PPT")
    CULTURE = "kultur", _("Kulturskole og kultur")
    LEISURE = "fritid", _("Fritid og ungdom")
    ADMINISTRATION = "administrasjon", _("Administrasjon")


class Unit(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=150)
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("overordnet enhet"),
        help_text=_("For eksempel skolen en SFO hører til."),
    )
    organisation_number = models.CharField(
        _("organisasjonsnummer"),
        max_length=9,
        blank=True,
        validators=[validate_organisation_number],
    )
    active = models.BooleanField(_("aktiv"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("enhet")
        verbose_name_plural = _("enheter")
        ordering = ["municipality__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="unit_name_unique_in_municipality"
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("pk")), name="unit_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The admin, the import (clean_model_instances) and unit_save all validate here:
        # no text-direction or control characters, and one spelling of a name.
        try:
            validate_name(self.name or "")
        except ValidationError as error:
            raise ValidationError({"name": error.messages}) from None
        self.name = normalise_name(self.name or "")
        parent = self.parent
        if parent is None:
            return
        if parent.municipality_id != self.municipality_id:
            raise ValidationError(
                {"parent": _("Den overordnede enheten må høre til samme kommune.")}
            )
        ancestor: Unit | None = parent
        seen: set[int] = set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("En enhet kan ikke ligge under seg selv.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Role(models.TextChoices):
    SECTOR_LEADER = "sector_leader", _("Sektorleder")
    UNIT_LEADER = "unit_leader", _("Virksomhetsleder")
    STAFF = "staff", _("Ansatt")
    BTI_COORDINATOR = "bti_coordinator", _("BTI-koordinator")
    ELECTED_OFFICIAL = "elected_official", _("Folkevalgt")
    DATA_ADMIN = "data_admin", _("Dataansvarlig")


# Roles that only make sense inside one unit; the others may also span the municipality.
UNIT_ROLES = frozenset({Role.UNIT_LEADER, Role.STAFF})

# Roles that open BTI logs about named children (unit leaders and staff read cases, the
# BTI coordinator follows all BTI work) or that confirm such grants (sector leaders). A
# membership with one of them takes effect only once a sector leader other than the
# grantor and the grantee has confirmed it: four eyes on every way into a child's log.
CONFIRMED_ROLES = frozenset(
    {Role.UNIT_LEADER, Role.STAFF, Role.BTI_COORDINATOR, Role.SECTOR_LEADER}
)


def role_placement_errors(
    *, role: str, municipality_id: int | None, unit: Unit | None
) -> dict[str, Any]:
    """Where a role may be held: a unit role needs a unit, and the unit must belong to the
    municipality. One rule for memberships and for the identity provider's group mappings
    (identity.models.GroupRoleMapping), which grant them."""
    errors: dict[str, Any] = {}
    if unit is not None and municipality_id and unit.municipality_id != municipality_id:
        errors["unit"] = _("Enheten hører ikke til den valgte kommunen.")
    if role in UNIT_ROLES and unit is None:
        errors["unit"] = _("Rollen %(role)s må knyttes til en enhet.") % {
            "role": dict(Role.choices).get(role, role)
        }
    return errors


class Membership(models.Model):
    """A user's role in one unit, or in the whole municipality when ``unit`` is empty."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("bruker"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("kommune"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("enhet"),
        help_text=_("Tom betyr hele kommunen."),
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    # Set by plans.services.organisation: a grant of a CONFIRMED_ROLES role made in the
    # admin or by an import waits here, granting nothing, until a sector leader confirms.
    pending = models.BooleanField(
        _("venter på godkjenning"),
        default=False,
        db_index=True,
        help_text=_("Rollen gir ingen tilgang før en sektorleder har godkjent den."),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tildelt av"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("godkjent av"),
    )
    confirmed_at = models.DateTimeField(_("godkjent"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["municipality__name", "user__username", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                name="membership_unique_in_unit",
                condition=models.Q(unit__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                name="membership_unique_in_municipality",
                condition=models.Q(unit__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        place = self.unit.name if self.unit is not None else self.municipality.name
        return f"{self.user} – {self.get_role_display()} – {place}"

    def clean(self) -> None:
        errors = role_placement_errors(
            role=self.role,
            municipality_id=self.municipality_id,
            unit=self.unit if self.unit_id else None,
        )
        if self.user_id and self.municipality_id:
            other = (
                Membership.objects.filter(user_id=self.user_id)
                .exclude(municipality_id=self.municipality_id)
                .exclude(pk=self.pk)
                .select_related("municipality")
                .first()
            )
            if other is not None:
                errors["municipality"] = _(
                    "Brukeren er allerede knyttet til %(other)s. En bruker hører til én kommune."
                ) % {"other": other.municipality.name}
        if errors:
            raise ValidationError(errors)


class MembershipAction(models.TextChoices):
    GRANTED = "granted", _("Tildelt")
    CHANGED = "changed", _("Endret")
    REVOKED = "revoked", _("Fjernet")
    CONFIRMED = "confirmed", _("Godkjent")
    REJECTED = "rejected", _("Avvist")


class MembershipChange(models.Model):
    """One grant, change, revocation, confirmation or rejection of a membership: who did
    what, for whom and when. Written only by ``plans.services.organisation``, never edited,
    so sector leaders can trust it as the record of who was given access."""

    at = models.DateTimeField(_("tidspunkt"), auto_now_add=True, db_index=True)
    action = models.CharField(_("handling"), max_length=20, choices=MembershipAction.choices)
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
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gjelder bruker"),
    )
    subject_name = models.CharField(_("gjelder (navn)"), max_length=300)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="membership_changes",
        verbose_name=_("kommune"),
    )
    membership_pk = models.PositiveIntegerField(_("medlemskap-id"), null=True, blank=True)
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    unit_name = models.CharField(_("enhet"), max_length=150, blank=True)
    # {"role": …, "unit": …, "pending": …} before and after, as shown to the reader.
    before = models.JSONField(_("før"), default=dict, blank=True)
    after = models.JSONField(_("etter"), default=dict, blank=True)

    objects = MembershipChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("endring i medlemskap")
        verbose_name_plural = _("endringer i medlemskap")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_action_display()} {self.subject_name}"

    @staticmethod
    def _describe(state: dict) -> str:
        if not state:
            return ""
        text = str(dict(Role.choices).get(state.get("role", ""), state.get("role", "")))
        if state.get("unit"):
            text += f", {state['unit']}"
        if state.get("pending"):
            text += f" ({_('venter på godkjenning')})"
        if state.get("via"):
            # A grant made at sign-in by a confirmed group mapping names the mapping.
            text += " " + _("(gjennom gruppekoblingen %(mapping)s)") % {"mapping": state["via"]}
        return text

    @property
    def before_text(self) -> str:
        return self._describe(self.before)

    @property
    def after_text(self) -> str:
        return self._describe(self.after)
