"""What every parser returns: plain rows, problems and a fatal error, nothing written.

A parser reads the bytes of one file and turns each cell into a ``ParsedRow`` with a
normalised place, period, subgroup, value and status. The import service
(``indicators/services``) compares the rows with what is stored, shows the preview and
commits them; parsers never touch the database except to read a saved mapping."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from plans.schoolyear import SchoolYear

# Observation statuses (indicators.models.ObservationStatus values).
VALUE = "verdi"
MISSING = "mangler"
NOT_COMPUTABLE = "ikke_beregnet"
SUPPRESSED = "skjult"

# Place levels (indicators.models.PlaceLevel values).
COUNTRY = "land"
COUNTY = "fylke"
MUNICIPALITY = "kommune"
UNIT = "enhet"
KOSTRA_GROUP = "kostragruppe"

COUNTRY_CODE = "0"  # «Hele landet» / «Landet»


class FatalImportError(Exception):
    """The file as a whole cannot be read; the message is Norwegian and shown as is."""


# slots and not frozen: a national file is hundreds of thousands of rows, and a frozen
# dataclass costs about half again as much per row to build.
@dataclass(slots=True)
class ParsedRow:
    line: int  # 1-based line in the file (or row in the sheet) the value came from
    indicator_code: str
    indicator_name: str
    place_level: str
    # Normalised: country "0", county 2 digits ("38"), municipality 4 digits ("0301"),
    # unit its organisation number or the source's unit code, KOSTRA group e.g. "EKG13".
    place_code: str
    place_name: str
    period_label: str  # as the source writes it: "2021", "2020-21", "2019–2021"
    period_start: datetime.date
    period_end: datetime.date
    # "" for everyone; else "key=value" pairs sorted by key and joined with "|",
    # e.g. "kjønn=Jenter|trinn=10. trinn". Keys are lower-case Norwegian words.
    subgroup: str
    value: Decimal | None
    status: str  # VALUE, MISSING, NOT_COMPUTABLE or SUPPRESSED; value only with VALUE
    symbol: str = ""  # the source's symbol for a missing value: ".", "..", ":", "*"
    unit_of_measure: str = ""  # "prosent", "poeng", "antall" … when the file says
    column: str = ""  # the source column, for messages
    # Years a historic code was valid, when the file says so («0701 Horten (-2019)»).
    place_valid_from: int | None = None
    place_valid_to: int | None = None


@dataclass(frozen=True)
class Problem:
    line: int | None
    column: str
    value: str
    reason: str  # Norwegian, for the data admin


@dataclass
class ParseResult:
    format: str  # the parser's name, e.g. "ssb_statbank_csv"
    source_code: str  # "ssb", "udir", "fhi", "ungdata", "kommunebarometeret", "lokal"
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def subgroup_text(parts: dict[str, str]) -> str:
    """{"trinn": "10. trinn", "kjønn": "Jenter"} → "kjønn=Jenter|trinn=10. trinn"; empty
    values and the «all» values (Begge kjønn, Alle, I alt, Totalt) are left out."""
    everyone = {"begge kjønn", "alle", "i alt", "totalt", "alle trinn", "alle alderstrinn"}
    kept = {
        key.strip().lower(): value.strip()
        for key, value in parts.items()
        if value and value.strip() and value.strip().lower() not in everyone
    }
    return "|".join(f"{key}={kept[key]}" for key in sorted(kept))


def year_period(year: int) -> tuple[str, datetime.date, datetime.date]:
    return str(year), datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def school_year_period(year: SchoolYear) -> tuple[str, datetime.date, datetime.date]:
    """SchoolYear(2020) → ("2020/21", 1 Aug 2020, 31 Jul 2021): the portal's one label,
    whatever the file wrote, and an inclusive end like the other periods."""
    return year.label, year.start, year.last_day


def span_period(first: int, last: int, label: str | None = None):
    """2019, 2021 → ("2019–2021", 1 Jan 2019, 31 Dec 2021)."""
    return label or f"{first}–{last}", datetime.date(first, 1, 1), datetime.date(last, 12, 31)
