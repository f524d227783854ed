"""Udir statistikkbank downloads: «Last ned CSV» (this module) and the Excel export
(``udir_xlsx``, which reads the same table through ``read_table``).

The CSV is UTF-16LE without a BOM, starts with a ``sep=`` line and is tab-separated. The
table is wide: a few leading columns, then one column per period × group × measure with
the parts joined by dots::

    EnhetNivaa  Nasjonaltkode  Fylkekode  Kommunekode  Organisasjonsnummer  …  EnhetNavn
        2015-16.Alle eierformer.Begge kjønn.Grunnskolepoeng  2016-17.….Grunnskolepoeng.Brudd …

- Leading columns give the place (``…Nivaa`` 1 country, 2 county, 3 municipality,
  4 unit, with ``Fylkekode``, ``Kommunekode`` and ``Organisasjonsnummer``) and/or the
  indicator (``Indikatorkode``, ``Indikatornavn``; Elevundersøkelsen). Without place
  columns the place is in the headers instead (``Hele landet.Vestfold og Telemark.Alle
  skoler``): the most specific part that is not «Alle …» wins; only the country and the
  counties can be placed that way, since the headers carry names, not numbers.
- A header is period (``2020-21`` school year, ``2021`` year), then groups, then the
  measure. Groups become the subgroup (``kjønn=Jente|utdanningsprogram=Yrkesfaglig``);
  «Alle …» and «Begge kjønn» are the whole group. Two neighbouring parts of the same kind
  are one hierarchy (Udir writes «Yrkesfaglig.Alle utdanningsprogram»): the most specific
  value is kept.
- ``….Brudd`` columns hold a note about a break in the series beside the value column,
  never a value: skipped.
- Values: decimal comma, space between thousands, ``%`` inside the value, ``*`` hidden
  for privacy (SUPPRESSED, symbol kept). An empty cell is no figure at all (a place that
  did not exist that year): no row.
- The indicator is the file's ``Indikatorkode`` with the measure (``udir-67.19.00.11:
  prosentandel``), or without indicator columns the measure alone (``udir-grunnskolepoeng``).
- A school appears under both its old and its new municipality after a merger; the same
  cell twice with the same value is kept once, with a different value it is a problem."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    COUNTY,
    MUNICIPALITY,
    SUPPRESSED,
    UNIT,
    VALUE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    subgroup_text,
)
from indicators.parsing.cellvalues import (
    COUNTIES_2020,
    COUNTIES_2024,
    COUNTIES_BEFORE_2020,
    MAX_ABS_VALUE,
    CellError,
    head_text,
    is_pseudo_place,
    normalise_place_code,
    parse_number,
    parse_period,
    pseudo_place_problem,
    read_rows,
    row_problem,
    slug,
)
from indicators.parsing.text import decode

NAME = "udir_statistikkbank_csv"
LABEL = "Udir statistikkbank (CSV)"
SOURCE = "udir"

# A value column: a period, a dot, then at least a measure.
_VALUE_HEADER = re.compile(r"\d{4}(?:-\d{2}|-\d{4})?\..+")
BREAK_SUFFIX = ".Brudd"
# Parts are joined by a dot with no space after it; «10. trinn» and «med disp. (antall)»
# keep theirs.
_PART_SEPARATOR = re.compile(r"\.(?! )")

# Leading columns, compared in lower case.
LEVEL_NUMBERS = {
    "1": COUNTRY,
    "2": COUNTY,
    "3": MUNICIPALITY,
    "4": UNIT,
    # Some exports write the level as a word.
    "nasjonalt": COUNTRY,
    "landet": COUNTRY,
    "fylke": COUNTY,
    "kommune": MUNICIPALITY,
    "skole": UNIT,
    "barnehage": UNIT,
    "enhet": UNIT,
}
_ORGANISATION_NUMBER = re.compile(r"\d{9}")
COUNTY_CODE_COLUMNS = {"fylkekode", "fylkeskode", "fylkesnummer", "fylkenr"}
MUNICIPALITY_CODE_COLUMNS = {"kommunekode", "kommunenummer", "kommunenr"}
ORGANISATION_COLUMNS = {"organisasjonsnummer", "orgnr", "organisasjonsnr"}
COUNTY_NAME_COLUMNS = {"fylke", "fylkenavn", "fylkesnavn"}
MUNICIPALITY_NAME_COLUMNS = {"kommune", "kommunenavn"}
INDICATOR_CODE_COLUMN = "indikatorkode"
INDICATOR_NAME_COLUMN = "indikatornavn"
KNOWN_LEADING = (
    COUNTY_CODE_COLUMNS
    | MUNICIPALITY_CODE_COLUMNS
    | ORGANISATION_COLUMNS
    | {"nasjonaltkode", INDICATOR_CODE_COLUMN, INDICATOR_NAME_COLUMN}
)

# Header parts that are the place (Elevundersøkelsen puts it in the headers).
PLACE_TOTALS = {
    "hele landet": COUNTRY,
    "alle fylker": COUNTY,
    "alle kommuner": MUNICIPALITY,
    "alle skoler": UNIT,
    "alle barnehager": UNIT,
    "alle skoleeiere": MUNICIPALITY,
    "alle barnehageeiere": MUNICIPALITY,
}
PLACE_ORDER = (COUNTRY, COUNTY, MUNICIPALITY, UNIT)
# Header parts that are a group: the «all» value names the kind.
GROUP_TOTALS = {
    "begge kjønn": "kjønn",
    "alle eierformer": "eierform",
    "alle trinn": "trinn",
    "alle utdanningsprogram": "utdanningsprogram",
    "alle programområder": "utdanningsprogram",
    "alle skoletyper": "skoletype",
    "alle innvandringskategorier": "innvandringsbakgrunn",
    "alle foreldres utdanningsnivå": "foreldres utdanning",
    "alle fag": "fag",
    "alle alderstrinn": "alder",
    "alle aldre": "alder",
    "alle barnehagetyper": "barnehagetype",
}
GROUP_VALUES = {
    "gutt": "kjønn",
    "gutter": "kjønn",
    "jente": "kjønn",
    "jenter": "kjønn",
    "offentlig": "eierform",
    "privat": "eierform",
    "kommunal": "eierform",
    "fylkeskommunal": "eierform",
    "statlig": "eierform",
    "studieforberedende": "utdanningsprogram",
    "yrkesfaglig": "utdanningsprogram",
}
_GRADE = re.compile(r"\d{1,2}\.\s*trinn|vg\d|påbygg.*", re.IGNORECASE)
EVERYONE = {"begge kjønn", "i alt", "totalt"}

# What the number counts, from the measure or the indicator's name.
COUNT_WORDS = ("antall",)
PERCENT_WORDS = ("prosent", "andel")
# Decimals Udir shows: counts are whole numbers, everything else one decimal. Only
# numeric Excel cells are rounded (their float noise: 41.299999999999997); text is
# taken as written.
COUNT_DECIMALS, OTHER_DECIMALS = 0, 1
# Measures that are the indicator's own figure: the indicator keeps its name.
PLAIN_MEASURES = {"prosentandel", "andel", "prosent", "snitt", "gjennomsnitt", "verdi"}


# --- Sniffing and parsing the CSV ------------------------------------------------------


def sniff(content: bytes, filename: str) -> bool:
    try:
        text = head_text(content)
    except (FatalImportError, UnicodeDecodeError):
        return False
    lines = text.lstrip("\ufeff").splitlines()
    delimiter, lines = _separator(lines)
    if not lines:
        return False
    return looks_like_udir_header(lines[0].split(delimiter))


def parse(content: bytes, filename: str) -> ParseResult:
    text = decode(content).lstrip("\ufeff")
    delimiter, _lines = _separator(text[:200].splitlines()[:1])
    records = read_rows(text, delimiter)
    header: list[str] | None = None
    for line, cells in records:
        if line == 1 and cells and cells[0].startswith("sep="):
            continue
        if any(cell.strip() for cell in cells):
            header = cells
            break
    if header is None:
        raise FatalImportError(_("Filen har ingen overskriftsrad."))
    return read_table(header, records, format_name=NAME, text_cells=True)


def _separator(lines: list[str]) -> tuple[str, list[str]]:
    """Udir's first line names the separator («sep=» and a tab); without it, a tab."""
    if lines and lines[0].startswith("sep="):
        return (lines[0][4:5] or "\t"), lines[1:]
    return "\t", lines


def looks_like_udir_header(header: Sequence[object]) -> bool:
    """Dotted period headers beside Udir's own leading columns."""
    names = [str(cell).strip() for cell in header if cell is not None]
    leading = {name.lower() for name in names if not _VALUE_HEADER.fullmatch(name)}
    has_values = any(_VALUE_HEADER.fullmatch(name) for name in names)
    has_udir_columns = bool(leading & KNOWN_LEADING) or any(
        name.endswith("nivaa") for name in leading
    )
    return has_values and has_udir_columns


# --- The table, shared with the Excel export ------------------------------------------


@dataclass(frozen=True)
class _Column:
    index: int
    header: str
    period: tuple[str, datetime.date, datetime.date]
    subgroup: str
    measure: str
    # (level, code, name) from the header, when the rows carry no place.
    place: tuple[str, str, str] | None


@dataclass(frozen=True)
class _Leading:
    level: int | None = None
    county: int | None = None
    municipality: int | None = None
    organisation: int | None = None
    unit_name: int | None = None
    county_name: int | None = None
    municipality_name: int | None = None
    indicator_code: int | None = None
    indicator_name: int | None = None

    @property
    def has_place(self) -> bool:
        return any(
            position is not None
            for position in (self.level, self.county, self.municipality, self.organisation)
        )


def read_table(
    header: Sequence[object],
    records: Iterable[tuple[int, Sequence[object]]],
    *,
    format_name: str,
    text_cells: bool = False,
) -> ParseResult:
    """Rows of a Udir table → ParseResult. ``records`` yields (line, cells); cells are
    text (CSV, ``text_cells``: each row must have the header's number of cells) or Excel
    values (int, float, str, None)."""
    names = ["" if cell is None else str(cell).strip() for cell in header]
    leading = _leading_columns(names)
    columns, problems = _value_columns(names, with_place=not leading.has_place)
    if not columns:
        raise FatalImportError(
            _(
                "Fant ingen kolonner med tall fra Udir: overskriftene skal begynne med en "
                "periode, for eksempel «2020-21.Begge kjønn.Prosentandel»."
            )
        )
    result = ParseResult(format=format_name, source_code=SOURCE, problems=problems)
    seen: dict[tuple[str, str, str, str, str], tuple[Decimal | None, str]] = {}
    any_record = False
    skipped: list[str] = []
    for line, cells in records:
        if not any(_text(cell) for cell in cells):
            continue
        any_record = True
        if text_cells:
            refused = row_problem(line, list(cells), names)  # type: ignore[arg-type]
            if refused is not None:
                result.problems.append(refused)
                continue
        indicator = _indicator(leading, cells)
        row_place = None
        if leading.has_place:
            pseudo = _pseudo_place(leading, cells)
            if pseudo:
                skipped.append(pseudo)
                continue
            try:
                row_place = _row_place(leading, cells)
            except CellError as error:
                position = leading.level if leading.level is not None else 0
                result.problems.append(
                    Problem(line, names[position], _text(_cell(cells, position)), error.reason)
                )
                continue
        for column in columns:
            raw = _cell(cells, column.index)
            if _text(raw) == "":
                continue
            place = row_place or column.place
            assert place is not None  # columns without a place are left out up front
            try:
                value, status, symbol = cell_value(raw, decimals=_decimals(column, indicator))
            except CellError as error:
                result.problems.append(Problem(line, column.header, _text(raw), error.reason))
                continue
            code, indicator_name, unit = _indicator_for(indicator, column.measure)
            level, place_code, place_name = place
            key = (code, level, place_code, column.period[0], column.subgroup)
            if key in seen:
                if seen[key] != (value, status):
                    result.problems.append(
                        Problem(
                            line,
                            column.header,
                            _text(raw),
                            _(
                                "Samme sted, periode og undergruppe står tidligere i filen "
                                "med en annen verdi; den første er brukt."
                            ),
                        )
                    )
                continue
            seen[key] = (value, status)
            result.rows.append(
                ParsedRow(
                    line=line,
                    indicator_code=code,
                    indicator_name=indicator_name,
                    place_level=level,
                    place_code=place_code,
                    place_name=place_name,
                    period_label=column.period[0],
                    period_start=column.period[1],
                    period_end=column.period[2],
                    subgroup=column.subgroup,
                    value=value,
                    status=status,
                    symbol=symbol,
                    unit_of_measure=unit,
                    column=column.header,
                )
            )
    if not any_record:
        raise FatalImportError(_("Filen har overskrifter, men ingen rader med tall."))
    if skipped:
        result.problems.append(pseudo_place_problem(len(skipped), skipped[0]))
    return result


def _pseudo_place(leading: _Leading, cells: Sequence[object]) -> str:
    """The name of the row's place when it is «Utlandet», «Uoppgitt» or the like (by its
    code or its name, at the row's own level), else ""."""

    def value(position: int | None) -> str:
        return "" if position is None else _text(_cell(cells, position))

    level = LEVEL_NUMBERS.get(value(leading.level).lower()) if leading.level is not None else None
    if level == COUNTRY:
        return ""
    candidates = {
        COUNTY: [(value(leading.county), value(leading.county_name))],
        MUNICIPALITY: [(value(leading.municipality), value(leading.municipality_name))],
        UNIT: [("", value(leading.unit_name))],
        None: [
            (value(leading.county), value(leading.county_name)),
            (value(leading.municipality), value(leading.municipality_name)),
        ],
    }.get(level, [])
    for code, name in [*candidates, ("", value(leading.unit_name))]:
        if (code or name) and is_pseudo_place(code, name):
            return name or code
    return ""


def cell_value(raw: object, *, decimals: int) -> tuple[Decimal | None, str, str]:
    """One value cell → (value, status, symbol). Excel numbers are rounded to the
    decimals Udir shows; text is read as written. Raises CellError."""
    if isinstance(raw, bool):
        raise CellError(_("«%(value)s» er ikke et tall.") % {"value": raw})
    if isinstance(raw, int | float):
        number = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        if not number.is_finite() or abs(number) >= MAX_ABS_VALUE:
            raise CellError(_("«%(value)s» er ikke et tall.") % {"value": raw})
        exponent = Decimal(1).scaleb(-decimals)
        return number.quantize(exponent, rounding=ROUND_HALF_UP), VALUE, ""
    if not isinstance(raw, str):
        raise CellError(_("«%(value)s» er ikke et tall.") % {"value": raw})
    text = raw.strip()
    if text and set(text) == {"*"}:
        return None, SUPPRESSED, text
    return parse_number(text), VALUE, ""


def _cell(cells: Sequence[object], position: int) -> object:
    return cells[position] if position < len(cells) else None


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _leading_columns(names: list[str]) -> _Leading:
    found: dict[str, int] = {}
    for position, name in enumerate(names):
        if _VALUE_HEADER.fullmatch(name):
            break
        key = name.lower()
        if key.endswith("nivaa") and not key.startswith("indikator"):
            found.setdefault("level", position)
        elif key in COUNTY_CODE_COLUMNS:
            found.setdefault("county", position)
        elif key in MUNICIPALITY_CODE_COLUMNS:
            found.setdefault("municipality", position)
        elif key in ORGANISATION_COLUMNS:
            found.setdefault("organisation", position)
        elif key in COUNTY_NAME_COLUMNS:
            found.setdefault("county_name", position)
        elif key in MUNICIPALITY_NAME_COLUMNS:
            found.setdefault("municipality_name", position)
        elif key == INDICATOR_CODE_COLUMN:
            found.setdefault("indicator_code", position)
        elif key == INDICATOR_NAME_COLUMN:
            found.setdefault("indicator_name", position)
        elif key.endswith("navn") and not key.startswith("indikator"):
            found["unit_name"] = position  # EnhetNavn, Barnehageenhetnavn, Skolenavn
    return _Leading(**found)


def _row_place(leading: _Leading, cells: Sequence[object]) -> tuple[str, str, str]:
    """The place of a row from its level and code columns. Raises CellError."""

    def value(position: int | None) -> str:
        return "" if position is None else _text(_cell(cells, position))

    if leading.level is not None:
        level = LEVEL_NUMBERS.get(value(leading.level).lower())
        if level is None:
            raise CellError(
                _(
                    "Ukjent nivå «%(value)s»: Udir bruker 1 (land), 2 (fylke), 3 (kommune) "
                    "og 4 (enhet)."
                )
                % {"value": value(leading.level)}
            )
    elif value(leading.organisation) and value(leading.organisation) != value(leading.municipality):
        level = UNIT if value(leading.municipality) else COUNTY
    elif _ORGANISATION_NUMBER.fullmatch(value(leading.municipality)):
        level = UNIT  # a school's organisation number in the code column
    elif value(leading.municipality):
        level = MUNICIPALITY
    elif value(leading.county):
        level = COUNTY
    else:
        level = COUNTRY
    code_position = {
        COUNTRY: None,
        COUNTY: leading.county,
        MUNICIPALITY: leading.municipality,
        UNIT: leading.organisation if value(leading.organisation) else leading.municipality,
    }[level]
    if level == COUNTRY:
        code = COUNTRY_CODE  # Udir writes «I» (i alt) in Nasjonaltkode
    else:
        # Udir repeats a county's or municipality's number in Organisasjonsnummer.
        code = normalise_place_code(level, value(code_position) or value(leading.organisation))
    name = value(leading.unit_name) or value(
        {COUNTY: leading.county_name, MUNICIPALITY: leading.municipality_name}.get(level)
    )
    if level == COUNTRY:
        name = name or "Hele landet"
    return level, code, name


def _value_columns(names: list[str], *, with_place: bool) -> tuple[list[_Column], list[Problem]]:
    problems: list[Problem] = []
    split: list[tuple[int, str, list[str]]] = []
    for position, name in enumerate(names):
        if not _VALUE_HEADER.fullmatch(name) or name.endswith(BREAK_SUFFIX):
            continue
        split.append((position, name, _PART_SEPARATOR.split(name)))
    if not split:
        return [], problems
    # Groups are read by their position among the middle parts: every column must have
    # as many parts as the most common shape.
    lengths = [len(parts) for _position, _name, parts in split]
    common = max(set(lengths), key=lengths.count)
    kept = []
    for position, name, parts in split:
        if len(parts) != common:
            problems.append(
                Problem(
                    None,
                    name,
                    "",
                    _(
                        "Kolonneoverskriften har %(found)s deler, de andre har %(expected)s: "
                        "hoppet over."
                    )
                    % {"found": len(parts), "expected": common},
                )
            )
            continue
        kept.append((position, name, parts))
    roles = _part_roles([parts[1:-1] for _position, _name, parts in kept])
    columns = []
    for position, name, parts in kept:
        try:
            period = parse_period(parts[0])
        except CellError as error:
            problems.append(Problem(None, name, parts[0], error.reason))
            continue
        middle = parts[1:-1]
        groups: dict[str, str] = {}
        places: dict[str, str] = {}
        for (kind, key), part in zip(roles, middle, strict=True):
            if kind == "place":
                places[key] = part
            elif not _is_total(part):
                groups[key] = part  # a later (more specific) part of the same kind wins
        place = None
        if with_place:
            place, place_problem = _header_place(places, period)
            if place is None:
                problems.append(Problem(None, name, "", place_problem))
                continue
        elif places and any(not _is_total(part) for part in places.values()):
            problems.append(
                Problem(
                    None,
                    name,
                    "",
                    _("Kolonnen gjelder et annet sted enn radene: hoppet over."),
                )
            )
            continue
        columns.append(
            _Column(
                index=position,
                header=name,
                period=period,
                subgroup=subgroup_text(groups),
                measure=parts[-1].strip(),
                place=place,
            )
        )
    return columns, problems


def _part_roles(middles: list[list[str]]) -> list[tuple[str, str]]:
    """What each middle header position holds: ("place", level) or ("group", key)."""
    roles: list[tuple[str, str]] = []
    width = len(middles[0]) if middles else 0
    for index in range(width):
        values = {middle[index].strip().lower() for middle in middles}
        place_levels = [PLACE_TOTALS[value] for value in values if value in PLACE_TOTALS]
        if place_levels:
            roles.append(("place", place_levels[0]))
            continue
        if values & _county_names():
            roles.append(("place", COUNTY))
            continue
        key = next((GROUP_TOTALS[value] for value in values if value in GROUP_TOTALS), None)
        key = key or next((GROUP_VALUES[value] for value in values if value in GROUP_VALUES), None)
        if key is None and any(_GRADE.fullmatch(value) for value in values):
            key = "trinn"
        if key is None:
            total = next((value for value in values if value.startswith("alle ")), None)
            key = total[5:] if total else f"gruppe {index + 1}"
        roles.append(("group", key))
    return roles


def _is_total(part: str) -> bool:
    lowered = part.strip().lower()
    return lowered.startswith("alle ") or lowered in EVERYONE or lowered in PLACE_TOTALS


def _header_place(places: dict[str, str], period) -> tuple[tuple[str, str, str] | None, str]:
    """The place a column is about, from its header parts: the most specific part that is
    not a total. Only the country and counties have no number to look up."""
    for level in reversed(PLACE_ORDER):
        part = places.get(level, "").strip()
        if not part or _is_total(part):
            continue
        if level == COUNTY:
            code = county_code(part, period[2].year)
            if code:
                return (COUNTY, code, part), ""
            return None, _("Kjenner ikke fylket «%(name)s».") % {"name": part}
        return None, _(
            "Kolonnen gjelder «%(name)s», men overskriften har bare navnet. Last ned tabellen "
            "med skoler eller kommuner som rader, så følger nummeret med."
        ) % {"name": part}
    return (COUNTRY, COUNTRY_CODE, "Hele landet"), ""


_COUNTY_TABLES = (
    (2024, 9999, COUNTIES_2024),
    (2020, 2023, COUNTIES_2020),
    (0, 2019, COUNTIES_BEFORE_2020),
)


def _county_names() -> set[str]:
    return {name.lower() for _first, _last, table in _COUNTY_TABLES for name in table.values()}


def county_code(name: str, year: int) -> str | None:
    """A county's number from its name in the year the period ends (Udir shows school year
    2019-20 under the 2020 counties). Names used twice (Vestfold 07 and 39) follow the year."""
    wanted = name.strip().lower()
    matches = [
        (first, last, code)
        for first, last, table in _COUNTY_TABLES
        for code, county in table.items()
        if county.lower() == wanted
    ]
    for first, last, code in matches:
        if first <= year <= last:
            return code
    if not matches:
        return None
    # Outside every span it is known in: the nearest one.
    return min(matches, key=lambda match: min(abs(year - match[0]), abs(year - match[1])))[2]


def _indicator(leading: _Leading, cells: Sequence[object]) -> tuple[str, str] | None:
    if leading.indicator_code is None:
        return None
    code = _text(_cell(cells, leading.indicator_code)).replace(" ", "")
    name = _text(_cell(cells, leading.indicator_name)) if leading.indicator_name is not None else ""
    return code, name or code


def _indicator_for(indicator: tuple[str, str] | None, measure: str) -> tuple[str, str, str]:
    """(code, name, unit of measure) of a cell's indicator."""
    measure_slug = slug(measure) or "verdi"
    if indicator is None or not indicator[0]:
        return f"udir-{measure_slug}"[:120], measure[:300], _unit(measure, "")
    code, name = indicator
    if measure.strip().lower() not in PLAIN_MEASURES:
        name = f"{name} – {measure}"
    return f"udir-{code}:{measure_slug}"[:120], name[:300], _unit(measure, indicator[1])


def _unit(measure: str, indicator_name: str) -> str:
    lowered = measure.lower()
    if any(word in lowered for word in COUNT_WORDS):
        return "antall"
    if any(word in lowered for word in PERCENT_WORDS) or "(prosent)" in indicator_name.lower():
        return "prosent"
    if "poeng" in lowered:
        return "poeng"
    return ""


def _decimals(column: _Column, indicator: tuple[str, str] | None) -> int:
    unit = _unit(column.measure, indicator[1] if indicator else "")
    return COUNT_DECIMALS if unit == "antall" else OTHER_DECIMALS
