"""Reads of the handbook (handlingsveileder), all from the ``visible_to`` querysets. The
lists never load a tool's bytes (``defer("data")``) and take a fixed number of queries
however many steps and tools there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet
from django.urls import reverse

from btitracker.models import HandbookChange, HandbookLevel, HandbookStep, HandbookTool
from plans.access import access_for
from plans.models import Municipality, Role, Unit, UnitKind


@dataclass
class LevelSection:
    level: int
    label: str
    steps: list[HandbookStep] = field(default_factory=list)


# Every read takes the page's municipality as well as the user: a superuser's
# ``visible_to`` holds every municipality's rows, and a page shows one handbook.


def handbook_tools(*, user, municipality: Municipality) -> QuerySet[HandbookTool]:
    return HandbookTool.objects.visible_to(user).filter(municipality=municipality).defer("data")


def handbook_steps(*, user, municipality: Municipality) -> QuerySet[HandbookStep]:
    return HandbookStep.objects.visible_to(user).filter(municipality=municipality)


def handbook_sections(
    *, user, municipality: Municipality, level: int | None = None, unit_kind: str | None = None
) -> list[LevelSection]:
    """The handbook by level, each level's steps in order (with their tools): only
    ``level`` when given, only the steps for ``unit_kind`` and for every service when
    given. Two queries."""
    steps = handbook_steps(user=user, municipality=municipality).prefetch_related(
        Prefetch("tools", queryset=handbook_tools(user=user, municipality=municipality))
    )
    if unit_kind:
        steps = steps.filter(unit_kind__in=["", unit_kind])
    levels = [level] if level is not None else list(HandbookLevel.values)
    sections = {value: LevelSection(value, str(HandbookLevel(value).label)) for value in levels}
    for step in steps.filter(level__in=levels).order_by("level", "position", "unit_kind", "pk"):
        sections[step.level].steps.append(step)
    return list(sections.values())


def handbook_tool_list(*, user, municipality: Municipality) -> list[HandbookTool]:
    """Every tool with the steps it belongs to. Two queries."""
    steps = handbook_steps(user=user, municipality=municipality).only("pk", "title", "level")
    return list(
        handbook_tools(user=user, municipality=municipality).prefetch_related(
            Prefetch("steps", queryset=steps)
        )
    )


def handbook_changes(*, user, municipality: Municipality) -> QuerySet[HandbookChange]:
    return (
        HandbookChange.objects.visible_to(user)
        .filter(municipality=municipality)
        .select_related("actor")
    )


def _kind_for(user, unit: Unit | None) -> str:
    """The unit's kind, or — without a unit — the kind of every unit the user works in,
    when they are all of one kind."""
    if unit is not None:
        return unit.kind
    access = access_for(user)
    unit_ids = access.unit_ids(Role.STAFF) | access.unit_ids(Role.UNIT_LEADER)
    kinds = set(Unit.objects.filter(pk__in=unit_ids).values_list("kind", flat=True))
    return kinds.pop() if len(kinds) == 1 else ""


def handbook_url_for(*, user, level: int, unit: Unit | None = None) -> tuple[str, str]:
    """The handbook's page for ``level`` and the unit's kind (the «Hva gjør jeg nå?» link of
    the concern and log pages), and the kind's name for the link text ("" for all)."""
    kind = _kind_for(user, unit)
    query = {"niva": level, **({"tjeneste": kind} if kind else {})}
    url = f"{reverse('bti:handbook')}?{urlencode(query)}#niva-{level}"
    label = str(UnitKind(kind).label) if kind in UnitKind.values else ""
    return url, label
