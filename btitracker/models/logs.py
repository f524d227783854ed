"""The BTI concern log (stafettlogg): level-0 concerns, the log of a child (levels 1–3)
with its team, consent, goals, actions, evaluations, entries, meetings and handovers; the
hash-chained access log; and the non-personal statistics rows that outlive the logs.

Personal data is encrypted at rest (``btitracker.crypto``); nothing here is read without
going through ``visible_to(user)`` in ``btitracker.querysets``.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from btitracker.crypto import EncryptedDateField, EncryptedTextField
from btitracker.querysets import (
    AccessEventQuerySet,
    ConcernCaseQuerySet,
    ConcernQuerySet,
    HandoverQuerySet,
)
from plans.models import Municipality, Unit, UnitKind

# The longest texts, in characters (forms, services and a CHECK constraint on the
# encrypted column share them through the field's max_length). A log's printout must lay
# out in seconds: a 1 MiB note once took minutes and stopped a log from being closed.
NAME_MAX = 200
SHORT_TEXT_MAX = 2_000
TEXT_MAX = 10_000


class NoPersonalDataStr:
    """``str()`` of a BTI row names its kind and id, never its content: it ends up in
    logs, error reports and admin messages."""

    def __str__(self) -> str:
        meta = getattr(self, "_meta")  # noqa: B009  (a mixin: mypy does not know the model)
        return f"{meta.verbose_name} nr. {getattr(self, 'pk', None)}"


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Whole years on ``day``; 0 for a child not yet born (a log may start before birth)."""
    years = day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
    return max(years, 0)


class AgeBand(models.TextChoices):
    UNDER_6 = "0-5", _("0–5 år")
    SIX_12 = "6-12", _("6–12 år")
    THIRTEEN_15 = "13-15", _("13–15 år")
    SIXTEEN_PLUS = "16+", _("16 år og eldre")
    UNKNOWN = "ukjent", _("Ukjent alder")

    @classmethod
    def for_age(cls, age: int | None) -> AgeBand:
        if age is None:
            return cls.UNKNOWN
        if age < 6:
            return cls.UNDER_6
        if age <= 12:
            return cls.SIX_12
        if age <= 15:
            return cls.THIRTEEN_15
        return cls.SIXTEEN_PLUS


class ConcernBand(models.Model):
    """One step of the municipality's concern scale ("Vær oppmerksom" …)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="concern_bands"
    )
    order = models.PositiveSmallIntegerField(_("rekkefølge"))
    name = models.CharField(_("navn"), max_length=100)
    requires_report = models.BooleanField(
        _("skal meldes til barnevern eller politi"), default=False
    )

    class Meta:
        verbose_name = _("bekymringsgrad")
        verbose_name_plural = _("bekymringsskala")
        ordering = ["municipality", "order"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "order"], name="band_order_unique")
        ]

    def __str__(self) -> str:
        return self.name


DEFAULT_BANDS = (
    (1, _("Vær oppmerksom"), False),
    (2, _("Grunn til bekymring"), False),
    (3, _("Barnevern eller politi skal varsles"), True),
)


# How an unborn child is named until it is born: «Barn av <the expecting parent>». Data,
# not UI text (the lookup hash is made from it), so never translated.
UNBORN_NAME_PREFIX = "Barn av"


class Child(models.Model):
    """A child, or (before birth) the expected child of a pregnant woman: then
    ``birth_date`` is empty, ``name`` is «Barn av <expecting parent>» and the lookup hash
    is made from that name and the expected date. ``expected_on`` is kept after birth."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    lookup_hash = models.CharField(max_length=64, editable=False)
    name = EncryptedTextField(_("navn"), max_length=NAME_MAX)
    birth_date = EncryptedDateField(_("fødselsdato"), null=True, blank=True)
    expected_on = EncryptedDateField(_("termindato"), null=True, blank=True)
    expecting_parent = EncryptedTextField(_("den gravide"), blank=True, max_length=NAME_MAX)
    born_recorded_at = models.DateTimeField(_("fødsel registrert"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("barn")
        verbose_name_plural = _("barn")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "lookup_hash"], name="child_unique_per_municipality"
            ),
            # Born (a birth date) or expected (an expected date): never neither.
            models.CheckConstraint(
                condition=models.Q(birth_date__isnull=False) | models.Q(expected_on__isnull=False),
                name="child_birth_or_expected_date",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_unborn(self) -> bool:
        return self.birth_date is None

    @property
    def key_date(self) -> datetime.date:
        """The date of the lookup hash: the birth date, or the expected date before."""
        date = self.birth_date or self.expected_on
        if date is None:  # pragma: no cover - a row is created with one of them
            raise ValueError("A child needs a birth date or an expected date.")
        return date

    def age_on(self, day: datetime.date) -> int:
        # An unborn child is 0 (``age_on`` gives 0 for a date ahead), also past the
        # expected date until the birth is recorded.
        if self.birth_date is None:
            return 0
        return age_on(self.birth_date, day)


class Guardian(NoPersonalDataStr, models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="guardians")
    name = EncryptedTextField(_("navn"), max_length=NAME_MAX)
    contact = EncryptedTextField(_("kontaktinformasjon"), blank=True, max_length=NAME_MAX)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("foresatt")
        verbose_name_plural = _("foresatte")
        ordering = ["pk"]


class OwnViews(models.Model):
    """The child's or youth's own view and the family's view, recorded at each evaluation
    and decision (Jevnaker's BTI model, 5.0), or why they could not be obtained. Blank on
    rows from before this was asked; the services require it on new ones."""

    child_view = EncryptedTextField(
        _("barnets eller ungdommens syn"), blank=True, max_length=TEXT_MAX
    )
    family_view = EncryptedTextField(_("familiens syn"), blank=True, max_length=TEXT_MAX)
    views_missing_reason = EncryptedTextField(
        _("hvorfor synet ikke er innhentet"), blank=True, max_length=SHORT_TEXT_MAX
    )

    class Meta:
        abstract = True

    @property
    def has_views(self) -> bool:
        return bool(self.child_view or self.family_view or self.views_missing_reason)


class Decision(models.TextChoices):
    PENDING = "venter", _("Venter på beslutning")
    CLOSE = "avsluttet", _("Avsluttes")
    LEVEL_1 = "niva1", _("Nivå 1")
    LEVEL_2 = "niva2", _("Nivå 2")
    CHILD_WELFARE = "barnevern", _("Melding til barnevernet")
    POLICE = "politi", _("Melding til politiet")


class Concern(OwnViews, models.Model):
    """Level 0 — undring: what a staff member saw or heard. Read by the author and the
    leader of the author's unit only."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="bti_concerns")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bti_concerns"
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="concerns"
    )
    observation = EncryptedTextField(_("hva har du sett eller hørt"), max_length=TEXT_MAX)
    duration = EncryptedTextField(_("hvor lenge"), blank=True, max_length=NAME_MAX)
    band = models.ForeignKey(
        ConcernBand, on_delete=models.PROTECT, related_name="+", verbose_name=_("bekymringsgrad")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    decision_due = models.DateField(_("frist for beslutning"))
    decision = models.CharField(
        _("beslutning"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = EncryptedTextField(_("begrunnelse"), blank=True, max_length=TEXT_MAX)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    stat = models.ForeignKey(
        "StatEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The consultation meeting's anonymous matter this concern came from, so the
    # coordinator counts matters that went on; the matter never shows the concern.
    consultation_matter = models.ForeignKey(
        "btitracker.ConsultationMatter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="concerns",
        verbose_name=_("fra sak i samarbeidsmøte"),
    )

    objects = ConcernQuerySet.as_manager()

    class Meta:
        verbose_name = _("undring")
        verbose_name_plural = _("undringer")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Undring nr. %(pk)s") % {"pk": self.pk}

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING

    @property
    def is_overdue(self) -> bool:
        # The rule is the queryset's (``ConcernQuerySet.overdue``); one query on the one
        # page that shows a single concern.
        return self.pk is not None and Concern.objects.filter(pk=self.pk).overdue().exists()


class CaseStatus(models.TextChoices):
    OPEN = "aktiv", _("Aktiv")
    CLOSED = "avsluttet", _("Avsluttet")


class ConcernCase(models.Model):
    """The log for one child on levels 1–3 (stafettlogg)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="cases")
    level = models.PositiveSmallIntegerField(
        _("nivå"), choices=[(1, _("Nivå 1")), (2, _("Nivå 2")), (3, _("Nivå 3"))]
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bti_held_cases",
        verbose_name=_("stafettholder"),
    )
    holder_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="bti_cases", verbose_name=_("enhet")
    )
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    violence_suspected = models.BooleanField(
        _("mistanke om vold eller overgrep i hjemmet"), default=False
    )
    violence_justification = EncryptedTextField(_("begrunnelse"), blank=True, max_length=TEXT_MAX)
    source_concern = models.OneToOneField(
        Concern, on_delete=models.SET_NULL, null=True, blank=True, related_name="case"
    )
    opened_at = models.DateTimeField(default=timezone.now, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The archive printout for the pupil file, encrypted like the rest.
    archive = models.BinaryField(null=True, blank=True, editable=False)

    objects = ConcernCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("stafettlogg")
        verbose_name_plural = _("stafettlogger")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return _("Stafettlogg nr. %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class TeamAccess(models.TextChoices):
    READ = "les", _("Lese")
    WRITE = "skriv", _("Lese og skrive")


class TeamMember(models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bti_team_memberships"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tjeneste")
    )
    access = models.CharField(_("tilgang"), max_length=6, choices=TeamAccess.choices)
    active = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("teammedlem")
        verbose_name_plural = _("teamet rundt barnet")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=models.Q(active=True),
                name="one_active_membership_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.unit.name})"


class ConsentKind(models.TextChoices):
    GUARDIAN = "foresatte", _("Foresattes samtykke")
    OWN = "eget", _("Ungdommens eget samtykke")
    # Before birth there are no guardians: the pregnant woman consents for the log.
    EXPECTING = "gravid", _("Den gravides samtykke (før fødselen)")


class Consent(NoPersonalDataStr, models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("type"), max_length=10, choices=ConsentKind.choices)
    given_by = EncryptedTextField(_("gitt av"), max_length=NAME_MAX)
    given_on = models.DateField(_("dato"))
    expires_on = models.DateField(_("gyldig til"), null=True, blank=True)
    services = models.ManyToManyField(
        Unit, related_name="+", verbose_name=_("tjenester samtykket omfatter")
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # A newer consent (a service added, a handover) replaces this one.
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["-recorded_at"]

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.withdrawn_at is None
            and self.superseded_at is None
            and (self.expires_on is None or self.expires_on >= day)
        )


class Goal(NoPersonalDataStr, models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(_("mål"), max_length=SHORT_TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("mål")
        verbose_name_plural = _("mål")


class ActionStatus(models.TextChoices):
    PLANNED = "planlagt", _("Planlagt")
    ONGOING = "pagar", _("Pågår")
    DONE = "fullfort", _("Fullført")
    STOPPED = "avbrutt", _("Avbrutt")


class Meeting(NoPersonalDataStr, models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField(_("dato"))
    summary = EncryptedTextField(_("referat"), max_length=TEXT_MAX)
    # Who was there: members of the log's team, and others in words (the child, the
    # guardians, an interpreter …). Empty on meetings recorded before this was asked.
    participants = models.ManyToManyField(
        TeamMember,
        blank=True,
        related_name="meetings_attended",
        verbose_name=_("til stede fra teamet"),
    )
    others_present = EncryptedTextField(_("andre til stede"), blank=True, max_length=SHORT_TEXT_MAX)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("tverrfaglig møte")
        verbose_name_plural = _("tverrfaglige møter")


class Action(NoPersonalDataStr, models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="actions"
    )
    description = EncryptedTextField(_("tiltak"), max_length=SHORT_TEXT_MAX)
    responsible = models.ForeignKey(
        TeamMember, on_delete=models.PROTECT, related_name="actions", verbose_name=_("ansvarlig")
    )
    start_date = models.DateField(_("start"))
    evaluation_date = models.DateField(_("evalueringsdato"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    effect = EncryptedTextField(_("effekt"), blank=True, max_length=TEXT_MAX)

    class Meta:
        ordering = ["evaluation_date", "pk"]
        verbose_name = _("tiltak")
        verbose_name_plural = _("tiltak")


class Evaluation(NoPersonalDataStr, OwnViews, models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField(_("evaluert dato"))
    text = EncryptedTextField(_("evaluering"), max_length=TEXT_MAX)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["evaluated_on", "pk"]
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")


class CaseDecisionKind(models.TextChoices):
    LEVEL = "niva", _("Endret nivå")
    CLOSE = "avslutt", _("Avsluttet")


class CaseDecision(NoPersonalDataStr, OwnViews, models.Model):
    """A decision on a log (a level change, closing) with the child's and the family's
    view of it; the log's decision history."""

    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("beslutning"), max_length=10, choices=CaseDecisionKind.choices)
    level_from = models.PositiveSmallIntegerField(_("fra nivå"))
    level_to = models.PositiveSmallIntegerField(_("til nivå"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = _("beslutning i stafettloggen")
        verbose_name_plural = _("beslutninger i stafettloggen")


class LogEntry(NoPersonalDataStr, models.Model):
    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="entries")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("notat"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("loggføring")
        verbose_name_plural = _("loggføringer")


class HandoverStatus(models.TextChoices):
    PENDING = "venter", _("Venter på svar")
    ACCEPTED = "akseptert", _("Akseptert")
    DECLINED = "avslatt", _("Avslått")


class Handover(NoPersonalDataStr, models.Model):
    """Stafettveksling: takes effect only when the proposed holder accepts."""

    case = models.ForeignKey(ConcernCase, on_delete=models.CASCADE, related_name="handovers")
    from_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    from_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    to_holder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bti_handovers_to"
    )
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField(_("merknad"), blank=True, max_length=SHORT_TEXT_MAX)
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    consent = models.ForeignKey(
        Consent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = HandoverQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("stafettveksling")
        verbose_name_plural = _("stafettvekslinger")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status="venter"),
                name="one_pending_handover_per_case",
            )
        ]


class AccessEvent(NoPersonalDataStr, models.Model):
    """One line of the append-only, hash-chained access log. Never updated or deleted
    (refused here and by a database trigger); ``verify_audit_chain`` recomputes it."""

    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=300, blank=True)
    actor_roles = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    case_id = models.BigIntegerField(null=True, db_index=True)
    municipality_id = models.BigIntegerField(null=True)
    child_pseudonym = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    outcome = models.CharField(max_length=10)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("tilgangshendelse")
        verbose_name_plural = _("tilgangslogg")

    def save(self, *args, **kwargs):
        if self.pk is not None or not kwargs.pop("_append", False):
            raise PermissionError("Tilgangsloggen kan bare skrives gjennom btitracker.audit.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Tilgangsloggen kan ikke slettes.")

    @property
    def roles_display(self) -> str:
        from plans.models import Role

        labels = dict(Role.choices)
        return ", ".join(
            str(labels.get(code, code)) for code in self.actor_roles.split(",") if code
        )

    @property
    def action_display(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


ACTION_LABELS = {
    "view": _("åpnet"),
    "list": _("så oversikten"),
    "search": _("søkte"),
    "export": _("lastet ned"),
    "create": _("opprettet"),
    "change": _("endret"),
    "decide": _("besluttet"),
    "consent": _("samtykke"),
    "handover": _("stafettveksling"),
    "close": _("avsluttet"),
    "access_history": _("så tilgangsloggen"),
    "otp_code_sent": _("fikk tilsendt kode for totrinnsoppsett"),
    "otp_code_wrong": _("skrev feil kode for totrinnsoppsett"),
    "otp_code_ok": _("bekreftet kode for totrinnsoppsett"),
    "otp_enrolled": _("satte opp totrinnsinnlogging"),
    "otp_login_wrong": _("skrev feil engangskode ved innlogging"),
    "membership_saved": _("fikk eller fikk endret medlemskap eller rolle"),
    "membership_deleted": _("mistet et medlemskap eller en rolle"),
    "birth_recorded": _("registrerte fødselen"),
    "chain_keyed": _("tilgangsloggen ble nøklet (HMAC)"),
    "open": _("forsøkte å åpne"),
    "write": _("forsøkte å endre"),
}


class StatEventKind(models.TextChoices):
    CONCERN = "undring", _("Undring (nivå 0)")
    CASE = "logg", _("Stafettlogg")


class StatEvent(NoPersonalDataStr, models.Model):
    """A non-personal statistics row: what the statistics count, kept after the log it
    came from is deleted. No child, no person, no free text."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=StatEventKind.choices)
    level = models.PositiveSmallIntegerField()
    unit_kind = models.CharField(max_length=20, choices=UnitKind.choices)
    # The unit the concern was raised in (a log: the unit that opened it), so the
    # coordinator's follow-up counts per unit; a deleted unit leaves the row to the
    # kind's count. Rows from before 0007 whose source was gone stay empty.
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("enhet"),
    )
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    # The statistics publish by school year (1 August – 31 July), which a calendar quarter
    # cannot tell: July and August share the third quarter.
    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    age_years = models.PositiveSmallIntegerField(null=True)
    first_for_child = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["municipality", "year", "quarter"])]


class ActionStat(NoPersonalDataStr, models.Model):
    """Whether an action was evaluated by its evaluation date; non-personal."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    school_year = models.PositiveSmallIntegerField(_("skoleår"))
    on_time = models.BooleanField()
    action_ref = models.BigIntegerField(null=True, unique=True)


class ReminderSent(NoPersonalDataStr, models.Model):
    """Makes the daily reminder idempotent: one mail per person, object and day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "object_id", "day"], name="bti_reminder_once"
            )
        ]


class EnrolCode(NoPersonalDataStr, models.Model):
    """A one-time code e-mailed to the user before the TOTP secret is shown (first set-up
    and any new set-up after a lost device).

    Kept in the database rather than in the session or the cache: the session belongs to
    whoever holds the password, who can throw it away and start over with a fresh counter,
    and the cache is per process without Redis and may evict a key at any time. A row per
    code makes the attempt counter, the lock, the expiry and the one-per-minute limit hold
    across sessions, processes and restarts. Only a keyed hash of the code is stored, and
    of the random session binding; the code itself exists only in the e-mail."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    session_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="bti_enrolcode_user_created")]
        verbose_name = _("engangskode for oppsett")
        verbose_name_plural = _("engangskoder for oppsett")
