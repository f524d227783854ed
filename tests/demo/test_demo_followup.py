"""The demo's statistics rows name a unit of their kind, so the coordinator's follow-up
(/bti/oppfolging/) has something per kindergarten and school; loading twice changes
nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from btitracker.models import StatEvent
from demo.services.loading import demo_load
from plans.models import Municipality, UnitKind

TODAY = datetime.date(2026, 10, 1)


def _rows(municipality):
    return sorted(
        StatEvent.objects.filter(municipality=municipality).values_list(
            "unit_kind", "unit__name", "unit__kind", "school_year", "level"
        )
    )


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_the_demo_statistics_name_their_units_and_load_twice_alike(db):
    demo_load(today=TODAY, reports=False)
    municipality = Municipality.objects.get(number="9901")
    rows = _rows(municipality)
    followed = [row for row in rows if row[0] in (UnitKind.SCHOOL, UnitKind.KINDERGARTEN)]
    assert followed
    assert all(row[1] for row in followed)
    assert all(row[1] is None or row[2] == row[0] for row in rows)
    demo_load(today=TODAY, reports=False)
    assert _rows(municipality) == rows
    client = Client()
    client.force_login(get_user_model().objects.get(username="bti-koordinator"))
    response = client.get(reverse("bti:followup"))
    assert response.status_code == 200
    assert "Solvik barneskole" in response.content.decode()
