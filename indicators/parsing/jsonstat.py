"""JSON-stat responses: version 2 (SSB's PxWebApi, ``"class": "dataset"``) and version 1
(the older bundle ``{"dataset": {…}}`` where ``id``, ``size`` and ``role`` sit inside
``dimension``).

A dataset is a cube: ``id`` names the dimensions, ``size`` their number of categories,
and ``value`` lists the cells in row-major order (the last dimension varies fastest).
``status`` may be one symbol for every cell, a list, or a sparse map
``{"71": ".", "360": ".."}``. The roles ``geo``/``time``/``metric`` say which dimension is
the place, the period and the statistics variable; without them SSB's ids
(``Region``, ``Tid``, ``ContentsCode``) do. Every other dimension is a subgroup."""

from __future__ import annotations

import itertools
import json
import math
import re
from decimal import Decimal
from pathlib import PurePath

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from indicators.parsing.base import (
    COUNTRY,
    COUNTRY_CODE,
    MISSING,
    VALUE,
    FatalImportError,
    ParsedRow,
    ParseResult,
    Problem,
    subgroup_text,
)
from indicators.parsing.ssb_csv import (
    SYMBOL_STATUS,
    ZERO_SYMBOL,
    period_from_text,
    place_from_code,
    row_validity,
    slug,
    value_from_text,
)
from indicators.parsing.text import decode

NAME = "jsonstat"
LABEL = gettext_lazy("JSON-stat (SSB og andre API-er)")

_HEAD = 65536
_CLASS_DATASET = re.compile(r'"class"\s*:\s*"(?:dataset|collection)"')
_VERSION = re.compile(r'"version"\s*:\s*"[12]\.\d+"')
_BUNDLE = re.compile(r'^\{\s*"[^"]*"\s*:\s*\{')
_DATASET_KEYS = re.compile(r'"(?:dimension|value)"\s*:')
_TABLE = re.compile(r"^\s*(\d{5})\s*:\s*")
_FIVE_DIGITS = re.compile(r"(?<!\d)(\d{5})(?!\d)")

GEO_IDS = {"region", "geo", "kommune", "fylke", "sted"}
TIME_IDS = {"tid", "time", "year", "år", "aar", "periode"}
METRIC_IDS = {"contentscode", "statistikkvariabel", "metric", "measure_type"}

SOURCES = {
    "statistisk sentralbyrå": "ssb",
    "statistics norway": "ssb",
    "folkehelseinstituttet": "fhi",
    "norwegian institute of public health": "fhi",
    "utdanningsdirektoratet": "udir",
}


def sniff(content: bytes, filename: str) -> bool:
    """A JSON object declaring ``"class": "dataset"`` or a JSON-stat ``version``, or a
    version 1 bundle: an object of objects holding ``dimension``/``value``."""
    try:
        head = decode(content[:_HEAD]).lstrip("\ufeff").lstrip()
    except (FatalImportError, UnicodeDecodeError):
        return False
    if not head.startswith("{") or not _DATASET_KEYS.search(head):
        return False
    return bool(_CLASS_DATASET.search(head) or _VERSION.search(head) or _BUNDLE.match(head))


def parse(content: bytes, filename: str) -> ParseResult:
    text = decode(content)
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise FatalImportError(
            _(
                "Filen er ikke gyldig JSON, kanskje er den avkortet: feil på linje %(line)s, "
                "tegn %(column)s. Last ned filen på nytt."
            )
            % {"line": error.lineno, "column": error.colno}
        ) from error
    except RecursionError as error:
        raise FatalImportError(_("JSON-filen er for dypt nøstet til å leses.")) from error
    datasets = _datasets(document)
    source = _source(datasets[0][1])
    result = ParseResult(format=NAME, source_code=source)
    for dataset_id, dataset in datasets:
        _parse_dataset(dataset_id, dataset, source, filename, result)
    return result


def _datasets(document) -> list[tuple[str, dict]]:
    if not isinstance(document, dict):
        raise FatalImportError(_("JSON-filen inneholder ikke et JSON-stat-datasett."))
    kind = document.get("class")
    if kind == "dataset":
        return [("dataset", document)]
    if kind == "collection":
        items = (document.get("link") or {}).get("item") or []
        found = [
            (str(item.get("label") or number), item)
            for number, item in enumerate(items)
            if isinstance(item, dict) and "dimension" in item and "value" in item
        ]
        if not found:
            raise FatalImportError(
                _(
                    "JSON-stat-samlingen har bare lenker til datasettene, ikke tallene. "
                    "Last ned hvert datasett for seg."
                )
            )
        return found
    if kind == "dimension":
        raise FatalImportError(
            _("Filen beskriver bare en dimensjon i JSON-stat og har ingen tall.")
        )
    if "error" in document and len(document) <= 2:
        raise FatalImportError(_("Filen er en feilmelding fra API-et, ikke et datasett."))
    found = [
        (key, value)
        for key, value in document.items()
        if isinstance(value, dict) and "dimension" in value and "value" in value
    ]
    if not found:
        raise FatalImportError(_("JSON-filen inneholder ikke et JSON-stat-datasett."))
    return found


def _source(dataset: dict) -> str:
    text = str(dataset.get("source") or "").strip().lower()
    return next((code for name, code in SOURCES.items() if name in text), "ssb")


class _Cube:
    """The dimensions of one dataset: ids, sizes, category codes and labels in order."""

    def __init__(self, dataset: dict, label: str):
        dimension = dataset.get("dimension")
        if not isinstance(dimension, dict):
            raise self._broken(label, _("mangler «dimension»"))
        # Version 2 keeps id, size and role at the top, version 1 inside «dimension».
        self.ids = dataset.get("id") or dimension.get("id")
        self.sizes = dataset.get("size") or dimension.get("size")
        self.role = dataset.get("role") or dimension.get("role") or {}
        if (
            not isinstance(self.ids, list)
            or not isinstance(self.sizes, list)
            or len(self.ids) != len(self.sizes)
            or not all(isinstance(size, int) and size >= 0 for size in self.sizes)
        ):
            raise self._broken(label, _("«id» og «size» stemmer ikke overens"))
        self.labels: dict[str, str] = {}
        self.codes: dict[str, list[str]] = {}
        self.category_labels: dict[str, dict[str, str]] = {}
        self.units: dict[str, dict] = {}
        for dimension_id, size in zip(self.ids, self.sizes, strict=True):
            node = dimension.get(dimension_id)
            if not isinstance(node, dict):
                raise self._broken(label, _("dimensjonen «%(id)s» mangler") % {"id": dimension_id})
            category = node.get("category") or {}
            names = category.get("label") or {}
            index = category.get("index")
            if isinstance(index, list):
                codes = [str(code) for code in index]
            elif isinstance(index, dict):
                codes = [
                    str(code) for code, _position in sorted(index.items(), key=lambda item: item[1])
                ]
            else:
                codes = [str(code) for code in names]
            if len(codes) != size:
                raise self._broken(
                    label,
                    _("dimensjonen «%(id)s» har %(found)s kategorier, men «size» sier %(size)s")
                    % {"id": dimension_id, "found": len(codes), "size": size},
                )
            self.codes[dimension_id] = codes
            self.category_labels[dimension_id] = {
                code: str(names.get(code, code)) for code in codes
            }
            self.labels[dimension_id] = str(node.get("label") or dimension_id)
            self.units[dimension_id] = category.get("unit") or {}

    @staticmethod
    def _broken(label: str, detail: str) -> FatalImportError:
        return FatalImportError(
            _("JSON-stat-datasettet «%(label)s» kan ikke leses: %(detail)s.")
            % {"label": label, "detail": detail}
        )

    def find(self, role: str, ids: set[str], labels: set[str]) -> str | None:
        declared = [
            dimension_id for dimension_id in self.role.get(role) or [] if dimension_id in self.codes
        ]
        if declared:
            return declared[0]
        for dimension_id in self.ids:
            lowered = dimension_id.lower()
            if lowered in ids or self.labels[dimension_id].lower() in labels:
                return dimension_id
            if role == "geo" and "region" in lowered:  # KOSTRA's «KOKkommuneregion0000»
                return dimension_id
        return None


def _parse_dataset(dataset_id: str, dataset: dict, source: str, filename: str, result) -> None:
    label = str(dataset.get("label") or dataset_id)
    cube = _Cube(dataset, label)
    total = math.prod(cube.sizes)
    values = dataset.get("value")
    if isinstance(values, list):
        if len(values) != total:
            raise FatalImportError(
                _(
                    "JSON-stat-datasettet «%(label)s» har %(found)s verdier, men dimensjonene "
                    "gir %(total)s. Filen kan være avkortet."
                )
                % {"label": label, "found": len(values), "total": total}
            )
    elif not isinstance(values, dict):
        raise FatalImportError(
            _("JSON-stat-datasettet «%(label)s» mangler verdiene («value»).") % {"label": label}
        )
    status = dataset.get("status")

    geo = cube.find("geo", GEO_IDS, {"region"})
    time = cube.find("time", TIME_IDS, {"år", "tid"})
    metric = cube.find("metric", METRIC_IDS, {"statistikkvariabel"})
    if time is None:
        raise FatalImportError(
            _("JSON-stat-datasettet «%(label)s» har ingen tidsdimensjon (år).") % {"label": label}
        )

    prefix = f"{source}-{_table(dataset, dataset_id, label, filename)}"
    subject = _subject(label)
    per_dimension = []  # for each dimension, per category: what it contributes to a row
    skipped: set[tuple[int, int]] = set()
    for position, dimension_id in enumerate(cube.ids):
        entries = []
        for number, code in enumerate(cube.codes[dimension_id]):
            name = cube.category_labels[dimension_id][code]
            try:
                if dimension_id == geo:
                    entry = ("place", place_from_code(code, _without_code(name, code)), name)
                elif dimension_id == time:
                    entry = ("period", period_from_text(code, cube.labels[time]), name)
                elif dimension_id == metric:
                    entry = ("metric", code, name, _unit(cube.units[metric].get(code)))
                else:
                    entry = ("part", cube.labels[dimension_id].lower(), name)
            except ValueError as error:
                result.problems.append(
                    Problem(None, cube.labels[dimension_id], f"{code} {name}", str(error))
                )
                skipped.add((position, number))
                entry = None
            entries.append(entry)
        per_dimension.append(entries)

    for index, numbers in enumerate(itertools.product(*(range(size) for size in cube.sizes))):
        raw = values[index] if isinstance(values, list) else values.get(str(index))
        symbol = _status(status, index)
        if raw is None and not symbol and isinstance(values, dict):
            continue  # a sparse cube leaves out cells it has nothing to say about
        if skipped and any(
            (position, number) in skipped for position, number in enumerate(numbers)
        ):
            continue
        place = (COUNTRY, COUNTRY_CODE, "Hele landet")
        place_text = ""
        period = None
        indicator = (prefix, subject, "")
        parts = {}
        for entries, number in zip(per_dimension, numbers, strict=True):
            entry = entries[number]
            kind = entry[0]
            if kind == "place":
                place, place_text = entry[1], entry[2]
            elif kind == "period":
                period = entry[1]
            elif kind == "metric":
                indicator = (f"{prefix}:{entry[1]}"[:120], entry[2], entry[3])
            else:
                parts[entry[1]] = entry[2]
        cell = _cell(raw, symbol)
        column = f"value[{index}]"
        if cell is None:
            result.problems.append(
                Problem(
                    index + 1, column, str(raw), _("Verdien er verken et tall eller tom (null).")
                )
            )
            continue
        value, cell_status, cell_symbol = cell
        result.rows.append(
            ParsedRow(
                line=index + 1,
                indicator_code=indicator[0],
                indicator_name=indicator[1],
                place_level=place[0],
                place_code=place[1],
                place_name=place[2],
                period_label=period[0],
                period_start=period[1],
                period_end=period[2],
                subgroup=subgroup_text(parts) if parts else "",
                value=value,
                status=cell_status,
                symbol=cell_symbol,
                unit_of_measure=indicator[2],
                column=column,
                **row_validity(place_text),
            )
        )


def _status(status, index: int) -> str:
    if status is None:
        return ""
    if isinstance(status, str):
        return status
    if isinstance(status, list):
        return str(status[index] or "") if index < len(status) else ""
    if isinstance(status, dict):
        return str(status.get(str(index)) or "")
    return ""


def _cell(raw, symbol: str):
    """(value, status, symbol) for one cell, or None when the value is no number."""
    if raw is None:
        if symbol == ZERO_SYMBOL:
            return Decimal(0), VALUE, ZERO_SYMBOL
        return None, SYMBOL_STATUS.get(symbol, MISSING), symbol
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        return Decimal(raw), VALUE, ZERO_SYMBOL if symbol == ZERO_SYMBOL else ""
    if isinstance(raw, str):
        return value_from_text(raw)
    return None


def _unit(unit) -> str:
    if isinstance(unit, dict):
        return str(unit.get("base") or unit.get("label") or "").strip().lower()[:40]
    return ""


def _without_code(name: str, code: str) -> str:
    """SSB sometimes labels a region «3801 Horten», sometimes «Horten»."""
    return name[len(code) :].strip() if name.startswith(f"{code} ") else name


def _table(dataset: dict, dataset_id: str, label: str, filename: str) -> str:
    """SSB's table number (extension.px.tableid, the label's «05300:», a five-digit
    dataset id or file name), else a slug of the dataset's label."""
    extension = dataset.get("extension") or {}
    px = extension.get("px") if isinstance(extension, dict) else None
    if isinstance(px, dict) and px.get("tableid"):
        return str(px["tableid"])
    match = _TABLE.match(label)
    if match:
        return match.group(1)
    for text in (dataset_id, PurePath(filename).name):
        found = _FIVE_DIGITS.search(text)
        if found:
            return found.group(1)
    return slug(_subject(label))[:60] or "datasett"


def _subject(label: str) -> str:
    """«05300: Avstand …, etter avstand, kulturtilbud, statistikkvariabel og år» →
    «Avstand …»."""
    text = _TABLE.sub("", label).strip()
    cut = text.rfind(", etter ")
    return text[:cut] if cut > 0 else text
