"""What a data admin judges an import by, before it is committed.

``PreviewCollector.watch`` sits between the parser and ``bulk.observations_preview`` in
``batch_parse`` and looks at each row once as it passes: it keeps a bounded sample of
rows, the indicators the file holds (at most ``MAX_INDICATORS``) with the place levels
each has figures for, and counts the rows about the batch's own municipality (the
places the import's ``ImportScope`` counts as its own: its current number, its historic
numbers, every number the municipality reforms lead to it, and its units). Memory stays
constant whatever the file's length; the commit does not pass through it.

``batch_indicator_link`` records, on a batch in preview, which development area of the
municipality's plan a new indicator belongs to; ``batch_links_apply`` links them when the
batch is committed (the indicator does not exist before that)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from indicators.models import ImportBatch, ImportStatus, PlaceLevel, Source
from indicators.parsing.base import ParsedRow
from indicators.selectors.imports import indicators_by_code
from indicators.selectors.tenancy import ImportScope
from indicators.services.bulk import _row_summary
from plans.models import DevelopmentArea

# The sample: the file's first rows, and the first rows about the own municipality.
SAMPLE_FIRST = 10
SAMPLE_OWN = 10
MAX_INDICATORS = 200

# The levels whose places are one municipality's own (the others are shared figures).
_OWN_LEVELS = frozenset({PlaceLevel.MUNICIPALITY.value, PlaceLevel.UNIT.value})


def _sample_row(row: ParsedRow) -> dict[str, Any]:
    return {
        **_row_summary(row),
        "value": None if row.value is None else format(row.value, "f"),
        "status": row.status,
        "symbol": row.symbol,
    }


class PreviewCollector:
    """Looks at the rows on their way to the preview's comparison; ``result`` is what the
    batch keeps in ``ImportBatch.preview``."""

    def __init__(self, scope: ImportScope | None) -> None:
        # The import's own scope decides which places are the municipality's (its
        # numbers, historic numbers, numbers the reforms lead to it, its units); without
        # a municipality no row is anyone's own.
        self.scope = scope
        self.first: list[dict] = []
        self.own: list[dict] = []
        self.own_rows = 0
        self.indicators: dict[str, dict[str, Any]] = {}
        self.indicators_truncated = False

    def is_own(self, level: str, code: str) -> bool:
        return (
            self.scope is not None
            and level in _OWN_LEVELS
            and self.scope.refusal(level, code) is None
        )

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

    def result(
        self, *, source: Source | None, municipality_id: int | None, changes: list[dict]
    ) -> dict[str, Any]:
        """The preview to store on the batch; one query marks the indicators that the
        commit would create."""
        stored = indicators_by_code(source, list(self.indicators), municipality_id)
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
        stored = indicators_by_code(locked.source, [indicator_code], locked.municipality_id).get(
            indicator_code
        )
        if stored is not None:
            stored.areas.add(area)
    batch.preview = locked.preview
    return batch


def batch_links_apply(*, batch: ImportBatch) -> int:
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
    found = indicators_by_code(batch.source, list(links), batch.municipality_id)
    for indicator in found.values():
        chosen = [areas[pk] for pk in links[indicator.code] if pk in areas]
        if chosen:
            indicator.areas.add(*chosen)
            made += len(chosen)
    return made
