"""FHI's statistics API (statistikk.fhi.no) as CSV: the JSON-stat answer flattened to one
row per cell, with the dimensions' labels as headers and the number last:

    Geografi,År,Kjønn,Alder,Plagegrad,Sosioøkonomiske ressurser (SØR),Måltall,value

- Places are given by name only. «Hele landet» is the country, county names (today's,
  2020–2023's and the older unambiguous ones) get their numbers, «Oslo» is the
  municipality 0301, and any other name is taken for a municipality with the stable code
  ``navn:<name>``, which is *not* its municipality number. The import service can pass
  ``place_codes`` (lower-case name → (level, code)) built from the stored places to get
  the real numbers.
- ``År`` is a year or a span (``2019-2021``, ``2019_2021``).
- A column with one value in the whole file (Alder «8-10.trinn», Plagegrad «plaget»)
  describes the indicator and is left out of the subgroup; the others become the
  subgroup (``kjønn=Jenter``); «kjønn samlet», «Total …», «alle …» are the totals.
- One indicator per ``Måltall``: ``fhi-<file name>`` (``:<måltall>`` when the file has
  several). The file does not name its topic, so the file name does: rename the
  indicator after the first import if the name is poor.
- The value column holds the number with a decimal point, or FHI's symbols: «:»
  suppressed (a subgroup hidden while the total is shown), «.» not computable (FHI's
  legend: «lar seg ikke beregne»; here the years without a survey), «..» missing."""

from __future__ import annotations

import re
from pathlib import PurePath

from django.utils.translation import gettext as _

from indicators.parsing.base import FatalImportError, ParsedRow, ParseResult, Problem, subgroup_text
from indicators.parsing.cellvalues import (
    CellError,
    delimiter_of,
    first_line,
    header_key,
    parse_cell,
    parse_period,
    place_from_name,
    read_rows,
    require_rows,
    row_problem,
    slug,
)
from indicators.parsing.text import decode

NAME = "fhi_api_csv"
LABEL = "FHI statistikk-API (flatet CSV med Geografi og År)"
SOURCE = "fhi"

PLACE_HEADERS = {"geografi", "geo", "sted"}
PERIOD_HEADERS = {"år", "aar", "periode", "tid"}
VALUE_HEADERS = {"value", "verdi"}
MEASURE_HEADERS = {"måltall", "maltall", "måltal", "measure_type"}
SUBGROUP_KEYS = {
    "kjønn": "kjønn",
    "kjonn": "kjønn",
    "alder": "alder",
    "trinn": "trinn",
    "klassetrinn": "trinn",
    "sosioøkonomiske ressurser (sør)": "sør",
    "utdanning": "utdanning",
    "landbakgrunn": "landbakgrunn",
}
_TOTALS = re.compile(r"(kjønn samlet|begge kjønn|total\b.*|alle\b.*|i alt|totalt|samlet)")


def sniff(content: bytes, filename: str) -> bool:
    line = first_line(content)
    cells = {header_key(cell) for cell in line.split(delimiter_of(line, ",;\t"))}
    return "geografi" in cells and bool(cells & PERIOD_HEADERS and cells & VALUE_HEADERS)


def parse(
    content: bytes,
    filename: str,
    *,
    place_codes: dict[str, tuple[str, str]] | None = None,
) -> ParseResult:
    text = decode(content)
    result = ParseResult(format=NAME, source_code=SOURCE)
    rows = list(read_rows(text, delimiter_of(first_line(content), ",;\t")))
    rows = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
    if not rows:
        raise FatalImportError(_("Filen er tom."))
    header = [cell.replace("\ufeff", "").strip() for cell in rows[0][1]]
    keys = [header_key(cell) for cell in header]
    place_at = _find(keys, PLACE_HEADERS)
    period_at = _find(keys, PERIOD_HEADERS)
    value_at = _find(keys, VALUE_HEADERS)
    if place_at is None or period_at is None or value_at is None:
        raise FatalImportError(
            _("Filen mangler kolonnene Geografi, År og value som FHI-API-et gir.")
        )
    measure_at = _find(keys, MEASURE_HEADERS)
    data = []
    for line, cells in rows[1:]:
        refused = row_problem(line, cells, header)
        if refused is not None:
            result.problems.append(refused)
            continue
        data.append((line, [cell.strip() for cell in cells]))
    fixed = {place_at, period_at, value_at, measure_at}
    dimensions = [position for position in range(len(header)) if position not in fixed]
    # A dimension with one value in the whole file describes the indicator, not a subgroup.
    varying = [p for p in dimensions if len({cells[p] for _line, cells in data}) > 1]
    measures = (
        sorted({cells[measure_at] for _line, cells in data}) if measure_at is not None else []
    )
    stem = PurePath(filename or "fhi").stem
    stem_slug = slug(stem)[:80]
    base_code = stem_slug if stem_slug.startswith("fhi-") else f"fhi-{stem_slug}"
    described = [data[0][1][p] for p in dimensions if p not in varying] if data else []
    base_name = stem.replace("_", " ")

    def indicator(cells):
        if measure_at is None:
            return base_code, f"{base_name} ({', '.join(described)})", ""
        measure = cells[measure_at]
        name = f"{base_name} ({', '.join([*described, measure])})"
        unit = (
            "prosent"
            if "prosent" in measure.lower()
            else ("antall" if "antall" in measure.lower() else "")
        )
        if len(measures) == 1:
            return base_code, name, unit
        return f"{base_code}:{slug(measure)[:30]}", name, unit

    places: dict[str, tuple[str, str, str]] = {}
    for line, cells in data:
        name = cells[place_at]
        if name not in places:
            try:
                places[name] = place_from_name(name, place_codes)
            except CellError as error:
                result.problems.append(Problem(line, header[place_at], name, error.reason))
                continue
        level, place_code, place_name = places[name]
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
        subgroup = subgroup_text(
            {_subgroup_key(keys[p]): _subgroup_value(cells[p]) for p in varying}
        )
        indicator_code, indicator_name, unit = indicator(cells)
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
                unit_of_measure=unit,
                column=header[value_at],
            )
        )
    require_rows(result)
    return result


def _find(keys: list[str], wanted: set[str]) -> int | None:
    return next((position for position, key in enumerate(keys) if key in wanted), None)


def _subgroup_key(key: str) -> str:
    return SUBGROUP_KEYS.get(key, re.sub(r"\s*\(.*\)$", "", key)[:40])


def _subgroup_value(value: str) -> str:
    if _TOTALS.fullmatch(value.lower()):
        return ""
    return value[:1].upper() + value[1:]
