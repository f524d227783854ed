"""Reads for the import pages: the preview a data admin judges a file by, and the saved
column mappings of the user's municipality.

The preview is what ``indicators.services.preview`` gathered while the file was read
(``ImportBatch.preview``); this module turns it into rows for the page, with the
development areas a new indicator can be linked to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Max, QuerySet, prefetch_related_objects
from django.utils.translation import gettext as _

from indicators.models import (
    ImportBatch,
    ImportMapping,
    Indicator,
    ObservationStatus,
    PlaceLevel,
    Source,
)
from indicators.selectors.figures import plan_in_force, subgroup_label
from plans.charts import format_value
from plans.models import DevelopmentArea


def value_text(value: str | None, status: str, symbol: str = "") -> str:
    """A stored or parsed value as the page shows it: decimal comma, or what the source
    says instead of a number."""
    if status == ObservationStatus.VALUE and value is not None:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return value
        decimals = max(-number.normalize().as_tuple().exponent, 0)  # type: ignore[operator]
        return format_value(number, min(int(decimals), 4))
    try:
        label = str(ObservationStatus(status).label).lower()
    except ValueError:
        label = status
    return f"{label} ({symbol})" if symbol else label


def _status_label(status: str) -> str:
    try:
        return str(ObservationStatus(status).label)
    except ValueError:
        return status


def _place_text(row: dict[str, Any]) -> str:
    code, name = row.get("place_code", ""), row.get("place_name", "")
    if row.get("place_level") == PlaceLevel.COUNTRY:
        return name or _("Hele landet")
    return f"{code} {name}".strip() if name and name != code else code


def _where(row: dict[str, Any]) -> dict[str, Any]:
    """The line, indicator, place, period and subgroup of a kept row, for the page."""
    return {
        "line": row["line"],
        "indicator": row.get("indicator_name") or row.get("indicator_code", ""),
        "place": _place_text(row),
        "period": row.get("period", ""),
        "subgroup": subgroup_label(row.get("subgroup", "")),
    }


@dataclass
class SampleRow:
    line: int
    indicator: str
    place: str
    period: str
    subgroup: str
    value: str
    status: str
    own: bool


@dataclass
class ChangedRow:
    line: int
    indicator: str
    place: str
    period: str
    subgroup: str
    old: str
    new: str


@dataclass
class PreviewIndicator:
    code: str
    name: str
    new: bool
    levels: list[str]
    stored: Indicator | None = None
    # The areas it is linked to (stored) or will be linked to when committed (new).
    areas: list[DevelopmentArea] = field(default_factory=list)
    # The plan's areas it can still be linked to.
    choices: list[DevelopmentArea] = field(default_factory=list)

    @property
    def level_labels(self) -> list[str]:
        labels = dict(PlaceLevel.choices)
        return [str(labels.get(level, level)) for level in self.levels]


@dataclass
class ImportPreview:
    sample: list[SampleRow]
    indicators: list[PreviewIndicator]
    indicators_truncated: bool
    own_rows: int
    changes: list[ChangedRow]
    has_plan: bool

    @property
    def no_own_rows(self) -> bool:
        return self.own_rows == 0


def indicators_by_code(
    source: Source | None, codes: list[str], municipality_id: int | None
) -> dict[str, Indicator]:
    """The stored indicators of ``source`` with these codes that an import for the
    municipality writes to: the installation's indicator where there is one, else the
    municipality's own (as ``indicators.services.bulk`` chooses). One query."""
    found: dict[str, Indicator] = {}
    if source is None or source.pk is None or not codes:
        return found
    for indicator in Indicator.objects.filter(source=source, code__in=codes).for_municipality(
        municipality_id
    ):
        if indicator.municipality_id is None or indicator.code not in found:
            found[indicator.code] = indicator
    return found


def import_preview(batch: ImportBatch) -> ImportPreview | None:
    """The preview of a read batch, or None before it has been read. Three queries: the
    plan's areas, the stored indicators the file holds, their links."""
    data: dict[str, Any] = batch.preview or {}
    if not data:
        return None
    plan = plan_in_force(batch.municipality) if batch.municipality_id else None
    sample = [
        SampleRow(
            **_where(row),
            value=value_text(row.get("value"), row.get("status", ""), row.get("symbol", "")),
            status=_status_label(row.get("status", "")),
            own=bool(row.get("own")),
        )
        for row in data.get("sample", [])
    ]
    changes = [
        ChangedRow(
            **_where(row),
            old=value_text(
                row.get("old_value"), row.get("old_status", ""), row.get("old_symbol", "")
            ),
            new=value_text(
                row.get("new_value"), row.get("new_status", ""), row.get("new_symbol", "")
            ),
        )
        for row in data.get("changes", [])
    ]
    areas = (
        list(DevelopmentArea.objects.filter(plan=plan).order_by("order", "name")) if plan else []
    )
    by_pk = {area.pk: area for area in areas}
    listed = data.get("indicators", [])
    stored = indicators_by_code(
        batch.source, [entry["code"] for entry in listed], batch.municipality_id
    )
    prefetch_related_objects(list(stored.values()), "areas")
    links: dict[str, list[int]] = data.get("links") or {}
    indicators = []
    for entry in listed:
        indicator = stored.get(entry["code"])
        if indicator is not None:
            linked = [area for area in indicator.areas.all() if area.pk in by_pk]
        else:
            linked = [by_pk[pk] for pk in links.get(entry["code"], []) if pk in by_pk]
        indicators.append(
            PreviewIndicator(
                code=entry["code"],
                name=entry["name"],
                new=entry["new"],
                levels=entry.get("levels", []),
                stored=indicator,
                areas=linked,
                choices=[area for area in areas if area not in linked],
            )
        )
    return ImportPreview(
        sample=sample,
        indicators=indicators,
        indicators_truncated=bool(data.get("indicators_truncated")),
        own_rows=int(data.get("own_rows", 0)),
        changes=changes,
        has_plan=plan is not None,
    )


# --- Saved mappings -----------------------------------------------------------------------


def mappings_for(user) -> QuerySet[ImportMapping]:
    """The user's municipality's saved mappings, each with how many imports used it and
    when last; one query."""
    return (
        ImportMapping.objects.visible_to(user)
        .select_related("source", "created_by")
        .annotate(batch_count=Count("batches"), last_used=Max("batches__created_at"))
        .order_by("name", "pk")
    )
