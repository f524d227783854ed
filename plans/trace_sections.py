"""What apps above ``plans`` add to the trace page of a development area, so ``plans``
shows their part of the chain without importing them (the arrows point one way).

``indicators`` registers a provider in its ``AppConfig.ready()`` that reads the areas'
indicators, their latest values and their trend against the targets. The trace selector
(``plans.selectors.trace``) asks every provider once for all the areas it traces, so the
page and the status report make the same fixed number of queries however many areas,
indicators or figures there are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TraceIndicator:
    """One indicator as the trace shows it: plain text only, so the report can keep it
    in its snapshot as it is."""

    id: int
    name: str
    source: str
    latest: str  # «12,5 prosent», "" when there is no figure yet
    latest_period: str
    target: str  # «Målverdi for 2026/27: 80 prosent», "" when none
    positive: list[str] = field(default_factory=list)  # what goes well (findings)
    attention: list[str] = field(default_factory=list)  # what to watch

    @property
    def anchor(self) -> str:
        return f"indikator-{self.id}"


# provider(user, areas) -> {area id: [TraceIndicator, ...]}
Provider = Callable[[Any, Sequence[Any]], Mapping[int, list[TraceIndicator]]]

PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def indicators_for(user, areas: Sequence[Any]) -> dict[int, list[TraceIndicator]]:
    """Every provider's indicators for the areas, by area id."""
    found: dict[int, list[TraceIndicator]] = {area.pk: [] for area in areas}
    if not areas:
        return found
    for provider in PROVIDERS:
        for area_id, items in provider(user, areas).items():
            found.setdefault(area_id, []).extend(items)
    return found
