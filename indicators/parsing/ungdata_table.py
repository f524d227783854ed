"""Ungdata report tables typed by hand: one row per grade, the first column «Trinn».

Two shapes, told apart by the other headers:

- the columns are survey years (``Trinn,2017/2018,2021``): one indicator, named after
  the file, the year from each column («2017/2018» is stored as the span «2017–2018»);
- the columns are measures (``Trinn;Trener eller konkurrerer i et idrettslag;…``): one
  indicator per column (``<slug of the header>``), all for one survey year.

A blank cell is a grade that was not surveyed (MISSING). The tables never say which
place they describe, and the measure tables not which year either: the data admin says
so in the mapping step, and the import service passes ``place=(level, code, name)`` and
``period="2021"``. Without them the result has no rows and one problem saying so.
``indicator_code``/``indicator_name`` name the one indicator of a years table (default:
``ungdata:<file name>``); a measures table names its indicators after the headers."""

from __future__ import annotations

import datetime
import re
from pathlib import PurePath

from django.utils.translation import gettext as _

from indicators.parsing.base import FatalImportError, ParsedRow, ParseResult, Problem, subgroup_text
from indicators.parsing.cellvalues import (
    CellError,
    delimiter_of,
    first_line,
    head_text,
    header_key,
    level_from_text,
    normalise_place_code,
    parse_cell,
    parse_period,
    read_rows,
    row_problem,
    slug,
)
from indicators.parsing.text import decode

NAME = "ungdata_table"
LABEL = "Ungdata-tabell (trinn i rader)"
SOURCE = "ungdata"

GRADE_HEADERS = {"trinn", "klassetrinn", "skoletrinn"}
_GRADE = re.compile(
    r"\d{1,2}\.?\s*(?:[-–]\s*\d{1,2}\.?\s*)?(?:trinn|klasse)"
    r"|vg\s*[1-3]|alle(?: trinn)?|i alt|totalt",
    re.IGNORECASE,
)

Period = tuple[str, datetime.date, datetime.date]


def sniff(content: bytes, filename: str) -> bool:
    try:
        text = head_text(content)
    except FatalImportError:
        return False
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    delimiter = delimiter_of(lines[0], ",;\t")
    header = lines[0].split(delimiter)
    if len(header) < 2 or header_key(header[0]) not in GRADE_HEADERS:
        return False
    return all(
        _GRADE.fullmatch(" ".join(line.split(delimiter)[0].strip('" ').split()))
        for line in lines[1:21]
    )


def parse(
    content: bytes,
    filename: str,
    *,
    place: tuple[str, str, str] | None = None,
    period: str | Period | None = None,
    indicator_code: str | None = None,
    indicator_name: str | None = None,
) -> ParseResult:
    text = decode(content)
    result = ParseResult(format=NAME, source_code=SOURCE)
    rows = [
        (n, cells)
        for n, cells in read_rows(text, delimiter_of(first_line(content), ",;\t"))
        if any(cell.strip() for cell in cells)
    ]
    if len(rows) < 2:
        raise FatalImportError(_("Tabellen har ingen rader under overskriften."))
    header_line, header = rows[0]
    header = [cell.replace("\ufeff", "").strip() for cell in header]
    columns = header[1:]
    if not columns or not all(columns):
        raise FatalImportError(_("Alle kolonnene i tabellen må ha en overskrift."))
    periods: list[Period | None] = []
    for column in columns:
        try:
            periods.append(parse_period(column))
        except CellError:
            periods.append(None)
    by_year = all(periods)
    if any(periods) and not by_year:
        raise FatalImportError(
            _("Overskriftene blander år og tekst: enten er kolonnene år, eller så er de mål.")
        )

    stem = PurePath(filename or "ungdata").stem
    needs_period = not by_year and period is None
    if place is None or needs_period:
        if place is None and needs_period:
            reason = _(
                "Tabellen sier ikke hvilket sted tallene gjelder eller hvilket år undersøkelsen "
                "ble gjort. Velg sted og år i kartleggingssteget før importen."
            )
        elif place is None:
            reason = _(
                "Tabellen sier ikke hvilket sted tallene gjelder. Velg sted i "
                "kartleggingssteget før importen."
            )
        else:
            reason = _(
                "Tabellen sier ikke hvilket år undersøkelsen ble gjort. Velg år i "
                "kartleggingssteget før importen."
            )
        result.problems.append(Problem(header_line, "", "", reason))
        return result
    try:
        level, place_code, place_name = _place(place)
        column_periods = (
            [p for p in periods if p is not None] if by_year else [_period(period)] * len(columns)
        )
    except CellError as error:
        result.problems.append(Problem(None, "", "", error.reason))
        return result

    if by_year:
        code = indicator_code or f"ungdata:{slug(stem)[:100]}"
        name = indicator_name or stem.replace("_", " ")
        indicators = [(code, name)] * len(columns)
    else:
        indicators = [(f"ungdata:{slug(column)[:100]}", column) for column in columns]

    for line, cells in rows[1:]:
        refused = row_problem(line, cells, header)
        if refused is not None:
            result.problems.append(refused)
            continue
        grade = " ".join(cells[0].split())
        if not _GRADE.fullmatch(grade):
            result.problems.append(
                Problem(
                    line,
                    header[0],
                    cells[0],
                    _("«%(value)s» er ikke et trinn.") % {"value": cells[0]},
                )
            )
            continue
        subgroup = subgroup_text({"trinn": _grade_label(grade)})
        for position, column in enumerate(columns, start=1):
            raw = cells[position] if position < len(cells) else ""
            try:
                value, status, symbol = parse_cell(raw)
            except CellError as error:
                result.problems.append(Problem(line, column, raw, error.reason))
                continue
            label, start, end = column_periods[position - 1]
            result.rows.append(
                ParsedRow(
                    line=line,
                    indicator_code=indicators[position - 1][0],
                    indicator_name=indicators[position - 1][1],
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
                    unit_of_measure="prosent" if "%" in raw else "",
                    column=column,
                )
            )
    return result


def _place(place: tuple[str, str, str]) -> tuple[str, str, str]:
    level, code, name = place
    level = level_from_text(level)
    return level, normalise_place_code(level, code), name


def _period(period: str | Period | None) -> Period:
    if period is None:
        raise CellError(_("Velg hvilket år undersøkelsen ble gjort."))
    if isinstance(period, str):
        return parse_period(period)
    return period


def _grade_label(grade: str) -> str:
    """«8.trinn» → «8. trinn», «vg1» → «Vg1»."""
    match = re.fullmatch(r"(\d{1,2})\.?\s*trinn", grade, re.I)
    if match:
        return f"{match.group(1)}. trinn"
    match = re.fullmatch(r"vg\s*([1-3])", grade, re.I)
    if match:
        return f"Vg{match.group(1)}"
    return grade
