"""The fast, streaming way parsed rows reach the observation table.

``observations_upsert`` writes rows and ``observations_preview`` counts what writing them would
do, both without holding the file: they take any iterable of ``ParsedRow`` (a list, or
the generators in ``indicators.parsing.streaming``) and work through it in chunks of
``CHUNK_ROWS``. Per chunk they

1. validate each row (``_row_problem``, or the caller's rule) and leave out the rows the
   import's scope does not allow (``indicators.selectors.tenancy``: another
   municipality's places, shared figures from a table typed by hand), counted per reason;
2. turn indicator codes and places into ids from dictionaries loaded once per import,
   creating the missing indicators and places in bulk (get-or-create on the unique
   constraints ``indicator_unique_code`` and ``place_unique_code``);
3. reject the second of two rows for the same cell (indicator, place, period, subgroup),
   also when the first came in an earlier chunk: the first line wins, as in the preview;
4. on PostgreSQL, ``COPY`` the chunk into a temporary staging table and upsert it with
   one ``INSERT … SELECT … ON CONFLICT ON CONSTRAINT one_observation_per_cell DO UPDATE``
   that touches only new and changed cells, keeping what a changed cell was in
   ``previous`` so the batch can be rolled back; on SQLite (the development database),
   the same through the ORM. A shared figure (country, county, KOSTRA group) another
   municipality's batch wrote is taken over even when unchanged, the other batch kept in
   ``previous``: each municipality's rollback then only undoes its own part.

While PostgreSQL works on one chunk, a background thread reads the next one from the
iterable (the parser runs there), so parsing and the database use both cores.

Everything runs inside the caller's transaction (or a transaction of its own when there
is none): an error anywhere leaves nothing written."""

from __future__ import annotations

import contextlib
import queue
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import psycopg
from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from indicators import reforms
from indicators.models import (
    ImportBatch,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
    Source,
)
from indicators.parsing.base import ParsedRow
from indicators.parsing.cellvalues import collector_paused
from indicators.parsing.ssb_csv import split_historic
from indicators.selectors.tenancy import (
    SHARED,
    SHARED_LEVELS,
    SHOWN_LINES,
    ImportScope,
    import_scope,
)
from plans.models import Unit

CHUNK_ROWS = 20_000
MAX_PROBLEMS = 100
# A preview shows the first changed cells, old → new; the rest are counted only.
MAX_CHANGES = 50
# The parsers allow at most 12 digits before the decimal sign; so does the import flow.
MAX_VALUE = Decimal(10) ** 12
# Observation.value is DecimalField(max_digits=28, decimal_places=14).
STORED_DECIMALS = 14
_STORED_STEP = Decimal(1).scaleb(-STORED_DECIMALS)
# Lookups by a list of ids or codes go in slices this long (SQLite's variable limit).
_IN_SLICE = 500

Progress = Callable[[int], None]
Validate = Callable[[ParsedRow], "str | None"]

_VALUE = ObservationStatus.VALUE.value
_EMPTY_STATUSES = frozenset(ObservationStatus.values) - {_VALUE}
_LEVELS = frozenset(PlaceLevel.values)


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# (ParsedRow attribute, column limit, its name in a message)
_TEXT_LIMITS = (
    ("indicator_code", _max_length(Indicator, "code"), "indikatorkoden"),
    ("indicator_name", _max_length(Indicator, "name"), "indikatornavnet"),
    ("place_code", _max_length(Place, "code"), "stedskoden"),
    ("place_name", _max_length(Place, "name"), "stedsnavnet"),
    ("period_label", _max_length(Observation, "period_label"), "perioden"),
    ("subgroup", _max_length(Observation, "subgroup"), "undergruppen"),
    ("symbol", _max_length(Observation, "symbol"), "symbolet"),
)
_UNIT_LENGTH = _max_length(Indicator, "unit_of_measure")
(
    _CODE_LENGTH,
    _NAME_LENGTH,
    _PLACE_CODE_LENGTH,
    _PLACE_NAME_LENGTH,
    _LABEL_LENGTH,
    _SUBGROUP_LENGTH,
    _SYMBOL_LENGTH,
) = (limit for _name, limit, _label in _TEXT_LIMITS)


# --- Validation -------------------------------------------------------------------------


def _row_problem(row: ParsedRow) -> str | None:
    """Why a parsed row cannot be stored, in Norwegian, or None. The same rules as the
    import flow's check, written so that a good row costs one expression per group of
    checks (this runs for every row of a file)."""
    value = row.value
    status = row.status
    if status == _VALUE:
        if value is None:
            return _("Mangler tall.")
        if not value.is_finite():
            return _("«%(value)s» er ikke et tall.") % {"value": value}
        if not -MAX_VALUE < value < MAX_VALUE:
            return _("Tallet er for stort.")
        if value.as_tuple().exponent < -STORED_DECIMALS:  # type: ignore[operator]
            # Compared and written as the column stores it (float noise such as
            # 0.059000000000000004 is 0.05900000000000000): a re-import changes nothing.
            row.value = value.quantize(_STORED_STEP, rounding=ROUND_HALF_UP)
    elif status in _EMPTY_STATUSES:
        if value is not None:
            return _("En celle uten verdi (status «%(status)s») kan ikke ha et tall.") % {
                "status": status
            }
    else:
        return _("Ukjent status «%(status)s».") % {"status": status}
    code, name = row.indicator_code, row.indicator_name
    place_code, place_name = row.place_code, row.place_name
    label, subgroup, symbol = row.period_label, row.subgroup, row.symbol
    if (
        len(code) > _CODE_LENGTH
        or len(name) > _NAME_LENGTH
        or len(place_code) > _PLACE_CODE_LENGTH
        or len(place_name) > _PLACE_NAME_LENGTH
        or len(label) > _LABEL_LENGTH
        or len(subgroup) > _SUBGROUP_LENGTH
        or len(symbol) > _SYMBOL_LENGTH
        or "\x00" in code
        or "\x00" in name
        or "\x00" in place_code
        or "\x00" in place_name
        or "\x00" in label
        or "\x00" in subgroup
        or "\x00" in symbol
    ):
        return _text_problem(row)
    if not code or code.isspace():
        return _("Mangler indikatorkode.")
    if not place_code or place_code.isspace():
        return _("Mangler stedskode.")
    if not label or label.isspace():
        return _("Mangler periode.")
    if row.place_level not in _LEVELS:
        return _("Ukjent stedsnivå «%(level)s».") % {"level": row.place_level}
    if row.period_end < row.period_start:
        return _("Perioden slutter før den begynner.")
    return None


def _text_problem(row: ParsedRow) -> str | None:
    for name, limit, label in _TEXT_LIMITS:
        text = getattr(row, name)
        if len(text) > limit:
            return _("%(field)s er for lang (høyst %(limit)s tegn).") % {
                "field": label.capitalize(),
                "limit": limit,
            }
        if "\x00" in text:
            return _("Inneholder et ugyldig tegn (NUL).")
    return None


def _decimals(value: Decimal | None) -> int:
    """The decimals a value shows (0–4), for a new indicator's display precision."""
    if value is None:
        return 0
    exponent = value.as_tuple().exponent
    return min(max(-exponent, 0), 4) if isinstance(exponent, int) else 0


# --- Counting and problems --------------------------------------------------------------


@dataclass
class _Tally:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    rows: int = 0
    problems: list[dict] = field(default_factory=list)
    # A preview's first changed cells (``MAX_CHANGES``), old → new.
    changes: list[dict] = field(default_factory=list)
    indicators_created: int = 0
    places_created: int = 0
    # Rows the scope left out, per reason: [count, first lines].
    skipped: dict[str, list] = field(default_factory=dict)

    def skip(self, row: ParsedRow, reason: str) -> None:
        entry = self.skipped.get(reason)
        if entry is None:
            entry = self.skipped[reason] = [0, []]
        entry[0] += 1
        if len(entry[1]) < SHOWN_LINES:
            entry[1].append(row.line)

    def reject(self, row: ParsedRow, reason: str) -> None:
        self.rejected += 1
        if len(self.problems) < MAX_PROBLEMS:
            shown = str(row.value) if row.value is not None else row.symbol
            self.problems.append(
                {
                    "line": row.line,
                    "column": str(row.column or "")[:200],
                    "value": shown[:200],
                    "reason": str(reason),
                }
            )

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rows": self.rows,
            "problems": self.problems,
            "changes": self.changes,
            "indicators_created": self.indicators_created,
            "places_created": self.places_created,
            "skipped": [
                {"reason": reason, "count": count, "lines": lines}
                for reason, (count, lines) in sorted(self.skipped.items())
            ],
            "rows_skipped": sum(count for count, _lines in self.skipped.values()),
        }


def _row_summary(row: ParsedRow) -> dict[str, Any]:
    """Where a row's figure belongs, as the preview keeps it (JSON)."""
    return {
        "line": row.line,
        "indicator_code": row.indicator_code,
        "indicator_name": row.indicator_name,
        "place_level": row.place_level,
        "place_code": row.place_code,
        "place_name": row.place_name,
        "period": row.period_label,
        "subgroup": row.subgroup,
    }


def _change(row: ParsedRow, value: str | None, status: str, symbol: str) -> dict:
    """A changed cell as the preview shows it: the row and what the stored cell was."""
    return {
        **_row_summary(row),
        "old_value": value,
        "old_status": status,
        "old_symbol": symbol,
        "new_value": None if row.value is None else _plain(row.value),
        "new_status": row.status,
        "new_symbol": row.symbol,
    }


def _duplicate_reason(first_line: int) -> str:
    return _("Det samme tallet (sted, periode og undergruppe) står også på linje %(line)s.") % {
        "line": first_line
    }


# --- Indicators and places ----------------------------------------------------------------


def _source(code: str) -> Source:
    """The source the rows belong to. The import flow creates it with its proper name
    first; this only makes sure one exists (a benchmark, a test)."""
    code = (code or "").strip().lower()
    if not code:
        raise ValueError("source_code is required")
    source, _created = Source.objects.get_or_create(code=code, defaults={"name": code})
    return source


def _slices(items: list, size: int = _IN_SLICE) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Created:
    """What the rows said about an indicator this import created."""

    name: str
    unit: str = ""
    decimals: int | None = None
    stored: tuple[str, int] = ("", 1)  # (unit, decimals) it was created with

    def settled(self) -> bool:
        """Nothing a later row says can change it any more."""
        return bool(self.unit) and self.decimals == 4


class _Ids:
    """Indicator codes and places to ids, loaded once per import. With ``create`` the
    missing ones are created in bulk; without (a preview), each gets a negative id of its
    own, which no stored observation has, so its rows count as new.

    ``indicators`` and ``places`` hold the ids of what this import has met; a row whose
    indicator or place is not there yet goes through ``meet`` (once per code or place)."""

    def __init__(
        self, source: Source | None, *, create: bool, municipality_id: int | None = None
    ) -> None:
        self.source = source
        self.create = create
        # The owner of the indicators this import creates (None: installation-wide). It
        # reads the installation's catalogue and its own, the catalogue first.
        self.municipality_id = municipality_id
        self._stored_indicators: dict[str, int] = {}
        # Codes of the installation-wide indicators among them: their shared figures are
        # seen by every municipality (``indicators.selectors.tenancy``).
        self.catalogue: set[str] = set()
        if source is not None and source.pk is not None:
            for code, pk, owner in (
                Indicator.objects.filter(source=source)
                .for_municipality(municipality_id)
                .values_list("code", "pk", "municipality_id")
            ):
                if owner is None:
                    self._stored_indicators[code] = pk
                    self.catalogue.add(code)
                else:
                    self._stored_indicators.setdefault(code, pk)
        self._stored_places: dict[tuple[str, str], int] = {
            (level, code): pk
            for level, code, pk in Place.objects.values_list("level", "code", "pk")
        }
        self.indicators: dict[str, int] = {}
        self.places: dict[tuple[str, str], int] = {}
        self._placeholders = 0
        # Indicators this import created, whose unit and precision later rows may change;
        # ``watch`` keeps those that can still change.
        self.created: dict[str, _Created] = {}
        self.watch: dict[str, _Created] = {}
        # Ids of the indicators that did not exist when the import began. No stored
        # observation can belong to one, so their rows are inserted without looking for
        # a stored cell first. Should another import create the same indicator and store
        # the same cell meanwhile, the unique constraint refuses the insert and the whole
        # import is rolled back (the flow says so in Norwegian).
        self.fresh: set[int] = set()

    def _placeholder(self) -> int:
        self._placeholders += 1
        return -self._placeholders

    def meet(self, rows: list[ParsedRow], tally: _Tally) -> None:
        """Give every row's indicator and place an id: stored, created or a placeholder."""
        new_indicators: dict[str, _Created] = {}
        new_places: dict[tuple[str, str], ParsedRow] = {}
        for row in rows:
            code = row.indicator_code
            if code not in self.indicators:
                stored = self._stored_indicators.get(code)
                if stored is not None:
                    self.indicators[code] = stored
                else:
                    entry = new_indicators.get(code)
                    if entry is None:
                        entry = new_indicators[code] = _Created(row.indicator_name or code)
                    _note(entry, row)
            key = (row.place_level, row.place_code)
            if key not in self.places and key not in new_places:
                new_places[key] = row
        if not self.create:
            for code in new_indicators:
                self.indicators[code] = self._placeholder()
            for key in new_places:
                stored = self._stored_places.get(key)
                self.places[key] = self._placeholder() if stored is None else stored
            return
        if new_indicators:
            tally.indicators_created += self._create_indicators(new_indicators)
        if new_places:
            tally.places_created += self._create_places(new_places)

    def _create_indicators(self, wanted: dict[str, _Created]) -> int:
        source = self.source
        if source is None:  # pragma: no cover - upsert always has a source
            raise ValueError("a source is needed to create indicators")
        name_length = _max_length(Indicator, "name")
        Indicator.objects.bulk_create(
            [
                Indicator(
                    source=source,
                    municipality_id=self.municipality_id,
                    code=code,
                    name=entry.name[:name_length],
                    unit_of_measure=entry.unit,
                    decimals=1 if entry.decimals is None else entry.decimals,
                )
                for code, entry in wanted.items()
            ],
            batch_size=500,
            ignore_conflicts=True,  # created meanwhile by another import: use that one
        )
        owner = (
            Q(municipality__isnull=True)
            if self.municipality_id is None
            else Q(municipality_id=self.municipality_id)
        )
        for part in _slices(list(wanted)):
            self.indicators.update(
                Indicator.objects.filter(source=source, code__in=part)
                .filter(owner)
                .values_list("code", "pk")
            )
        self.fresh.update(self.indicators[code] for code in wanted)
        for code, entry in wanted.items():
            entry.stored = (entry.unit, 1 if entry.decimals is None else entry.decimals)
            self.created[code] = entry
            if not entry.settled():
                self.watch[code] = entry
        return len(wanted)

    def finish(self) -> None:
        """Give the indicators this import created the unit and precision that rows in
        later chunks showed, as if all rows had been seen at once."""
        if not self.create:
            return
        updates = []
        for code, entry in self.created.items():
            final = (entry.unit, 1 if entry.decimals is None else entry.decimals)
            if final != entry.stored:
                updates.append(
                    Indicator(pk=self.indicators[code], unit_of_measure=final[0], decimals=final[1])
                )
        if updates:
            Indicator.objects.bulk_update(updates, ["unit_of_measure", "decimals"], batch_size=500)

    def _create_places(self, met: dict[tuple[str, str], ParsedRow]) -> int:
        """Ids for the places the rows name, created when they do not exist yet, and for
        a municipality number the chain of numbers that continue it after the reforms
        (``indicators.reforms``), linked by ``successor`` — the places the import flow
        creates. Returns how many were created."""
        known = self._stored_places
        wanted: dict[tuple[str, str], dict] = {}
        for key, row in met.items():
            if key in known:
                continue
            name, first, last = split_historic(row.place_name or row.place_code)
            wanted[key] = {
                "name": name or row.place_code,
                "from": row.place_valid_from or first,
                "to": row.place_valid_to or last,
            }
        links: dict[str, str] = {}
        municipality = PlaceLevel.MUNICIPALITY.value
        for level, code in met:
            if level != municipality:
                continue
            seen = {code}
            while (step := reforms.successor(code)) is not None:
                successor, successor_name, year = step
                links[code] = successor
                old = wanted.get((level, code))
                if old is not None and old["to"] is None:
                    old["to"] = year - 1
                key = (municipality, successor)
                if key in wanted:
                    if wanted[key]["from"] is None:
                        wanted[key]["from"] = year
                elif key not in known:
                    wanted[key] = {"name": successor_name, "from": year, "to": None}
                if successor in seen:  # a loop in the table: stop rather than spin
                    break
                seen.add(successor)
                code = successor
            start = reforms.valid_from(code)
            last_key = (municipality, code)
            if start and last_key in wanted and wanted[last_key]["from"] is None:
                wanted[last_key]["from"] = start
        if wanted:
            name_length = _max_length(Place, "name")
            Place.objects.bulk_create(
                [
                    Place(
                        level=level,
                        code=code,
                        name=entry["name"][:name_length],
                        valid_from=entry["from"],
                        valid_to=entry["to"],
                    )
                    for (level, code), entry in wanted.items()
                ],
                batch_size=500,
                ignore_conflicts=True,  # created meanwhile by another import: use that one
            )
            by_level: dict[str, list[str]] = {}
            for level, code in wanted:
                by_level.setdefault(level, []).append(code)
            for level, codes in by_level.items():
                for part in _slices(codes):
                    known.update(
                        ((level, code), pk)
                        for code, pk in Place.objects.filter(
                            level=level, code__in=part
                        ).values_list("code", "pk")
                    )
        if links:
            unlinked = Place.objects.filter(
                level=municipality, code__in=list(links), successor__isnull=True
            ).values_list("pk", "code")
            Place.objects.bulk_update(
                [
                    Place(pk=pk, successor_id=known[(municipality, links[code])])
                    for pk, code in unlinked
                ],
                ["successor"],
                batch_size=500,
            )
        self._link_units([code for level, code in met if level == PlaceLevel.UNIT.value])
        for key in met:
            self.places[key] = known[key]
        return len(wanted)

    @staticmethod
    def _link_units(codes: list[str]) -> None:
        """Link unit-level places the rows name (a Udir school by organisation number) to
        the portal's unit with that number, so the school's figures show in its
        municipality's unit breakdown. Only a number exactly one unit carries is linked,
        and a place already linked (by an installation administrator) is left as it is.
        At most three queries per chunk with units, none without."""
        numbers = [code for code in codes if len(code) == 9 and code.isdigit()]
        if not numbers:
            return
        owners: dict[str, list[int]] = {}
        for part in _slices(numbers):
            for number, pk in Unit.objects.filter(organisation_number__in=part).values_list(
                "organisation_number", "pk"
            ):
                owners.setdefault(number, []).append(pk)
        single = {number: pks[0] for number, pks in owners.items() if len(pks) == 1}
        if not single:
            return
        unlinked = Place.objects.filter(
            level=PlaceLevel.UNIT, code__in=list(single), unit__isnull=True
        ).values_list("pk", "code")
        Place.objects.bulk_update(
            [Place(pk=pk, unit_id=single[code]) for pk, code in unlinked], ["unit"], batch_size=500
        )


def _note(entry: _Created, row: ParsedRow) -> None:
    if not entry.unit and row.unit_of_measure:
        entry.unit = row.unit_of_measure[:_UNIT_LENGTH]
    if row.value is not None and (entry.decimals is None or entry.decimals < 4):
        entry.decimals = max(entry.decimals or 0, _decimals(row.value))


# --- Reading the rows in chunks -----------------------------------------------------------


_DONE = object()


@contextlib.contextmanager
def _chunks(rows: Iterable[ParsedRow], size: int, *, background: bool):
    """The rows in lists of ``size``. With ``background`` a thread reads ahead (one chunk
    at most), so the parser behind ``rows`` runs while the database works on the chunk
    before; an error in the parser is raised here, in the caller's thread."""
    if not background:
        yield _plain_chunks(rows, size)
        return
    ahead: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for chunk in _plain_chunks(rows, size):
                if not put(chunk):
                    return
        except BaseException as error:  # handed to the caller's thread
            put(error)
            return
        put(_DONE)

    reader = threading.Thread(target=read, name="indicator-import-reader", daemon=True)
    reader.start()

    def take() -> Iterator[list[ParsedRow]]:
        while True:
            item = ahead.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    try:
        yield take()
    finally:
        stop.set()
        reader.join()


def _plain_chunks(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    append = chunk.append
    for row in rows:
        append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
            append = chunk.append
    if chunk:
        yield chunk


# --- The work per chunk --------------------------------------------------------------------

# One accepted row on its way to the database.
_Cell = tuple  # (row, indicator_id, place_id)


def _run(
    rows: Iterable[ParsedRow],
    *,
    ids: _Ids,
    writer: _Writer,
    validate: Validate,
    chunk_size: int,
    progress: Progress | None,
    scope: ImportScope | None = None,
) -> dict[str, Any]:
    tally = _Tally()
    # Rows, cells and keys are freed as each chunk is done and make no cycles; the
    # cyclic collector would only walk the live chunks again and again (a third of the
    # time per row), so it waits until the end, as it does in the parsers.
    try:
        with collector_paused():
            _read(
                rows,
                ids=ids,
                writer=writer,
                validate=validate,
                chunk_size=chunk_size,
                progress=progress,
                tally=tally,
                scope=scope,
            )
    finally:
        writer.close()
    ids.finish()
    return tally.as_dict()


def _read(
    rows: Iterable[ParsedRow],
    *,
    ids: _Ids,
    writer: _Writer,
    validate: Validate,
    chunk_size: int,
    progress: Progress | None,
    tally: _Tally,
    scope: ImportScope | None,
) -> None:
    with _chunks(rows, chunk_size, background=writer.background) as chunks:
        for chunk in chunks:
            tally.rows += len(chunk)
            cells: dict[tuple, _Cell] = {}
            pending: list[ParsedRow] = []
            _sort(chunk, ids, cells, pending, validate, tally, scope)
            if pending:
                writer.flush(tally)  # the connection is needed here
                ids.meet(pending, tally)
                _sort(pending, ids, cells, [], None, tally, None)
            writer.write(list(cells.values()), tally)
            if progress is not None:
                progress(tally.rows)
    writer.finish(tally)
    tally.problems.sort(key=lambda problem: problem["line"] or 0)


def _sort(
    rows: list[ParsedRow],
    ids: _Ids,
    cells: dict[tuple, _Cell],
    pending: list[ParsedRow],
    validate: Validate | None,
    tally: _Tally,
    scope: ImportScope | None,
) -> None:
    """Validate the rows, leave out those outside the scope, give the others their ids
    and keep the first of each cell in ``cells``; rows whose indicator or place the import
    has not met go to ``pending``. One loop for all of it: this runs once per row."""
    indicators, places, watch, catalogue = ids.indicators, ids.places, ids.watch, ids.catalogue
    for row in rows:
        if validate is not None:
            reason = validate(row)
            if reason is not None:
                tally.reject(row, reason)
                continue
        if scope is not None:
            refusal = scope.refusal(row.place_level, row.place_code)
            # A shared figure of the municipality's own indicator is seen by it alone.
            if refusal is not None and (refusal != SHARED or row.indicator_code in catalogue):
                tally.skip(row, refusal)
                continue
        indicator_id = indicators.get(row.indicator_code)
        place_id = places.get((row.place_level, row.place_code))
        if indicator_id is None or place_id is None:
            pending.append(row)
            continue
        if watch:
            entry = watch.get(row.indicator_code)
            if entry is not None:
                _note(entry, row)
                if entry.settled():
                    del watch[row.indicator_code]
        key = (indicator_id, place_id, row.period_label, row.subgroup)
        first = cells.get(key)
        if first is None:
            cells[key] = (row, indicator_id, place_id)
        else:
            tally.reject(row, _duplicate_reason(first[0].line))


class _Writer:
    background = False

    def write(self, cells: list[_Cell], tally: _Tally) -> None:
        raise NotImplementedError

    def flush(self, tally: _Tally) -> None:
        """Finish what ``write`` left running, before the connection is used otherwise."""

    def finish(self, tally: _Tally) -> None:
        """Called once after the last chunk."""
        self.flush(tally)

    def close(self) -> None:
        """Called at the end, also after an error."""


# --- PostgreSQL: COPY into a staging table, one upsert per chunk ----------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_CELL_KEY = ("indicator_id", "place_id", "period_label", "subgroup")
_PLANNER_SETTINGS = ("enable_hashjoin", "enable_mergejoin", "enable_memoize")


def _copy_text(text: str) -> str:
    """Text as COPY's text format reads it back unchanged."""
    return text.translate(_COPY_ESCAPES)


@dataclass
class _ChunkResult:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    repeats: list[tuple[ParsedRow, int]] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)


class _PostgresWriter(_Writer):
    """Each chunk goes by ``COPY`` into a temporary staging table. Cells an earlier chunk
    already had are taken out (the first line wins) using a second temporary table of
    the cells seen so far, and then

    * committing: one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` of the staged cells
      that are new or differ from the stored ones (sorted by the unique key, which keeps
      the index writes close together), counting inserted and updated rows;
    * previewing: one ``SELECT`` that joins the staged cells with the stored ones.

    The SQL for a chunk runs in a worker thread on the same connection (so in the same
    transaction) while the caller's thread prepares the next chunk; ``flush`` waits for
    it, and must be called before anything else uses the connection. Both temporary
    tables are dropped at the end, and in any case with the transaction."""

    background = True

    def __init__(
        self,
        *,
        batch_id: int | None,
        fresh: set[int] | None = None,
        municipality_id: int | None = None,
    ) -> None:
        self.batch_id = batch_id
        self.municipality_id = municipality_id
        # The ids of indicators created by this import (``_Ids.fresh``, filled as the
        # chunks go by): their rows skip the look-up of a stored cell.
        self.fresh: set[int] = set() if fresh is None else fresh
        suffix = uuid.uuid4().hex[:12]
        self.stage = f"indicators_bulk_stage_{suffix}"
        self.seen = f"indicators_bulk_seen_{suffix}"
        self.fresh_lines = f"indicators_bulk_fresh_lines_{suffix}"
        self.chunks = 0
        self._periods: dict[tuple, str] = {}
        self._texts: dict[str, str] = {}
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's own, shared with the worker
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="indicator-copy")
        self._pending: Future | None = None
        label = _max_length(Observation, "period_label")
        subgroup = _max_length(Observation, "subgroup")
        with self.raw.cursor() as cursor:
            # The staging columns have the observation table's types, so the unique
            # index serves the joins without casts.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.stage} ("
                " line integer NOT NULL,"
                " fresh boolean NOT NULL,"
                " shared boolean NOT NULL,"
                " indicator_id bigint NOT NULL,"
                " place_id bigint NOT NULL,"
                f" period_label varchar({label}) NOT NULL,"
                " period_start date NOT NULL,"
                " period_end date NOT NULL,"
                f" subgroup varchar({subgroup}) NOT NULL,"
                " value numeric(28, 14),"
                f" status varchar({_max_length(Observation, 'status')}) NOT NULL,"
                f" symbol varchar({_max_length(Observation, 'symbol')}) NOT NULL"
                ") ON COMMIT DROP"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.seen} ("
                " indicator_id bigint NOT NULL,"
                " place_id bigint NOT NULL,"
                f" period_label varchar({label}) NOT NULL,"
                f" subgroup varchar({subgroup}) NOT NULL,"
                " line integer NOT NULL,"
                " PRIMARY KEY (indicator_id, place_id, period_label, subgroup)"
                ") ON COMMIT DROP"
            )
            # The line of each cell of a fresh indicator written so far, for the message
            # when a later line repeats one. Appended to, never indexed: it is read only
            # when the observation table's own unique index has caught a repeat.
            cursor.execute(
                f"CREATE TEMPORARY TABLE {self.fresh_lines} ("
                " indicator_id bigint NOT NULL,"
                " place_id bigint NOT NULL,"
                f" period_label varchar({label}) NOT NULL,"
                f" subgroup varchar({subgroup}) NOT NULL,"
                " line integer NOT NULL"
                ") ON COMMIT DROP"
            )
            # A staging table has no statistics (and ANALYZE per chunk costs more than
            # it saves): steer the planner to what is right for a chunk against a big
            # table, one index probe per staged row, without a cache that never hits.
            # Restored in ``finish``, and by the transaction in any case.
            cursor.execute(
                "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'),"
                " current_setting('enable_memoize')"
            )
            self._planner = dict(zip(_PLANNER_SETTINGS, cursor.fetchone(), strict=True))
            self._set_planner(cursor, dict.fromkeys(_PLANNER_SETTINGS, "off"))

    @staticmethod
    def _set_planner(cursor, values: dict[str, str]) -> None:
        for name, value in values.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])

    def _lines(self, cells: list[_Cell]) -> str:
        """The chunk in COPY's text format. Periods and subgroups repeat on most lines, so
        their escaped text is kept (a few thousand distinct values at most)."""
        periods, texts, fresh = self._periods, self._texts, self.fresh
        if len(texts) > 100_000:  # a file of distinct subgroups: do not keep them all
            texts.clear()
        out: list[str] = []
        append = out.append
        for row, indicator_id, place_id in cells:
            period_key = (row.period_label, row.period_start, row.period_end)
            period = periods.get(period_key)
            if period is None:
                period = periods[period_key] = (
                    f"{_copy_text(row.period_label)}\t{row.period_start.isoformat()}"
                    f"\t{row.period_end.isoformat()}"
                )
            subgroup = row.subgroup
            if subgroup:
                escaped = texts.get(subgroup)
                if escaped is None:
                    escaped = texts[subgroup] = _copy_text(subgroup)
                subgroup = escaped
            value = row.value
            # More than 14 decimals are rounded by the staging column, as by the table's.
            value_text = "\\N" if value is None else str(value)
            symbol = row.symbol
            if symbol:
                symbol = _copy_text(symbol)
            append(
                f"{row.line}\t{'t' if indicator_id in fresh else 'f'}"
                f"\t{'t' if row.place_level in SHARED_LEVELS else 'f'}\t{indicator_id}"
                f"\t{place_id}\t{period}\t{subgroup}\t{value_text}\t{row.status}\t{symbol}\n"
            )
        return "".join(out)

    def write(self, cells: list[_Cell], tally: _Tally) -> None:
        if not cells:
            return
        data = self._lines(cells)
        self.flush(tally)
        self.chunks += 1
        room = MAX_CHANGES - len(tally.changes) if self.batch_id is None else 0
        self._pending = self._worker.submit(self._write, data, cells, self.chunks, room)

    def flush(self, tally: _Tally) -> None:
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        result = pending.result()  # an error in the worker is raised here
        tally.new += result.new
        tally.changed += result.changed
        tally.unchanged += result.unchanged
        for row, first_line in result.repeats:
            tally.reject(row, _duplicate_reason(first_line))
        tally.changes.extend(result.changes[: MAX_CHANGES - len(tally.changes)])

    def _write(self, data: str, cells: list[_Cell], number: int, room: int = 0) -> _ChunkResult:
        """The SQL for one chunk, in the worker thread. A preview with ``room`` for more
        changed cells also reads the first ``room`` of this chunk's, old → new."""
        result = _ChunkResult()
        with self.raw.cursor() as cursor:
            cursor.execute(f"TRUNCATE {self.stage}")
            with cursor.copy(f"COPY {self.stage} FROM STDIN") as copy:
                copy.write(data)
            del data
            if not self.fresh or any(
                indicator_id not in self.fresh for _row, indicator_id, _place in cells
            ):
                self._drop_repeats(cursor, cells, number, result)
            if self.batch_id is None:
                result.new, result.changed, result.unchanged = self._compare(cursor)
                if result.changed and room > 0:
                    result.changes = self._changes(cursor, cells, room)
            else:
                if any(indicator_id in self.fresh for _row, indicator_id, _place in cells):
                    result.new = self._insert_fresh(cursor, cells, result)
                new, result.changed = self._upsert(cursor)
                result.new += new
                result.unchanged = len(cells) - len(result.repeats) - result.new - result.changed
        return result

    def _drop_repeats(self, cursor, cells: list[_Cell], number: int, result) -> int:
        """Remember this chunk's cells, and take out those an earlier chunk had. Almost
        always there are none, so the cells are first simply added (the primary key
        refuses a repeat); only when that fails are the repeats looked up and removed.
        Cells of fresh indicators are left to ``_insert_fresh``."""
        key = ", ".join(_CELL_KEY)
        remember = (
            f"INSERT INTO {self.seen} ({key}, line)"  # noqa: S608
            f" SELECT {key}, line FROM {self.stage} WHERE NOT fresh"
        )
        if number == 1:
            cursor.execute(remember)
            return 0
        cursor.execute("SAVEPOINT indicators_bulk_seen")
        try:
            cursor.execute(remember)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT indicators_bulk_seen")
        else:
            cursor.execute("RELEASE SAVEPOINT indicators_bulk_seen")
            return 0
        cursor.execute("RELEASE SAVEPOINT indicators_bulk_seen")
        match = " AND ".join(f"e.{column} = s.{column}" for column in _CELL_KEY)
        tables = f"{self.stage} s USING {self.seen} e"
        cursor.execute(
            f"DELETE FROM {tables} WHERE NOT s.fresh AND {match} RETURNING s.line, e.line"  # noqa: S608
        )
        repeats = cursor.fetchall()
        self._note_repeats(cells, repeats, result)
        cursor.execute(remember)
        return len(repeats)

    @staticmethod
    def _note_repeats(cells: list[_Cell], repeats, result: _ChunkResult) -> None:
        by_line = {row.line: row for row, _indicator, _place in cells}
        result.repeats.extend((by_line[line], first_line) for line, first_line in sorted(repeats))

    def _insert_fresh(self, cursor, cells: list[_Cell], result: _ChunkResult) -> int:
        """Insert the cells of indicators this import created. Nothing stored can match
        them, so a plain insert, without the look-up of a stored cell and without the
        table of cells seen: should a cell repeat one of an earlier chunk, the table's
        own unique index refuses it, and only then are the repeats taken out (and the
        line they repeat looked up) and the rest inserted again. Returns the number
        inserted."""
        table = Observation._meta.db_table
        insert = f"""
            INSERT INTO {table} (
                indicator_id, place_id, period_label, period_start, period_end,
                subgroup, value, status, symbol, batch_id, previous
            )
            SELECT s.indicator_id, s.place_id, s.period_label, s.period_start,
                   s.period_end, s.subgroup, s.value, s.status, s.symbol, %s, NULL
            FROM {self.stage} s
            WHERE s.fresh
            ORDER BY s.indicator_id, s.place_id, s.period_label, s.subgroup
        """  # noqa: S608 - table names are the model's and our own
        cursor.execute("SAVEPOINT indicators_bulk_fresh")
        try:
            cursor.execute(insert, [self.batch_id])
            inserted = cursor.rowcount
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT indicators_bulk_fresh")
            cursor.execute("RELEASE SAVEPOINT indicators_bulk_fresh")
            match = " AND ".join(f"o.{column} = s.{column}" for column in _CELL_KEY)
            first = " AND ".join(f"f.{column} = g.{column}" for column in _CELL_KEY)
            cursor.execute(
                f"""
                WITH gone AS (
                    DELETE FROM {self.stage} s USING {table} o
                    WHERE s.fresh AND {match} AND o.batch_id = %s
                    RETURNING s.line, s.indicator_id, s.place_id, s.period_label, s.subgroup
                )
                SELECT g.line, min(f.line)
                FROM gone g JOIN {self.fresh_lines} f ON {first}
                GROUP BY g.line
                """,  # noqa: S608 - table names are the model's and our own
                # Only this import's own cells: a cell another import stored meanwhile
                # makes the insert below fail, and the whole import with it.
                [self.batch_id],
            )
            self._note_repeats(cells, cursor.fetchall(), result)
            cursor.execute(insert, [self.batch_id])
            inserted = cursor.rowcount
        else:
            cursor.execute("RELEASE SAVEPOINT indicators_bulk_fresh")
        key = ", ".join(_CELL_KEY)
        cursor.execute(
            f"INSERT INTO {self.fresh_lines} ({key}, line)"  # noqa: S608
            f" SELECT {key}, line FROM {self.stage} WHERE fresh"
        )
        return inserted

    def _upsert(self, cursor) -> tuple[int, int]:
        table = Observation._meta.db_table
        order = "ORDER BY s.indicator_id, s.place_id, s.period_label, s.subgroup"
        match = " AND ".join(f"o.{column} = s.{column}" for column in _CELL_KEY)
        # A stored cell another municipality's batch (or the installation's) wrote: a
        # shared figure is taken over even when unchanged, so that batch's rollback
        # leaves this one's figure in place (see ``batch_rollback``).
        foreign = (
            f"(o.batch_id <> %s AND (SELECT b.municipality_id FROM "  # noqa: S608
            f"{ImportBatch._meta.db_table} b WHERE b.id = o.batch_id) IS DISTINCT FROM %s)"
        )
        tenant = [self.batch_id, self.municipality_id]
        cursor.execute(
            f"""
            WITH written AS (
                INSERT INTO {table} AS o (
                    indicator_id, place_id, period_label, period_start, period_end,
                    subgroup, value, status, symbol, batch_id, previous
                )
                SELECT s.indicator_id, s.place_id, s.period_label, s.period_start,
                       s.period_end, s.subgroup, s.value, s.status, s.symbol, %s, NULL
                FROM {self.stage} s
                LEFT JOIN {table} o ON {match}
                WHERE NOT s.fresh
                  AND (o.id IS NULL
                       OR (o.value, o.status, o.symbol)
                          IS DISTINCT FROM (s.value, s.status, s.symbol)
                       OR (s.shared AND {foreign}))
                {order}
                ON CONFLICT ON CONSTRAINT one_observation_per_cell DO UPDATE SET
                    value = EXCLUDED.value,
                    status = EXCLUDED.status,
                    symbol = EXCLUDED.symbol,
                    batch_id = EXCLUDED.batch_id,
                    previous = jsonb_build_object(
                        'value', trim_scale(o.value)::text,
                        'status', o.status,
                        'symbol', o.symbol,
                        'batch', o.batch_id,
                        'previous', o.previous
                    )
                WHERE (o.value, o.status, o.symbol)
                      IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.status, EXCLUDED.symbol)
                      OR {foreign}
                RETURNING (o.xmax = 0) AS inserted,
                          (o.previous->>'value', o.previous->>'status', o.previous->>'symbol')
                          IS DISTINCT FROM (trim_scale(o.value)::text, o.status, o.symbol)
                          AS differs
            )
            SELECT count(*) FILTER (WHERE inserted),
                   count(*) FILTER (WHERE NOT inserted AND differs)
            FROM written
            """,  # noqa: S608 - table names are the model's and our own
            [self.batch_id, *tenant, *tenant],
        )
        new, changed = cursor.fetchone()
        return new, changed

    def _compare(self, cursor) -> tuple[int, int, int]:
        match = " AND ".join(f"o.{column} = s.{column}" for column in _CELL_KEY)
        differs = "(o.value, o.status, o.symbol) IS DISTINCT FROM (s.value, s.status, s.symbol)"
        cursor.execute(
            f"""
            SELECT count(*) FILTER (WHERE o.id IS NULL),
                   count(*) FILTER (WHERE o.id IS NOT NULL AND {differs}),
                   count(*) FILTER (WHERE o.id IS NOT NULL AND NOT {differs})
            FROM {self.stage} s
            LEFT JOIN {Observation._meta.db_table} o ON {match}
            """  # noqa: S608 - table names are the model's and our own
        )
        return cursor.fetchone()

    def _changes(self, cursor, cells: list[_Cell], limit: int) -> list[dict]:
        """The first ``limit`` staged cells that differ from the stored ones, old → new:
        one bounded query, run only for a chunk that has changed cells."""
        match = " AND ".join(f"o.{column} = s.{column}" for column in _CELL_KEY)
        cursor.execute(
            f"""
            SELECT s.line, trim_scale(o.value)::text, o.status, o.symbol
            FROM {self.stage} s
            JOIN {Observation._meta.db_table} o ON {match}
            WHERE (o.value, o.status, o.symbol) IS DISTINCT FROM (s.value, s.status, s.symbol)
            ORDER BY s.line
            LIMIT %s
            """,  # noqa: S608 - table names are the model's and our own
            [limit],
        )
        by_line = {row.line: row for row, _indicator, _place in cells}
        return [
            _change(by_line[line], value, status, symbol)
            for line, value, status, symbol in cursor.fetchall()
        ]

    def finish(self, tally: _Tally) -> None:
        self.flush(tally)
        with self.raw.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.stage}, {self.seen}, {self.fresh_lines}")
            self._set_planner(cursor, self._planner)

    def close(self) -> None:
        """Wait for the worker (after an error, its chunk's SQL is abandoned: the
        transaction is rolled back by the caller)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):
                pending.result()
        self._worker.shutdown(wait=True)


# --- SQLite (and any other database): the ORM ------------------------------------------------


class _OrmWriter(_Writer):
    """The same semantics through the ORM, for the development database. The cells seen
    in earlier chunks are kept in a set, so memory grows with the file here; production
    runs on PostgreSQL."""

    def __init__(self, *, batch_id: int | None, municipality_id: int | None = None) -> None:
        self.batch_id = batch_id
        self.municipality_id = municipality_id
        self.seen: dict[tuple, int] = {}
        self._owners: dict[int, int | None] = {}

    def _foreign(self, batch_id: int) -> bool:
        """Whether a stored cell's batch is another municipality's (or the installation's,
        for a municipality's import)."""
        if batch_id == self.batch_id:
            return False
        if batch_id not in self._owners:
            self._owners.update(
                ImportBatch.objects.filter(pk=batch_id).values_list("pk", "municipality_id")
            )
        return self._owners.get(batch_id) != self.municipality_id

    def write(self, cells: list[_Cell], tally: _Tally) -> None:
        fresh: list[_Cell] = []
        seen = self.seen
        for cell in cells:
            row, indicator_id, place_id = cell
            key = (indicator_id, place_id, row.period_label, row.subgroup)
            first_line = seen.get(key)
            if first_line is None:
                seen[key] = row.line
                fresh.append(cell)
            else:
                tally.reject(row, _duplicate_reason(first_line))
        stored = self._stored(fresh)
        new: list[Observation] = []
        changed: list[Observation] = []
        for row, indicator_id, place_id in fresh:
            old = stored.get((indicator_id, place_id, row.period_label, row.subgroup))
            if old is None:
                tally.new += 1
                if self.batch_id is not None:
                    new.append(
                        Observation(
                            indicator_id=indicator_id,
                            place_id=place_id,
                            period_label=row.period_label,
                            period_start=row.period_start,
                            period_end=row.period_end,
                            subgroup=row.subgroup,
                            value=row.value,
                            status=row.status,
                            symbol=row.symbol,
                            batch_id=self.batch_id,
                        )
                    )
                continue
            pk, value, status, symbol, batch_id, previous = old
            if (value, status, symbol) == (row.value, row.status, row.symbol):
                tally.unchanged += 1
                # A shared figure another municipality wrote is taken over (see
                # ``_PostgresWriter._upsert``); its value stays as it is.
                if not (
                    self.batch_id is not None
                    and row.place_level in SHARED_LEVELS
                    and self._foreign(batch_id)
                ):
                    continue
            else:
                tally.changed += 1
                if self.batch_id is None and len(tally.changes) < MAX_CHANGES:
                    before = None if value is None else _plain(value)
                    tally.changes.append(_change(row, before, status, symbol))
            if self.batch_id is not None:
                changed.append(
                    Observation(
                        pk=pk,
                        value=row.value,
                        status=row.status,
                        symbol=row.symbol,
                        batch_id=self.batch_id,
                        previous={
                            "value": None if value is None else _plain(value),
                            "status": status,
                            "symbol": symbol,
                            "batch": batch_id,
                            "previous": previous,
                        },
                    )
                )
        if new:
            Observation.objects.bulk_create(new, batch_size=1000)
        if changed:
            Observation.objects.bulk_update(
                changed, ["value", "status", "symbol", "batch", "previous"], batch_size=500
            )

    @staticmethod
    def _stored(cells: list[_Cell]) -> dict[tuple, tuple]:
        """The stored cells among these, by (indicator, place, period, subgroup)."""
        # Only ids a real indicator or place has: a preview's placeholders are negative.
        indicator_ids = sorted({indicator for _row, indicator, _place in cells if indicator > 0})
        place_ids = sorted({place for _row, _indicator, place in cells if place > 0})
        labels = sorted({row.period_label for row, _indicator, _place in cells})
        found: dict[tuple, tuple] = {}
        if not indicator_ids or not place_ids:
            return found
        columns = ("pk", "value", "status", "symbol", "batch_id", "previous")
        for indicators in _slices(indicator_ids, 200):
            for places in _slices(place_ids, 200):
                for periods in _slices(labels, 200):
                    found.update(
                        ((indicator, place, label, subgroup), tuple(rest))
                        for indicator, place, label, subgroup, *rest in Observation.objects.filter(
                            indicator_id__in=indicators,
                            place_id__in=places,
                            period_label__in=periods,
                        )
                        .order_by()
                        .values_list(
                            "indicator_id", "place_id", "period_label", "subgroup", *columns
                        )
                    )
        return found


def _plain(value: Decimal) -> str:
    """«87.50000000000000» → «87.5», «100.00000000000000» → «100» (as PostgreSQL's
    ``trim_scale`` writes it), so ``previous`` reads the same on both databases."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# --- The two entry points ----------------------------------------------------------------------


def _writer_for(
    batch_id: int | None, fresh: set[int] | None = None, municipality_id: int | None = None
) -> _Writer:
    if connection.vendor == "postgresql":
        return _PostgresWriter(batch_id=batch_id, fresh=fresh, municipality_id=municipality_id)
    return _OrmWriter(batch_id=batch_id, municipality_id=municipality_id)


def observations_upsert(
    *,
    rows: Iterable[ParsedRow],
    batch: ImportBatch,
    source_code: str,
    chunk_size: int = CHUNK_ROWS,
    validate: Validate = _row_problem,
    progress: Progress | None = None,
    scope: ImportScope | None = None,
) -> dict[str, Any]:
    """Write the rows as observations of ``batch`` and return what happened: ``new``,
    ``changed``, ``unchanged`` and ``rejected`` rows, the ``rows`` read, the first
    ``problems`` (``{"line", "column", "value", "reason"}``, reasons in Norwegian, at most
    ``MAX_PROBLEMS``) and how many indicators and places were created.

    A changed cell keeps what it was in ``previous`` (value, status, symbol, batch and its
    own previous), as the import flow's rollback expects; an unchanged cell is not
    touched. ``rows`` is read once, in chunks of ``chunk_size``; ``validate`` (default
    ``_row_problem``) rejects a row by returning a reason; ``progress`` is called with the
    number of rows read after each chunk. Runs in the caller's transaction (a savepoint),
    so an exception leaves nothing written.

    A batch of a municipality writes only what ``scope`` allows (by default the scope of
    ``batch.municipality`` for ``batch.detected_format``); the rows it leaves out are
    counted in ``skipped`` and ``rows_skipped``. Indicators it creates belong to the
    batch's municipality (installation-wide for a batch without one)."""
    if scope is None and batch.municipality_id is not None:
        scope = import_scope(municipality=batch.municipality, detected_format=batch.detected_format)
    with transaction.atomic():
        source = _source(source_code)
        ids = _Ids(source, create=True, municipality_id=batch.municipality_id)
        writer = _writer_for(batch.pk, ids.fresh, batch.municipality_id)
        return _run(
            rows,
            ids=ids,
            writer=writer,
            validate=validate,
            chunk_size=chunk_size,
            progress=progress,
            scope=scope,
        )


def observations_preview(
    *,
    rows: Iterable[ParsedRow],
    source_code: str,
    chunk_size: int = CHUNK_ROWS,
    validate: Validate = _row_problem,
    progress: Progress | None = None,
    municipality_id: int | None = None,
    scope: ImportScope | None = None,
) -> dict[str, Any]:
    """What ``observations_upsert`` would report for these rows, without writing any:
    the same dictionary (``indicators_created`` and ``places_created`` count the ones it
    would create). On PostgreSQL the rows pass through the same staging table and are
    joined with the stored cells; temporary tables are all it writes."""
    code = (source_code or "").strip().lower()
    source = Source.objects.filter(code=code).first()
    with transaction.atomic():
        ids = _Ids(source, create=False, municipality_id=municipality_id)
        result = _run(
            rows,
            ids=ids,
            writer=_writer_for(None),
            validate=validate,
            chunk_size=chunk_size,
            progress=progress,
            scope=scope,
        )
    result["indicators_created"] = sum(1 for pk in ids.indicators.values() if pk < 0)
    result["places_created"] = sum(1 for pk in ids.places.values() if pk < 0)
    return result
