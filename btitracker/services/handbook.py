"""Every change to the handbook (handlingsveileder): its steps and its tools. Each service
checks the actor's right again (the views check it first), cleans the texts with
``plans.text`` and writes its ``HandbookChange`` in the same transaction.

A tool's file is read as what its bytes are, never as what its name or the browser says:
a PDF (``%PDF-`` … ``%%EOF``, no JavaScript or launch actions), a Word document (DOCX: a
ZIP with ``[Content_Types].xml`` and ``word/document.xml``, no macros) or an OpenDocument
text (ODT: a ZIP whose first entry ``mimetype`` says so, no macros). ZIPs are checked by
their directory only: at most ``MAX_MEMBERS`` entries and ``MAX_UNPACKED`` bytes unpacked,
so nothing is decompressed beyond two tiny entries. The cap is ``MAX_BYTES`` (5 MB)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from btitracker.models import (
    DocumentKind,
    HandbookChange,
    HandbookLevel,
    HandbookStep,
    HandbookTool,
    ToolKind,
)
from plans.models import Municipality, UnitKind
from plans.text import clean_free_text, normalise_name, require_lengths

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2_000
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Names a PDF uses for code that runs when it is opened (best effort: a name written with
# #xx escapes is not seen; the download is an attachment and never shown inline).
_PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b")


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def _require_writer(actor, municipality: Municipality) -> None:
    if not actor.has_perm("btitracker.change_handbook", municipality):
        raise PermissionDenied


def _single_line(value: str, *, label: str, field: str) -> str:
    cleaned = normalise_name(clean_free_text(value or "", label=label))
    if not cleaned:
        raise ValidationError({field: _("Skriv %(field)s.") % {"field": label.lower()}})
    return cleaned


def _record(
    *,
    municipality: Municipality,
    actor,
    action: str,
    subject: str,
    step: HandbookStep | None = None,
    tool: HandbookTool | None = None,
    fields: list[dict[str, str]] | None = None,
) -> HandbookChange:
    return HandbookChange.objects.create(
        municipality=municipality,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action[:30],
        subject=f"{action}: {subject}"[:300],
        step=step,
        tool=tool,
        fields=fields or [],
    )


def _step_subject(step: HandbookStep) -> str:
    return _("Steg «%(title)s» (%(level)s, %(kind)s)") % {
        "title": step.title,
        "level": _("nivå %(level)s") % {"level": step.level},
        "kind": step.unit_kind_label,
    }


def _step_shown(step: HandbookStep, tool_titles: list[str]) -> dict[str, str]:
    """The step's fields as the history shows them, in the user's words."""
    return {
        str(_("Nivå")): str(step.get_level_display()),
        str(_("Tjeneste")): step.unit_kind_label,
        str(_("Rekkefølge")): str(step.position),
        str(_("Tittel")): step.title,
        str(_("Tekst")): step.text,
        str(_("Verktøy")): ", ".join(sorted(tool_titles)),
    }


def _diff(old: dict[str, str], new: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"field": label, "old": old.get(label, ""), "new": value}
        for label, value in new.items()
        if old.get(label, "") != value
    ]


def _own_tools(municipality: Municipality, tools: Iterable[HandbookTool]) -> list[HandbookTool]:
    chosen = list(tools)
    if any(tool.municipality_id != municipality.pk for tool in chosen):
        raise ValidationError({"tools": _("Velg verktøy fra kommunens egen handlingsveileder.")})
    return chosen


def _clean_step(
    *, level: int, unit_kind: str, position: int, title: str, text: str
) -> dict[str, object]:
    if level not in HandbookLevel.values:
        raise ValidationError({"level": _("Velg et nivå fra 0 til 3.")})
    if unit_kind and unit_kind not in UnitKind.values:
        raise ValidationError({"unit_kind": _("Velg en tjeneste fra listen.")})
    if not 1 <= position <= 999:
        raise ValidationError({"position": _("Rekkefølgen må være et tall fra 1 til 999.")})
    cleaned_title = _single_line(title, label=str(_("Tittel")), field="title")
    cleaned_text = clean_free_text(text or "", label=str(_("Tekst")))
    if not cleaned_text:
        raise ValidationError({"text": _("Skriv hva man gjør i dette steget.")})
    require_lengths(HandbookStep, title=cleaned_title, text=cleaned_text)
    return {
        "level": level,
        "unit_kind": unit_kind or "",
        "position": position,
        "title": cleaned_title,
        "text": cleaned_text,
    }


def handbook_step_create(
    *,
    actor,
    municipality: Municipality,
    level: int,
    unit_kind: str,
    position: int,
    title: str,
    text: str,
    tools: Iterable[HandbookTool] = (),
) -> HandbookStep:
    """A new step of the municipality's handbook, written by its BTI coordinator."""
    _require_writer(actor, municipality)
    values = _clean_step(
        level=level, unit_kind=unit_kind, position=position, title=title, text=text
    )
    chosen = _own_tools(municipality, tools)
    with transaction.atomic():
        step = HandbookStep.objects.create(
            municipality=municipality, updated_by=actor, updated_at=timezone.now(), **values
        )
        step.tools.set(chosen)
        _record(
            municipality=municipality,
            actor=actor,
            action=_("Opprettet"),
            subject=_step_subject(step),
            step=step,
            fields=_diff({}, _step_shown(step, [tool.title for tool in chosen])),
        )
    return step


def handbook_step_update(
    *,
    actor,
    step: HandbookStep,
    level: int,
    unit_kind: str,
    position: int,
    title: str,
    text: str,
    tools: Iterable[HandbookTool] = (),
) -> HandbookStep:
    """Change a step; the history keeps the old and the new text of every changed field.
    Saving without a change writes nothing."""
    municipality = step.municipality
    _require_writer(actor, municipality)
    values = _clean_step(
        level=level, unit_kind=unit_kind, position=position, title=title, text=text
    )
    chosen = _own_tools(municipality, tools)
    with transaction.atomic():
        step = HandbookStep.objects.select_for_update().get(pk=step.pk)
        old = _step_shown(step, list(step.tools.values_list("title", flat=True)))
        for name, value in values.items():
            setattr(step, name, value)
        changes = _diff(old, _step_shown(step, [tool.title for tool in chosen]))
        if not changes:
            return step
        step.updated_by = actor
        step.updated_at = timezone.now()
        step.save()
        step.tools.set(chosen)
        _record(
            municipality=municipality,
            actor=actor,
            action=_("Endret"),
            subject=_step_subject(step),
            step=step,
            fields=changes,
        )
    return step


def handbook_step_delete(*, actor, step: HandbookStep) -> None:
    """Remove a step; its history stays, with the step's last text."""
    municipality = step.municipality
    _require_writer(actor, municipality)
    with transaction.atomic():
        step = HandbookStep.objects.select_for_update().get(pk=step.pk)
        old = _step_shown(step, list(step.tools.values_list("title", flat=True)))
        _record(
            municipality=municipality,
            actor=actor,
            action=_("Slettet"),
            subject=_step_subject(step),
            fields=[{"field": label, "old": value, "new": ""} for label, value in old.items()],
        )
        step.delete()


# --- tools --------------------------------------------------------------------------------


def _zip_kind(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _file_error(
            _("Filen ser ut som et Word- eller ODT-dokument, men er skadet. Lagre den på nytt."),
            "damaged",
        ) from error
    if len(entries) > MAX_MEMBERS or sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        raise _file_error(
            _("Dokumentet pakker seg ut til mer enn %(mb)s MB. Det er ikke tillatt.")
            % {"mb": MAX_UNPACKED // (1024 * 1024)},
            "too_big_unpacked",
        )
    names = {entry.filename for entry in entries}
    lowered = {name.lower() for name in names}

    def small(name: str) -> bytes:
        info = archive.getinfo(name)
        if info.file_size > 64 * 1024:
            raise _file_error(_("Dokumentet er skadet."), "damaged")
        try:
            return archive.read(name)
        except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError) as error:
            raise _file_error(_("Dokumentet er skadet."), "damaged") from error

    if entries and entries[0].filename == "mimetype":
        mimetype = small("mimetype").strip()
        if mimetype != ODT_MIMETYPE:
            raise _file_error(
                _(
                    "Filen er et OpenDocument-dokument av en annen type (%(type)s). "
                    "Bare tekstdokumenter (ODT) er tillatt."
                )
                % {"type": mimetype[:80].decode("ascii", "replace")},
                "odf_kind",
            )
        if "content.xml" not in names:
            raise _file_error(_("ODT-dokumentet mangler innholdet sitt (content.xml)."), "damaged")
        if any(name.startswith(("basic/", "scripts/")) for name in lowered):
            raise _file_error(
                _("Dokumentet inneholder makroer. Lagre det uten makroer og prøv igjen."),
                "macros",
            )
        return DocumentKind.ODT
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        content_types = small("[Content_Types].xml")
        if b"macroEnabled" in content_types or any(
            name.endswith("vbaproject.bin") for name in lowered
        ):
            raise _file_error(
                _("Dokumentet inneholder makroer. Lagre det som vanlig DOCX og prøv igjen."),
                "macros",
            )
        return DocumentKind.DOCX
    raise _file_error(
        _("Filen er et ZIP-arkiv, men ikke et Word-dokument (DOCX) eller et ODT-dokument."),
        "file_type",
    )


def _kind_of(data: bytes) -> str:
    """What the bytes are (never what the name says): PDF, DOCX or ODT, or refused."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise _file_error(
                _("PDF-filen er ufullstendig (slutten mangler). Last opp hele filen."),
                "damaged",
            )
        if _PDF_ACTIVE.search(data):
            raise _file_error(
                _("PDF-filen inneholder skript, handlinger eller vedlegg, som ikke er tillatt."),
                "pdf_active",
            )
        return DocumentKind.PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data)
    raise _file_error(
        _("Filen må være PDF, Word (DOCX) eller OpenDocument-tekst (ODT), uansett hva den heter."),
        "file_type",
    )


def _read_upload(upload) -> bytes:
    if upload is None:
        raise _file_error(_("Velg en fil å laste opp."), "required")
    too_big = _("Filen er for stor: høyst %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _file_error(too_big, "too_big")
    upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _file_error(too_big, "too_big")
    if not data:
        raise _file_error(_("Filen er tom."), "empty")
    return data


def handbook_tool_create(
    *,
    actor,
    municipality: Municipality,
    title: str,
    kind: str,
    description: str,
    upload,
    steps: Iterable[HandbookStep] = (),
) -> HandbookTool:
    """Store an uploaded document (a Django ``UploadedFile``) as a tool of the handbook,
    attached to ``steps``. Refused with a Norwegian message naming what is wrong; nothing
    is stored unless all of it is right."""
    _require_writer(actor, municipality)
    cleaned_title = _single_line(title, label=str(_("Tittel")), field="title")
    cleaned_description = normalise_name(
        clean_free_text(description or "", label=str(_("Beskrivelse")))
    )
    if kind not in ToolKind.values:
        raise ValidationError({"kind": _("Velg hva slags verktøy dette er.")})
    require_lengths(HandbookTool, title=cleaned_title, description=cleaned_description)
    chosen = list(steps)
    if any(step.municipality_id != municipality.pk for step in chosen):
        raise ValidationError({"steps": _("Velg steg fra kommunens egen handlingsveileder.")})
    data = _read_upload(upload)
    content_type = _kind_of(data)
    file_name = normalise_name(str(getattr(upload, "name", "") or "").replace("\\", "/"))
    file_name = file_name.rsplit("/", 1)[-1][:200] or cleaned_title[:200]
    with transaction.atomic():
        tool = HandbookTool.objects.create(
            municipality=municipality,
            title=cleaned_title,
            kind=kind,
            description=cleaned_description,
            data=data,
            content_type=content_type,
            size=len(data),
            file_name=file_name,
            uploaded_by=actor,
        )
        tool.steps.set(chosen)
        _record(
            municipality=municipality,
            actor=actor,
            action=_("Lastet opp"),
            subject=_("Verktøy «%(title)s»") % {"title": tool.title},
            tool=tool,
            fields=[
                {"field": str(_("Type verktøy")), "old": "", "new": str(tool.get_kind_display())},
                {"field": str(_("Fil")), "old": "", "new": f"{file_name} ({tool.extension})"},
                {
                    "field": str(_("Steg")),
                    "old": "",
                    "new": ", ".join(sorted(step.title for step in chosen)),
                },
            ],
        )
    return tool


def handbook_tool_delete(*, actor, tool: HandbookTool) -> None:
    """Remove a tool and its file from every step; the history keeps its name."""
    municipality = tool.municipality
    _require_writer(actor, municipality)
    with transaction.atomic():
        _record(
            municipality=municipality,
            actor=actor,
            action=_("Slettet"),
            subject=_("Verktøy «%(title)s»") % {"title": tool.title},
            fields=[{"field": str(_("Fil")), "old": tool.file_name, "new": ""}],
        )
        HandbookTool.objects.filter(pk=tool.pk).delete()
