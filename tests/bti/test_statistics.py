"""BTI statistics: the grid by school year, suppressed by ``plans.disclosure``; the page
and the status report publish the same cells. (The attacker's audit across everything a
role can see is tests/test_disclosure_audit.py.)"""

from __future__ import annotations

import datetime

from django.urls import reverse

from btitracker import statistics
from btitracker.models import StatEvent
from plans.models import UnitKind
from tests.bti.helpers import VIEWS

THRESHOLD = 5


def _events(municipality, n, **kwargs):
    defaults = {
        "kind": "undring",
        "level": 0,
        "unit_kind": UnitKind.SCHOOL,
        "year": 2026,
        "quarter": 1,
        "school_year": 2025,
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
    label, cells = level_table.rows[0]
    assert label == "2025/26"
    # 12 at level 0 and 3 at level 1 with the empty levels 2 and 3: the three small ones
    # sum to 3, which beside the total 15 would say they are 3, 0 and 0 at most; hiding
    # the 12 as well leaves each small one anywhere in 0…4 and the 12 anywhere in 5…15.
    assert [cell["text"] for cell in cells] == [":", "<5", "<5", "<5", "15"]
    assert all(
        cell["value"] is None or cell["value"] >= 5
        for _label, row in level_table.rows
        for cell in row
    )
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

    def first_concern(age, school_year):
        return StatEvent(
            municipality=cast.municipality,
            kind="undring",
            level=0,
            unit_kind="skole",
            year=school_year + 1,
            quarter=2,
            school_year=school_year,
            age_years=age,
            first_for_child=True,
        )

    StatEvent.objects.bulk_create(
        [first_concern(age, 2025) for age in (6, 7, 8, 9, 10)] + [first_concern(4, 2024)]
    )
    ActionStat.objects.bulk_create(
        [
            ActionStat(municipality=cast.municipality, year=2026, school_year=2025, on_time=i < 4)
            for i in range(5)
        ]
        + [
            ActionStat(municipality=cast.municipality, year=2025, school_year=2024, on_time=i < 9)
            for i in range(18)
        ]
    )
    data = statistics.tables_for_municipality(cast.municipality.pk)
    # The number of children is not published (one more cut of the level-0 count).
    assert data["first_age"] == [
        {"year": "2024/25", "average": None},
        {"year": "2025/26", "average": 8.0},
    ]
    on_time = {row["year"]: row for row in data["on_time"]}
    # 4 on time and 1 late of 5: the share would give the late one away.
    assert on_time["2025/26"]["count"]["text"] == ":"
    assert on_time["2025/26"]["share"] is None
    assert on_time["2024/25"]["count"]["text"] == "18"
    assert on_time["2024/25"]["share"] == 50


def test_statistics_survive_retention(cast, bti, settings):
    from btitracker.models import ConcernCase
    from btitracker.services import cases as services

    before = StatEvent.objects.filter(municipality=cast.municipality).count()
    bti.handover.status = "avslatt"
    bti.handover.save()
    services.case_close(actor=cast["staff"], case=bti.case, views=VIEWS)
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
    _events(cast.municipality, 9, school_year=2026)
    _events(cast.municipality, 2, kind="logg", level=1, school_year=2026)
    _events(cast.other_municipality, 30, kind="logg", level=2, school_year=2026)
    section = bti_section(cast["sector_leader"], plan, 2026)
    assert section["available"] is True
    texts = [row["count"]["text"] for row in section["rows"]]
    # 2 at level 1 and two empty levels beside 9: the 9 is withheld too, so each small
    # one keeps all of 0…4 against the total.
    assert texts == [":", "<5", "<5", "<5"]
    assert section["total"]["text"] == "11"
    assert "30" not in texts
    # The report's figures are the statistics page's row for the school year, cell for cell.
    page = statistics.tables_for_municipality(cast.municipality.pk)["tables"][0]
    row = dict(page.rows)["2026/27"]
    assert [cell["text"] for cell in row] == [*texts, "11"]


def test_status_report_bti_section_without_a_provider_says_so(cast, monkeypatch):
    # btitracker gives the report its figures through plans.report_statistics (it may not
    # import reports); with nothing registered the report shows no made-up numbers.
    from plans import report_statistics
    from plans.models import QualityPlan
    from reports.bti import bti_section

    assert report_statistics.provider(report_statistics.BTI) is statistics.report_rows
    monkeypatch.setattr(report_statistics, "_PROVIDERS", {})
    section = bti_section(cast["sector_leader"], QualityPlan(municipality=cast.municipality), 2026)
    assert section["available"] is False
    assert section["rows"] == []
    assert "ikke tilgjengelig" in section["message"]


def test_events_are_counted_in_their_school_year_not_their_calendar_year(cast, bti):
    """The demo case's concern and log were created today: they count in today's school
    year, the one a report for that year shows (July belongs to the year before)."""
    from plans.schoolyear import SchoolYear

    years = set(
        StatEvent.objects.filter(municipality=cast.municipality).values_list(
            "school_year", flat=True
        )
    )
    assert years == {SchoolYear.current().start_year}
