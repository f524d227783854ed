"""Sections other apps add to a leader dialogue's agenda, so ``plans`` shows their figures
without importing them (the arrows point one way, docs/architecture.md). An app registers
a section in its ``AppConfig.ready()``: ``indicators`` adds the unit's indicators with
their latest value and trend against the target.

A section function takes the unit, the school year, the keys of the development areas the
agenda covers and the user generating it, and returns a JSON-ready dict (stored frozen in
``Dialogue.agenda``), or None to leave the section out. The dict carries a ``title`` and
``rows``; each row a ``name`` and any of ``value``, ``period``, ``target``, ``positive``
and ``attention`` (lists of sentences).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SectionFunction = Callable[..., dict | None]


@dataclass(frozen=True)
class AgendaSection:
    key: str
    function: SectionFunction


_SECTIONS: dict[str, AgendaSection] = {}


def register(key: str, function: SectionFunction) -> None:
    """Add a section (a key already there is replaced: ``ready()`` may run twice)."""
    _SECTIONS[key] = AgendaSection(key, function)


def sections_build(*, unit, school_year: int, area_keys: Sequence[uuid.UUID], user) -> list[dict]:
    """Every registered section's content for this agenda, in registration order."""
    built = []
    for section in _SECTIONS.values():
        content = section.function(
            unit=unit, school_year=school_year, area_keys=list(area_keys), user=user
        )
        if content:
            built.append({"key": section.key, **content})
    return built
