"""Tellinger: public statistics (sources, indicators, places, observations) imported from
the files SSB, Udir, FHI, Ungdata and Kommunebarometeret publish, and what a municipality
adds to them (targets, commentary, saved column mappings).

Observations are public figures stored once per installation. A municipality's import
writes only its own places' figures and, from a publisher's own file, the shared figures
of the country, counties and KOSTRA groups (``indicators.selectors.tenancy``). An
indicator is either installation-wide (``municipality`` empty: the catalogue an
installation administrator keeps) or belongs to the municipality whose import created it.
Targets, commentary and saved mappings belong to one municipality."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.querysets import (
    CommentaryQuerySet,
    ImportBatchQuerySet,
    ImportMappingQuerySet,
    IndicatorQuerySet,
    ObservationQuerySet,
    PlaceQuerySet,
    SourceQuerySet,
    TargetQuerySet,
)
from plans.models import CoreComponent, DevelopmentArea, Municipality, ServiceField, Unit
from plans.models.history import ChangeRecord
from plans.text_limits import TEXT, bounded_text, text_length_checks


class Source(models.Model):
    """A publisher of statistics: SSB/KOSTRA, Udir, FHI, Ungdata, Kommunebarometeret, or a
    local survey."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=120)
    url = models.URLField(_("nettside"), blank=True)
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)

    objects = SourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("kilde")
        verbose_name_plural = _("kilder")
        ordering = ["name"]
        constraints = [*text_length_checks(description=TEXT)]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A measured figure from a source. Installation-wide when ``municipality`` is empty
    (its settings are changed by installation administrators only); otherwise it belongs
    to that municipality, which alone sees it and changes its settings."""

    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("kilde")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("kommune"),
        help_text=_("Tom: felles for hele installasjonen, endres bare av administrator."),
    )
    code = models.CharField(_("kode"), max_length=120)
    name = models.CharField(_("navn"), max_length=300)
    unit_of_measure = models.CharField(
        _("måleenhet"),
        max_length=40,
        blank=True,
        help_text=_("For eksempel «prosent» eller «poeng»."),
    )
    decimals = models.PositiveSmallIntegerField(_("desimaler"), default=1)
    higher_is_better = models.BooleanField(
        _("høyere er bedre"),
        null=True,
        blank=True,
        help_text=_("Tomt: verken høyere eller lavere er i seg selv bedre."),
    )
    service_field = models.CharField(
        _("tjenesteområde"), max_length=20, choices=ServiceField.choices, blank=True
    )
    description = bounded_text(_("beskrivelse"), blank=True, max_length=TEXT)
    areas = models.ManyToManyField(
        DevelopmentArea, blank=True, related_name="indicators", verbose_name=_("utviklingsområder")
    )
    components = models.ManyToManyField(
        CoreComponent, blank=True, related_name="indicators", verbose_name=_("kjernekomponenter")
    )
    published = models.BooleanField(
        _("publisert"), default=True, help_text=_("Publiserte indikatorer vises i det åpne API-et.")
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["source__name", "name"]
        # One installation-wide indicator per code, and one per code for each municipality
        # (partial indexes: both databases treat them alike, unlike a nullable column).
        constraints = [
            *text_length_checks(description=TEXT),
            models.UniqueConstraint(
                fields=["source", "code"],
                condition=models.Q(municipality__isnull=True),
                name="indicator_unique_code",
            ),
            models.UniqueConstraint(
                fields=["source", "municipality", "code"],
                condition=models.Q(municipality__isnull=False),
                name="indicator_unique_code_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceLevel(models.TextChoices):
    COUNTRY = "land", _("Land")
    COUNTY = "fylke", _("Fylke")
    MUNICIPALITY = "kommune", _("Kommune")
    UNIT = "enhet", _("Enhet")
    KOSTRA_GROUP = "kostragruppe", _("KOSTRA-gruppe")


class Place(models.Model):
    """A place statistics are given for. A municipality's number changes with reforms
    (2020, 2024): each code is its own place with the years it was valid, and
    ``successor`` points to the place that continues its series."""

    level = models.CharField(_("nivå"), max_length=15, choices=PlaceLevel.choices)
    code = models.CharField(_("kode"), max_length=40)
    name = models.CharField(_("navn"), max_length=200)
    valid_from = models.PositiveSmallIntegerField(_("gyldig fra år"), null=True, blank=True)
    valid_to = models.PositiveSmallIntegerField(_("gyldig til år"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        verbose_name=_("videreføres av"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("ligger i"),
    )
    # A unit-level place may be one of the portal's own units.
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        verbose_name=_("enhet i portalen"),
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("sted")
        verbose_name_plural = _("steder")
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="place_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.level != PlaceLevel.COUNTRY else self.name


class ObservationStatus(models.TextChoices):
    VALUE = "verdi", _("Verdi")
    MISSING = "mangler", _("Mangler")
    NOT_COMPUTABLE = "ikke_beregnet", _("Kan ikke beregnes")
    SUPPRESSED = "skjult", _("Skjult av personvernhensyn")


class ImportStatus(models.TextChoices):
    QUEUED = "i_ko", _("I kø")
    RUNNING = "pagar", _("Pågår")
    PREVIEW = "forhandsvisning", _("Klar til gjennomgang")
    COMMITTED = "lagret", _("Lagret")
    FAILED = "feilet", _("Feilet")
    ROLLED_BACK = "tilbakestilt", _("Tilbakestilt")
    DISCARDED = "forkastet", _("Forkastet")


class ImportBatch(models.Model):
    """One uploaded file on its way in: parsed (possibly by a Celery task, with progress),
    previewed, committed in one transaction, and possibly rolled back."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="indicator_imports",
        verbose_name=_("lastet opp av"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_imports",
        verbose_name=_("kommune"),
    )
    file_name = models.CharField(_("filnavn"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("filstørrelse"), default=0)
    sha256 = models.CharField(_("sjekksum"), max_length=64, db_index=True)
    stored_file = models.FileField(_("fil"), upload_to="indicator-imports/", blank=True)
    detected_format = models.CharField(_("format"), max_length=40, blank=True)
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("kilde"),
    )
    mapping = models.ForeignKey(
        "ImportMapping",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("kolonneoppsett"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    stage = models.CharField(_("steg"), max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(_("fremdrift (%)"), default=0)
    error = models.TextField(_("feilmelding"), blank=True)
    # Counts from the preview and, after commit, what was written.
    rows_total = models.PositiveIntegerField(_("rader"), default=0)
    rows_new = models.PositiveIntegerField(_("nye"), default=0)
    rows_changed = models.PositiveIntegerField(_("endrede"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("uendrede"), default=0)
    rows_rejected = models.PositiveIntegerField(_("avviste"), default=0)
    # Rows a municipality's import leaves out: other municipalities' places, and shared
    # figures from a file that is not the publisher's own. [{"reason", "count", "lines"}]
    rows_skipped = models.PositiveIntegerField(_("utelatte"), default=0)
    skipped = models.JSONField(_("utelatte rader"), default=list, blank=True)
    problems = models.JSONField(_("feil"), default=list, blank=True)
    # What the data admin judges the file by, gathered in the same pass as the counts
    # (``indicators.services.preview``): a sample of rows, the indicators the file holds,
    # how many rows are the municipality's own, the first changed cells (old → new), and
    # the development areas chosen for new indicators, linked when the batch is committed.
    preview = models.JSONField(_("forhåndsvisning"), default=dict, blank=True)
    created_at = models.DateTimeField(_("lastet opp"), auto_now_add=True)
    committed_at = models.DateTimeField(_("lagret"), null=True, blank=True)
    rolled_back_at = models.DateTimeField(_("tilbakestilt"), null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d.%m.%Y %H:%M})"


class Observation(models.Model):
    # The three foreign keys are kept by the application, not by the database: every
    # observation is written by ``indicators.services.bulk`` with ids it has just read or
    # created in the same transaction, and deletes go through the ORM, which cascades and
    # protects as declared. A database foreign key costs a trigger and a lookup per row,
    # which halved the speed of a national import (docs/indicators_performance.md).
    # ``indicators.checks`` reports any orphan (`manage.py check`).
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="observations",
        verbose_name=_("indikator"),
        db_constraint=False,
        # The unique constraint's index starts with the indicator and serves its lookups.
        db_index=False,
    )
    place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("sted"),
        db_constraint=False,
        # Every read starts from an indicator (the unique index); only deleting a place
        # looks observations up by place alone, and that is rare enough to scan.
        db_index=False,
    )
    period_label = models.CharField(_("periode"), max_length=20)
    period_start = models.DateField(_("periodestart"))
    period_end = models.DateField(_("periodeslutt"))
    # "" for the whole group; otherwise a stable text such as "kjønn=Jenter|trinn=10".
    subgroup = models.CharField(_("undergruppe"), max_length=200, blank=True, default="")
    # FHI's API gives up to 13 decimals; they are stored as given and rounded for display.
    value = models.DecimalField(_("verdi"), max_digits=28, decimal_places=14, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=15,
        choices=ObservationStatus.choices,
        default=ObservationStatus.VALUE,
    )
    symbol = models.CharField(
        _("symbol i kilden"),
        max_length=10,
        blank=True,
        help_text=_("For eksempel «.», «..», «:» eller «*»."),
    )
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.PROTECT,
        related_name="observations",
        verbose_name=_("import"),
        db_constraint=False,
    )
    # What the row was before this batch changed it, so a rollback can restore it.
    previous = models.JSONField(_("forrige verdi"), null=True, blank=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("måling")
        verbose_name_plural = _("målinger")
        ordering = ["indicator", "place", "period_start", "subgroup"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "place", "period_label", "subgroup"],
                name="one_observation_per_cell",
            ),
            models.CheckConstraint(
                condition=models.Q(status="verdi", value__isnull=False)
                | (~models.Q(status="verdi") & models.Q(value__isnull=True)),
                name="value_only_with_value_status",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="period_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.place} {self.period_label}"


class TargetKind(models.TextChoices):
    ABSOLUTE = "absolute", _("Fast verdi")
    BASELINE = "baseline", _("Endring fra kommunens eget utgangspunkt")
    COMPARISON = "comparison", _("Bedre enn et sammenligningssted")


class TargetAdoption(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrativt mål")
    COUNCIL = "council", _("Vedtatt i kommunestyret")


# The places a target may be measured against: shared figures, never another municipality.
COMPARISON_LEVELS = (PlaceLevel.COUNTRY, PlaceLevel.COUNTY, PlaceLevel.KOSTRA_GROUP)


class Target(models.Model):
    """What a municipality (or one of its units) aims at for an indicator by a horizon
    year (``year``), with intermediate years (``milestones``). A target is a fixed value
    (``ABSOLUTE``), an improvement on the municipality's own figure in a baseline year
    (``BASELINE``: ``change`` in the indicator's unit, the direction from
    ``higher_is_better``), or a margin better than a comparison place (``COMPARISON``).
    Its value for a year is read through ``indicators.targets``, never from the fields.
    It is either adopted by the council (case number and date) or the administration's own."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indikator")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="indicator_targets",
        verbose_name=_("kommune"),
    )
    unit = models.ForeignKey(
        Unit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_targets",
        verbose_name=_("enhet"),
    )
    year = models.PositiveSmallIntegerField(_("målår"))
    subgroup = models.CharField(_("undergruppe"), max_length=200, blank=True, default="")
    kind = models.CharField(
        _("type mål"), max_length=20, choices=TargetKind.choices, default=TargetKind.ABSOLUTE
    )
    value = models.DecimalField(
        _("målverdi"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(_("utgangsår"), null=True, blank=True)
    change = models.DecimalField(
        _("forbedring fra utgangspunktet"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    comparison_place = models.ForeignKey(
        Place,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level__in": COMPARISON_LEVELS},
        verbose_name=_("sammenlignet med"),
    )
    margin = models.DecimalField(
        _("margin"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    adoption = models.CharField(
        _("vedtak"),
        max_length=20,
        choices=TargetAdoption.choices,
        default=TargetAdoption.ADMINISTRATIVE,
    )
    council_case = models.CharField(_("saksnummer"), max_length=40, blank=True, default="")
    adopted_on = models.DateField(_("vedtatt dato"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("målverdi")
        verbose_name_plural = _("målverdier")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "unit", "year", "subgroup"],
                name="one_target_per_year",
                nulls_distinct=False,
            ),
            # Each kind carries what it is computed from; the resolver never guesses.
            models.CheckConstraint(
                condition=~models.Q(kind="absolute") | models.Q(value__isnull=False),
                name="target_absolute_has_value",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="baseline")
                | models.Q(baseline_year__isnull=False, change__isnull=False),
                name="target_baseline_has_year_and_change",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="comparison")
                | models.Q(comparison_place__isnull=False, margin__isnull=False),
                name="target_comparison_has_place_and_margin",
            ),
            models.CheckConstraint(
                condition=~models.Q(adoption="council")
                | (models.Q(adopted_on__isnull=False) & ~models.Q(council_case="")),
                name="target_council_has_case_and_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"

    @property
    def adopted(self) -> bool:
        return self.adoption == TargetAdoption.COUNCIL

    def clean(self) -> None:
        unit = self.unit if self.unit_id else None
        if (
            unit is not None
            and self.municipality_id
            and unit.municipality_id != self.municipality_id
        ):
            raise ValidationError({"unit": _("Enheten hører til en annen kommune.")})


class TargetMilestone(models.Model):
    """An intermediate year on the way to a target's horizon, with its own amount, read as
    the target's kind reads it: a value (absolute), a change from the baseline, or a
    margin to the comparison place. Milestones are typed, not drawn as a straight line:
    the council adopts figures for named years, and an interpolated value would be one
    nobody decided."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("mål")
    )
    year = models.PositiveSmallIntegerField(_("år"))
    amount = models.DecimalField(_("verdi"), max_digits=16, decimal_places=4)

    class Meta:
        verbose_name = _("delmål")
        verbose_name_plural = _("delmål")
        ordering = ["target", "year"]
        constraints = [
            models.UniqueConstraint(fields=["target", "year"], name="one_milestone_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.target} – {self.year}: {self.amount}"


class TargetChange(ChangeRecord):
    """The history of a municipality's targets for an indicator: who changed what, and
    under which adoption."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="target_changes",
        verbose_name=_("indikator"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="indicator_target_changes",
        verbose_name=_("kommune"),
    )

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring av mål")
        verbose_name_plural = _("endringer av mål")


class Commentary(models.Model):
    """The sector leader's reading of an indicator for the municipality."""

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="commentaries",
        verbose_name=_("indikator"),
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="indicator_commentaries",
        verbose_name=_("kommune"),
    )
    text = bounded_text(_("kommentar"), max_length=TEXT)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("skrevet av"),
    )
    updated_at = models.DateTimeField(_("endret"), auto_now=True)

    objects = CommentaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        constraints = [
            *text_length_checks(text=TEXT),
            models.UniqueConstraint(
                fields=["indicator", "municipality"], name="one_commentary_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ({self.municipality})"


class ImportMapping(models.Model):
    """A data admin's answer to «which column is what» for a layout the importer does not
    recognise, saved under the file's header signature for next time."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="import_mappings",
        verbose_name=_("kommune"),
    )
    name = models.CharField(_("navn"), max_length=120)
    header_signature = models.CharField(_("kolonnesignatur"), max_length=64, db_index=True)
    columns = models.JSONField(
        _("kolonner"),
        help_text=_("Hvilken kolonne som er sted, periode, undergruppe og verdi."),
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, verbose_name=_("kilde"))
    indicator_code = models.CharField(_("indikatorkode"), max_length=120)
    indicator_name = models.CharField(_("indikatornavn"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("laget av"),
    )
    created_at = models.DateTimeField(_("laget"), auto_now_add=True)

    objects = ImportMappingQuerySet.as_manager()

    class Meta:
        verbose_name = _("kolonneoppsett")
        verbose_name_plural = _("kolonneoppsett")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


DECIMAL_ZERO = Decimal(0)
