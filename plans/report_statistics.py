"""Figures other apps give the status report, so ``reports`` reads them without their app
importing ``reports`` (docs/architecture.md: the arrows point from ``reports`` down).

An app registers a provider under a name in its ``AppConfig.ready()`` —
``btitracker`` registers :data:`BTI` with ``btitracker.statistics.report_rows`` — and the
report asks :func:`provider` for it. A provider is ``(user, quality_plan, school_year) ->
{"rows": [{"label", "count": Cell}], "total": Cell}`` with cells already suppressed by
``plans.disclosure``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

StatisticsProvider = Callable[[Any, Any, int], dict]

# The names in use, so the app that registers and the report that reads agree.
BTI = "bti"

_PROVIDERS: dict[str, StatisticsProvider] = {}


def register(name: str, provider: StatisticsProvider | None) -> None:
    """Register (or with None, remove) the provider of the figures called ``name``."""
    if provider is None:
        _PROVIDERS.pop(name, None)
    else:
        _PROVIDERS[name] = provider


def provider(name: str) -> StatisticsProvider | None:
    """The provider registered under ``name``, or None when no app gives those figures."""
    return _PROVIDERS.get(name)
