"""Suppression: no shown count below the threshold, and no hidden count recoverable from
the totals, for any table (hypothesis); and the pages show only suppressed figures."""

from __future__ import annotations

import datetime

from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from btitracker import statistics
from btitracker.models import StatEvent
from plans.models import UnitKind

THRESHOLD = 5


def recoverable(cells, hidden) -> set[tuple[int, int]]:
    """Every hidden cell an attacker can work out by repeated subtraction: any row or
    column (with its total) with exactly one unknown gives it away, which may give away
    the next."""
    known = {(r, c) for r, row in enumerate(hidden) for c, h in enumerate(row) if not h}
    n_rows, n_cols = len(cells), len(cells[0])
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)] + [
        [(r, c) for r in range(n_rows)] for c in range(n_cols)
    ]
    found: set[tuple[int, int]] = set()
    progress = True
    while progress:
        progress = False
        for line in lines:
            unknown = [cell for cell in line if cell not in known]
            if len(unknown) == 1:
                known.add(unknown[0])
                found.add(unknown[0])
                progress = True
    return found


tables = st.integers(min_value=1, max_value=6).flatmap(
    lambda rows: st.integers(min_value=1, max_value=6).flatmap(
        lambda cols: st.lists(
            st.lists(st.integers(min_value=0, max_value=30), min_size=cols, max_size=cols),
            min_size=rows,
            max_size=rows,
        )
    )
)


@hsettings(max_examples=400, deadline=None)
@given(tables)
def test_no_small_cell_shown_and_no_hidden_cell_recoverable(counts):
    cells = statistics.with_totals(counts)
    hidden = statistics.suppress(cells, THRESHOLD)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            if not hidden[r][c]:
                assert value >= THRESHOLD
    assert recoverable(cells, hidden) == set()


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3), st.integers(0, 3)), max_size=80))
def test_tables_sharing_totals_hide_them_together(rows):
    """The three tables of a municipality share the quarter totals: a total hidden in one
    is hidden in all, so it cannot be read from another and used for subtraction."""
    a_counts = [[0] * 4 for _ in range(4)]
    b_counts = [[0] * 4 for _ in range(4)]
    for quarter, a, b in rows:
        a_counts[quarter - 1][a] += 1
        b_counts[quarter - 1][b] += 1
    a = statistics.build("a", list("1234"), list("abcd"), a_counts, THRESHOLD)
    b = statistics.build("b", list("1234"), list("abcd"), b_counts, THRESHOLD)
    statistics.align_shared_totals([a, b], THRESHOLD)
    for table in (a, b):
        for r, row in enumerate(table.cells):
            for c, value in enumerate(row):
                assert table.hidden[r][c] or value >= THRESHOLD
        assert recoverable(table.cells, table.hidden) == set()
    assert [row[-1] for row in a.hidden] == [row[-1] for row in b.hidden]


def _events(municipality, n, **kwargs):
    defaults = {
        "kind": "undring",
        "level": 0,
        "unit_kind": UnitKind.SCHOOL,
        "year": 2026,
        "quarter": 1,
    }
    StatEvent.objects.bulk_create(
        [StatEvent(municipality=municipality, **{**defaults, **kwargs}) for _ in range(n)]
    )


def test_statistics_page_suppresses_and_is_for_coordinator_and_officials(cast, client):
    _events(cast.municipality, 12)
    _events(cast.municipality, 3, kind="logg", level=1)
    _events(cast.other_municipality, 40)
    data = statistics.tables_for_municipality(cast.municipality.pk)
    level_table = data["tables"][0]
    shown = level_table.shown()
    # 12 at level 0 shown; 3 at level 1 hidden with the empty levels 2 and 3.
    assert shown[0][0] == 12
    assert shown[0][1] is None
    assert all(v is None or v >= 5 for row in shown for v in row)
    for persona, status in (
        ("bti_coordinator", 200),
        ("elected_official", 200),
        ("sector_leader", 200),
        ("staff", 403),
        ("unit_leader", 403),
        ("data_admin", 403),
    ):
        client.force_login(cast[persona])
        response = client.get(reverse("bti:statistics"))
        assert response.status_code == status, persona
        if status == 200:
            body = response.content.decode()
            assert ">40<" not in body
            assert ">3<" not in body


def test_first_concern_age_and_on_time_share_are_suppressed_below_threshold(cast):
    from btitracker.models import ActionStat

    StatEvent.objects.bulk_create(
        [
            StatEvent(
                municipality=cast.municipality,
                kind="undring",
                level=0,
                unit_kind="skole",
                year=2026,
                quarter=2,
                age_years=age,
                first_for_child=True,
            )
            for age in (6, 7, 8, 9, 10)
        ]
        + [
            StatEvent(
                municipality=cast.municipality,
                kind="undring",
                level=0,
                unit_kind="skole",
                year=2025,
                quarter=2,
                age_years=4,
                first_for_child=True,
            )
        ]
    )
    ActionStat.objects.bulk_create(
        [ActionStat(municipality=cast.municipality, year=2026, on_time=i < 4) for i in range(5)]
    )
    data = statistics.tables_for_municipality(cast.municipality.pk)
    assert {"year": 2025, "count": None, "average": None} in data["first_age"]
    assert {"year": 2026, "count": 5, "average": 8.0} in data["first_age"]
    assert data["on_time"] == [{"year": 2026, "count": 5, "share": 80}]


def test_statistics_survive_retention(cast, bti, settings):
    from btitracker import services
    from btitracker.models import ConcernCase

    before = StatEvent.objects.filter(municipality=cast.municipality).count()
    bti.handover.status = "avslatt"
    bti.handover.save()
    services.case_close(actor=cast["staff"], case=bti.case)
    settings.BTI_RETENTION_DAYS = 1
    ConcernCase.objects.filter(pk=bti.case.pk).update(
        closed_at=bti.case.closed_at - datetime.timedelta(days=3)
    )
    services.retention_apply()
    assert not ConcernCase.objects.filter(pk=bti.case.pk).exists()
    assert StatEvent.objects.filter(municipality=cast.municipality).count() == before


def test_status_report_bti_section_is_suppressed(cast):
    from plans.models import QualityPlan
    from reports.bti import bti_section
    from tests.factories import QualityPlanFactory

    plan = QualityPlan.objects.filter(municipality=cast.municipality).first() or QualityPlanFactory(
        municipality=cast.municipality
    )
    _events(cast.municipality, 9, year=2026)
    _events(cast.municipality, 2, kind="logg", level=1, year=2026)
    _events(cast.other_municipality, 30, kind="logg", level=2, year=2026)
    section = bti_section(cast["sector_leader"], plan, 2026)
    assert section["available"] is True
    texts = [row["count"]["text"] for row in section["rows"]]
    assert texts[0] == "9"
    assert texts[1] == "<5"
    assert "30" not in texts
    assert all(
        row["count"]["value"] is None or row["count"]["value"] == 0 or row["count"]["value"] >= 5
        for row in section["rows"]
    )
    # The total (11) would give the hidden 2 away beside a shown 9 and zeros: it is hidden
    # or a partner is hidden too.
    hidden = [row["count"]["suppressed"] for row in section["rows"]] + [
        section["total"]["suppressed"]
    ]
    assert sum(hidden) >= 2
