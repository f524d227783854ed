"""SSB statbank CSV downloads (PX-Web, «semikolonseparert med overskrift»).

Two layouts reach a municipality:

* the matrix layout (``13135_….csv``): a title line ``13135: …, etter region,
  statistikkvariabel og år``, a blank line, one header row per heading dimension (the
  first cells empty; a blank cell repeats the one to its left), one row per place with
  code and name in one cell (``3801 Horten``, ``0701 Horten (-2019)``), then a blank line
  and a footer of notes;
* the quoted layout (``SSB_11616_….csv``): a quoted title, a blank line and one header
  row that names the stub columns (``"region"``) and joins the heading dimensions in one
  text (``"Sysselsatte personer bosatt i regionen 2021"``).

The title lists the table's dimensions in order, stub first and heading last, which tells
the parser which part of a heading is the statistics variable, the period or a subgroup.
The footer gives the statistics variable's code («Intern referansekode») and unit.

The place and period helpers here are shared with ``indicators.parsing.jsonstat``."""

from __future__ import annotations

import calendar
import csv
import dataclasses
import datetime
import io
import re
import unicodedata
from decimal import Decimal
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    COUNTY,
    KOSTRA_GROUP,
    MISSING,
    MUNICIPALITY,
    NOT_COMPUTABLE,
    SUPPRESSED,
    VALUE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    school_year_period,
    span_period,
    subgroup_text,
    year_period,
)
from indicators.parsing.cellvalues import row_problem
from indicators.parsing.text import decode
from plans.schoolyear import SchoolYear

NAME = "ssb_statbank_csv"
LABEL = gettext_lazy("SSB statistikkbank (CSV)")
SOURCE = "ssb"

# SSB's symbols for a cell without a number. «-» (nothing to report) is the value 0.
SYMBOL_STATUS = {
    ".": NOT_COMPUTABLE,  # lar seg ikke føre opp / ikke mulig å oppgi tall
    "..": MISSING,  # tallgrunnlag mangler
    "...": MISSING,  # oppgave mangler
    "…": MISSING,
    ":": SUPPRESSED,  # vises ikke av konfidensialitetshensyn
}
ZERO_SYMBOL = "-"

PLACE = "region"
VARIABLE = "statistikkvariabel"
TIME = "tid"
TIME_NAMES = {"år", "tid", "kvartal", "måned", "skoleår", "periode", "halvår", "uke"}
COUNTRY_NAMES = {"hele landet", "landet", "norge"}

_TITLE = re.compile(r"^\ufeff?\s*(\d{5})\s*:\s*(.+?)\s*$")
_TABLE_IN_FILENAME = re.compile(r"(?<!\d)(\d{5})(?!\d)")
_PLACE_CELL = re.compile(r"^(\d{1,6}|[KF]-\d{2,4}|E[A-Z]{1,6}\d{0,3})\s+(\S.*)$")
_HISTORIC = re.compile(r"\s*\(\s*(\d{4})?\s*[-–]\s*(\d{4})?\s*\)\s*$")
_PERIOD = r"\d{4}(?:K[1-4]|M(?:0[1-9]|1[0-2])|[-–/]\d{2}(?:\d{2})?)?"
_PERIOD_ONLY = re.compile(rf"^{_PERIOD}$")
_PERIOD_AT_END = re.compile(rf"^(.*\S)\s+({_PERIOD})$")
_PERIOD_AT_START = re.compile(rf"^({_PERIOD})\s+(\S.*)$")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_CONTENTS_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,59}$")
_SPACES = re.compile(r"\s+")

# ParsedRow has no field for a code's validity years yet (see ``historic_years``); the
# rows carry them as soon as it has.
_ROW_FIELDS = {field.name for field in dataclasses.fields(ParsedRow)}
_ROWS_CARRY_VALIDITY = {"place_valid_from", "place_valid_to"} <= _ROW_FIELDS


# --- Helpers shared with the JSON-stat parser ----------------------------------------


def split_historic(name: str) -> tuple[str, int | None, int | None]:
    """«Sande (Vestfold) (-2019)» → ("Sande (Vestfold)", None, 2019);
    «Viken (2020-2023)» → ("Viken", 2020, 2023); a name without years is kept as is."""
    match = _HISTORIC.search(name)
    if not match or not (match.group(1) or match.group(2)):
        return name.strip(), None, None
    first, last = match.group(1), match.group(2)
    return (
        name[: match.start()].strip(),
        int(first) if first else None,
        int(last) if last else None,
    )


def historic_years(name: str) -> tuple[int | None, int | None]:
    """The years SSB gives for a historic region: «0701 Horten (-2019)» → (None, 2019),
    «0710 Sandefjord (2017-2019)» → (2017, 2019), «3801 Horten» → (None, None)."""
    _name, first, last = split_historic(name)
    return first, last


def place_from_code(code: str, name: str) -> tuple[str, str, str]:
    """(level, normalised code, name without the years) for an SSB region code and its
    name. Raises ``ValueError`` with a Norwegian reason for a code no level takes."""
    code = code.strip()
    name = split_historic(name)[0]
    if code[:2] in ("K-", "F-"):
        code = code[2:]
    if code.isdigit():
        if code == COUNTRY_CODE:
            return COUNTRY, COUNTRY_CODE, name or "Hele landet"
        if len(code) == 2:
            return COUNTY, code, name
        if len(code) in (3, 4):  # three digits: a leading zero lost on the way
            return MUNICIPALITY, code.zfill(4), name
        if len(code) == 6:
            raise ValueError(
                _("Bydeler og delområder kan ikke importeres (kode %(code)s).") % {"code": code}
            )
        raise ValueError(_("Ukjent regionkode «%(code)s».") % {"code": code})
    if code == "EAK":  # KOSTRA's «Landet»
        return COUNTRY, COUNTRY_CODE, name
    if code.startswith("E") and code.isalnum():  # EKG13 Kostragruppe 13, EAKUO …
        return KOSTRA_GROUP, code, name
    raise ValueError(_("Ukjent regionkode «%(code)s».") % {"code": code})


def place_from_text(text: str) -> tuple[str, str, str]:
    """«3801 Horten», «0 Hele landet», «Hele landet», «EKG13 Kostragruppe 13» →
    (level, code, name). Raises ``ValueError`` with a Norwegian reason."""
    text = text.strip()
    match = _PLACE_CELL.match(text)
    if match:
        return place_from_code(match.group(1), match.group(2))
    if split_historic(text)[0].lower() in COUNTRY_NAMES:
        return COUNTRY, COUNTRY_CODE, text
    raise ValueError(_("Finner ingen regionkode foran navnet (som i «3801 Horten»)."))


def period_from_text(text: str, dimension: str = ""):
    """(label, start, end) for SSB's period texts: «2021», «2021K4», «2021M03»,
    «2020-2021» (a school year when the dimension says so, else a span), «2020-21».
    Raises ``ValueError`` with a Norwegian reason."""
    label = text.strip()
    if not _PERIOD_ONLY.match(label):
        raise ValueError(_("Ukjent periode «%(period)s».") % {"period": label})
    year = int(label[:4])
    rest = label[4:]
    if not rest:
        return year_period(year)
    if rest[0] == "K":
        quarter = int(rest[1])
        last_month = quarter * 3
        return (
            label,
            datetime.date(year, last_month - 2, 1),
            datetime.date(year, last_month, calendar.monthrange(year, last_month)[1]),
        )
    if rest[0] == "M":
        month = int(rest[1:])
        return (
            label,
            datetime.date(year, month, 1),
            datetime.date(year, month, calendar.monthrange(year, month)[1]),
        )
    end_text = rest[1:]
    end = int(end_text) if len(end_text) == 4 else (year // 100) * 100 + int(end_text)
    if end < year:
        raise ValueError(_("Ukjent periode «%(period)s».") % {"period": label})
    if end == year + 1 and (len(end_text) == 2 or "skoleår" in dimension.lower()):
        return school_year_period(SchoolYear(year))
    return span_period(year, end, label)


def value_from_text(text: str) -> tuple[Decimal | None, str, str] | None:
    """(value, status, symbol) for a cell, or None when it is neither a number nor one of
    SSB's symbols. Decimal comma, spaces and «%» are accepted; the number stays exact."""
    text = text.strip()
    status = SYMBOL_STATUS.get(text)
    if status is not None:
        return None, status, text
    if text == ZERO_SYMBOL:
        return Decimal(0), VALUE, ZERO_SYMBOL
    cleaned = (
        text.replace("\u00a0", "")
        .replace("\u202f", "")
        .replace(" ", "")
        .replace("%", "")
        .replace(",", ".")
        .replace("\u2212", "-")
    )
    if _NUMBER.fullmatch(cleaned):
        return Decimal(cleaned), VALUE, ""
    return None


def unit_from_name(name: str) -> str:
    """«Barn 6-15 år i kommunens kulturskole (prosent)» → «prosent»."""
    match = re.search(r"\(([^()]+)\)\s*$", name)
    if match and match.group(1).strip().lower() in {"prosent", "kr", "antall", "promille"}:
        return match.group(1).strip().lower()
    return ""


_ASCII_LETTERS = {ord("æ"): "ae", ord("ø"): "o", ord("å"): "a"}


def slug(text: str) -> str:
    text = text.lower().translate(_ASCII_LETTERS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def row_validity(place_text: str) -> dict:
    """ParsedRow keyword arguments for a historic code's years, once rows carry them."""
    if not _ROWS_CARRY_VALIDITY:
        return {}
    first, last = historic_years(place_text)
    return {"place_valid_from": first, "place_valid_to": last}


# --- The CSV parser --------------------------------------------------------------------


def sniff(content: bytes, filename: str) -> bool:
    """A statbank download starts with «NNNNN: title» (the table number) and is
    semicolon- (or tab-) separated."""
    try:
        head = decode(content[:4096])
    except (FatalImportError, UnicodeDecodeError):
        return False
    first_line = head.lstrip("\ufeff").split("\n", 1)[0].strip().strip('"')
    return bool(_TITLE.match(first_line)) and (";" in head or "\t" in head)


@dataclasses.dataclass
class _Heading:
    """What one value column (or one data row's stub) says about its cells."""

    variable: str | None = None
    period: tuple | None = None
    place: tuple | None = None
    place_text: str = ""
    parts: dict = dataclasses.field(default_factory=dict)
    text: str = ""


def parse(content: bytes, filename: str) -> ParseResult:
    text = decode(content)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        lines = [(reader.line_num, [cell.strip() for cell in cells]) for cells in reader]
    except csv.Error as error:
        raise FatalImportError(
            _(
                "CSV-filen kan ikke leses rundt linje %(line)s: ødelagte anførselstegn "
                "eller en altfor stor celle."
            )
            % {"line": reader.line_num}
        ) from error

    table, subject, dimensions = _title(lines, filename)
    header, data, footer = _split(lines, dimensions)
    result = ParseResult(format=NAME, source_code=SOURCE)

    stub_names, columns = _columns(header, data, dimensions, result)
    footer_codes, footer_units = _footer(footer)

    variables = {column.variable for column in columns.values()}
    stub_roles = [_role(name) for name in stub_names]
    if VARIABLE in stub_roles:  # variables as rows: an empty cell repeats the one above
        at = stub_roles.index(VARIABLE)
        variables = {
            _normalise(cells[at]) for _line, cells in data if len(cells) > at and cells[at]
        }
    require_periods(stub_roles, columns, header)

    require_footer(header, data, footer)
    indicators = _indicators(table, subject, variables, footer_codes, footer_units)
    previous_stub = [""] * len(stub_names)
    value_cache: dict[str, tuple | None] = {}
    parsed: tuple | None
    header_cells = header[-1][1]
    for line, cells in data:
        refused = row_problem(line, cells, header_cells)
        if refused is not None:
            result.problems.append(refused)
            continue
        stub = _stub(line, cells, stub_names, previous_stub, result)
        if stub is None:
            continue
        for index, column in columns.items():
            raw = cells[index] if index < len(cells) else ""
            period = stub.period or column.period
            if period is None:  # a stub without its year: the check above refuses these files
                raise FatalImportError(_("Fant ikke årstallet på linje %(line)s.") % {"line": line})
            variable = stub.variable or column.variable
            place = stub.place or column.place or (COUNTRY, COUNTRY_CODE, "Hele landet")
            if raw == "":
                result.problems.append(Problem(line, column.text, raw, _("Cellen er tom.")))
                continue
            if raw in value_cache:
                parsed = value_cache[raw]
            else:
                parsed = value_cache[raw] = value_from_text(raw)
            if parsed is None:
                result.problems.append(
                    Problem(
                        line,
                        column.text,
                        raw,
                        _("Verdien er verken et tall eller et av SSBs symboler."),
                    )
                )
                continue
            value, status, symbol = parsed
            code, name, unit = indicators[variable]
            parts = {**stub.parts, **column.parts} if stub.parts or column.parts else None
            result.rows.append(
                ParsedRow(
                    line=line,
                    indicator_code=code,
                    indicator_name=name,
                    place_level=place[0],
                    place_code=place[1],
                    place_name=place[2],
                    period_label=period[0],
                    period_start=period[1],
                    period_end=period[2],
                    subgroup=subgroup_text(parts) if parts else "",
                    value=value,
                    status=status,
                    symbol=symbol,
                    unit_of_measure=unit,
                    column=column.text,
                    **row_validity(stub.place_text or column.place_text),
                )
            )
    return result


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[1:6] if line.strip()]
    sample = "\n".join(lines)
    return "\t" if sample.count("\t") > sample.count(";") else ";"


def _normalise(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _title(lines, filename: str) -> tuple[str, str, list[str]]:
    """(table number, subject, dimension names) from «13135: Utvalgte nøkkeltall for
    kultur, etter region, statistikkvariabel og år»."""
    first = next((cells[0] for _line, cells in lines if cells and cells[0]), "")
    match = _TITLE.match(first)
    if match:
        table, title = match.group(1), _normalise(match.group(2))
    else:
        found = _TABLE_IN_FILENAME.search(PurePath(filename).name)
        if not found:
            raise FatalImportError(
                _("Fant ikke tabellnummeret fra SSB i første linje (som «13135: …»).")
            )
        table, title = found.group(1), _normalise(first)
    cut = title.rfind(" etter ")
    if cut < 0:
        return table, title, []
    subject = title[:cut].rstrip(" ,")
    names = re.split(r",\s*|\s+og\s+", title[cut + len(" etter ") :])
    return table, subject, [name.strip().lower() for name in names if name.strip()]


def _blank(cells: list[str]) -> bool:
    return not any(cells)


def _split(lines, dimensions: list[str]):
    """(header rows, data rows, footer rows) after the title line. Header rows start with
    an empty cell (matrix layout) or name the stub columns (quoted layout); the data end
    at the first blank row, where SSB's footer of notes begins."""
    index = 1
    while index < len(lines) and _blank(lines[index][1]):
        index += 1
    header: list[tuple[int, list[str]]] = []
    while index < len(lines):
        line, cells = lines[index]
        if _blank(cells):
            break
        if header and cells == header[-1][1]:
            # A header row twice (a line duplicated by hand) would add a heading level.
            index += 1
            continue
        if not cells[0]:
            header.append((line, cells))
            index += 1
            continue
        last = next((cell for cell in reversed(cells) if cell), "")
        if cells[0].lower() in dimensions or (not header and value_from_text(last) is None):
            header.append((line, cells))
            index += 1
        break
    if not header:
        raise FatalImportError(
            _("Fant ingen overskriftsrader etter tittelen. Last ned tabellen på nytt fra SSB.")
        )
    data = []
    while index < len(lines) and not _blank(lines[index][1]):
        data.append(lines[index])
        index += 1
    if not data:
        raise FatalImportError(_("Filen har overskrifter, men ingen rader med tall."))
    return header, data, lines[index:]


def _role(name: str | None) -> str | None:
    if name is None:
        return None
    if name == VARIABLE or name.startswith("statistikkvariab"):
        return VARIABLE
    if name in TIME_NAMES:
        return TIME
    if PLACE in name:
        return PLACE
    return None  # a subgroup


def _columns(header, data, dimensions, result) -> tuple[list[str | None], dict[int, _Heading]]:
    """The stub columns' dimension names and what each value column's heading says."""
    labelled = bool(header[-1][1][0])
    first_data = data[0][1]
    if labelled:
        labels = header[-1][1]
        stubs = 0
        while stubs < len(labels) and labels[stubs].lower() in dimensions:
            stubs += 1
        if not stubs:
            while stubs < len(first_data) - 1 and value_from_text(first_data[stubs]) is None:
                stubs += 1
        stub_names = [label.lower() for label in labels[: max(stubs, 1)]]
        _refuse_added_columns(header[-1][0], labels, dimensions, stubs)
    else:
        last = header[-1][1]
        stubs = 0
        while stubs < len(last) and not last[stubs]:
            stubs += 1
        stub_names = dimensions[:stubs] if len(dimensions) >= stubs + len(header) else []
        stub_names += [None] * (stubs - len(stub_names))
    stubs = len(stub_names)
    heading_names = [name for name in dimensions if name not in stub_names]
    if not labelled:
        # The matrix layout names every value column in its last header row; a gap there
        # means columns were moved (the stub among the values), and reading by position
        # would put values under the wrong year or place.
        last_line, last_cells = header[-1]
        for index in range(stubs, len(last_cells)):
            if not last_cells[index] and any(last_cells[index + 1 :]):
                raise FatalImportError(
                    _(
                        "Overskriftsraden på linje %(line)s har ingen tekst over kolonne "
                        "%(column)s. Kolonnene ser ut til å være flyttet; last ned tabellen "
                        "på nytt fra SSB."
                    )
                    % {"line": last_line, "column": index + 1}
                )

    width = max(len(cells) for _line, cells in header + data)
    # Per header row, the text over each value column. In the matrix rows a blank cell
    # repeats the one to its left (the variable spans its years); the labelled row of the
    # quoted layout names every column itself.
    texts: list[list[str]] = []
    for number, (_line, cells) in enumerate(header):
        spans = not (labelled and number == len(header) - 1)
        row, carried = [""] * stubs, ""
        if spans and any(cells[stubs:]) and not (cells[stubs] if stubs < len(cells) else ""):
            # A spanning heading starts over the first value column; one that starts
            # further right leaves the columns before it without a heading (moved columns,
            # or a column added in a spreadsheet: then its own heading is named).
            last = header[-1][1]
            added = last[stubs].strip() if stubs < len(last) and number < len(header) - 1 else ""
            if added:
                raise _added_column(stubs, added, header[-1][0])
            raise FatalImportError(
                _(
                    "Overskriftsraden på linje %(line)s har ingen tekst over kolonne "
                    "%(column)s. Kolonnene ser ut til å være flyttet; last ned tabellen "
                    "på nytt fra SSB."
                )
                % {"line": _line, "column": stubs + 1}
            )
        for index in range(stubs, width):
            cell = cells[index] if index < len(cells) else ""
            carried = cell or (carried if spans else "")
            row.append(carried)
        texts.append(row)

    combined = len(header) == 1 and len(heading_names) > 1
    if not combined and len(heading_names) != len(header):
        heading_names = _guess_names(texts, stubs)

    columns: dict[int, _Heading] = {}
    for index in range(stubs, width):
        parts_text = [row[index] for row in texts]
        if not any(parts_text):
            continue
        heading = _Heading(text=_normalise(" ".join(part for part in parts_text if part)))
        if combined:
            pairs = _split_combined(parts_text[0], heading_names)
        else:
            pairs = list(zip(heading_names, parts_text, strict=True))
        try:
            for name, value in pairs:
                _assign(heading, name, value)
        except ValueError as error:
            result.problems.append(Problem(header[-1][0], heading.text, heading.text, str(error)))
            continue
        columns[index] = heading
    if not columns:
        raise FatalImportError(_("Fant ingen kolonner med tall under overskriftene."))
    return stub_names, columns


def require_periods(stub_roles: list[str | None], columns: dict[int, _Heading], header) -> None:
    """Every value column's heading names its year, unless a stub column holds the year.
    A single heading without one, beside headings with one, is a column added in a
    spreadsheet («Kommune»): named rather than guessed."""
    if TIME in stub_roles or all(column.period is not None for column in columns.values()):
        return
    if any(column.period is not None for column in columns.values()):
        index = next(index for index, column in columns.items() if column.period is None)
        raise _added_column(index, columns[index].text, header[-1][0])
    raise FatalImportError(
        _("Fant ikke årstallet i overskriftene. Er dette en nedlasting fra SSBs statistikkbank?")
    )


def _added_column(index: int, name: str, line: int) -> FatalImportError:
    """The refusal of a column added in a spreadsheet (0-based ``index``), naming it."""
    return FatalImportError(
        _(
            "Kolonne %(column)s («%(name)s») på linje %(line)s hører ikke til SSBs tabell: "
            "den ser ut til å være lagt til i et regneark. Fjern kolonnen, eller last ned "
            "tabellen på nytt fra SSB."
        )
        % {"column": index + 1, "name": name, "line": line}
    )


def _refuse_added_columns(line: int, labels: list[str], dimensions: list[str], stubs: int) -> None:
    """The quoted layout labels each stub column with a dimension its title names
    («region»), and each value column with a heading. A stub column the title does not
    name, or a value column under a dimension's label, was added in a spreadsheet (a
    «Kommune» column): its text would become a subgroup no one published, so the file
    is refused, naming the column."""
    if not dimensions:
        return
    for index, label in enumerate(labels):
        named = label.strip().lower() in dimensions
        is_stub = index < max(stubs, 1)
        if is_stub == named:
            continue
        added = label.strip()
        raise _added_column(index, added, line)


def _guess_names(texts, stubs) -> list[str]:
    """Heading rows the title does not name: a row of periods is the time, the first
    other row the statistics variable, the rest subgroups."""
    names = []
    for number, row in enumerate(texts, start=1):
        cells = [cell for cell in row[stubs:] if cell]
        if cells and all(_PERIOD_ONLY.match(cell) for cell in cells):
            names.append("år")
        elif VARIABLE not in names:
            names.append(VARIABLE)
        else:
            names.append(f"gruppe {number}")
    return names


def _split_combined(text: str, names: list[str]) -> list[tuple[str, str]]:
    """«Sysselsatte personer bosatt i regionen 2021» under the heading dimensions
    statistikkvariabel and år → [(statistikkvariabel, …), (år, 2021)]. Other heading
    dimensions stay in the variable's text: PX-Web joins them with spaces only."""
    time_name = next((name for name in names if _role(name) == TIME), None)
    others = [name for name in names if name != time_name]
    rest, period = text, None
    if time_name:
        match = _PERIOD_AT_END.match(text)
        if match:
            rest, period = match.group(1), match.group(2)
        else:
            match = _PERIOD_AT_START.match(text)
            if match:
                period, rest = match.group(1), match.group(2)
    pairs: list[tuple[str, str]] = [(time_name, period)] if time_name and period else []
    target = next(
        (name for name in others if _role(name) == VARIABLE), others[0] if others else None
    )
    if target:
        pairs.append((target, rest))
    return pairs


def _assign(heading: _Heading, name: str | None, value: str) -> None:
    if not value:
        return
    role = _role(name)
    if role == TIME or (role is None and name is None and _PERIOD_ONLY.match(value)):
        heading.period = period_from_text(value, name or "")
    elif role == VARIABLE:
        heading.variable = _normalise(value)
    elif role == PLACE:
        heading.place = place_from_text(value)
        heading.place_text = value
    else:
        heading.parts[name or "gruppe"] = value


def _stub(line, cells, stub_names, previous, result) -> _Heading | None:
    """What a data row's stub cells say; an empty stub cell repeats the row above."""
    stub = _Heading()
    for index, name in enumerate(stub_names):
        value = (cells[index] if index < len(cells) else "") or previous[index]
        previous[index] = value
        if name is None:
            name = PLACE if index == 0 and _PLACE_CELL.match(value) else None
        try:
            _assign(stub, name, value)
        except ValueError as error:
            result.problems.append(Problem(line, name or "", value, str(error)))
            return None
    return stub


def require_footer(header, data, footer) -> None:
    """SSB's matrix download ends with a footer of notes after a blank row, and the footer
    names the variables' codes (the rows' indicator). A matrix file whose data run to its
    end without one was cut off at a line end: refused, so the rows are not stored under
    another indicator code. The quoted layout has no footer."""
    matrix = not header[-1][1][0]
    if matrix and not any(any(cells) for _line, cells in footer):
        raise FatalImportError(
            _(
                "Filen ser ut til å være avkortet: tabellen slutter på linje %(line)s uten "
                "SSBs fotnoter (med variablenes koder). Last ned filen på nytt."
            )
            % {"line": data[-1][0]}
        )


def text_of(cells: list[str]) -> str:
    return next((cell for cell in cells if cell), "")


def _footer(footer) -> tuple[dict[str | None, str], dict[str | None, str]]:
    """The statistics variables' codes and units from SSB's footer. A section starts with
    a heading ending in «:» after a blank row; inside it «<variable>:» names the variable
    the next line is about (no such line when the table holds one variable)."""
    sections: dict[str, dict[str | None, str]] = {}
    current: dict[str | None, str] | None = None
    key: str | None = None
    for _line, cells in footer:
        text = next((cell for cell in cells if cell), "")
        if not text:
            current = None
            continue
        if current is None:
            if text.endswith(":"):
                current = sections.setdefault(text[:-1].strip().lower(), {})
                key = None
            continue
        if text.endswith(":"):
            key = _normalise(text[:-1]).lower()
        else:
            current.setdefault(key, text)
    if current is not None and not current and footer:
        # The file ends right after a section's heading: cut off in the footer, which
        # names the variables' codes, so the rows would be stored under another code.
        raise FatalImportError(
            _(
                "Filen ser ut til å være avkortet: den slutter etter «%(heading)s» på linje "
                "%(line)s uten det som skal stå under. Last ned filen på nytt."
            )
            % {"heading": text_of(footer[-1][1]), "line": footer[-1][0]}
        )
    codes = {
        key: code
        for key, code in sections.get("intern referansekode", {}).items()
        if _CONTENTS_CODE.match(code)
    }
    return codes, sections.get("måleenhet", {})


def _indicators(table, subject, variables, footer_codes, footer_units):
    """variable text → (indicator code, name, unit). The code is ``ssb-<table>`` plus the
    statistics variable: SSB's code for it when the footer gives one, else (several
    variables in one file) a slug of its name."""
    named = sorted(variable for variable in variables if variable)
    single = len(variables) == 1
    result = {}
    for variable in variables:
        name = variable or subject
        key = _normalise(name).lower()
        contents = footer_codes.get(key) or (footer_codes.get(None) if single else None)
        if contents:
            code = f"ssb-{table}:{contents}"
        elif single:
            code = f"ssb-{table}"
        else:
            code = f"ssb-{table}:{slug(name)}"[:120]
        unit = footer_units.get(key) or (footer_units.get(None) if single else None)
        result[variable] = (code, name, (unit or unit_from_name(name)).lower()[:40])
    if len({code for code, _name, _unit in result.values()}) < len(result):
        raise FatalImportError(
            _("To statistikkvariabler får samme kode: %(names)s.") % {"names": ", ".join(named)}
        )
    return result
