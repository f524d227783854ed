"""Competence: funding schemes, activities with sessions and sign-ups, surveyed needs,
and the sector's annual wheel of dated events.

Modelled on the Ås competence plan's activity table (form, target group, organiser,
content, dates, place, funding) and the Jevnaker plan's annual wheel."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from competence.querysets import (
    ActivityQuerySet,
    CalendarEventQuerySet,
    FeedTokenQuerySet,
    FundingSchemeQuerySet,
    NeedSurveyQuerySet,
    RegistrationQuerySet,
    SessionQuerySet,
    ThemeQuerySet,
    TrainingRequirementQuerySet,
)
from plans.models import (
    ChangeRecord,
    CoreComponent,
    DevelopmentArea,
    Municipality,
    Role,
    Unit,
    UnitKind,
)
from plans.schoolyear import SchoolYear
from plans.text_limits import SHORT_TEXT, TEXT, bounded_text, text_length_checks


def _labels(values, choices) -> list[str]:
    """Stored choice values (unit kinds, roles) as the reader sees them."""
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values or []]


def _target_errors(*, kinds, kinds_field: str, roles, roles_field: str) -> dict[str, str]:
    """Unknown unit kinds or roles in a JSON list of targets (an activity's target group, a
    training requirement's roles), keyed by the model field that holds them."""
    errors: dict[str, str] = {}
    unknown_kinds = set(kinds or []) - set(UnitKind.values)
    if unknown_kinds:
        errors[kinds_field] = gettext("Ukjent enhetstype: %(kinds)s") % {
            "kinds": ", ".join(sorted(unknown_kinds))
        }
    unknown_roles = set(roles or []) - set(Role.values)
    if unknown_roles:
        errors[roles_field] = gettext("Ukjent rolle: %(roles)s") % {
            "roles": ", ".join(sorted(unknown_roles))
        }
    return errors


class FundingScheme(models.Model):
    """A source of money for competence work: Kompetanseløftet, Dekomp, Rekomp, BUFDIR,
    the municipality's own budget … Each municipality keeps its own list."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="funding_schemes",
        verbose_name=_("kommune"),
    )
    name = models.CharField(_("navn"), max_length=120)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    active = models.BooleanField(_("aktiv"), default=True)

    objects = FundingSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("tilskuddsordning")
        verbose_name_plural = _("tilskuddsordninger")
        ordering = ["name"]
        constraints = [
            *text_length_checks(description=TEXT),
            models.UniqueConstraint(
                fields=["municipality", "name"], name="funding_scheme_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundingGrant(models.Model):
    """What a scheme gives for one school year."""

    scheme = models.ForeignKey(
        FundingScheme,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("tilskuddsordning"),
    )
    school_year = models.PositiveSmallIntegerField(_("barnehage- og skoleår"))
    amount = models.DecimalField(
        _("tilskudd (kr)"),
        max_digits=12,
        decimal_places=0,
        validators=[MinValueValidator(Decimal(0))],
    )
    note = models.CharField(_("merknad"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tilskudd")
        verbose_name_plural = _("tilskudd")
        ordering = ["scheme__name", "-school_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "school_year"], name="funding_grant_one_per_year"
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="grant_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {SchoolYear(self.school_year).label}"

    @property
    def municipality_id(self) -> int:
        return self.scheme.municipality_id


class Theme(models.Model):
    """A competence theme (inkluderende læringsmiljø, psykisk helse, lærevansker, atferd …):
    what needs surveys ask about and what activities cover."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="themes", verbose_name=_("kommune")
    )
    name = models.CharField(_("navn"), max_length=120)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("tema")
        verbose_name_plural = _("temaer")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="theme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ActivityForm(models.TextChoices):
    PLANNING_DAY = "plandag", _("Plandag")
    NETWORK = "nettverk", _("Nettverk")
    SUBJECT_DAY = "fagdag", _("Fagdag")
    COURSE = "kurs", _("Kurs")
    GATHERING = "fagsamling", _("Fagsamling")
    GUIDANCE = "veiledning", _("Veiledning")
    LEADER_NETWORK = "ledernettverk", _("Ledernettverk")
    TRAINING = "opplaering", _("Opplæring")
    OTHER = "annet", _("Annet")


class Activity(models.Model):
    """One line of the competence plan's activity table."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="competence_activities",
        verbose_name=_("kommune"),
    )
    school_year = models.PositiveSmallIntegerField(_("barnehage- og skoleår"))
    form = models.CharField(_("læringsform"), max_length=20, choices=ActivityForm.choices)
    title = models.CharField(_("tittel"), max_length=200)
    content = bounded_text(_("innhold"), blank=True, max_length=TEXT)
    themes = models.ManyToManyField(
        Theme, blank=True, related_name="activities", verbose_name=_("temaer")
    )
    # Target groups: unit kinds, named units and portal roles; a person is in the target
    # group when they match any of them. With none set, the activity is for everyone.
    target_kinds = models.JSONField(_("målgruppe: enhetstyper"), default=list, blank=True)
    target_units = models.ManyToManyField(
        Unit, blank=True, related_name="targeted_activities", verbose_name=_("målgruppe: enheter")
    )
    target_roles = models.JSONField(_("målgruppe: roller"), default=list, blank=True)
    target_description = models.CharField(
        _("målgruppe beskrevet"),
        max_length=300,
        blank=True,
        help_text=_("For eksempel «Spesialpedagoger i barnehagene, sosiallærere»."),
    )
    organiser_units = models.ManyToManyField(
        Unit,
        blank=True,
        related_name="organised_activities",
        verbose_name=_("arrangør: egne enheter"),
    )
    partners = models.CharField(
        _("eksterne samarbeidspartnere"),
        max_length=300,
        blank=True,
        help_text=_("For eksempel universitet, Statped, RVTS eller KORUS."),
    )
    organisers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="organised_activities",
        verbose_name=_("arrangøransvarlige"),
        help_text=_("De som fører oppmøte og ser påmeldingene."),
    )
    areas = models.ManyToManyField(
        DevelopmentArea,
        blank=True,
        related_name="competence_activities",
        verbose_name=_("utviklingsområder"),
    )
    components = models.ManyToManyField(
        CoreComponent,
        blank=True,
        related_name="competence_activities",
        verbose_name=_("kjernekomponenter"),
    )
    place = models.CharField(_("sted"), max_length=200, blank=True)
    funding_scheme = models.ForeignKey(
        FundingScheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("finansiering"),
    )
    budget = models.DecimalField(
        _("budsjett (kr)"),
        max_digits=12,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    spent = models.DecimalField(
        _("brukt (kr)"),
        max_digits=12,
        decimal_places=0,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("kompetansetiltak")
        verbose_name_plural = _("kompetansetiltak")
        ordering = ["-school_year", "form", "title"]
        constraints = [
            *text_length_checks(content=TEXT),
            models.CheckConstraint(condition=models.Q(budget__gte=0), name="budget_not_negative"),
            models.CheckConstraint(condition=models.Q(spent__gte=0), name="spent_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def school_year_label(self) -> str:
        return SchoolYear(self.school_year).label

    def clean(self) -> None:
        errors = _target_errors(
            kinds=self.target_kinds,
            kinds_field="target_kinds",
            roles=self.target_roles,
            roles_field="target_roles",
        )
        scheme = self.funding_scheme if self.funding_scheme_id else None
        if (
            scheme is not None
            and self.municipality_id
            and scheme.municipality_id != (self.municipality_id)
        ):
            errors["funding_scheme"] = gettext("Tilskuddsordningen hører til en annen kommune.")
        if errors:
            raise ValidationError(errors)

    def target_kind_labels(self) -> list[str]:
        return _labels(self.target_kinds, UnitKind.choices)

    def target_role_labels(self) -> list[str]:
        return _labels(self.target_roles, Role.choices)

    def has_targets(self) -> bool:
        """Whether any target group is set; callers prefetch ``target_units``."""
        return bool(self.target_kinds or self.target_roles or self.target_units.all())


class Session(models.Model):
    """One dated gathering of an activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("tiltak")
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("slutt"))
    place = models.CharField(
        _("sted"), max_length=200, blank=True, help_text=_("Tomt: tiltakets sted.")
    )
    capacity = models.PositiveIntegerField(
        _("antall plasser"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Tomt: ingen grense."),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("samling")
        verbose_name_plural = _("samlinger")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.starts_at)
        return f"{self.activity} {local:%d.%m.%Y %H:%M}"

    @property
    def municipality_id(self) -> int:
        # Lets the shared in_own_municipality predicate read sessions like units.
        return self.activity.municipality_id

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("Slutt må være etter start.")})

    @property
    def where(self) -> str:
        return self.place or self.activity.place

    def has_started(self, now=None) -> bool:
        return self.starts_at <= (now or timezone.now())


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "pameldt", _("Påmeldt")
    WAITING = "venteliste", _("På venteliste")
    CANCELLED = "avmeldt", _("Avmeldt")


class Registration(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("samling")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="competence_registrations",
        verbose_name=_("deltaker"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.CONFIRMED,
    )
    # None until the organiser has recorded attendance.
    attended = models.BooleanField(_("møtte"), null=True, blank=True)
    registered_at = models.DateTimeField(_("meldt på"), default=timezone.now)
    changed_at = models.DateTimeField(_("endret"), auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("påmelding")
        verbose_name_plural = _("påmeldinger")
        ordering = ["registered_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_registration_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.session}"

    @property
    def municipality_id(self) -> int:
        return self.session.activity.municipality_id


class Feedback(models.Model):
    """A participant's rating of a session they attended."""

    registration = models.OneToOneField(
        Registration,
        on_delete=models.CASCADE,
        related_name="feedback",
        verbose_name=_("påmelding"),
    )
    score = models.PositiveSmallIntegerField(
        _("vurdering (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = bounded_text(_("kommentar"), blank=True, max_length=SHORT_TEXT)
    given_at = models.DateTimeField(_("gitt"), auto_now=True)

    class Meta:
        verbose_name = _("tilbakemelding")
        verbose_name_plural = _("tilbakemeldinger")
        constraints = [
            *text_length_checks(comment=SHORT_TEXT),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="feedback_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.score}"


class NeedSurvey(models.Model):
    """One round of a competence needs survey (such as KOSIP)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="need_surveys",
        verbose_name=_("kommune"),
    )
    name = models.CharField(_("navn"), max_length=200)
    conducted_on = models.DateField(_("gjennomført"))
    school_year = models.PositiveSmallIntegerField(
        _("gjelder barnehage- og skoleår"),
        help_text=_("Året tiltakene som skal dekke behovene, planlegges for."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importert av"),
    )
    created_at = models.DateTimeField(_("importert"), auto_now_add=True)

    objects = NeedSurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("kompetansekartlegging")
        verbose_name_plural = _("kompetansekartlegginger")
        ordering = ["-conducted_on", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="need_survey_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CompetenceNeed(models.Model):
    survey = models.ForeignKey(
        NeedSurvey, on_delete=models.CASCADE, related_name="needs", verbose_name=_("kartlegging")
    )
    unit_kind = models.CharField(_("enhetstype"), max_length=20, choices=UnitKind.choices)
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="needs", verbose_name=_("tema")
    )
    share = models.DecimalField(
        _("andel som melder behovet (%)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    respondents = models.PositiveIntegerField(_("antall svar"), null=True, blank=True)

    class Meta:
        verbose_name = _("kompetansebehov")
        verbose_name_plural = _("kompetansebehov")
        ordering = ["unit_kind", "-share"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "unit_kind", "theme"], name="one_need_per_kind_and_theme"
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0, share__lte=100), name="need_share_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_kind_display()}: {self.theme} ({self.share} %)"


class EventKind(models.TextChoices):
    UNIT_PLAN_DUE = "utviklingsplan", _("Frist for utviklingsplaner")
    EVALUATION_DUE = "evaluering", _("Frist for evaluering")
    BTI_NETWORK = "bti", _("BTI-nettverksmøte")
    REPORT = "rapport", _("Rapport og tilstandsrapport")
    PARENT_MEETING = "foreldremote", _("Foreldremøte")
    COUNCIL = "politisk", _("Sak til politisk behandling")
    OTHER = "annet", _("Annet")


class EventAudience(models.TextChoices):
    EVERYONE = "alle", _("Alle i sektoren")
    LEADERS = "ledere", _("Ledere")


class CalendarEvent(models.Model):
    """A dated thing in the sector's annual wheel that is not a competence session."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="calendar_events",
        verbose_name=_("kommune"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("tittel"), max_length=200)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    starts_on = models.DateField(_("dato"))
    ends_on = models.DateField(_("til og med"), null=True, blank=True)
    audience = models.CharField(
        _("for hvem"),
        max_length=10,
        choices=EventAudience.choices,
        default=EventAudience.EVERYONE,
        help_text=_("Ledere: virksomhetsledere og sektorledere får den i sin kalender."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registrert av"),
    )

    objects = CalendarEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("hendelse i årshjulet")
        verbose_name_plural = _("hendelser i årshjulet")
        ordering = ["starts_on", "title"]
        constraints = [
            *text_length_checks(description=TEXT),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="event_ends_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_on:%d.%m.%Y}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("Sluttdatoen kan ikke være før startdatoen.")})


class FeedScope(models.TextChoices):
    PERSONAL = "personlig", _("Min kalender")
    MUNICIPALITY = "kommune", _("Hele sektorens årshjul")


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """A secret URL for an iCal subscription. The token is the only credential a calendar
    client can send, so it is long, random, shown to its owner only, and revocable."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feed_tokens",
        verbose_name=_("eier"),
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    scope = models.CharField(_("innhold"), max_length=10, choices=FeedScope.choices)
    token = models.CharField(_("nøkkel"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("trukket tilbake"), null=True, blank=True)

    objects = FeedTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("kalenderabonnement")
        verbose_name_plural = _("kalenderabonnementer")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.get_scope_display()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TrainingRequirement(models.Model):
    """A training some roles must have, such as the BTI model («alle ansatte og nytilsatte
    vil få kompetanse på BTI-modellen»). An attended session of an activity with one of
    its themes, or of one of its marked activities, counts as completed; with
    ``valid_years`` the training must be taken again after that many years. Written only by
    ``competence.services.training``, which records every change."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="training_requirements",
        verbose_name=_("kommune"),
    )
    name = models.CharField(_("navn"), max_length=120)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    themes = models.ManyToManyField(
        Theme,
        blank=True,
        related_name="training_requirements",
        verbose_name=_("temaer som teller"),
        help_text=_("Oppmøte på et tiltak med ett av disse temaene teller som gjennomført."),
    )
    activities = models.ManyToManyField(
        Activity,
        blank=True,
        related_name="training_requirements",
        verbose_name=_("tiltak som teller"),
        help_text=_("Tiltak som teller selv om de ikke har et av temaene."),
    )
    roles = models.JSONField(_("roller som må ha opplæringen"), default=list)
    unit_kinds = models.JSONField(_("enhetstyper"), default=list, blank=True)
    valid_years = models.PositiveSmallIntegerField(
        _("fornyes etter (år)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Tomt: opplæringen gjelder for alltid."),
    )
    new_staff_months = models.PositiveSmallIntegerField(
        _("nytilsatt i (måneder)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Hvor lenge etter at rollen ble gitt en person regnes som nytilsatt."),
    )
    active = models.BooleanField(_("gjelder"), default=True)
    created_at = models.DateTimeField(_("opprettet"), auto_now_add=True)
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    objects = TrainingRequirementQuerySet.as_manager()

    class Meta:
        verbose_name = _("opplæringskrav")
        verbose_name_plural = _("opplæringskrav")
        ordering = ["-active", "name"]
        constraints = [
            *text_length_checks(description=TEXT),
            models.UniqueConstraint(
                fields=["municipality", "name"], name="training_requirement_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = _target_errors(
            kinds=self.unit_kinds, kinds_field="unit_kinds", roles=self.roles, roles_field="roles"
        )
        if not self.roles:
            errors["roles"] = gettext("Velg minst én rolle som må ha opplæringen.")
        if errors:
            raise ValidationError(errors)

    def role_labels(self) -> list[str]:
        return _labels(self.roles, Role.choices)

    def unit_kind_labels(self) -> list[str]:
        return _labels(self.unit_kinds, UnitKind.choices)


class TrainingRequirementChange(ChangeRecord):
    """Who set or changed a training requirement, when, and what changed (the plans'
    history shape, shown by ``templates/plans/_history.html``)."""

    requirement = models.ForeignKey(
        TrainingRequirement,
        on_delete=models.CASCADE,
        related_name="changes",
        verbose_name=_("opplæringskrav"),
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring i opplæringskrav")
        verbose_name_plural = _("endringer i opplæringskrav")
