"""Cell rules shared by the long-format parsers (FHI, Ungdata, the portal's template and
the mapping step): numbers, status symbols, periods, place codes and names, and reading
a delimited text file.

Every function that judges a cell raises ``CellError`` with a Norwegian reason; the
parser turns it into a ``Problem`` with the line, column and value."""

from __future__ import annotations

import contextlib
import csv
import datetime
import functools
import gc
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    COUNTY,
    KOSTRA_GROUP,
    MISSING,
    MUNICIPALITY,
    NOT_COMPUTABLE,
    SUPPRESSED,
    UNIT,
    VALUE,
    FatalImportError,
    Problem,
    school_year_period,
    span_period,
    year_period,
)
from indicators.parsing.text import decode
from plans.schoolyear import SchoolYear


class CellError(ValueError):
    """One cell cannot be read; ``reason`` is Norwegian."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# --- Numbers and status symbols --------------------------------------------------------

# SSB/FHI/Udir symbols for a cell without a number. «-» (SSB: «null») is a value, 0.
SYMBOL_STATUS = {
    ".": NOT_COMPUTABLE,
    "..": MISSING,
    "...": MISSING,
    ":": SUPPRESSED,
    "*": SUPPRESSED,
}
ZERO_SYMBOLS = {"-", "–"}

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?")
_BLANKS = str.maketrans({" ": "", "\u00a0": "", "\u202f": "", "\u2009": "", "\t": "", "%": ""})
# The observation column is DecimalField(max_digits=16, decimal_places=4).
MAX_ABS_VALUE = Decimal(10) ** 12


def parse_number(text: str) -> Decimal:
    """«1 234,5» → Decimal("1234.5"), «37,3 %» → Decimal("37.3"), kept as written (no
    float on the way); a comma or a point is the decimal sign, spaces group thousands."""
    cleaned = text.translate(_BLANKS).replace("\u2212", "-")
    if "," in cleaned:
        if "." in cleaned or cleaned.count(",") > 1:
            raise CellError(
                _(
                    "«%(value)s» er ikke et tall: bruk desimalkomma eller desimalpunktum, "
                    "ikke begge."
                )
                % {"value": text}
            )
        cleaned = cleaned.replace(",", ".")
    if not _NUMBER.fullmatch(cleaned):
        raise CellError(_("«%(value)s» er ikke et tall.") % {"value": text})
    try:
        number = Decimal(cleaned)
    except InvalidOperation as error:  # pragma: no cover - the pattern already checked
        raise CellError(_("«%(value)s» er ikke et tall.") % {"value": text}) from error
    if abs(number) >= MAX_ABS_VALUE:
        raise CellError(_("Tallet «%(value)s» er for stort.") % {"value": text})
    return number


def parse_cell(text: str) -> tuple[Decimal | None, str, str]:
    """A value cell → (value, status, symbol). Blank is MISSING without a symbol."""
    stripped = text.strip()
    if not stripped:
        return None, MISSING, ""
    status = SYMBOL_STATUS.get(stripped)
    if status is not None:
        return None, status, stripped
    if stripped in ZERO_SYMBOLS:
        return Decimal(0), VALUE, stripped
    return parse_number(stripped), VALUE, ""


STATUSES = {
    "verdi": VALUE,
    "mangler": MISSING,
    "ikke_beregnet": NOT_COMPUTABLE,
    "ikke beregnet": NOT_COMPUTABLE,
    "kan ikke beregnes": NOT_COMPUTABLE,
    "skjult": SUPPRESSED,
    "skjult av personvernhensyn": SUPPRESSED,
    "prikket": SUPPRESSED,
}
STATUS_WORDS = {
    VALUE: "verdi",
    MISSING: "mangler",
    NOT_COMPUTABLE: "ikke_beregnet",
    SUPPRESSED: "skjult",
}


def apply_status(status_text: str, cell_status: str, symbol: str) -> tuple[str, str]:
    """A status column («skjult», or a symbol such as «:») beside a value cell that
    ``parse_cell`` read as (cell_status, symbol): the column decides, but may not
    contradict the cell (a number with status «skjult» is an error, not a guess)."""
    key = status_text.strip().lower()
    status = STATUSES.get(key) or SYMBOL_STATUS.get(key)
    if status is None:
        raise CellError(_("Ukjent status: bruk verdi, mangler, ikke_beregnet eller skjult."))
    if key in SYMBOL_STATUS and not symbol:
        symbol = key
    if status == VALUE:
        if cell_status != VALUE:
            raise CellError(_("Status «verdi» krever et tall i verdikolonnen."))
        return status, symbol
    if cell_status == VALUE:
        raise CellError(
            _("Status «%(status)s» kan ikke ha et tall i verdikolonnen: la verdien stå tom.")
            % {"status": STATUS_WORDS[status]}
        )
    if symbol and SYMBOL_STATUS.get(symbol) != status:
        raise CellError(
            _("Symbolet «%(symbol)s» passer ikke med status «%(status)s».")
            % {"symbol": symbol, "status": STATUS_WORDS[status]}
        )
    return status, symbol


# --- Periods --------------------------------------------------------------------------

_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_TWO_YEARS = re.compile(r"(\d{4})\s*[-–—/_]\s*(\d{4}|\d{2})")
_SCHOOL_YEAR_SPAN = re.compile(r"(\d{4})\s*/\s*(\d{2})\s*[-–—]\s*(\d{4})\s*/\s*(\d{2})")
_FIRST_YEAR, _LAST_YEAR = 1900, 2100


@functools.lru_cache(maxsize=2048)  # a file repeats a handful of periods on every line
def parse_period(text: str) -> tuple[str, datetime.date, datetime.date]:
    """«2021» → year; «2020-21» (also «2020/21», «2020–21») → school year «2020-21»;
    «2019-2021» (also «2019_2021», «2019/2021», «2019–2021») → span «2019–2021»;
    «2024_2024» → the year «2024»."""
    stripped = text.strip()
    match = _YEAR.fullmatch(stripped)
    if match:
        year = int(match.group(1))
        _check_year(year, text)
        return year_period(year)
    match = _SCHOOL_YEAR_SPAN.fullmatch(stripped)
    if match:  # «2016/17-2018/19»: three school years, as Udir labels an average
        first_text, first_tail, last_text, last_tail = match.groups()
        _check_year(int(first_text), text)
        _check_year(int(last_text), text)
        opening: SchoolYear | None
        closing: SchoolYear | None
        try:
            opening = SchoolYear.parse(f"{first_text}/{first_tail}")
            closing = SchoolYear.parse(f"{last_text}/{last_tail}")
        except ValueError:
            opening = closing = None
        if opening is None or closing is None or closing < opening:
            raise CellError(
                _("«%(value)s» er ikke et tidsrom av skoleår (2016/17-2018/19).") % {"value": text}
            )
        return stripped, opening.start, closing.last_day
    match = _TWO_YEARS.fullmatch(stripped)
    if not match:
        raise CellError(
            _(
                "«%(value)s» er ikke en periode: skriv et år (2021), et skoleår (2020-21) eller "
                "et tidsrom (2019-2021)."
            )
            % {"value": text}
        )
    first, tail = int(match.group(1)), match.group(2)
    _check_year(first, text)
    if len(tail) == 2:
        try:
            school_year = SchoolYear.parse(f"{first}/{tail}")
        except ValueError:
            raise CellError(
                _(
                    "«%(value)s» er ikke et skoleår: det andre året må følge rett etter det første "
                    "(2020-21)."
                )
                % {"value": text}
            ) from None
        return school_year_period(school_year)
    last = int(tail)
    _check_year(last, text)
    if last < first:
        raise CellError(_("Perioden «%(value)s» slutter før den begynner.") % {"value": text})
    if last == first:
        return year_period(first)
    return span_period(first, last)


def _check_year(year: int, text: str) -> None:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise CellError(_("Året i «%(value)s» er ikke rimelig.") % {"value": text})


# --- Places ---------------------------------------------------------------------------

LEVEL_WORDS = {
    "land": COUNTRY,
    "landet": COUNTRY,
    "nasjonalt": COUNTRY,
    "fylke": COUNTY,
    "kommune": MUNICIPALITY,
    "enhet": UNIT,
    "skole": UNIT,
    "barnehage": UNIT,
    "kostragruppe": KOSTRA_GROUP,
    "kostra-gruppe": KOSTRA_GROUP,
    "kostra gruppe": KOSTRA_GROUP,
}
LEVEL_NAMES = {
    COUNTRY: "land",
    COUNTY: "fylke",
    MUNICIPALITY: "kommune",
    UNIT: "enhet",
    KOSTRA_GROUP: "kostragruppe",
}
COUNTRY_NAMES = {"hele landet", "landet", "norge", "nasjonalt", "landet i alt"}
COUNTRY_NAME = "Hele landet"

# County names → codes: 2024– first, then 2020–2023, then the unambiguous ones from before
# 2020. A name used in several periods (Telemark 08 and 40, Vestfold 07 and 39 …) gets
# the newest code, because FHI and SSB publish long series on today's borders.
COUNTIES_2024 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "31": "Østfold",
    "32": "Akershus",
    "33": "Buskerud",
    "34": "Innlandet",
    "39": "Vestfold",
    "40": "Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "55": "Troms",
    "56": "Finnmark",
}
COUNTIES_2020 = {
    "03": "Oslo",
    "11": "Rogaland",
    "15": "Møre og Romsdal",
    "18": "Nordland",
    "30": "Viken",
    "34": "Innlandet",
    "38": "Vestfold og Telemark",
    "42": "Agder",
    "46": "Vestland",
    "50": "Trøndelag",
    "54": "Troms og Finnmark",
}
COUNTIES_BEFORE_2020 = {
    "01": "Østfold",
    "02": "Akershus",
    "04": "Hedmark",
    "05": "Oppland",
    "06": "Buskerud",
    "07": "Vestfold",
    "08": "Telemark",
    "09": "Aust-Agder",
    "10": "Vest-Agder",
    "12": "Hordaland",
    "14": "Sogn og Fjordane",
    "16": "Sør-Trøndelag",
    "17": "Nord-Trøndelag",
    "19": "Troms",
    "20": "Finnmark",
}
COUNTY_CODES_BY_NAME: dict[str, str] = {}
for _table in (COUNTIES_BEFORE_2020, COUNTIES_2020, COUNTIES_2024):  # newest wins
    COUNTY_CODES_BY_NAME.update({name.lower(): code for code, name in _table.items()})
# Sami and Kven names the sources use beside the Norwegian ones.
COUNTY_CODES_BY_NAME.update(
    {
        "troms - romsa - tromssa": "55",
        "finnmark - finnmárku - finmarkku": "56",
        "troms og finnmark - romsa ja finnmárku": "54",
        "trøndelag - trööndelage": "50",
        "nordland - nordlánnda": "18",
        "oslo - oslove": "03",
    }
)
COUNTY_NAMES_BY_CODE: dict[str, str] = {
    **COUNTIES_BEFORE_2020,
    **COUNTIES_2020,
    **COUNTIES_2024,
}
# Oslo is county 03 and municipality 0301 with the same figures; the portal is for
# municipalities, so a bare «Oslo» is the municipality.
NAME_OVERRIDES = {"oslo": (MUNICIPALITY, "0301")}

# Places in a table that are not a place in Norway, or the «all» of a level: kept apart
# from the country, the counties and the municipalities (never stored as one of them).
PSEUDO_PLACE_NAMES = {
    "utlandet",
    "uoppgitt",
    "ukjent",
    "ikke oppgitt",
    "uten fast bosted",
    "ukjent kommune",
    "ukjent fylke",
    "alle fylker",
    "alle kommuner",
    "alle skoleeiere",
    "alle barnehageeiere",
    "kontinentalsokkelen",
}
# Their codes: Udir's «U» and «25» (Utlandet), SSB's 23 (kontinentalsokkelen) and
# 99/9999/xx99 (uoppgitt). Svalbard (21) is a real place, with its own schools.
PSEUDO_PLACE_CODE = re.compile(r"u|25|23|99|23\d\d|\d\d99", re.IGNORECASE)


def is_pseudo_place(code: str, name: str) -> bool:
    """«Utlandet» (code U or 25), «Uoppgitt», «Alle kommuner» and the like."""
    code = code.strip()
    if len(code) == 3 and code.isdigit():  # a municipality number without its leading 0
        code = code.zfill(4)
    return " ".join(name.split()).lower() in PSEUDO_PLACE_NAMES or bool(
        PSEUDO_PLACE_CODE.fullmatch(code)
    )


def pseudo_place_problem(count: int, example: str) -> Problem:
    """The one warning for the rows of pseudo-places a file holds, skipped."""
    return Problem(
        None,
        "",
        example,
        _(
            "%(count)s rader gjelder ikke en kommune, et fylke eller landet (for eksempel "
            "«%(example)s»: utlandet, uoppgitt eller alle steder på et nivå). De er hoppet "
            "over."
        )
        % {"count": count, "example": example},
    )


_DIGITS = re.compile(r"\d+")
_KOSTRA = re.compile(r"[A-Za-z]{1,4}\s?\d{1,3}")


def level_from_text(text: str) -> str:
    """«Kommune», «kommune», «KOSTRA-gruppe» → the level code; raises CellError."""
    level = LEVEL_WORDS.get(text.strip().lower())
    if level is None:
        raise CellError(
            _("Ukjent stedsnivå «%(value)s»: bruk land, fylke, kommune, enhet eller kostragruppe.")
            % {"value": text}
        )
    return level


def guess_level(code: str) -> str:
    """The level a bare code belongs to: 0 country, 1–2 digits county, 3–4 digits
    municipality, 9 digits an organisation number (unit), letters+digits a KOSTRA group."""
    code = code.strip()
    if _DIGITS.fullmatch(code):
        if int(code) == 0:
            return COUNTRY
        if len(code) <= 2:
            return COUNTY
        if len(code) <= 4:
            return MUNICIPALITY
        if len(code) == 9:
            return UNIT
        raise CellError(
            _(
                "Stedskoden «%(value)s» er verken land (0), fylke (2 siffer), kommune (4 siffer) "
                "eller organisasjonsnummer (9 siffer)."
            )
            % {"value": code}
        )
    if _KOSTRA.fullmatch(code):
        return KOSTRA_GROUP
    raise CellError(_("Kan ikke avgjøre stedsnivå for koden «%(value)s».") % {"value": code})


def normalise_place_code(level: str, code: str) -> str:
    """The code as the portal stores it: country "0", county 2 digits, municipality 4
    digits, unit and KOSTRA group as given (KOSTRA upper-case). Raises CellError."""
    code = code.strip()
    if code.endswith(".0") and _DIGITS.fullmatch(code[:-2]):  # a number cell from Excel
        code = code[:-2]
    if level == COUNTRY:
        if code and not (_DIGITS.fullmatch(code) and int(code) == 0):
            raise CellError(_("Landet har stedskode 0, ikke «%(value)s».") % {"value": code})
        return COUNTRY_CODE
    if not code:
        raise CellError(_("Stedskoden mangler."))
    if level == COUNTY:
        if not _DIGITS.fullmatch(code) or len(code) > 2:
            raise CellError(_("Et fylkesnummer har to siffer, ikke «%(value)s».") % {"value": code})
        return code.zfill(2)
    if level == MUNICIPALITY:
        if not _DIGITS.fullmatch(code) or not 3 <= len(code) <= 4:
            raise CellError(
                _("Et kommunenummer har fire siffer, ikke «%(value)s».") % {"value": code}
            )
        return code.zfill(4)
    if level == KOSTRA_GROUP:
        if not _KOSTRA.fullmatch(code):
            raise CellError(
                _("«%(value)s» er ikke en KOSTRA-gruppe (for eksempel EKG13).") % {"value": code}
            )
        return code.replace(" ", "").upper()
    if level == UNIT:
        if len(code) > 40:
            raise CellError(_("Enhetskoden «%(value)s» er for lang.") % {"value": code})
        return code
    raise CellError(_("Ukjent stedsnivå «%(value)s».") % {"value": level})


def place_from_name(name: str, codes: dict[str, tuple[str, str]] | None = None):
    """A place given only by its name → (level, code, name). ``codes`` (lower-case name →
    (level, code)), if given, wins: the import service can build it from the stored
    places. Otherwise «Hele landet» is the country, a county name gets its number, and
    anything else is taken for a municipality with the code ``navn:<slug>``: stable, but
    not the municipality's number (see docs/indicator_template.md)."""
    cleaned = " ".join(name.split())
    key = cleaned.lower()
    shared = _ambiguous_names().get(re.sub(r"\s+kommune$", "", key))
    if shared:
        candidates = ", ".join(f"{code} {label}" for code, label in sorted(shared.items()))
        # Two municipalities carry this name (Herøy, Våler): asked for, never guessed.
        raise CellError(
            _(
                "«%(value)s» er navnet på flere kommuner: %(candidates)s. Bruk "
                "kommunenummeret i stedet for navnet."
            )
            % {
                "value": cleaned,
                "candidates": candidates,
            }
        )
    if codes and key in codes:
        level, code = codes[key]
        return level, code, cleaned
    if key in COUNTRY_NAMES:
        return COUNTRY, COUNTRY_CODE, COUNTRY_NAME
    if key in PSEUDO_PLACE_NAMES:
        raise CellError(
            _(
                "«%(value)s» er ikke en kommune, et fylke eller landet, og blir ikke lest "
                "som et sted."
            )
            % {"value": cleaned}
        )
    if key in NAME_OVERRIDES:
        level, code = NAME_OVERRIDES[key]
        return level, code, cleaned
    if key in COUNTY_CODES_BY_NAME:
        return COUNTY, COUNTY_CODES_BY_NAME[key], cleaned
    bare = re.sub(r"\s+kommune$", "", key)
    if codes and bare in codes:
        level, code = codes[bare]
        return level, code, cleaned
    if not bare:
        raise CellError(_("Stedsnavnet mangler."))
    # The reform table's names of today's municipalities (Kragerø → 4014), also when the
    # caller has no stored places to offer.
    number = _reform_numbers().get(bare)
    if number:
        return MUNICIPALITY, number, cleaned
    return MUNICIPALITY, name_code(bare), cleaned


def _ambiguous_names() -> dict[str, dict[str, str]]:
    from indicators import reforms

    return reforms.ambiguous_names()


@functools.cache
def _reform_numbers() -> dict[str, str]:
    from indicators import reforms  # the table of municipality changes, no database

    return {name.lower(): code for name, code in reforms.current_municipalities().items()}


def name_code(name: str) -> str:
    return ("navn:" + slug(name))[:40]


# --- Text helpers ---------------------------------------------------------------------

_NORWEGIAN = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


def slug(text: str) -> str:
    """«Trener på treningsstudio» → «trener-pa-treningsstudio» (stable, ASCII)."""
    folded = unicodedata.normalize("NFKD", text.translate(_NORWEGIAN))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def header_key(text: str) -> str:
    """A header cell compared loosely: no BOM, lower case, single spaces."""
    return " ".join(text.replace("\ufeff", "").strip().strip('"').lower().split())


HEAD_BYTES = 64 * 1024


def head_text(content: bytes) -> str:
    """The first lines of a file as text, cheaply, for ``sniff``: decodes at most 64 KB,
    cut at a line end. Raises FatalImportError like ``decode``."""
    if len(content) <= HEAD_BYTES:
        return decode(content)
    chunk = content[:HEAD_BYTES]
    cut = chunk.rfind(b"\n")
    if cut <= 0:
        return decode(chunk)
    try:
        return decode(chunk[: cut + 1])
    except (FatalImportError, UnicodeDecodeError):
        return decode(chunk[: cut + 2])  # UTF-16LE: the line end is "\n\x00"


def first_line(content: bytes) -> str:
    """The first non-blank line (BOM stripped), or "" when the file is not text."""
    try:
        text = head_text(content)
    except (FatalImportError, UnicodeDecodeError):
        return ""
    for line in text.lstrip("\ufeff").splitlines():
        if line.strip():
            return line
    return ""


def delimiter_of(line: str, candidates: str = ";,\t") -> str:
    """The candidate that occurs most often in the header line (ties: the first)."""
    counts = [
        (line.count(candidate), -index, candidate) for index, candidate in enumerate(candidates)
    ]
    return max(counts)[2]


def require_rows(result) -> None:
    """A file with a header and nothing under it is an error for the whole file."""
    if not result.rows and not result.problems:
        raise FatalImportError(_("Filen har ingen rader under overskriften."))


def read_rows(text: str, delimiter: str):
    """(line number, cells) for every line of ``text``; raises FatalImportError when the
    CSV itself is broken (an unclosed quote at the end, a field over the csv limit)."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise FatalImportError(
            _("Filen kan ikke leses som CSV (linje %(line)s): %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from error


def row_problem(line: int, cells: list[str], header: list[str]) -> Problem | None:
    """Why a data row cannot be read cell by cell, or None. A row with another number of
    cells than the header (a cell deleted in Excel, a value with an unquoted delimiter)
    would put values under the wrong period or group if read by position, so it is
    rejected whole, never realigned; so is a row that repeats the header (a duplicated
    header line) and a row with a spreadsheet formula in it («=SUM(B2:B4)»: the formula,
    not its result, was saved)."""
    if len(cells) != len(header):
        return Problem(
            line,
            "",
            "",
            _("Linjen har %(found)s kolonner, overskriften har %(expected)s.")
            % {"found": len(cells), "expected": len(header)},
        )
    if [header_key(cell) for cell in cells] == [header_key(cell) for cell in header]:
        return Problem(line, "", "", _("Linjen gjentar overskriften."))
    for position, cell in enumerate(cells):
        if cell.strip().startswith("="):
            return Problem(
                line,
                header[position],
                cell,
                _("Cellen inneholder en regnearkformel, ikke en verdi; linjen er ikke lest."),
            )
    return None


@contextlib.contextmanager
def collector_paused():
    """Pause the cyclic garbage collector while a parser builds its rows: a long file makes
    millions of objects that all stay alive (no cycles), and the collector's repeated
    passes over them cost a fifth of the parse time. Restores the previous state."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
