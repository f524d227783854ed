"""Files whose layout no parser recognises: the data admin says which column is what
(the mapping step), and the answer is saved under the header's signature so the next
file with the same columns is read the same way.

``columns`` maps roles to header names as the file writes them:

- ``place_code`` (required): codes (``3801``, ``301``, ``EKG13``, an organisation number),
  SSB's code-and-name cells (``3801 Horten``), or names only (``Porsgrunn``, read as in
  ``fhi_api``);
- ``place_name``; ``place_level`` (a column with land/fylke/kommune/enhet/kostragruppe),
  or ``fixed_place_level`` (one level for every row; a ``place_level`` that is a level
  word rather than a header is taken as fixed too); without either the level is guessed
  from the code;
- ``period`` (required): years, school years (``2020-21``), spans (``2019-2021``);
- ``value`` (required): numbers with decimal comma or point, and the status symbols;
- ``subgroup``: a list of columns, each becomes ``<header in lower case>=<cell>``;
- ``status``: verdi/mangler/ikke_beregnet/skjult or a symbol.

The header row is the first row with at least two filled cells (so SSB's title line and
Udir's ``sep=`` line are passed over); CSV/TSV in any encoding ``decode`` reads, or the
first sheet of an XLSX workbook."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from indicators.parsing.base import (
    COUNTRY,
    COUNTY,
    VALUE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    subgroup_text,
)
from indicators.parsing.cellvalues import (
    COUNTRY_NAME,
    COUNTY_NAMES_BY_CODE,
    LEVEL_WORDS,
    CellError,
    apply_status,
    delimiter_of,
    guess_level,
    header_key,
    level_from_text,
    normalise_place_code,
    parse_cell,
    parse_period,
    place_from_name,
    read_rows,
    require_rows,
    row_problem,
)
from indicators.parsing.text import decode

NAME = "mapped"
LABEL = "Eget kolonneoppsett"
REQUIRED_ROLES = {"place_code": "stedskode", "period": "periode", "value": "verdi"}
ROLE_NAMES = {
    **REQUIRED_ROLES,
    "place_name": "stedsnavn",
    "place_level": "stedsnivå",
    "subgroup": "undergruppe",
    "status": "status",
}

# An XLSX is a zip of XML; refuse archives that would unpack to something enormous.
XLSX_MAX_UNPACKED = 200 * 1024 * 1024
XLSX_MAX_RATIO = 200

_CODE_AND_NAME = re.compile(r"(\d{1,9}|[A-Za-z]{1,4}\d{1,3})\s+(\S.*)")

Table = list[tuple[int, list[str]]]


def headers(content: bytes, filename: str) -> list[str]:
    """The header row's cells as the file writes them (trailing blanks dropped), for the
    mapping form."""
    _line, header = _header(_table(content, filename))
    return header


def header_signature(content: bytes, filename: str) -> str:
    """sha256 of the normalised header row: the same columns in the same order give the
    same signature whatever the case, spacing, BOM, delimiter, encoding or file type."""
    names = [header_key(cell) for cell in headers(content, filename)]
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()


def parse_with_mapping(
    content: bytes,
    filename: str,
    *,
    columns: dict,
    source_code: str,
    indicator_code: str,
    indicator_name: str,
) -> ParseResult:
    indicator_code, indicator_name = indicator_code.strip(), indicator_name.strip()
    if not indicator_code or len(indicator_code) > 120:
        raise FatalImportError(_("Indikatorkoden må ha 1–120 tegn."))
    if not indicator_name or len(indicator_name) > 300:
        raise FatalImportError(_("Indikatornavnet må ha 1–300 tegn."))
    table = _table(content, filename)
    text_table = not _is_xlsx(content, filename)
    header_line, header = _header(table)
    positions = {header_key(cell): position for position, cell in enumerate(header)}

    def column(role: str, name: str | None = None) -> int | None:
        name = columns.get(role) if name is None else name
        return find(role, name) if name else None

    def required(role: str) -> int:
        name = columns.get(role)
        if not name:
            raise FatalImportError(
                _("Velg hvilken kolonne som er %(role)s.") % {"role": REQUIRED_ROLES[role]}
            )
        return find(role, name)

    def find(role: str, name: str) -> int:
        position = positions.get(header_key(name))
        if position is None:
            raise FatalImportError(
                _("Kolonnen «%(column)s» (valgt som %(role)s) finnes ikke i filen.")
                % {"column": name, "role": ROLE_NAMES.get(role, role)}
            )
        return position

    place_at, period_at, value_at = required("place_code"), required("period"), required("value")
    name_at, status_at = column("place_name"), column("status")
    fixed_level = columns.get("fixed_place_level") or ""
    level_at = None
    level_choice = columns.get("place_level") or ""
    if level_choice and header_key(level_choice) in positions:
        level_at = positions[header_key(level_choice)]
    elif level_choice:
        fixed_level = fixed_level or level_choice
    if fixed_level:
        if fixed_level.strip().lower() not in LEVEL_WORDS:
            raise FatalImportError(
                _(
                    "Ukjent stedsnivå «%(value)s»: velg land, fylke, kommune, enhet eller "
                    "kostragruppe."
                )
                % {"value": fixed_level}
            )
        fixed_level = LEVEL_WORDS[fixed_level.strip().lower()]
    subgroup_columns = columns.get("subgroup") or []
    if isinstance(subgroup_columns, str):
        subgroup_columns = [subgroup_columns]
    subgroup_at = [(header_key(name), find("subgroup", name)) for name in subgroup_columns]

    result = ParseResult(format=NAME, source_code=source_code)
    seen: dict[tuple, int] = {}
    for line, cells in table:
        if line <= header_line or not any(cell.strip() for cell in cells):
            continue
        if text_table:
            # Empty cells after the header's last column are the delimiters Excel adds.
            width = len(cells)
            while width > len(header) and not cells[width - 1].strip():
                width -= 1
            refused = row_problem(line, cells[:width], header)
            if refused is not None:
                result.problems.append(refused)
                continue
        cells = cells + [""] * (len(header) - len(cells))

        level = fixed_level
        if level_at is not None and cells[level_at].strip():
            try:
                level = level_from_text(cells[level_at])
            except CellError as error:
                result.problems.append(
                    Problem(line, header[level_at], cells[level_at], error.reason)
                )
                continue
        place_raw = cells[place_at].strip()
        try:
            level, place_code, place_name = _place(place_raw, level)
        except CellError as error:
            result.problems.append(Problem(line, header[place_at], place_raw, error.reason))
            continue
        if name_at is not None and cells[name_at].strip():
            place_name = " ".join(cells[name_at].split())[:200]
        try:
            label, start, end = parse_period(cells[period_at])
        except CellError as error:
            result.problems.append(Problem(line, header[period_at], cells[period_at], error.reason))
            continue
        try:
            value, status, symbol = parse_cell(cells[value_at])
        except CellError as error:
            result.problems.append(Problem(line, header[value_at], cells[value_at], error.reason))
            continue
        if status_at is not None and cells[status_at].strip():
            try:
                status, symbol = apply_status(cells[status_at], status, symbol)
            except CellError as error:
                result.problems.append(
                    Problem(line, header[status_at], cells[status_at], error.reason)
                )
                continue
            if status != VALUE:
                value = None
        subgroup = subgroup_text({key: cells[position] for key, position in subgroup_at})
        if len(subgroup) > 200:
            result.problems.append(
                Problem(line, "", subgroup, _("Undergruppen er for lang (høyst 200 tegn)."))
            )
            continue
        key = (level, place_code, label, subgroup)
        if key in seen:
            result.problems.append(
                Problem(
                    line,
                    "",
                    "",
                    _(
                        "Samme sted, periode og undergruppe som linje %(line)s: velg flere "
                        "kolonner som undergruppe."
                    )
                    % {"line": seen[key]},
                )
            )
            continue
        seen[key] = line
        result.rows.append(
            ParsedRow(
                line=line,
                indicator_code=indicator_code,
                indicator_name=indicator_name,
                place_level=level,
                place_code=place_code,
                place_name=place_name,
                period_label=label,
                period_start=start,
                period_end=end,
                subgroup=subgroup,
                value=value,
                status=status,
                symbol=symbol,
                column=header[value_at],
            )
        )
    require_rows(result)
    return result


def _place(raw: str, level: str) -> tuple[str, str, str]:
    """(level, code, name) from a code, a «code name» cell or a bare name; ``level`` is
    the row's or the mapping's level, or "" to guess it from the code."""
    code, name = raw, ""
    match = _CODE_AND_NAME.fullmatch(raw)
    if match:
        code, name = match.group(1), match.group(2)
    if not level:
        if not any(character.isdigit() for character in code):
            return place_from_name(raw)
        level = guess_level(code)
    code = normalise_place_code(level, code)
    if not name:
        name = COUNTRY_NAME if level == COUNTRY else ""
        name = COUNTY_NAMES_BY_CODE.get(code, "") if level == COUNTY else name
    return level, code, name


# --- Reading the table ----------------------------------------------------------------


def _is_xlsx(content: bytes, filename: str) -> bool:
    return content.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm"))


def _table(content: bytes, filename: str) -> Table:
    if _is_xlsx(content, filename):
        return _xlsx_table(content)
    text = decode(content).lstrip("\ufeff")
    first = text.split("\n", 1)[0].strip()
    if first.lower().startswith("sep=") and len(first) >= 5:
        delimiter = first[4]
    else:
        delimiter = delimiter_of("\n".join(text.splitlines()[:20]))
    return list(read_rows(text, delimiter))


def _header(table: Table) -> tuple[int, list[str]]:
    for line, cells in table:
        if sum(1 for cell in cells if cell.strip()) >= 2:
            header = [cell.replace("\ufeff", "").strip() for cell in cells]
            while header and not header[-1]:
                header.pop()
            return line, header
    raise FatalImportError(_("Fant ingen overskriftsrad (en rad med minst to kolonnenavn)."))


def _xlsx_table(content: bytes) -> Table:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise FatalImportError(_("Filen er ikke en gyldig Excel-fil (XLSX).")) from error
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(content), 1):
            raise FatalImportError(
                _("Excel-filen pakker seg ut til altfor mye data og blir ikke lest.")
            )
    from openpyxl import load_workbook  # imported here: only XLSX uploads need it

    # openpyxl raises many kinds of errors for a broken workbook, and in read-only mode
    # also while the rows are read.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            return [
                (line, [_cell_text(cell) for cell in row])
                for line, row in enumerate(sheet.iter_rows(), start=sheet.min_row or 1)
            ]
        finally:
            workbook.close()
    except Exception as error:
        raise FatalImportError(_("Excel-filen kan ikke leses.")) from error


def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value, getattr(cell, "number_format", "General") or "General")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_FORMAT_DECIMALS = re.compile(r"\.([0#?]+)")


def _float_text(value: float, number_format: str) -> str:
    """The number as Excel shows it: 37.299999999 in a «0.0» cell is 37.3; in a
    «General» cell Excel shows ten significant digits."""
    section = re.sub(r'"[^"]*"|\[[^\]]*\]', "", number_format.split(";", 1)[0])
    percent = "%" in section
    number = Decimal(repr(value)) * (100 if percent else 1)
    match = _FORMAT_DECIMALS.search(section)
    if match:
        decimals = len(match.group(1))
    elif "0" in section and section.lower() != "general":
        decimals = 0
    else:
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value) * (100 if percent else 1))
        return str(Decimal(f"{float(number):.10g}"))
    return str(number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
