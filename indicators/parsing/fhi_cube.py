"""FHI's cube files (KUBE: Kommunehelsa/Norgeshelsa statistikkbank), one row per place,
period and stratum with several measures side by side:

    GEO;AAR;KJONN;ALDER;UTDANN;INNVAND;TELLER;RATE;SMR;sumTELLER;sumNEVNER;RATE.n;SPVFLAGG

- GEO is the place without a leading zero: 0 the country, 1–2 digits a county, 3–4
  digits a municipality (``301`` is Oslo, 0301). Districts (5–6 digits) are rejected:
  the portal has no district level.
- AAR is ``2019_2021`` (a span, stored as «2019–2021») or ``2024_2024`` (the year 2024).
- Columns other than GEO, AAR, the measures and FHI's own are strata. ``0`` is the total for all
  of them, and for ALDER the widest band in the file (``0_120``), as FHI's own
  quality control reads them; other values become the subgroup (``kjønn=Kvinner``,
  ``alder=15–24 år``, ``utdanning=2``; codes other than KJONN are kept as FHI writes them).
- Each published measure becomes its own indicator ``fhi-<cube>:<MEASURE>`` (the cube
  name is the file name without FHI's date stamp): TELLER, NEVNER, sumTELLER,
  sumNEVNER, RATE, MEIS, SMR, MALTALL. ``*_uprikk`` columns hold the numbers *before*
  suppression and are never imported; ``RATE.n`` is FHI's internal denominator.
- SPVFLAGG applies to the whole row: 0 the value, 1 «..» missing, 2 «.» not computable,
  3 «:» suppressed (the measures' numbers are then dropped, whatever the file holds)."""

from __future__ import annotations

import re
from pathlib import PurePath

from django.utils.translation import gettext as _

from indicators.parsing.base import (
    COUNTRY,
    COUNTY,
    MISSING,
    NOT_COMPUTABLE,
    SUPPRESSED,
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
    delimiter_of,
    first_line,
    guess_level,
    header_key,
    normalise_place_code,
    parse_number,
    parse_period,
    read_rows,
    require_rows,
    row_problem,
)
from indicators.parsing.text import decode

NAME = "fhi_cube"
LABEL = "FHI-kube (CSV med GEO, AAR og SPVFLAGG)"
SOURCE = "fhi"

# Published measures, in the order they are reported, with their Norwegian names and units.
MEASURES = {
    "TELLER": ("antall", "antall"),
    "NEVNER": ("nevner", "antall"),
    "sumTELLER": ("antall, sum for perioden", "antall"),
    "sumNEVNER": ("nevner, sum for perioden", "antall"),
    "RATE": ("rate", ""),
    "MEIS": ("måltall", ""),
    "SMR": ("standardisert forholdstall (SMR)", "indeks"),
    "MALTALL": ("måltall", ""),
}
# Value columns that are never imported (unsuppressed counts, internal denominators) but
# still end the strata columns.
SKIPPED = re.compile(r".*_uprikk$|RATE\.n$|WEIGHTS$|GEOniv$|origgeo$|KOMMUNE$", re.IGNORECASE)
FLAG = "SPVFLAGG"
FLAGS = {"0": (VALUE, ""), "1": (MISSING, ".."), "2": (NOT_COMPUTABLE, "."), "3": (SUPPRESSED, ":")}
STRATA_KEYS = {
    "KJONN": "kjønn",
    "ALDER": "alder",
    "UTDANN": "utdanning",
    "INNVAND": "innvandring",
    "INNVKAT": "innvandrerkategori",
    "LANDBAK": "landbakgrunn",
    "TRINN": "trinn",
    "SOES": "søskenflokk",
}
GENDER = {"0": "", "1": "Menn", "2": "Kvinner"}
_DATE_STAMP = re.compile(r"_\d{4}-\d{2}-\d{2}-\d{2}-\d{2}$")
_AGE = re.compile(r"(\d+)_(\d+)")


def sniff(content: bytes, filename: str) -> bool:
    line = first_line(content)
    cells = {header_key(cell) for cell in line.split(delimiter_of(line, ";,\t"))}
    return {"geo", "aar", "spvflagg"} <= cells


def cube_name(filename: str) -> str:
    stem = PurePath(filename or "kube").stem
    stem = _DATE_STAMP.sub("", re.sub(r"^QC_", "", stem))
    return stem[:90] or "kube"


def parse(content: bytes, filename: str) -> ParseResult:
    text = decode(content)
    result = ParseResult(format=NAME, source_code=SOURCE)
    header_line = first_line(content)
    rows = read_rows(text, delimiter_of(header_line, ";,\t"))
    _header_line, header = next(
        ((n, cells) for n, cells in rows if any(c.strip() for c in cells)), (0, [])
    )
    names = [cell.replace("\ufeff", "").strip() for cell in header]
    index = {name.upper(): position for position, name in enumerate(names)}
    missing = [column for column in ("GEO", "AAR", FLAG) if column not in index]
    if missing:
        raise FatalImportError(
            _("Filen mangler kolonnen %(columns)s som en FHI-kube skal ha.")
            % {"columns": ", ".join(missing)}
        )
    measures = [(position, name) for position, name in enumerate(names) if name in MEASURES]
    if not measures:
        raise FatalImportError(
            _("Filen har ingen målekolonne FHI bruker (%(known)s).")
            % {"known": ", ".join(MEASURES)}
        )
    # Strata are found by name, not by position: a column moved behind the measures (in
    # Excel) is still a stratum, or its rows would fall together under one subgroup.
    strata = [
        (position, name)
        for position, name in enumerate(names)
        if name.upper() not in {"GEO", "AAR"}
        and name not in MEASURES
        and not SKIPPED.fullmatch(name)
        and name != FLAG
    ]
    cube = cube_name(filename)
    indicators = {
        name: (f"fhi-{cube}:{name}", f"{cube} – {MEASURES[name][0]}", MEASURES[name][1])
        for _position, name in measures
    }
    data = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
    age_total = (
        _age_total([cells[index["ALDER"]] for _line, cells in data if len(cells) == len(names)])
        if "ALDER" in index
        else None
    )
    geo, year, flag = index["GEO"], index["AAR"], index[FLAG]
    for line, cells in data:
        refused = row_problem(line, cells, names)
        if refused is not None:
            result.problems.append(refused)
            continue
        try:
            level, place_code, place_name = _place(cells[geo])
        except CellError as error:
            result.problems.append(Problem(line, names[geo], cells[geo], error.reason))
            continue
        try:
            period = parse_period(cells[year])
        except CellError as error:
            result.problems.append(Problem(line, names[year], cells[year], error.reason))
            continue
        status_symbol = FLAGS.get(cells[flag].strip())
        if status_symbol is None:
            result.problems.append(
                Problem(line, FLAG, cells[flag], _("Ukjent SPVFLAGG: FHI bruker 0, 1, 2 og 3."))
            )
            continue
        subgroup = subgroup_text(
            {
                STRATA_KEYS.get(name.upper(), name.lower()): _stratum(
                    name, cells[position], age_total
                )
                for position, name in strata
            }
        )
        status, symbol = status_symbol
        for position, measure in measures:
            indicator_code, indicator_name, unit = indicators[measure]
            value = None
            row_status, row_symbol = status, symbol
            if status == VALUE:
                raw = cells[position].strip()
                if raw in {"", "NA"}:
                    row_status = MISSING
                else:
                    try:
                        value = parse_number(raw)
                    except CellError as error:
                        result.problems.append(Problem(line, measure, raw, error.reason))
                        continue
            result.rows.append(
                ParsedRow(
                    line=line,
                    indicator_code=indicator_code,
                    indicator_name=indicator_name,
                    place_level=level,
                    place_code=place_code,
                    place_name=place_name,
                    period_label=period[0],
                    period_start=period[1],
                    period_end=period[2],
                    subgroup=subgroup,
                    value=value,
                    status=row_status,
                    symbol=row_symbol,
                    unit_of_measure=unit,
                    column=measure,
                )
            )
    require_rows(result)
    return result


def _place(geo: str) -> tuple[str, str, str]:
    geo = geo.strip()
    if geo.isdigit() and len(geo) in {5, 6}:
        raise CellError(_("Bydeler (GEO med 5–6 siffer) kan ikke importeres."))
    if not geo.isdigit() or len(geo) > 4:
        raise CellError(_("GEO «%(value)s» er ikke et stedsnummer.") % {"value": geo})
    level = guess_level(geo)
    code = normalise_place_code(level, geo)
    if level == COUNTRY:
        return level, code, COUNTRY_NAME
    if level == COUNTY:
        return level, code, COUNTY_NAMES_BY_CODE.get(code, "")
    return level, code, ""


def _age_total(values: list[str]) -> str | None:
    """FHI's total age band: from the lowest to the highest age in the file, if present."""
    bands = [_AGE.fullmatch(value.strip()) for value in values]
    bounds = [(int(m.group(1)), int(m.group(2))) for m in bands if m]
    if not bounds:
        return None
    total = f"{min(low for low, _high in bounds)}_{max(high for _low, high in bounds)}"
    return total if any(value.strip() == total for value in values) else None


def _stratum(name: str, value: str, age_total: str | None) -> str:
    value = value.strip()
    key = name.upper()
    if key == "KJONN":
        return GENDER.get(value, value)
    if key == "ALDER":
        if value == age_total:
            return ""
        match = _AGE.fullmatch(value)
        if match:
            low, high = int(match.group(1)), int(match.group(2))
            return f"{low}+ år" if high >= 120 else f"{low}–{high} år"
        return value
    return "" if value == "0" else value
