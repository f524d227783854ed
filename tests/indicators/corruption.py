"""Damage a real file the way a person or a network does, and read what the importer
makes of it: the helpers behind the property test in ``test_corruption.py``.

A damaged text file is decoded with the encoding the undamaged file has, changed line
by line and cell by cell (the lines keep their own line ends), and encoded again; an
XLSX is changed through openpyxl, as Excel would save it."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl

from indicators import parsing
from indicators.parsing import streaming
from indicators.parsing.base import FatalImportError, ParsedRow
from indicators.parsing.cellvalues import delimiter_of
from indicators.services.file_checks import file_content_check

Key = tuple[str, str, str, str, str]
Cell = tuple[Decimal | None, str]

# Options the mapping step gives a parser that needs the place (an Ungdata report table).
VTFK = ("fylke", "38", "Vestfold og Telemark")


def options_for(name: str) -> dict:
    """What the data admin answers in the mapping step for an Ungdata report table: the
    place, and the survey year when the columns are measures, not years."""
    if not name.startswith("ungdata_"):
        return {}
    return {"place": VTFK, "period": "2021"}


def observations(content: bytes, name: str) -> dict[Key, Cell]:
    """What an import of this file would store, by cell: the checks, then the reader the
    import service uses (``imports._reader``: streaming for the long layouts, the
    parser's list for the rest). Raises ``FatalImportError`` when the file is refused;
    a rejected row is simply not there."""
    file_content_check(content=content)
    parser = parsing.detect(content, name)
    if parser is None:
        raise FatalImportError("unknown layout")
    if parser.NAME in streaming.STREAMED:
        rows = list(streaming.iter_parse(io.BytesIO(content), name).rows)
    else:
        rows = parser.parse(content, name, **options_for(name)).rows
    return by_key(rows)


def by_key(rows: list[ParsedRow]) -> dict[Key, Cell]:
    """The first row for each cell wins, as in the bulk writer."""
    found: dict[Key, Cell] = {}
    for row in rows:
        key = (row.indicator_code, row.place_level, row.place_code, row.period_label, row.subgroup)
        found.setdefault(key, (row.value, row.status))
    return found


# --- Text files -----------------------------------------------------------------------


@dataclass
class TextFile:
    encoding: str
    bom: bytes
    lines: list[str]  # each with its own line end
    delimiter: str

    @classmethod
    def of(cls, content: bytes) -> TextFile:
        if content.startswith(codecs.BOM_UTF8):
            encoding, bom = "utf-8", codecs.BOM_UTF8
        elif content[1:2] == b"\x00":
            encoding, bom = "utf-16-le", b""
        else:
            try:
                content.decode("utf-8")
                encoding, bom = "utf-8", b""
            except UnicodeDecodeError:
                encoding, bom = "latin-1", b""
        text = content[len(bom) :].decode(encoding)
        lines = text.splitlines(keepends=True)
        header = next((line for line in lines if line.strip() and "sep=" not in line), "")
        return cls(encoding, bom, lines, delimiter_of(header, ";,\t"))

    def encode(self) -> bytes:
        return self.bom + "".join(self.lines).encode(self.encoding)

    def cells(self, index: int) -> tuple[list[str], str]:
        line = self.lines[index]
        body = line.rstrip("\r\n")
        try:
            cells = next(csv.reader([body], delimiter=self.delimiter), [])
        except csv.Error:
            cells = body.split(self.delimiter)
        return cells, line[len(body) :]

    def set_cells(self, index: int, cells: list[str], end: str) -> None:
        out = io.StringIO()
        csv.writer(out, delimiter=self.delimiter, lineterminator="").writerow(cells)
        self.lines[index] = out.getvalue() + end


def cut(content: bytes, at: int) -> bytes:
    return content[:at]


def delete_cell(content: bytes, line: int, cell: int) -> bytes:
    """A cell deleted in Excel with «shift cells left»: the row is one cell short."""
    text = TextFile.of(content)
    index = line % len(text.lines)
    cells, end = text.cells(index)
    if len(cells) < 2:
        return content
    del cells[cell % len(cells)]
    text.set_cells(index, cells, end)
    return text.encode()


def duplicate_line(content: bytes, line: int) -> bytes:
    text = TextFile.of(content)
    index = line % len(text.lines)
    copy = text.lines[index]
    if not copy.endswith(("\n", "\r")):
        copy += "\r\n" if text.lines[0].endswith("\r\n") else "\n"
    text.lines.insert(index + 1, copy)
    return text.encode()


def swap_columns(content: bytes, first: int, second: int) -> bytes:
    """Two whole columns swapped (header and every row), as dragged in Excel."""
    text = TextFile.of(content)
    for index in range(len(text.lines)):
        cells, end = text.cells(index)
        if len(cells) < 2:
            continue
        a, b = first % len(cells), second % len(cells)
        cells[a], cells[b] = cells[b], cells[a]
        text.set_cells(index, cells, end)
    return text.encode()


def insert_formula(content: bytes, line: int, cell: int, formula: str) -> bytes:
    text = TextFile.of(content)
    index = line % len(text.lines)
    cells, end = text.cells(index)
    if not cells:
        return content
    cells[cell % len(cells)] = formula
    text.set_cells(index, cells, end)
    return text.encode()


ENCODING_DECLARATIONS = {
    "utf8_bom": codecs.BOM_UTF8,
    "utf16le_bom": codecs.BOM_UTF16_LE,
    "utf16be_bom": codecs.BOM_UTF16_BE,
}


def declare_encoding(content: bytes, declaration: str) -> bytes:
    """Another byte order mark than the body's: a BOM put on (or taken off) by a tool
    that does not re-encode the text behind it."""
    if declaration == "none":
        for bom in ENCODING_DECLARATIONS.values():
            if content.startswith(bom):
                return content[len(bom) :]
        return content
    return ENCODING_DECLARATIONS[declaration] + content


# --- Spreadsheets ---------------------------------------------------------------------


def xlsx_damage(content: bytes, kind: str, row: int, column: int, other: int) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    if not rows:
        return content
    r = row % len(rows)
    width = len(rows[r])
    c = column % width
    if kind == "delete_cell":
        for position in range(c, width):
            following = rows[r][position + 1].value if position + 1 < width else None
            rows[r][position].value = following
    elif kind == "duplicate_line":
        sheet.insert_rows(r + 2)
        for position, cell in enumerate(rows[r], start=1):
            sheet.cell(row=r + 2, column=position, value=cell.value)
    elif kind == "swap_columns":
        o = other % width
        for cells in rows:
            cells[c].value, cells[o].value = cells[o].value, cells[c].value
    elif kind == "insert_formula":
        rows[r][c].value = "=1+1"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def insert_column(content: bytes, at: int, name: str, fill: str, header: int = -1) -> bytes:
    """A column inserted in Excel and the file saved again as CSV: ``name`` on the header
    line (index ``header``; -1: the first line with more than one cell), ``fill`` on
    every line below it with more than one cell filled (empty elsewhere), at position ``at``
    (past the end: appended). Excel reads a «sep=» line as a setting; it is kept as it
    was, as if the file were edited in a text editor."""
    text = TextFile.of(content)
    # The separator of the table, not of a title line above it (SSB's quoted layout).
    text.delimiter = delimiter_of(max(text.lines[:10], key=len), ";,\t")
    for index in range(len(text.lines)):
        cells, end = text.cells(index)
        if len(cells) < 2 or cells[0].startswith("sep="):  # Excel drops the «sep=» line
            continue
        if header < 0:
            header = index
        below = index > header and any(cell.strip() for cell in cells[1:])
        cell = name if index == header else fill if below else ""
        cells.insert(min(at, len(cells)), cell)
        text.set_cells(index, cells, end)
    return text.encode()
