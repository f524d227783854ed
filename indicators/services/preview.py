"""What a data admin judges an import by, before it is committed.

``PreviewCollector.watch`` sits between the parser and ``bulk.preview_counts`` in
``batch_parse`` and looks at each row once as it passes: it keeps a bounded sample of
rows, the indicators the file holds (at most ``MAX_INDICATORS``) with the place levels
each has figures for, and counts the rows about the batch's own municipality (its
current number, its historic numbers, every number the municipality reforms lead to it,
and its units). Memory stays constant whatever the file's length; the commit does not
pass through it.

``batch_indicator_link`` records, on a batch in preview, which development area of the
municipality's plan a new indicator belongs to; ``batch_apply_links`` links them when the
batch is committed (the indicator does not exist before that)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators import reforms
from indicators.models import ImportBatch, ImportStatus, Indicator, Place, PlaceLevel
from indicators.parsing.base import ParsedRow
from indicators.selectors import municipality_places
from indicators.services.bulk import row_summary
from plans.models import DevelopmentArea, Municipality, Unit

# The sample: the file's first rows, and the first rows about the own municipality.
SAMPLE_FIRST = 10
SAMPLE_OWN = 10
MAX_INDICATORS = 200
# Distinct places remembered as own or not; a file naming more is checked row by row.
_PLACE_CACHE = 50_000

_MUNICIPALITY = PlaceLevel.MUNICIPALITY.value
_UNIT = PlaceLevel.UNIT.value


def own_place_keys(municipality: Municipality | None) -> tuple[frozenset, frozenset[str]]:
    """((level, code) of every stored place that is the municipality's or one of its
    units', the municipality numbers of today those codes lead to). Three queries."""
    if municipality is None:
        return frozenset(), frozenset()
    places = municipality_places(municipality)
    ids = set(places.municipality) | set(places.units)
    keys: set[tuple[str, str]] = set(
        Place.objects.filter(pk__in=ids).values_list("level", "code") if ids else []
    )
    codes = {municipality.number, *(str(n) for n in municipality.historic_numbers or [])}
    keys.update((_MUNICIPALITY, code) for code in codes)
    keys.update(
        (_UNIT, number)
        for number in Unit.objects.filter(municipality=municipality)
        .exclude(organisation_number="")
        .values_list("organisation_number", flat=True)
    )
    current = {reforms.current(code) for level, code in keys if level == _MUNICIPALITY}
    return frozenset(keys), frozenset(current)


def _sample_row(row: ParsedRow) -> dict[str, Any]:
    return {
        **row_summary(row),
        "value": None if row.value is None else format(row.value, "f"),
        "status": row.status,
        "symbol": row.symbol,
    }


class PreviewCollector:
    """Looks at the rows on their way to the preview's comparison; ``result`` is what the
    batch keeps in ``ImportBatch.preview``."""

    def __init__(self, municipality: Municipality | None) -> None:
        self.own_keys, self.own_current = own_place_keys(municipality)
        self.first: list[dict] = []
        self.own: list[dict] = []
        self.own_rows = 0
        self.indicators: dict[str, dict[str, Any]] = {}
        self.indicators_truncated = False
        self._own_cache: dict[tuple[str, str], bool] = {}

    def is_own(self, level: str, code: str) -> bool:
        key = (level, code)
        known = self._own_cache.get(key)
        if known is not None:
            return known
        own = key in self.own_keys or (
            level == _MUNICIPALITY and reforms.current(code) in self.own_current
        )
        if len(self._own_cache) < _PLACE_CACHE:
            self._own_cache[key] = own
        return own

    def watch(self, rows: Iterable[ParsedRow]) -> Iterator[ParsedRow]:
        """The rows, unchanged, noting what the preview shows as they pass."""
        indicators = self.indicators
        for row in rows:
            own = self.is_own(row.place_level, row.place_code)
            if own:
                self.own_rows += 1
                if len(self.own) < SAMPLE_OWN:
                    self.own.append({**_sample_row(row), "own": True})
            elif len(self.first) < SAMPLE_FIRST:
                self.first.append(_sample_row(row))
            entry = indicators.get(row.indicator_code)
            if entry is None:
                if len(indicators) < MAX_INDICATORS:
                    indicators[row.indicator_code] = {
                        "name": row.indicator_name or row.indicator_code,
                        "levels": {row.place_level},
                    }
                else:
                    self.indicators_truncated = True
            else:
                entry["levels"].add(row.place_level)
            yield row

    def result(self, *, source_code: str, changes: list[dict]) -> dict[str, Any]:
        """The preview to store on the batch; one query marks the indicators that the
        commit would create."""
        stored = set(
            Indicator.objects.filter(
                source__code=source_code, code__in=list(self.indicators)
            ).values_list("code", flat=True)
        )
        order = {level: position for position, level in enumerate(PlaceLevel.values)}
        sample = sorted(self.first + self.own, key=lambda row: row["line"])
        return {
            "sample": sample,
            "own_rows": self.own_rows,
            "indicators": [
                {
                    "code": code,
                    "name": entry["name"],
                    "new": code not in stored,
                    "levels": sorted(entry["levels"], key=lambda level: order.get(level, 99)),
                }
                for code, entry in sorted(
                    self.indicators.items(), key=lambda item: item[1]["name"].lower()
                )
            ],
            "indicators_truncated": self.indicators_truncated,
            "changes": changes,
            "links": {},
        }


# --- Linking a new indicator to a development area ---------------------------------------


def batch_indicator_link(
    *, batch: ImportBatch, indicator_code: str, area: DevelopmentArea, actor
) -> ImportBatch:
    """Note that the indicator ``indicator_code`` of a batch in preview belongs to
    ``area`` (of the batch's municipality's plan): an indicator already stored is linked
    at once, a new one when the batch is committed. Raises ``ValidationError``
    (Norwegian) for an indicator the file does not hold or an area of another
    municipality."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.PREVIEW:
            raise ValidationError(
                _("Bare en import som er klar til gjennomgang kan få nye koblinger.")
            )
        if area.plan.municipality_id != locked.municipality_id:
            raise ValidationError(_("Utviklingsområdet hører til en annen kommune."))
        preview = dict(locked.preview or {})
        held = {entry["code"] for entry in preview.get("indicators", [])}
        if indicator_code not in held:
            raise ValidationError(
                _("Filen har ingen indikator med koden «%(code)s».")
                % {"code": indicator_code[:120]}
            )
        links: dict[str, list[int]] = dict(preview.get("links") or {})
        chosen = set(links.get(indicator_code, []))
        chosen.add(area.pk)
        links[indicator_code] = sorted(chosen)
        preview["links"] = links
        locked.preview = preview
        locked.save(update_fields=["preview"])
        stored = (
            Indicator.objects.filter(source=locked.source, code=indicator_code).first()
            if locked.source_id
            else None
        )
        if stored is not None:
            stored.areas.add(area)
    batch.preview = locked.preview
    return batch


def batch_apply_links(batch: ImportBatch) -> int:
    """Link the indicators a committed batch created to the areas chosen in its preview
    (inside the commit's transaction). Returns the number of links made."""
    links: dict[str, list[int]] = (batch.preview or {}).get("links") or {}
    if not links or batch.source_id is None or batch.municipality_id is None:
        return 0
    areas = {
        area.pk: area
        for area in DevelopmentArea.objects.filter(
            pk__in={pk for pks in links.values() for pk in pks},
            plan__municipality_id=batch.municipality_id,
        )
    }
    made = 0
    for indicator in Indicator.objects.filter(source_id=batch.source_id, code__in=list(links)):
        chosen = [areas[pk] for pk in links[indicator.code] if pk in areas]
        if chosen:
            indicator.areas.add(*chosen)
            made += len(chosen)
    return made
