"""Goal attainment counts the council's targets and the administration's apart, every
target printed says which it is, an unresolvable target says why, and older reports read
as they did (issue 20)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.template.loader import render_to_string

from indicators.models import Target, TargetAdoption, TargetKind
from reports.models import StatusReport
from reports.schema import upgrade
from reports.selectors.status_reports import status_report_pdf_context
from reports.snapshot import build_snapshot
from tests.reports.test_schema import stored


def _snapshot(world):
    report = StatusReport(
        municipality=world.municipality, quality_plan=world.plan, year=world.year, version=1
    )
    return build_snapshot(report, world.sector_leader)


def _adopt(indicator, year):
    Target.objects.filter(indicator=indicator, year=year).update(
        adoption=TargetAdoption.COUNCIL,
        council_case="PS 25/12",
        adopted_on=datetime.date(2025, 3, 12),
    )


def test_goal_attainment_is_counted_apart_for_adopted_and_administrative_targets(world):
    # The world: in every area the first indicator meets its target, the second misses.
    first_area = [i for i in world.indicators if i.areas.filter(pk=world.areas[0].pk).exists()]
    _adopt(first_area[0], world.year)
    _adopt(first_area[1], world.year)
    snapshot = _snapshot(world)
    area = snapshot["areas"][0]
    assert area["attainment"]["by_adoption"] == {
        "adopted": {"met": 1, "assessed": 2, "unknown": 0},
        "administrative": {"met": 0, "assessed": 0, "unknown": 0},
    }
    summary = snapshot["summary"]["by_adoption"]
    assert summary["adopted"] == {"met": 1, "assessed": 2, "unknown": 0}
    # The two parts add up to the year's total.
    assert summary["adopted"]["assessed"] + summary["administrative"]["assessed"] == (
        snapshot["summary"]["targets_met"] + snapshot["summary"]["targets_not_met"]
    )
    item = area["indicators"][0]
    assert item["target"]["adopted"] is True
    assert item["target"]["adoption"] == "Vedtatt i kommunestyret 12.03.2025 (sak PS 25/12)"
    assert item["attainment"]["adopted"] is True
    html = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=snapshot)
    )
    assert "Vedtatt i kommunestyret: 1 av 2 mål nådd." in html
    assert "Vedtatt i kommunestyret 12.03.2025 (sak PS 25/12)." in html
    assert "Administrativt mål." in html


def test_an_unresolvable_target_is_not_judged_and_says_why(world):
    indicator = world.indicators[0]
    Target.objects.filter(indicator=indicator, year=world.year).update(
        kind=TargetKind.BASELINE, value=None, baseline_year=2000, change=Decimal(1)
    )
    snapshot = _snapshot(world)
    item = next(i for i in snapshot["areas"][0]["indicators"] if i["id"] == indicator.pk)
    assert item["target"]["value"] == ""
    assert item["target"]["unresolved"] == (
        "kan ikke beregnes: kommunen har ikke noe tall for utgangsåret 2000/01"
    )
    assert item["attainment"]["status"] == "unresolvable"
    # The chart draws no target for that year.
    assert world.year not in [t["year"] for t in item["targets"]]
    assert snapshot["areas"][0]["attainment"]["unknown"] == 1


def test_an_older_report_counts_its_targets_as_administrative_and_prints_no_split():
    snapshot = upgrade(stored(5))
    item = snapshot["areas"][0]["indicators"][0]
    assert item["target"]["adopted"] is False
    assert item["target"]["adoption"] == ""
    assert item["attainment"]["adopted"] is False
    assert snapshot["summary"]["by_adoption"] is None
    html = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=snapshot)
    )
    assert "Vedtatt i kommunestyret:" not in html
    assert "Administrativt mål" not in html
