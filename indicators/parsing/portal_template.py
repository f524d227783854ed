"""The portal's own long CSV template, one observation per line, and the
Kommunebarometeret layout that uses the same rules. Documented for data admins in
``docs/indicator_template.md`` with examples in ``fixtures/``:

    kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet
    knr;kommune;sektor;nøkkeltall;verdi;karakter;plassering;år

A header row is required; ``;`` or ``,`` (or tab) separates the columns; UTF-8 with or
without BOM and Windows-1252 are read. This parser is the last ``detect`` tries and the
one the benchmark's long file goes through, so the per-line work is kept to look-ups in
small caches (periods, places, subgroups repeat on almost every line)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

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
    CellError,
    apply_status,
    collector_paused,
    delimiter_of,
    first_line,
    guess_level,
    header_key,
    level_from_text,
    normalise_place_code,
    parse_cell,
    parse_period,
    read_rows,
    require_rows,
    slug,
)
from indicators.parsing.text import decode

NAME = "portal_template"
LABEL = "Portalens mal (lang CSV) eller Kommunebarometeret"
KOMMUNEBAROMETERET = "kommunebarometeret"

TEMPLATE_COLUMNS = [
    "kilde",
    "indikatorkode",
    "indikator",
    "stedsnivå",
    "stedskode",
    "sted",
    "periode",
    "undergruppe",
    "verdi",
    "status",
    "enhet",
]
TEMPLATE_REQUIRED = ["indikatorkode", "stedskode", "periode", "verdi"]
BAROMETER_COLUMNS = [
    "knr",
    "kommune",
    "sektor",
    "nøkkeltall",
    "verdi",
    "karakter",
    "plassering",
    "år",
]
BAROMETER_REQUIRED = ["knr", "sektor", "nøkkeltall", "verdi", "år"]

SOURCES = {
    "ssb": "ssb",
    "kostra": "ssb",
    "statistisk sentralbyrå": "ssb",
    "udir": "udir",
    "utdanningsdirektoratet": "udir",
    "fhi": "fhi",
    "folkehelseinstituttet": "fhi",
    "ungdata": "ungdata",
    "kommunebarometeret": KOMMUNEBAROMETERET,
    "lokal": "lokal",
    "lokal undersøkelse": "lokal",
}
DEFAULT_SOURCE = "lokal"
MAX_LENGTH = {"indikatorkode": 120, "indikator": 300, "sted": 200, "undergruppe": 200, "enhet": 40}

# «37,3», «-12», «1000.25»: read without the general number rules (at most 12 digits
# before the decimal sign, as the observation column holds).
_PLAIN_NUMBER = re.compile(r"-?\d{1,12}(?:[.,]\d+)?")
_ASCII = str.maketrans({"å": "a", "ø": "o", "æ": "ae"})


def _column_key(cell: str) -> str:
    """«Stedsnivå», «stedsniva», « STEDSNIVÅ » → «stedsniva»."""
    return header_key(cell).translate(_ASCII)


_TEMPLATE_KEYS = {_column_key(name): name for name in TEMPLATE_COLUMNS}
_BAROMETER_KEYS = {_column_key(name): name for name in BAROMETER_COLUMNS} | {"aar": "år"}


def sniff(content: bytes, filename: str) -> bool:
    line = first_line(content)
    keys = {_column_key(cell) for cell in line.split(delimiter_of(line))}
    return {"indikatorkode", "stedskode", "periode"} <= keys or (
        {"knr", "nokkeltall"} <= keys and bool(keys & {"ar", "aar"})
    )


def parse(content: bytes, filename: str) -> ParseResult:
    text = decode(content)
    rows = read_rows(text, delimiter_of(first_line(content)))
    header_line, header = next(
        ((line, cells) for line, cells in rows if any(cell.strip() for cell in cells)), (0, [])
    )
    keys = [_column_key(cell) for cell in header]
    with collector_paused():
        if {"knr", "nokkeltall"} <= set(keys):
            return _parse_barometer(rows, header_line, header, keys)
        return _parse_template(rows, header_line, header, keys)


def _columns(header_line, header, keys, known, required, result):
    """{canonical name: position}, or None after adding a problem per missing column."""
    positions: dict[str, int] = {}
    for position, key in enumerate(keys):
        name = known.get(key)
        if name is None:
            continue
        if name in positions:
            raise FatalImportError(
                _("Kolonnen «%(column)s» står to ganger i overskriften.")
                % {"column": header[position]}
            )
        positions[name] = position
    missing = [name for name in required if name not in positions]
    for name in missing:
        result.problems.append(
            Problem(
                header_line,
                name,
                "",
                _("Kolonnen «%(column)s» mangler i overskriften. Se malen i dokumentasjonen.")
                % {"column": name},
            )
        )
    return None if missing else positions


def _parse_template(rows, header_line, header, keys) -> ParseResult:
    result = ParseResult(format=NAME, source_code=DEFAULT_SOURCE)
    at = _columns(header_line, header, keys, _TEMPLATE_KEYS, TEMPLATE_REQUIRED, result)
    if at is None:
        return result

    def set_source(code: str) -> None:
        result.source_code = code

    seen: dict[tuple, int] = {}
    problems = result.problems
    append = result.rows.append
    for row in template_rows(rows, header, at, problem=problems.append, set_source=set_source):
        key = (row.indicator_code, row.place_level, row.place_code, row.period_label, row.subgroup)
        first = seen.get(key)
        if first is not None:
            problems.append(
                Problem(
                    row.line,
                    "",
                    "",
                    _("Samme indikator, sted, periode og undergruppe står også på linje %(line)s.")
                    % {"line": first},
                )
            )
            continue
        seen[key] = row.line
        append(row)
    require_rows(result)
    return result


def template_rows(
    records: Iterable[tuple[int, list[str]]],
    header: list[str],
    at: dict[str, int],
    *,
    problem: Callable[[Problem], object],
    set_source: Callable[[str], object],
) -> Iterator[ParsedRow]:
    """The template's rows one by one, from ``(line, cells)`` records below the header
    (``at``: the columns' positions, from ``_columns``). A line that cannot be read goes
    to ``problem`` with its line, column, value and Norwegian reason; the file's source is
    given to ``set_source`` when its first line names it. The same cell twice is not
    checked here: the list parser checks it, and the streaming import leaves it to the
    bulk writer. Repeated periods, places, subgroups and sources are parsed once."""
    width = len(header)
    names = {name: header[position] for name, position in at.items()}
    source_at, name_at, level_at = at.get("kilde"), at.get("indikator"), at.get("stedsnivå")
    place_name_at, subgroup_at = at.get("sted"), at.get("undergruppe")
    status_at, unit_at = at.get("status"), at.get("enhet")
    code_at, place_at, period_at, value_at = (
        at["indikatorkode"],
        at["stedskode"],
        at["periode"],
        at["verdi"],
    )
    places: dict[tuple[str, str], tuple[str, str, str] | _PlaceProblem] = {}
    periods: dict[str, tuple | CellError] = {}
    subgroups: dict[str, str | CellError] = {}
    sources: dict[str, str | None] = {}
    source = None
    plain_number = _PLAIN_NUMBER.fullmatch
    max_length = MAX_LENGTH
    place_problem = _PlaceProblem
    value_column = names["verdi"]

    for line, cells in records:
        if len(cells) != width:
            if not "".join(cells).strip():
                continue
            problem(
                Problem(
                    line,
                    "",
                    "",
                    _("Linjen har %(found)s kolonner, overskriften har %(expected)s.")
                    % {"found": len(cells), "expected": width},
                )
            )
            continue
        code = cells[code_at].strip()
        if not code:
            if "".join(cells).strip():
                problem(Problem(line, names["indikatorkode"], "", _("Indikatorkoden mangler.")))
            continue
        if len(code) > max_length["indikatorkode"]:
            problem(
                Problem(
                    line,
                    names["indikatorkode"],
                    code,
                    _("Indikatorkoden er for lang (høyst 120 tegn)."),
                )
            )
            continue

        if source_at is not None:
            raw_source = cells[source_at]
            row_source = sources.get(raw_source, "")
            if row_source == "":
                key = raw_source.strip().lower()
                row_source = sources[raw_source] = SOURCES.get(key) if key else DEFAULT_SOURCE
            if row_source is None:
                problem(
                    Problem(
                        line,
                        names["kilde"],
                        raw_source.strip(),
                        _(
                            "Ukjent kilde: bruk ssb, udir, fhi, ungdata, kommunebarometeret "
                            "eller lokal."
                        ),
                    )
                )
                continue
            if source is None:
                source = row_source
                set_source(row_source)
            elif row_source != source:
                problem(
                    Problem(
                        line,
                        names["kilde"],
                        raw_source.strip(),
                        _("Én fil kan bare ha én kilde; første linje har «%(source)s».")
                        % {"source": source},
                    )
                )
                continue

        level_raw = cells[level_at].strip() if level_at is not None else ""
        place_raw = cells[place_at]
        place = places.get((level_raw, place_raw))
        if place is None:
            place = places[(level_raw, place_raw)] = _place(level_raw, place_raw)
        if isinstance(place, place_problem):
            problem(Problem(line, names[place.column], place.value, place.reason))
            continue
        level, place_code, default_place_name = place

        period_raw = cells[period_at]
        period = periods.get(period_raw)
        if period is None:
            try:
                period = parse_period(period_raw)
            except CellError as error:
                period = error
            periods[period_raw] = period
        if isinstance(period, CellError):
            problem(Problem(line, names["periode"], period_raw, period.reason))
            continue

        subgroup = ""
        if subgroup_at is not None:
            subgroup_raw = cells[subgroup_at]
            known = subgroups.get(subgroup_raw)
            if known is None:
                if len(subgroups) > 50_000:  # a file of distinct subgroups: forget old ones
                    subgroups.clear()
                known = subgroups[subgroup_raw] = _subgroup(subgroup_raw)
            if isinstance(known, CellError):
                problem(Problem(line, names["undergruppe"], subgroup_raw, known.reason))
                continue
            subgroup = known

        value: Decimal | None
        value_raw = cells[value_at]
        if plain_number(value_raw):
            value, status, symbol = Decimal(value_raw.replace(",", ".")), VALUE, ""
        else:
            try:
                value, status, symbol = parse_cell(value_raw)
            except CellError as error:
                problem(Problem(line, value_column, value_raw, error.reason))
                continue
        if status_at is not None and cells[status_at].strip():
            status_raw = cells[status_at].strip()
            try:
                status, symbol = apply_status(status_raw, status, symbol)
            except CellError as error:
                problem(Problem(line, names["status"], status_raw, error.reason))
                continue
            if status != VALUE:
                value = None

        indicator_name = cells[name_at].strip() if name_at is not None else ""
        place_name = cells[place_name_at].strip() if place_name_at is not None else ""
        unit = cells[unit_at].strip() if unit_at is not None else ""
        if len(indicator_name) > 300 or len(place_name) > 200 or len(unit) > 40:
            column, text = next(
                (column, text)
                for column, text in (
                    ("indikator", indicator_name),
                    ("sted", place_name),
                    ("enhet", unit),
                )
                if len(text) > max_length[column]
            )
            problem(
                Problem(
                    line,
                    names[column],
                    text,
                    _("Teksten er for lang (høyst %(max)s tegn).") % {"max": max_length[column]},
                )
            )
            continue
        yield ParsedRow(
            line,
            code,
            indicator_name or code,
            level,
            place_code,
            place_name or default_place_name,
            period[0],
            period[1],
            period[2],
            subgroup,
            value,
            status,
            symbol,
            unit,
            value_column,
        )


class _PlaceProblem(NamedTuple):
    column: str  # "stedsnivå" or "stedskode"
    value: str
    reason: str


def _place(level_raw: str, code_raw: str) -> tuple[str, str, str] | _PlaceProblem:
    """(level, code, the name to use when the line gives none) or what is wrong."""
    try:
        level = level_from_text(level_raw) if level_raw else guess_level(code_raw)
    except CellError as error:
        if level_raw:
            return _PlaceProblem("stedsnivå", level_raw, error.reason)
        return _PlaceProblem("stedskode", code_raw, error.reason)
    try:
        code = normalise_place_code(level, code_raw)
    except CellError as error:
        return _PlaceProblem("stedskode", code_raw, error.reason)
    return level, code, _default_place_name(level, code)


def _default_place_name(level: str, code: str) -> str:
    if level == COUNTRY:
        return COUNTRY_NAME
    if level == COUNTY:
        return COUNTY_NAMES_BY_CODE.get(code, "")
    return ""


def _subgroup(text: str) -> str | CellError:
    """«kjønn=Jenter|trinn=10. trinn» → the same, sorted and with totals left out."""
    text = text.strip()
    if not text:
        return ""
    parts = {}
    for part in text.split("|"):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            return CellError(
                _(
                    "Undergruppen skrives som nøkkel=verdi, flere skilt med | "
                    "(kjønn=Jenter|trinn=10. trinn)."
                )
            )
        if key.strip().lower() in parts:
            return CellError(
                _("Nøkkelen «%(key)s» står to ganger i undergruppen.") % {"key": key.strip()}
            )
        parts[key.strip().lower()] = " ".join(value.split())
    return subgroup_text(parts)


# --- Kommunebarometeret ---------------------------------------------------------------

BAROMETER_MEASURES = [
    ("verdi", "", ""),
    ("karakter", ":karakter", "karakter"),
    ("plassering", ":plassering", "plass"),
]


def barometer_code(sector: str, key_figure: str) -> str:
    """«Grunnskole», «Andel lærere …» → «grunnskole:andel-laerere-…», short enough to take
    «:plassering» and still fit the indicator code (120 characters)."""
    code = f"{slug(sector)}:{slug(key_figure)}"
    if len(code) > 100:
        digest = hashlib.sha256(code.encode()).hexdigest()[:8]
        code = f"{code[:91]}-{digest}"
    return code


def _parse_barometer(rows, header_line, header, keys) -> ParseResult:
    result = ParseResult(format=NAME, source_code=KOMMUNEBAROMETERET)
    at = _columns(header_line, header, keys, _BAROMETER_KEYS, BAROMETER_REQUIRED, result)
    if at is None:
        return result
    width = len(header)
    names = {name: header[position] for name, position in at.items()}
    seen: dict[tuple, int] = {}
    for line, cells in rows:
        if len(cells) != width:
            if "".join(cells).strip():
                result.problems.append(
                    Problem(
                        line,
                        "",
                        "",
                        _("Linjen har %(found)s kolonner, overskriften har %(expected)s.")
                        % {"found": len(cells), "expected": width},
                    )
                )
            continue
        if not "".join(cells).strip():
            continue
        sector, key_figure = cells[at["sektor"]].strip(), cells[at["nøkkeltall"]].strip()
        if not sector or not key_figure:
            column = "sektor" if not sector else "nøkkeltall"
            result.problems.append(
                Problem(line, names[column], "", _("Feltet kan ikke være tomt."))
            )
            continue
        knr = cells[at["knr"]]
        try:
            level = guess_level(knr)
            place_code = normalise_place_code(level, knr)
        except CellError as error:
            result.problems.append(Problem(line, names["knr"], knr, error.reason))
            continue
        year = cells[at["år"]]
        try:
            period = parse_period(year)
        except CellError as error:
            result.problems.append(Problem(line, names["år"], year, error.reason))
            continue
        place_name = cells[at["kommune"]].strip() if "kommune" in at else ""
        place_name = place_name or _default_place_name(level, place_code)
        code = barometer_code(sector, key_figure)
        key = (code, place_code, period[0])
        if key in seen:
            result.problems.append(
                Problem(
                    line,
                    "",
                    "",
                    _("Samme kommune, nøkkeltall og år står også på linje %(line)s.")
                    % {"line": seen[key]},
                )
            )
            continue
        seen[key] = line
        for column, suffix, unit in BAROMETER_MEASURES:
            if column not in at:
                continue
            raw = cells[at[column]]
            try:
                value, status, symbol = parse_cell(raw)
            except CellError as error:
                result.problems.append(Problem(line, names[column], raw, error.reason))
                continue
            result.rows.append(
                ParsedRow(
                    line=line,
                    indicator_code=code + suffix,
                    indicator_name=f"{sector}: {key_figure}" + (f" ({column})" if suffix else ""),
                    place_level=level,
                    place_code=place_code,
                    place_name=place_name[:200],
                    period_label=period[0],
                    period_start=period[1],
                    period_end=period[2],
                    subgroup="",
                    value=value,
                    status=status,
                    symbol=symbol,
                    unit_of_measure=unit,
                    column=names[column],
                )
            )
    require_rows(result)
    return result
