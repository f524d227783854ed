"""Competence needs from a survey (such as KOSIP), imported from a CSV file.

One path for every source: ``needs_file_parse`` reads and validates the whole file and
returns the rows or every problem it found; ``need_survey_import`` writes a survey and its
needs in one transaction. Nothing is written unless every row is valid.

The file has a header row and these columns (any order, extra columns are ignored):

``enhetstype``   a unit kind, as its code (``barnehage``) or its label (``Skole``)
``tema``         the theme; themes the municipality does not have yet are created
``andel``        the share reporting the need, 0–100, decimal comma or point, optional ``%``
``antall_svar``  optional: how many answered

The separator is ``;`` or ``,`` (read from the header row); the text is UTF-8, with or
without a byte order mark, or Windows-1252 as saved by older spreadsheets.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from competence.models import CompetenceNeed, NeedSurvey, Theme
from plans.models import Municipality, UnitKind

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ("enhetstype", "tema", "andel", "antall_svar")
REQUIRED_COLUMNS = ("enhetstype", "tema", "andel")
# A spreadsheet runs a cell starting with these as a formula; a theme never needs them.
FORMULA_PREFIXES = ("=", "+", "@")
THEME_MAX_LENGTH: int = Theme._meta.get_field("name").max_length or 120
SURVEY_NAME_MAX_LENGTH: int = NeedSurvey._meta.get_field("name").max_length or 200
# Control characters a text file may hold; any other is a sign of a binary file.
TEXT_CONTROLS = {"\t", "\n", "\r", "\f"}


@dataclass(frozen=True)
class NeedRow:
    """One valid row: the share has one decimal, the theme is trimmed."""

    line: int
    unit_kind: str
    theme: str
    share: Decimal
    respondents: int | None

    @property
    def unit_kind_label(self) -> str:
        return str(UnitKind(self.unit_kind).label)

    def as_list(self) -> list:
        return [
            self.line,
            self.unit_kind,
            self.theme,
            str(self.share),
            self.respondents,
        ]

    @classmethod
    def from_list(cls, values: Sequence) -> NeedRow:
        line, unit_kind, theme, share, respondents = values
        return cls(int(line), str(unit_kind), str(theme), Decimal(share), respondents)


@dataclass(frozen=True)
class ImportProblem:
    """What is wrong, where: ``line`` is None for the file as a whole."""

    reason: str
    line: int | None = None
    column: str = ""
    value: str = ""

    def __str__(self) -> str:
        if self.line is None:
            return self.reason
        if self.column:
            return _("Linje %(line)d, kolonne «%(column)s» («%(value)s»): %(reason)s") % {
                "line": self.line,
                "column": self.column,
                "value": self.value,
                "reason": self.reason,
            }
        return _("Linje %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass(frozen=True)
class ParsedNeeds:
    rows: list[NeedRow]
    problems: list[ImportProblem]

    @property
    def is_valid(self) -> bool:
        return not self.problems and bool(self.rows)


def _file_problem(reason: str, line: int | None = None) -> ParsedNeeds:
    return ParsedNeeds(rows=[], problems=[ImportProblem(reason=reason, line=line)])


def _decode(content: bytes) -> str | None:
    """The file's text, or None when it is not text: UTF-8 (a byte order mark is dropped)
    first, then Windows-1252. NUL bytes or control characters mean a binary file."""
    if b"\x00" in content:
        return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if any(unicodedata.category(char) == "Cc" and char not in TEXT_CONTROLS for char in text):
            return None
        return text
    return None


def _unit_kinds() -> dict[str, str]:
    """Every accepted spelling, casefolded, to its code: the code, the bokmål label and the
    label in the active language."""
    accepted = {}
    for code, label in UnitKind.choices:
        accepted[code.casefold()] = code
        accepted[str(label).casefold()] = code
        with translation.override("nb"):
            accepted[str(UnitKind(code).label).casefold()] = code
    return accepted


def _share(text: str) -> Decimal:
    """ "42,5 %" → 42.5; raises ValueError for anything that is not a number 0–100."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").removesuffix("%").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _respondents(text: str) -> int | None:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def _header(cells: Iterable[str]) -> list[str]:
    return ["_".join(cell.strip().casefold().split()) for cell in cells]


def _delimiter(first_line: str) -> str:
    return ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","


def needs_file_parse(*, content: bytes) -> ParsedNeeds:
    """Read a needs file and check every row. Returns the valid rows when there is no
    problem at all, else every problem found (with line numbers) and no rows."""
    if len(content) > MAX_BYTES:
        return _file_problem(
            _("Filen er større enn 2 MB. Del den opp i mindre filer og importer dem hver for seg.")
        )
    text = _decode(content)
    if text is None:
        return _file_problem(
            _(
                "Filen kan ikke leses som tekst. Lagre den som CSV (UTF-8) fra regnearket og "
                "prøv igjen."
            )
        )
    if not text.strip():
        return _file_problem(_("Filen er tom."))
    first_line = text.lstrip("\r\n").splitlines()[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header: list[str] | None = None
    header_line = 0
    problems: list[ImportProblem] = []
    rows: list[NeedRow] = []
    seen: dict[tuple[str, str], int] = {}
    kinds = _unit_kinds()
    data_rows = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            line = reader.line_num
            if header is None:
                header, header_line = _header(cells), line
                missing = [column for column in REQUIRED_COLUMNS if column not in header]
                if missing:
                    return _file_problem(
                        _(
                            "Overskriftsraden mangler kolonnen %(missing)s. Filen må ha "
                            "kolonnene %(required)s, og kan ha %(optional)s."
                        )
                        % {
                            "missing": ", ".join(f"«{column}»" for column in missing),
                            "required": ", ".join(f"«{column}»" for column in REQUIRED_COLUMNS),
                            "optional": "«antall_svar»",
                        },
                        line=line,
                    )
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                return _file_problem(
                    _(
                        "Filen har flere enn %(max)s datarader. Del den opp i mindre filer og "
                        "importer dem hver for seg."
                    )
                    % {"max": f"{MAX_ROWS:,}".replace(",", "\u00a0")},
                    line=line,
                )
            row, row_problems, key = _parse_row(dict(zip(header, cells, strict=False)), line, kinds)
            if key is not None:
                if key in seen:
                    row_problems.append(
                        ImportProblem(
                            reason=_(
                                "Enhetstype og tema står allerede på linje %(first)d. Hver "
                                "kombinasjon kan bare stå én gang."
                            )
                            % {"first": seen[key]},
                            line=line,
                        )
                    )
                else:
                    seen[key] = line
            problems.extend(row_problems)
            if row is not None and not row_problems:
                rows.append(row)
    except csv.Error:
        return _file_problem(
            _("Linje %(line)d kan ikke leses som CSV (sjekk anførselstegnene).")
            % {"line": reader.line_num}
        )
    if header is None:
        return _file_problem(_("Filen er tom."))
    if data_rows == 0:
        return _file_problem(
            _("Filen har bare overskriftsraden og ingen rader med behov."), line=header_line
        )
    if problems:
        return ParsedNeeds(rows=[], problems=problems)
    return ParsedNeeds(rows=rows, problems=[])


def _parse_row(
    row: dict[str, str], line: int, kinds: dict[str, str]
) -> tuple[NeedRow | None, list[ImportProblem], tuple[str, str] | None]:
    """The row if it is valid, its problems, and its (kind, theme) key when those two are
    valid, so a duplicate is caught even on a row with a bad share."""
    problems: list[ImportProblem] = []

    def problem(column: str, value: str, reason: str) -> None:
        problems.append(ImportProblem(reason=reason, line=line, column=column, value=value))

    kind_text = (row.get("enhetstype") or "").strip()
    unit_kind = kinds.get(kind_text.casefold())
    if not kind_text:
        problem("enhetstype", kind_text, _("Enhetstypen mangler."))
    elif unit_kind is None:
        problem(
            "enhetstype",
            kind_text,
            _("Ukjent enhetstype. Gyldige verdier: %(codes)s.")
            % {"codes": ", ".join(UnitKind.values)},
        )

    theme = " ".join((row.get("tema") or "").split())
    if not theme:
        problem("tema", theme, _("Temaet mangler."))
    elif theme.startswith(FORMULA_PREFIXES) or theme.startswith(
        tuple("'" + prefix for prefix in FORMULA_PREFIXES)
    ):
        problem(
            "tema",
            theme,
            _(
                "Temaet ser ut som en regnearkformel (begynner med =, + eller @). Skriv "
                "temaet som vanlig tekst."
            ),
        )
    elif len(theme) > THEME_MAX_LENGTH:
        problem(
            "tema",
            theme,
            _("Temaet kan ha høyst %(max)d tegn.") % {"max": THEME_MAX_LENGTH},
        )

    share_text = (row.get("andel") or "").strip()
    share = None
    if not share_text:
        problem("andel", share_text, _("Andelen mangler."))
    else:
        try:
            share = _share(share_text)
        except ValueError:
            problem(
                "andel",
                share_text,
                _("Andelen må være et tall mellom 0 og 100, for eksempel 42,5."),
            )
        else:
            if not Decimal(0) <= share <= Decimal(100):
                problem("andel", share_text, _("Andelen må være mellom 0 og 100 prosent."))
                share = None

    respondents_text = (row.get("antall_svar") or "").strip()
    respondents = None
    try:
        respondents = _respondents(respondents_text)
    except ValueError:
        problem(
            "antall_svar",
            respondents_text,
            _("Antall svar må være et helt tall (0 eller mer), eller stå tomt."),
        )

    theme_ok = bool(theme) and not any(problem.column == "tema" for problem in problems)
    key = (unit_kind, theme.casefold()) if unit_kind is not None and theme_ok else None
    if problems or unit_kind is None or share is None:
        return None, problems, key
    return NeedRow(line, unit_kind, theme, share, respondents), problems, key


@transaction.atomic
def need_survey_import(
    *,
    municipality: Municipality,
    name: str,
    conducted_on,
    school_year: int,
    rows: Sequence[NeedRow],
    actor,
) -> NeedSurvey:
    """Write one survey round and its needs, creating the themes the municipality lacks.
    Raises ValidationError and writes nothing when the name is taken or a row is bad."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Kartleggingen må ha et navn."))
    if not rows:
        raise ValidationError(_("Det er ingen behov å importere."))
    if NeedSurvey.objects.filter(municipality=municipality, name__iexact=name).exists():
        raise ValidationError(
            _("Kommunen har allerede en kartlegging som heter «%(name)s». Velg et annet navn.")
            % {"name": name}
        )
    seen: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.unit_kind, row.theme.casefold())
        if (
            key in seen
            or row.unit_kind not in UnitKind.values
            or not Decimal(0) <= row.share <= Decimal(100)
            or not row.theme
            or len(row.theme) > THEME_MAX_LENGTH
            or row.theme.startswith(FORMULA_PREFIXES)
        ):
            raise ValidationError(_("Linje %(line)d er ikke gyldig.") % {"line": row.line})
        seen.add(key)

    themes = {
        theme.name.casefold(): theme for theme in Theme.objects.filter(municipality=municipality)
    }
    for row in rows:
        if row.theme.casefold() not in themes:
            themes[row.theme.casefold()] = Theme.objects.create(
                municipality=municipality, name=row.theme
            )
    survey = NeedSurvey(
        municipality=municipality,
        name=name,
        conducted_on=conducted_on,
        school_year=school_year,
        created_by=actor,
    )
    survey.full_clean()
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError as error:
        # Another import took the name between the check above and this insert.
        raise ValidationError(
            _("Kommunen har allerede en kartlegging som heter «%(name)s». Velg et annet navn.")
            % {"name": name}
        ) from error
    CompetenceNeed.objects.bulk_create(
        CompetenceNeed(
            survey=survey,
            unit_kind=row.unit_kind,
            theme=themes[row.theme.casefold()],
            share=row.share,
            respondents=row.respondents,
        )
        for row in rows
    )
    return survey


@transaction.atomic
def need_survey_delete(*, survey: NeedSurvey) -> None:
    """Delete a survey and its needs (the rows cascade); the themes stay."""
    survey.delete()
