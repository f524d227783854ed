"""The municipality's BTI handbook (handlingsveileder): what to do at each level (0–3), for
every service or for one kind of unit, step by step, with the tools (a conversation
guide, an observation form, a consent form …) attached as documents to download.

The handbook describes the municipality's routines and holds nothing about a child, so
every member of the municipality reads it. The BTI coordinator writes it; every change is
a ``HandbookChange`` (the plans' history shape) written by ``btitracker.services.handbook``.

A tool's bytes are kept in the database (capped, see the service), as the report's logo
is: a database backup is then a backup of the handbook, and no file store has to be kept
in step with the rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from btitracker.querysets import (
    HandbookChangeQuerySet,
    HandbookStepQuerySet,
    HandbookToolQuerySet,
)
from plans.models import ChangeRecord, Municipality, UnitKind
from plans.text_limits import TEXT, bounded_text, text_length_checks

STEP_TITLE_MAX = 200
TOOL_TITLE_MAX = 200
TOOL_DESCRIPTION_MAX = 500
FILE_NAME_MAX = 200


class HandbookLevel(models.IntegerChoices):
    CONCERN = 0, _("Nivå 0 – undring og bekymring")
    OWN_SERVICE = 1, _("Nivå 1 – tiltak i egen tjeneste, sammen med foresatte")
    TOGETHER = 2, _("Nivå 2 – samarbeid med andre tjenester")
    COORDINATED = 3, _("Nivå 3 – bred og koordinert innsats")


class ToolKind(models.TextChoices):
    CONVERSATION_GUIDE = "samtaleguide", _("Samtaleguide")
    OBSERVATION_FORM = "observasjonsskjema", _("Observasjonsskjema")
    CONSENT_FORM = "samtykkeskjema", _("Samtykkeskjema")
    OTHER = "annet", _("Annet verktøy")


class DocumentKind(models.TextChoices):
    """What a tool's bytes are, decided from the bytes themselves (never the file name)."""

    PDF = "application/pdf", "PDF"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
    ODT = "application/vnd.oasis.opendocument.text", "ODT"


EXTENSIONS: dict[str, str] = {
    DocumentKind.PDF: "pdf",
    DocumentKind.DOCX: "docx",
    DocumentKind.ODT: "odt",
}


class HandbookTool(models.Model):
    """A document staff download and use: it may belong to several steps."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    title = models.CharField(_("tittel"), max_length=TOOL_TITLE_MAX)
    kind = models.CharField(
        _("type verktøy"), max_length=20, choices=ToolKind.choices, default=ToolKind.OTHER
    )
    description = models.CharField(_("beskrivelse"), max_length=TOOL_DESCRIPTION_MAX, blank=True)
    data = models.BinaryField(_("fil"))
    content_type = models.CharField(_("filtype"), max_length=80, choices=DocumentKind.choices)
    size = models.PositiveIntegerField(_("størrelse (byte)"))
    # The name the file had when uploaded, cleaned; the download is named from the title.
    file_name = models.CharField(_("filnavn"), max_length=FILE_NAME_MAX)
    uploaded_at = models.DateTimeField(_("lastet opp"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lastet opp av"),
    )

    objects = HandbookToolQuerySet.as_manager()

    class Meta:
        verbose_name = _("verktøy i handlingsveilederen")
        verbose_name_plural = _("verktøy i handlingsveilederen")
        ordering = ["title", "pk"]
        # The list pages never read the bytes: ``defer("data")`` in the selector.

    def __str__(self) -> str:
        return self.title

    @property
    def extension(self) -> str:
        return EXTENSIONS.get(self.content_type, "bin")


class HandbookStep(models.Model):
    """One step of the handbook: a level, a kind of unit (empty: every service), its place
    in the order, a title and a plain text (paragraphs and simple lists, never HTML)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="+", verbose_name=_("kommune")
    )
    level = models.PositiveSmallIntegerField(_("nivå"), choices=HandbookLevel.choices)
    unit_kind = models.CharField(
        _("tjeneste"),
        max_length=20,
        choices=UnitKind.choices,
        blank=True,
        help_text=_("Tom: gjelder alle tjenester."),
    )
    position = models.PositiveSmallIntegerField(_("rekkefølge"), default=1)
    title = models.CharField(_("tittel"), max_length=STEP_TITLE_MAX)
    text = bounded_text(_("tekst"), max_length=TEXT)
    tools = models.ManyToManyField(
        HandbookTool, blank=True, related_name="steps", verbose_name=_("verktøy")
    )
    updated_at = models.DateTimeField(_("endret"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("endret av"),
    )

    objects = HandbookStepQuerySet.as_manager()

    class Meta:
        verbose_name = _("steg i handlingsveilederen")
        verbose_name_plural = _("steg i handlingsveilederen")
        ordering = ["level", "unit_kind", "position", "pk"]
        constraints = [
            *text_length_checks(text=TEXT),
            models.CheckConstraint(
                condition=models.Q(level__gte=0, level__lte=3), name="handbook_step_level_0_3"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def unit_kind_label(self) -> str:
        return str(self.get_unit_kind_display()) if self.unit_kind else str(_("Alle tjenester"))


class HandbookChange(ChangeRecord):
    """What changed in the handbook, by whom and when (``plans/_history.html`` shows it).
    The step or tool may since have been deleted: ``subject`` keeps its name."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("kommune")
    )
    step = models.ForeignKey(
        HandbookStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("steg"),
    )
    tool = models.ForeignKey(
        HandbookTool,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("verktøy"),
    )

    objects = HandbookChangeQuerySet.as_manager()

    class Meta(ChangeRecord.Meta):
        verbose_name = _("endring i handlingsveilederen")
        verbose_name_plural = _("endringer i handlingsveilederen")
