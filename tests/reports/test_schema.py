"""Published reports render for ever from the snapshot stored on their day: a committed
snapshot of every schema version renders through today's templates with nothing missing,
and a freshly built snapshot has exactly the newest version's keys, so a shape change
without a new version (and a way up to it) fails here."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from reports.charts import add_charts
from reports.models import ReportState, StatusReport
from reports.schema import SCHEMA_VERSION, upgrade, version_of
from reports.selectors.status_reports import status_report_pdf_context
from reports.snapshot import build_snapshot
from tests.reports.build_snapshot_fixture import add_trace_links
from tests.reports.synthetic import add_dialogue, add_owners_and_own_goals

SNAPSHOTS = Path(__file__).parent / "snapshots"
VERSIONS = range(1, SCHEMA_VERSION + 1)
INVALID = "MISSING-IN-SNAPSHOT"


def stored(version: int) -> dict:
    return json.loads((SNAPSHOTS / f"v{version}.json").read_text(encoding="utf-8"))


@pytest.fixture
def strict_templates(settings):
    """A variable the templates cannot find is written out loudly instead of as ''."""
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["string_if_invalid"] = f"{INVALID}[%s]"
    settings.TEMPLATES = templates


def test_every_version_has_a_committed_snapshot_that_says_which_it_is():
    assert [version_of(stored(version)) for version in VERSIONS] == list(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_stored_snapshot_of_every_version_renders_in_full_in_the_pdf_template(
    version, strict_templates
):
    html = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=stored(version))
    )
    assert INVALID not in html, html[html.index(INVALID) - 300 : html.index(INVALID) + 100]
    assert "Tilstandsrapport for oppvekst 2025/26" in html
    assert "Indikator 1.1 for Testvik kommune" in html
    # The stored chart, with its withheld point, and the competence legend of its day.
    assert 'class="withheld-point"' in html
    if version == 1:
        assert "vises som «&lt;5» av personvernhensyn" in html
    else:
        assert "Tall merket «:» er skjult" in html


@pytest.mark.parametrize("version", VERSIONS)
def test_a_published_report_of_every_version_reads_in_full_on_its_page(
    version, world, client, strict_templates
):
    report = StatusReport.objects.create(
        municipality=world.municipality,
        quality_plan=world.plan,
        year=world.year,
        state=ReportState.PUBLISHED,
        snapshot=stored(version),
        published_at=timezone.now(),
    )
    client.force_login(world.official)
    response = client.get(reverse("reports:report-read", args=[report.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert INVALID not in html, html[html.index(INVALID) - 300 : html.index(INVALID) + 100]
    assert "Indikator 2.2 for Testvik kommune" in html
    report.refresh_from_db()
    assert report.snapshot == stored(version)  # read as it was, never rewritten


def test_upgrading_walks_every_step_and_leaves_the_stored_snapshot_alone():
    old = stored(1)
    new = upgrade(old)
    assert new["schema_version"] == SCHEMA_VERSION
    assert "schema" not in new
    # The legend of its day: small counts hidden, nothing withheld to protect them.
    assert new["suppression"] == {"threshold": 5, "small_text": "<5", "protected_mark": ""}
    assert old == stored(1)
    assert upgrade(stored(SCHEMA_VERSION)) == stored(SCHEMA_VERSION)


def test_a_snapshot_newer_than_the_code_is_refused_not_rendered_half_blank():
    with pytest.raises(ValueError, match="unknown report snapshot version"):
        upgrade({**stored(SCHEMA_VERSION), "schema_version": SCHEMA_VERSION + 1})


def _keys(node, path="") -> set[str]:
    """Every key path in the snapshot (list items share ``[]``)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(f"{path}.{key}")
            found |= _keys(value, f"{path}.{key}")
    elif isinstance(node, list):
        for item in node:
            found |= _keys(item, f"{path}[]")
    return found


def test_a_fresh_snapshot_has_exactly_the_newest_versions_keys(world):
    # Every part filled (lists with items), so a key inside a list item counts too.
    add_dialogue(world)
    add_owners_and_own_goals(world)
    add_trace_links(world)
    report = StatusReport(
        municipality=world.municipality, quality_plan=world.plan, year=world.year, version=1
    )
    fresh = add_charts(build_snapshot(report, world.sector_leader))
    assert fresh["schema_version"] == SCHEMA_VERSION
    newest = stored(SCHEMA_VERSION)
    assert _keys(fresh) == _keys(newest), (
        "The snapshot's shape changed: raise reports.schema.SCHEMA_VERSION, add the upgrade "
        "step and commit tests/reports/snapshots/v<N>.json. Added: "
        f"{sorted(_keys(fresh) - _keys(newest))}; gone: {sorted(_keys(newest) - _keys(fresh))}"
    )


def test_version_6_names_the_areas_owner_and_lists_the_units_own_goals_apart(
    strict_templates,
):
    html = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=stored(6))
    )
    assert "Ansvarlig for oppfølging:</strong> Sektorleder (Sektorleder)" in html
    chapter = html[html.index('id="enhetenes-egne-mal"') :]
    assert "Eget mål 1: alle foreldre kjenner kontaktlæreren" in chapter
    assert "Testvik barnehage 1" in chapter
    # An older report named no owner and had no own goals: its upgrade prints neither.
    older = render_to_string(
        "reports/pdf/status_report.html", status_report_pdf_context(snapshot=stored(5))
    )
    assert "Ansvarlig for oppfølging" not in older
    assert "enhetenes-egne-mal" not in older
    upgraded = upgrade(stored(5))
    assert upgraded["own_goals"] == {"total": 0, "attainment": [], "items": []}
    assert {area["owner"] for area in upgraded["areas"]} == {None}
