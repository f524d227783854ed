"""An indicator's observations as CSV and XLSX.

The columns are the portal template's (``indicators/parsing/portal_template.py``,
docs/indicator_template.md), so an exported CSV imports again into the same observations:
the symbol stands in the value column, as in the template. CSV is UTF-8 with a byte order
mark and semicolons (what Excel with Norwegian settings opens without an import dialog),
numbers with a decimal comma. XLSX keeps numbers as numbers. Text cells a spreadsheet
would run as a formula get an apostrophe in front (``plans.resources.escape_formula``):
place names and subgroups come from files anyone can publish. Both are written row by row
from one query, so memory stays flat however many observations the indicator has."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.text import slugify

from indicators.models import Indicator, Observation, ObservationStatus
from indicators.parsing.portal_template import TEMPLATE_COLUMNS
from plans.resources import escape_formula

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Cell = str | Decimal | None


def headers() -> list[str]:
    """The portal template's columns, untranslated: they are what the importer reads, so
    an export imports again as it is (docs/indicator_template.md)."""
    return list(TEMPLATE_COLUMNS)


def exact(value: Decimal | None, decimals: int = 0) -> str | None:
    """The stored number as text without the database's padding zeros, but with at least
    the indicator's decimals: 12.5000 → "12.5", 100.0000 with 1 decimal → "100.0"."""
    if value is None:
        return None
    text = format(value, "f")
    if "." in text:
        whole, fraction = text.split(".")
        fraction = fraction.rstrip("0")
    else:
        whole, fraction = text, ""
    fraction = fraction.ljust(decimals, "0")
    return f"{whole}.{fraction}" if fraction else whole


class Symbol(str):
    """The source's symbol written in the value column (``-`` for zero, ``:`` suppressed,
    ``..`` missing): the template reads it back to the same status and symbol, and it is
    no formula, so it is written without the apostrophe."""


def rows(indicator: Indicator) -> Iterator[list[Cell]]:
    observations = (
        Observation.objects.filter(indicator=indicator)
        .order_by("place__level", "place__code", "period_start", "subgroup", "pk")
        .values_list(
            "place__code",
            "place__name",
            "place__level",
            "period_label",
            "subgroup",
            "value",
            "status",
            "symbol",
        )
    )
    source = indicator.source.code
    for (
        code,
        name,
        level,
        label,
        subgroup,
        value,
        status,
        symbol,
    ) in observations.iterator(chunk_size=2000):
        number = exact(value, indicator.decimals)
        cell: Cell
        if symbol and (status != ObservationStatus.VALUE or value == 0):
            cell = Symbol(symbol)
        else:
            cell = Decimal(number) if number is not None else None
        yield [
            source,
            indicator.code,
            indicator.name,
            level,
            code,
            name,
            label,
            subgroup,
            cell,
            status,
            indicator.unit_of_measure,
        ]


def _text(value: str) -> str:
    # openpyxl is imported where it is used: at start-up it would cost every command
    # half a second (tests/test_startup_imports.py).
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Symbol):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return _text(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(indicator: Indicator) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([_text(h) for h in headers()])).encode("utf-8")
    for row in rows(indicator):
        yield writer.writerow([_csv_cell(value) for value in row]).encode("utf-8")


def to_xlsx(indicator: Indicator) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    title = "".join(ch for ch in indicator.name if ch not in "[]:*?/\\")[:31] or "Indikator"
    sheet = workbook.create_sheet(title)
    sheet.append([_text(h) for h in headers()])
    for row in rows(indicator):
        sheet.append(
            [
                str(value)
                if isinstance(value, Symbol)
                else value
                if value is None or isinstance(value, Decimal)
                else _text(value)
                for value in row
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def filename(indicator: Indicator, fmt: str) -> str:
    stem = slugify(f"{indicator.source.code}-{indicator.code}")[:80] or f"indikator-{indicator.pk}"
    return f"{stem}.{fmt}"


def export_response(indicator: Indicator, fmt: str) -> HttpResponse | StreamingHttpResponse:
    if fmt == "xlsx":
        response: HttpResponse | StreamingHttpResponse = HttpResponse(
            to_xlsx(indicator), content_type=CONTENT_TYPES["xlsx"]
        )
    else:
        response = StreamingHttpResponse(_csv_lines(indicator), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename(indicator, fmt)}"'
    return response
