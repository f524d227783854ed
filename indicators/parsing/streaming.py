"""Reading a big file row by row, without holding it or its rows in memory.

The parsers in this package return every row of a file in one list: fine for what SSB,
Udir and FHI publish for one municipality, too much for a national file of a million
observations. ``iter_parse`` gives the rows of the two long layouts one at a time, for
``indicators.services.bulk.upsert_observations`` to write in chunks:

* the portal's own long template (``portal_template``), read line by line with the same
  column, place, period, subgroup and value rules (its helpers, not a copy of them);
* the SSB statbank CSV (``ssb_csv``) in two passes over the file: the first finds the
  header and the footer (the footer names the variables' codes and units, and comes after
  the data), the second reads the data rows.

Any other layout is parsed by its own parser and its list is handed out row by row.

Two differences from the list parsers, both because a streaming parser cannot remember
every line: the template's check for the same cell twice is left to the bulk writer (it
rejects the second line with the same message and line number), and a problem list keeps
the first ``MAX_PROBLEMS`` problems and counts the rest."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from indicators import parsing
from indicators.parsing import portal_template, ssb_csv
from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    VALUE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    subgroup_text,
)
from indicators.parsing.cellvalues import (
    CellError,
    apply_status,
    delimiter_of,
    parse_cell,
    parse_period,
)

MAX_PROBLEMS = 1_000
_READ = 1 << 20
_HEAD_BYTES = 64 * 1024
# The SSB header and the first data rows are found in the first lines of the file.
_SSB_HEAD_LINES = 200


# The layouts read here row by row; ``iter_parse`` hands any other out from its list.
STREAMED = frozenset({portal_template.NAME, ssb_csv.NAME})


@dataclass
class StreamingParse:
    """A file on its way through a parser: ``rows`` is read once; ``problems`` fills as
    it is read (the first ``MAX_PROBLEMS``; ``problem_count`` counts all)."""

    format: str
    source_code: str
    rows: Iterator[ParsedRow]
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    counter: Callable[[], int] | None = None

    def problem(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


# --- Files and text -------------------------------------------------------------------------


def _open(file: Any) -> tuple[IO[bytes], bool]:
    """A seekable binary file for a path, bytes or an open file; True when we opened it."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(file)), True
    if isinstance(file, (str, os.PathLike)):
        return open(file, "rb"), True  # closed when the rows have been read
    return file, False


def _encoding(binary: IO[bytes]) -> str:
    """The encoding ``indicators.parsing.text.decode`` would pick, found by reading the
    file in pieces: UTF-16 by its BOM (or NULs in every other byte), UTF-8 with or
    without BOM, else Windows-1252, else Latin-1. Raises FatalImportError as it does."""
    binary.seek(0)
    head = binary.read(4)
    if not head.strip() and not binary.read(_READ).strip():
        raise FatalImportError(_("Filen er tom."))
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    for encoding in ("utf-8-sig", "cp1252"):
        if _decodes(binary, encoding):
            return encoding
    return "latin-1"


def _decodes(binary: IO[bytes], encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    binary.seek(0)
    try:
        while piece := binary.read(_READ):
            if b"\x00" in piece:
                raise FatalImportError(_("Filen er ikke en tekstfil (den inneholder binære data)."))
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _lines(binary: IO[bytes], encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """``_records`` of the file from its start. The text wrapper is detached at the end,
    so that it does not close the file when it goes (the SSB reader reads it twice)."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        yield from _records(text, delimiter)
    finally:
        if not binary.closed:
            text.detach()


def _sample(binary: IO[bytes], encoding: str) -> str:
    """The start of the file as text (about 64 KB)."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        return text.read(_HEAD_BYTES)
    finally:
        text.detach()


def _records(text: IO[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for every record. A line without a quote is split as it is
    (three times faster than the csv module); one with a quote goes through the csv
    module, which reads on when a quoted cell holds a line break. The number is the
    record's last line, as ``csv.reader.line_num`` gives it."""
    number = 0
    for line in text:
        number += 1
        if '"' not in line:
            if number == 1:
                line = line.lstrip("\ufeff")
            yield number, line.rstrip("\r\n").split(delimiter)
            continue
        reader = csv.reader(itertools.chain([line.lstrip("\ufeff")], text), delimiter=delimiter)
        try:
            cells = next(reader, [])
        except csv.Error as error:
            raise FatalImportError(
                _("Filen kan ikke leses som CSV (linje %(line)s): %(error)s")
                % {"line": number, "error": error}
            ) from error
        number += reader.line_num - 1
        yield number, cells


# --- Choosing the parser --------------------------------------------------------------------


def iter_parse(file: Any, filename: str = "") -> StreamingParse:
    """The rows of a file (a path, bytes or a binary file) one by one. Raises
    ``FatalImportError`` when the file as a whole cannot be read; the rows may raise it
    too, for a fault further down the file."""
    binary, opened = _open(file)
    binary.seek(0)
    head = binary.read(_HEAD_BYTES)
    if ssb_csv.sniff(head, filename):
        parse = _ssb(binary, filename)
    elif portal_template.sniff(head, filename) and not _is_barometer(head):
        parse = _template(binary)
    else:
        parse = _whole_file(binary, filename)
    if opened:
        parse.rows = _closing(parse.rows, binary)
    return parse


def _closing(rows: Iterator[ParsedRow], binary: IO[bytes]) -> Iterator[ParsedRow]:
    try:
        yield from rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        binary.close()


def _is_barometer(head: bytes) -> bool:
    line = portal_template.first_line(head)
    keys = {portal_template._column_key(cell) for cell in line.split(delimiter_of(line))}
    return {"knr", "nokkeltall"} <= keys


def _whole_file(binary: IO[bytes], filename: str) -> StreamingParse:
    """A layout without a streaming reader: its own parser, its list row by row."""
    binary.seek(0)
    return from_result(parsing.parse(binary.read(), filename))


def from_result(result: ParseResult) -> StreamingParse:
    """A list parser's result as a StreamingParse; its ``counter()`` says how many rows
    have been handed out (for a progress bar)."""
    handed = [0]

    def rows() -> Iterator[ParsedRow]:
        for row in result.rows:
            handed[0] += 1
            yield row

    parse = StreamingParse(result.format, result.source_code, rows())
    parse.counter = lambda: handed[0]
    for problem in result.problems:
        parse.problem(problem)
    return parse


# --- The portal's long template -----------------------------------------------------------


def _template(binary: IO[bytes]) -> StreamingParse:
    encoding = _encoding(binary)
    head_line = portal_template.first_line(_peek(binary))
    records = _lines(binary, encoding, delimiter_of(head_line))
    header_line, header = next(
        ((line, cells) for line, cells in records if any(cell.strip() for cell in cells)),
        (0, []),
    )
    keys = [portal_template._column_key(cell) for cell in header]
    parse = StreamingParse(portal_template.NAME, portal_template.DEFAULT_SOURCE, iter(()))
    collected = ParseResult(format=parse.format, source_code=parse.source_code)
    at = portal_template._columns(
        header_line,
        header,
        keys,
        portal_template._TEMPLATE_KEYS,
        portal_template.TEMPLATE_REQUIRED,
        collected,
    )
    for problem in collected.problems:
        parse.problem(problem)
    if at is None:
        return parse
    rows = _template_rows(records, header, at, parse)
    # Read up to the first row, so that the file's source (its first line's) is known.
    first = next(rows, None)
    if first is None and not parse.problem_count:
        raise FatalImportError(_("Filen har ingen rader under overskriften."))
    parse.rows = rows if first is None else itertools.chain([first], rows)
    return parse


def _peek(binary: IO[bytes]) -> bytes:
    position = binary.tell()
    binary.seek(0)
    head = binary.read(_HEAD_BYTES)
    binary.seek(position)
    return head


def _template_rows(records, header, at, parse: StreamingParse) -> Iterator[ParsedRow]:
    """``portal_template._parse_template`` as a generator; see that function for the
    rules. Kept close to it line by line, so a change there is easy to carry over."""
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
    places: dict[tuple[str, str], Any] = {}
    periods: dict[str, Any] = {}
    subgroups: dict[str, Any] = {}
    sources: dict[str, str | None] = {}
    source = None
    problem = parse.problem
    plain_number = portal_template._PLAIN_NUMBER.fullmatch
    max_length = portal_template.MAX_LENGTH
    place_problem = portal_template._PlaceProblem
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
                row_source = sources[raw_source] = (
                    portal_template.SOURCES.get(key) if key else portal_template.DEFAULT_SOURCE
                )
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
                source = parse.source_code = row_source
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
            place = places[(level_raw, place_raw)] = portal_template._place(level_raw, place_raw)
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
                known = subgroups[subgroup_raw] = portal_template._subgroup(subgroup_raw)
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


# --- SSB statbank CSV ---------------------------------------------------------------------


@dataclass
class _SsbLayout:
    delimiter: str
    first_data_line: int
    header: list
    stub_names: list
    columns: dict
    indicators: dict


def _ssb(binary: IO[bytes], filename: str) -> StreamingParse:
    encoding = _encoding(binary)
    parse = StreamingParse(ssb_csv.NAME, ssb_csv.SOURCE, iter(()))
    layout = _ssb_layout(binary, encoding, filename, parse)
    parse.rows = _ssb_rows(binary, encoding, layout, parse)
    return parse


def _result() -> ParseResult:
    return ParseResult(format=ssb_csv.NAME, source_code=ssb_csv.SOURCE)


def _stripped(records) -> Iterator[tuple[int, list[str]]]:
    for line, cells in records:
        yield line, [cell.strip() for cell in cells]


def _ssb_layout(binary, encoding: str, filename: str, parse: StreamingParse) -> _SsbLayout:
    """The first pass: title, header rows, the widest data row, the variables named in a
    stub column and the footer, as ``ssb_csv.parse`` finds them in the whole file."""
    delimiter = ssb_csv._delimiter(_sample(binary, encoding))
    records = _stripped(_lines(binary, encoding, delimiter))
    head = list(itertools.islice(records, _SSB_HEAD_LINES))
    table, subject, dimensions = ssb_csv._title(head, filename)
    header, data, _footer = ssb_csv._split(head, dimensions)
    first_row = data[0]
    # The stub columns first (from the first data row), to know which holds variables.
    stub_names, _columns = ssb_csv._columns(header, [first_row], dimensions, _result())
    roles = [ssb_csv._role(name) for name in stub_names]
    variable_at = roles.index(ssb_csv.VARIABLE) if ssb_csv.VARIABLE in roles else None

    # The rest of the data (after the head) and the footer after its first blank row.
    widest = first_row
    variables: set[str | None] = set()
    footer: list[tuple[int, list[str]]] = []
    in_data = True
    for line, cells in itertools.chain(head[head.index(first_row) :], records):
        if in_data:
            if not any(cells):
                in_data = False
                footer.append((line, cells))
                continue
            if len(cells) > len(widest[1]):
                widest = (line, cells)
            if variable_at is not None and len(cells) > variable_at and cells[variable_at]:
                variables.add(ssb_csv._normalise(cells[variable_at]))
        else:
            footer.append((line, cells))

    collected = _result()
    stub_names, columns = ssb_csv._columns(header, [first_row, widest], dimensions, collected)
    for problem in collected.problems:
        parse.problem(problem)
    if variable_at is None:
        variables = {column.variable for column in columns.values()}
    if ssb_csv.TIME not in roles and any(column.period is None for column in columns.values()):
        raise FatalImportError(
            _(
                "Fant ikke årstallet i overskriftene. "
                "Er dette en nedlasting fra SSBs statistikkbank?"
            )
        )
    footer_codes, footer_units = ssb_csv._footer(footer)
    indicators = ssb_csv._indicators(table, subject, variables, footer_codes, footer_units)
    return _SsbLayout(delimiter, first_row[0], header, stub_names, columns, indicators)


def _ssb_rows(binary, encoding: str, layout: _SsbLayout, parse: StreamingParse):
    """The second pass: ``ssb_csv.parse``'s loop over the data rows, as a generator."""
    records = _stripped(_lines(binary, encoding, layout.delimiter))
    stub_names, columns, indicators = layout.stub_names, layout.columns, layout.indicators
    collected = _result()
    previous_stub = [""] * len(stub_names)
    value_cache: dict[str, tuple | None] = {}
    validity: dict[str, tuple[int | None, int | None]] = {}
    subgroups: dict[tuple, str] = {}
    country = (COUNTRY, COUNTRY_CODE, "Hele landet")
    problem = parse.problem
    value_from_text = ssb_csv.value_from_text
    column_items = list(columns.items())
    for line, cells in records:
        if line < layout.first_data_line:
            continue
        if not any(cells):
            return  # the footer begins
        stub = ssb_csv._stub(line, cells, stub_names, previous_stub, collected)
        if collected.problems:
            for found in collected.problems:
                problem(found)
            collected.problems.clear()
        if stub is None:
            continue
        width = len(cells)
        for index, column in column_items:
            raw = cells[index] if index < width else ""
            if raw == "":
                problem(Problem(line, column.text, raw, _("Cellen er tom.")))
                continue
            parsed: Any = value_cache.get(raw, False)
            if parsed is False:
                if len(value_cache) > 100_000:
                    value_cache.clear()
                parsed = value_cache[raw] = value_from_text(raw)
            if parsed is None:
                problem(
                    Problem(
                        line,
                        column.text,
                        raw,
                        _("Verdien er verken et tall eller et av SSBs symboler."),
                    )
                )
                continue
            period = stub.period or column.period
            place = stub.place or column.place or country
            code, name, unit = indicators[stub.variable or column.variable]
            subgroup = ""
            if stub.parts or column.parts:
                key = (tuple(stub.parts.items()), tuple(column.parts.items()))
                known = subgroups.get(key)
                if known is None:
                    known = subgroups[key] = subgroup_text({**stub.parts, **column.parts})
                subgroup = known
            place_text = stub.place_text or column.place_text
            years = validity.get(place_text)
            if years is None:
                years = validity[place_text] = ssb_csv.historic_years(place_text)
            value, status, symbol = parsed
            yield ParsedRow(
                line,
                code,
                name,
                place[0],
                place[1],
                place[2],
                period[0],
                period[1],
                period[2],
                subgroup,
                value,
                status,
                symbol,
                unit,
                column.text,
                years[0],
                years[1],
            )
