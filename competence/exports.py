"""The activity table and the yearly evaluation as CSV, XLSX and PDF.

CSV is UTF-8 with a byte order mark and semicolons, which is what Excel with Norwegian
settings opens without an import dialog; numbers there use a decimal comma. Text cells that
a spreadsheet would run as a formula get an apostrophe in front (the same rule as the
organisation's exports in ``plans.resources``). PDFs go through ``documents.pdf.render_pdf``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from competence.selectors.reports import PublishedEvaluation, PublishedFigures, TableRow
from documents.pdf import render_pdf
from plans import disclosure
from plans.resources import escape_formula
from plans.schoolyear import SchoolYear

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

Cell = str | int | Decimal | None


# --- Rows ---------------------------------------------------------------------------------


def activity_headers() -> list[str]:
    return [
        _("Barnehage- og skoleår"),
        _("Læringsform"),
        _("Tittel"),
        _("Målgruppe"),
        _("Arrangør"),
        _("Tema"),
        _("Innhold"),
        _("Tidspunkt"),
        _("Sted"),
        _("Finansiering"),
    ]


def activity_cells(row: TableRow) -> list[Cell]:
    return [
        row.school_year,
        row.form,
        row.title,
        row.target,
        row.organiser,
        ", ".join(row.themes),
        row.content,
        "\n".join(row.dates),
        row.place,
        row.funding,
    ]


def evaluation_headers() -> list[str]:
    return [
        _("Tiltak"),
        _("Læringsform"),
        _("Samlinger"),
        _("Samlinger gjennomført"),
        _("Påmeldte"),
        _("Møtte"),
        _("Oppmøte (%)"),
        _("Snitt tilbakemelding (1–5)"),
        _("Antall tilbakemeldinger"),
        _("Utviklingsområder"),
    ]


def evaluation_cells(evaluation: PublishedEvaluation) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for row in evaluation.rows:
        activity = row.activity
        rows.append(
            [
                activity.title,
                activity.get_form_display(),
                row.sessions_total,
                row.sessions_held,
                *_people(row),
                ", ".join(area.name for area in row.areas),
            ]
        )
    total = evaluation.total
    rows.append(
        [
            _("Sum"),
            "",
            evaluation.sessions_total,
            total.sessions_held,
            *_people(total),
            "",
        ]
    )
    return rows


def _value(cell: disclosure.Cell) -> Cell:
    """A shown count as a number, a suppressed one as its mark («<5» or «:»)."""
    return cell["text"] if cell["suppressed"] else cell["value"]


def _people(figures: PublishedFigures) -> list[Cell]:
    """Confirmed, attended, rate, average and feedback count, as published."""
    return [
        _value(figures.confirmed),
        _value(figures.attended),
        figures.attendance_rate
        if figures.attendance_rate is not None
        else _mark(figures.rate_mark),
        figures.feedback_average
        if figures.feedback_average is not None
        else _mark(figures.average_mark),
        _value(figures.feedback_count),
    ]


def _mark(text: str) -> str | None:
    return None if text == "–" else text


def area_headers() -> list[str]:
    return [
        _("Utviklingsområde"),
        _("Tiltak"),
        _("Samlinger gjennomført"),
        _("Påmeldte"),
        _("Møtte"),
        _("Oppmøte (%)"),
        _("Snitt tilbakemelding (1–5)"),
        _("Antall tilbakemeldinger"),
    ]


def area_cells(evaluation: PublishedEvaluation) -> list[list[Cell]]:
    summaries = list(evaluation.areas)
    if evaluation.without_area.activities:
        summaries.append(evaluation.without_area)
    return [
        [
            summary.name,
            summary.activities,
            summary.sessions_held,
            *_people(summary),
        ]
        for summary in summaries
    ]


# --- Formats ------------------------------------------------------------------------------


def _text(value: str) -> str:
    # openpyxl is imported where it is used: at start-up it would cost every command
    # half a second (tests/test_startup_imports.py).
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """Semicolon-separated UTF-8 with BOM; decimals with a comma, text formula-escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_text(str(header)) for header in headers])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


Sheet = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]


def to_xlsx(*sheets: Sheet) -> bytes:
    """One sheet per ``(title, headers, rows)``, each with a bold, frozen header row;
    numbers stay numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        # Sheet names are at most 31 characters and may not hold []:*?/\.
        name = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Ark"
        sheet = workbook.create_sheet(name)
        sheet.append([_text(str(header)) for header in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_xlsx_cell(value) for value in row])
        sheet.freeze_panes = "A2"
        _fit_columns(sheet, len(headers))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _fit_columns(sheet, count: int) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    wrap = Alignment(wrap_text=True, vertical="top")
    for index in range(1, count + 1):
        letter = get_column_letter(index)
        cells = sheet[letter]
        longest = max(
            max((len(line) for line in str(cell.value or "").splitlines()), default=0)
            for cell in cells
        )
        sheet.column_dimensions[letter].width = min(max(longest + 2, 10), 60)
        for cell in cells[1:]:
            cell.alignment = wrap


def _xlsx_cell(value: Cell) -> Cell:
    if value is None or isinstance(value, int | Decimal):
        return value
    return _text(str(value))


def file_response(content: bytes, fmt: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


# --- The two exports ----------------------------------------------------------------------


def activity_table_export(
    fmt: str, rows: Sequence[TableRow], *, school_year: int, municipality, filters: dict
) -> HttpResponse:
    label = SchoolYear(school_year).label
    filename = f"tiltaksplan-{SchoolYear(school_year).slug}"
    title = _("Tiltaksplan %(year)s") % {"year": label}
    if fmt == "pdf":
        content = render_pdf(
            "competence/pdf/activity_table.html",
            {
                "title": title,
                "rows": rows,
                "school_year": label,
                "municipality": municipality,
                "filters": filters,
                "generated_at": timezone.localtime(),
            },
        )
    elif fmt == "xlsx":
        content = to_xlsx((title, activity_headers(), [activity_cells(row) for row in rows]))
    else:
        content = to_csv(activity_headers(), [activity_cells(row) for row in rows])
    return file_response(content, fmt, filename)


def evaluation_export(fmt: str, evaluation: PublishedEvaluation, *, municipality) -> HttpResponse:
    label = SchoolYear(evaluation.school_year).label
    filename = f"evaluering-kompetanse-{SchoolYear(evaluation.school_year).slug}"
    title = _("Evaluering av kompetansetiltak %(year)s") % {"year": label}
    if fmt == "pdf":
        content = render_pdf(
            "competence/pdf/evaluation.html",
            {
                "title": title,
                "evaluation": evaluation,
                "suppression": disclosure.legend(),
                "school_year": label,
                "municipality": municipality,
                "generated_at": timezone.localtime(),
            },
        )
    elif fmt == "xlsx":
        content = to_xlsx(
            (_("Per tiltak"), evaluation_headers(), evaluation_cells(evaluation)),
            (_("Per utviklingsområde"), area_headers(), area_cells(evaluation)),
        )
    else:
        content = to_csv(evaluation_headers(), evaluation_cells(evaluation))
    return file_response(content, fmt, filename)
