"""The demo's directory of services: Solvik's units and outside services, some public,
the support services in the consultation meetings, and loading twice gives the same."""

from __future__ import annotations

import pytest
from django.urls import reverse

from btitracker.models import Service, ServiceNeed
from btitracker.selectors.directory import directory_page
from demo.services.loading import demo_load
from plans.models import Municipality, UnitKind


def _snapshot():
    return sorted(
        (s.name, s.unit.name if s.unit else None, s.active, s.is_public, s.attends_consultations)
        for s in Service.objects.select_related("unit")
    )


@pytest.mark.slow  # two demo loads: `make test-slow` and CI run it
def test_demo_directory_loads_and_reloads_the_same(db, client):
    first = demo_load(reports=False)
    solvik = Municipality.objects.get(number="9901")
    services = Service.objects.filter(municipality=solvik)
    assert first["directory_services"] == services.count()
    # Every unit but the administration, and eight outside services.
    assert services.filter(unit__isnull=True).count() == 8
    assert not services.filter(unit__kind=UnitKind.ADMINISTRATION).exists()
    assert (
        services.filter(unit__isnull=False).count()
        == solvik.units.exclude(kind=UnitKind.ADMINISTRATION).count()
    )
    # The support services attend the consultation meetings.
    attending = set(
        services.filter(attends_consultations=True).values_list("unit__kind", flat=True)
    )
    assert attending == {UnitKind.PPT, UnitKind.HEALTH_STATION, UnitKind.CHILD_WELFARE}
    # Some entries are public, some wait for their texts.
    assert first["directory_public"] >= 5
    assert services.filter(active=False).count() == 2
    # The searches the issue names find something.
    scope = Service.objects.published(solvik.pk)
    assert directory_page(scope, query="vold i nære relasjoner").services
    member_scope = services.filter(active=True)
    for query in ("språk", "angst"):
        assert directory_page(member_scope, query=query).services, query
    body = client.get(reverse("directory:public-list", args=["9901"])).content.decode()
    assert "Krisesenteret" in body
    assert "Statped" not in body

    before = _snapshot()
    needs = ServiceNeed.objects.count()
    second = demo_load(reports=False)
    assert {k: v for k, v in second.items() if k.startswith("directory")} == {
        k: v for k, v in first.items() if k.startswith("directory")
    }
    assert _snapshot() == before
    assert ServiceNeed.objects.count() == needs
