"""The demo's BTI handbook: every level for the kindergarten, the school and the health
station, tools that are real ODT documents, written by the coordinator (history), and
the same handbook again after a second load."""

from __future__ import annotations

import datetime

import pytest

from btitracker.models import DocumentKind, HandbookChange, HandbookStep, HandbookTool
from demo.services.loading import demo_load
from plans.models import Municipality

TODAY = datetime.date(2026, 10, 1)


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_the_demo_handbook_covers_every_level_for_three_kinds_and_loads_twice(db):
    counts = demo_load(today=TODAY, reports=False)
    municipality = Municipality.objects.get(number="9901")
    steps = HandbookStep.objects.filter(municipality=municipality)
    assert counts["handbook_steps"] == steps.count()
    for kind in ("barnehage", "skole", "helsestasjon", ""):
        assert set(steps.filter(unit_kind=kind).values_list("level", flat=True)) == {0, 1, 2, 3}
    tools = HandbookTool.objects.filter(municipality=municipality)
    assert {tool.kind for tool in tools} >= {"samtaleguide", "observasjonsskjema", "samtykkeskjema"}
    assert {tool.content_type for tool in tools} == {DocumentKind.ODT}
    assert all(tool.steps.exists() for tool in tools)
    assert (
        HandbookChange.objects.filter(
            municipality=municipality, actor__username="bti-koordinator"
        ).count()
        == counts["handbook_steps"] + counts["handbook_tools"]
    )

    first = set(steps.values_list("title", flat=True))
    demo_load(today=TODAY, reports=False)
    assert set(steps.values_list("title", flat=True)) == first
    assert tools.count() == counts["handbook_tools"]
    assert HandbookChange.objects.filter(municipality=municipality).count() == (
        counts["handbook_steps"] + counts["handbook_tools"]
    )
