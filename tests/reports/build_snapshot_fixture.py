"""Builds the newest stored snapshot, ``tests/reports/snapshots/v<SCHEMA_VERSION>.json``
(see that folder's README). Not collected by the suite (the name does not start with
``test_``); run it on purpose when the snapshot's shape changes:

    BUILD_SNAPSHOT=1 .venv/bin/pytest -n 0 -p no:randomly tests/reports/build_snapshot_fixture.py

It writes only when ``BUILD_SNAPSHOT`` is set, and never over an older version's file."""

from __future__ import annotations

import datetime
import json
import os
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from indicators.models import (
    Observation,
    Place,
    PlaceLevel,
    Target,
    TargetAdoption,
    TargetKind,
)
from reports.charts import add_charts
from reports.models import StatusReport
from reports.schema import SCHEMA_VERSION
from reports.snapshot import build_snapshot
from tests.reports.synthetic import add_dialogue, add_owners_and_own_goals, build_world

SNAPSHOTS = Path(__file__).parent / "snapshots"
COLLECTED = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Oslo"))


def fixture_world():
    """The world every stored snapshot since version 3 was built from."""
    world = build_world(areas=2, indicators=2, units=2, activities_per_area=2)
    # The first indicator's 2023/24 figure suppressed, so a chart has a withheld point.
    Observation.objects.filter(
        indicator=world.indicators[0],
        place__code=world.municipality.number,
        period_label="2023/24",
    ).update(value=None, status="skjult", symbol=":")
    add_dialogue(world)
    add_owners_and_own_goals(world)
    add_target_kinds(world)
    add_trace_links(world)
    return world


def add_target_kinds(world) -> None:
    """Version 6: the first indicator's target for the year adopted by the council, and
    its next year's target relative to the suppressed 2023/24 figure (so it cannot be
    computed); the second indicator's next year's target 1 point better than the
    country."""
    first, second = world.indicators[0], world.indicators[1]
    Target.objects.filter(indicator=first, year=world.year).update(
        adoption=TargetAdoption.COUNCIL,
        council_case="PS 25/12",
        adopted_on=datetime.date(world.year, 3, 12),
    )
    Target.objects.filter(indicator=first, year=world.year + 1).update(
        kind=TargetKind.BASELINE, value=None, baseline_year=world.year - 2, change=Decimal(3)
    )
    Target.objects.filter(indicator=second, year=world.year + 1).update(
        kind=TargetKind.COMPARISON,
        value=None,
        comparison_place=Place.objects.get(level=PlaceLevel.COUNTRY, code="0"),
        margin=Decimal(1),
    )


def add_trace_links(world) -> None:
    """Version 6's trace: in every area a mark of good practice citing a consented input
    and one citing only the input without consent (which the report must not show), and
    each unit's first measure on the area citing both inputs and the area's journeys."""
    from plans.models import Measure, ParticipationInput, PracticeCharacteristic, UserJourney

    for area in world.areas:
        shared = ParticipationInput.objects.filter(areas=area, publishable=True).order_by("pk")
        hidden = ParticipationInput.objects.filter(areas=area, publishable=False).first()
        mark = PracticeCharacteristic.objects.create(
            area=area, order=1, text=f"Barna planlegger sammen med de voksne ({area.name})."
        )
        mark.source_inputs.add(shared.first())
        secret = PracticeCharacteristic.objects.create(
            area=area, order=2, text=f"Barna blir hørt i hverdagen ({area.name})."
        )
        secret.source_inputs.add(hidden)
        journeys = list(UserJourney.objects.filter(areas=area))
        for unit in world.units:
            measure = (
                Measure.objects.filter(plan__unit=unit, plan__school_year=world.year)
                .filter(component__area=area)
                .order_by("pk")
                .first()
            )
            if measure is not None:
                measure.motivated_by_inputs.add(shared.first(), hidden)
                measure.motivated_by_journeys.add(*journeys)


@pytest.mark.skipif(not os.environ.get("BUILD_SNAPSHOT"), reason="set BUILD_SNAPSHOT=1")
def test_build_the_newest_snapshot(db, media):
    world = fixture_world()
    report = StatusReport(
        municipality=world.municipality, quality_plan=world.plan, year=world.year, version=1
    )
    with mock.patch("django.utils.timezone.now", return_value=COLLECTED):
        snapshot = add_charts(build_snapshot(report, world.sector_leader, now=COLLECTED))
    path = SNAPSHOTS / f"v{SCHEMA_VERSION}.json"
    path.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
