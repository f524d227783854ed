"""Reading a big file row by row, without holding it or its rows in memory.

The parsers in this package return every row of a file in one list: fine for what SSB,
Udir and FHI publish for one municipality, too much for a national file of a million
observations. ``iter_parse`` gives the rows of the two long layouts one at a time, for
``indicators.services.bulk.observations_upsert`` to write in chunks:

* the portal's own long template, read line by line by the list parser's own generator
  (``portal_template.template_rows``);
* the SSB statbank CSV (``ssb_csv``) in two passes over the file: the first finds the
  header and the footer (the footer names the variables' codes and units, and comes after
  the data), the second reads the data rows.

Any other layout is parsed by its own parser and its list is handed out row by row.

Two differences from the list parsers, both because a streaming parser cannot remember
every line: the template's check for the same cell twice is left to the bulk writer (it
rejects the second line, naming the line it repeats), and a problem list keeps
the first ``MAX_PROBLEMS`` problems and counts the rest."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _

from indicators import parsing
from indicators.parsing import portal_template, ssb_csv
from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    subgroup_text,
)
from indicators.parsing.cellvalues import (
    delimiter_of,
    row_problem,
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

    def set_source(code: str) -> None:
        parse.source_code = code

    rows = portal_template.template_rows(
        records, header, at, problem=parse.problem, set_source=set_source
    )
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
    last_data = first_row
    for line, cells in itertools.chain(head[head.index(first_row) :], records):
        if in_data:
            last_data = (line, cells)
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
    ssb_csv.require_periods(roles, columns, header)
    ssb_csv.require_footer(header, [last_data], footer)
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
        refused = row_problem(line, cells, layout.header[-1][1])
        if refused is not None:
            problem(refused)
            continue
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
