"""The open JSON API: published indicators and observations only, no login, GET only,
paginated with absolute links, values as exact decimal strings, cacheable."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from indicators.models import Commentary, ObservationStatus, PlaceLevel, Target
from tests.indicators.factories_pages import (
    IndicatorFactory,
    PlaceFactory,
    SourceFactory,
    country,
    observe,
    solvik,
)

pytestmark = pytest.mark.django_db

LIST = reverse("indicators:api-indicators")


def get(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    return json.loads(response.content)


@pytest.fixture
def published(cast):
    ssb = SourceFactory(code="ssb", name="Statistisk sentralbyrå")
    udir = SourceFactory(code="udir", name="Utdanningsdirektoratet")
    kultur = IndicatorFactory(source=ssb, code="13135-a", name="Kulturskoleelever", decimals=1)
    IndicatorFactory(source=ssb, code="13135-b", name="Kulturskoletimer", decimals=0)
    IndicatorFactory(source=udir, code="mobbing", name="Mobbing", higher_is_better=False)
    hidden = IndicatorFactory(
        source=udir, code="intern", name="Intern kartlegging", published=False
    )
    land, own = country(), solvik()
    county = PlaceFactory(level=PlaceLevel.COUNTY, code="99", name="Solvik fylke")
    observe(kultur, land, 2023, "12.3400")
    observe(kultur, own, 2023, "37.3")
    observe(kultur, own, 2024, "100")
    observe(kultur, own, 2024, "41.25", subgroup="kjønn=Jenter")
    observe(kultur, county, 2024, None, status=ObservationStatus.SUPPRESSED, symbol=":")
    observe(hidden, own, 2024, "5.0")
    Target.objects.create(indicator=kultur, municipality=cast.municipality, year=2024, value="77.7")
    Commentary.objects.create(indicator=kultur, municipality=cast.municipality, text="Hemmelig")
    return kultur, hidden


def test_list_is_open_paginated_with_absolute_links(client, published):
    page = get(client, LIST, {"page_size": 2})
    assert (page["count"], page["page"], page["pages"], page["page_size"]) == (3, 1, 2, 2)
    assert page["previous"] is None
    assert page["next"] == "http://testserver/indicators/api/v1/indicators/?page_size=2&page=2"
    assert [item["code"] for item in page["results"]] == ["13135-a", "13135-b"]
    second = get(client, page["next"])
    assert [item["code"] for item in second["results"]] == ["mobbing"]
    assert second["next"] is None
    assert second["previous"] == (
        "http://testserver/indicators/api/v1/indicators/?page_size=2&page=1"
    )


def test_list_leaves_out_unpublished_and_filters_by_source_and_name(client, published):
    codes = [item["code"] for item in get(client, LIST)["results"]]
    assert codes == ["13135-a", "13135-b", "mobbing"]
    assert [i["code"] for i in get(client, LIST, {"source": "udir"})["results"]] == ["mobbing"]
    assert [i["name"] for i in get(client, LIST, {"q": "timer"})["results"]] == ["Kulturskoletimer"]
    assert get(client, LIST, {"source": "ukjent"})["count"] == 0


def test_page_size_is_capped_and_bad_pages_are_refused(client, published):
    assert get(client, LIST, {"page_size": 10000})["page_size"] == 500
    assert get(client, LIST, {"page": 0}, status=400)["error"] == "«page» må være 1 eller mer."
    assert get(client, LIST, {"page_size": "x"}, status=400)["error"] == (
        "«page_size» må være et heltall."
    )
    assert "Siden finnes ikke" in get(client, LIST, {"page": 9}, status=404)["error"]


def test_indicator_detail_fields(client, published):
    kultur, _hidden = published
    data = get(client, reverse("indicators:api-indicator", args=[kultur.pk]))
    assert data == {
        "id": kultur.pk,
        "code": "13135-a",
        "name": "Kulturskoleelever",
        "source": {"code": "ssb", "name": "Statistisk sentralbyrå", "url": ""},
        "unit_of_measure": "prosent",
        "decimals": 1,
        "higher_is_better": True,
        "service_field": "",
        "description": "",
        "municipality": None,  # the installation's
        "url": f"http://testserver/indicators/api/v1/indicators/{kultur.pk}/",
        "observations_url": (
            f"http://testserver/indicators/api/v1/indicators/{kultur.pk}/observations/"
        ),
    }


def test_unpublished_indicator_and_its_observations_are_404(client, published):
    _kultur, hidden = published
    get(client, reverse("indicators:api-indicator", args=[hidden.pk]), status=404)
    get(client, reverse("indicators:api-observations", args=[hidden.pk]), status=404)
    get(client, reverse("indicators:api-indicator", args=[987654]), status=404)


def test_observations_are_exact_strings_with_status_and_symbol(client, published):
    kultur, _hidden = published
    url = reverse("indicators:api-observations", args=[kultur.pk])
    data = get(client, url)
    assert data["count"] == 5
    assert data["indicator"] == {"id": kultur.pk, "code": "13135-a", "name": "Kulturskoleelever"}
    rows = [
        (r["place"]["code"], r["period"], r["subgroup"], r["value"], r["status"], r["symbol"])
        for r in data["results"]
    ]
    assert rows == [
        ("99", "2024", "", None, "skjult", ":"),
        ("9901", "2023", "", "37.3", "verdi", ""),
        ("9901", "2024", "", "100.0", "verdi", ""),
        ("9901", "2024", "kjønn=Jenter", "41.25", "verdi", ""),
        ("0", "2023", "", "12.34", "verdi", ""),
    ]
    first = data["results"][0]
    assert first["place"] == {"code": "99", "name": "Solvik fylke", "level": "fylke"}
    assert (first["period_start"], first["period_end"]) == ("2024-01-01", "2024-12-31")
    text = json.dumps(data)
    assert "77.7" not in text
    assert "Hemmelig" not in text
    assert "target" not in text


def test_observation_filters_and_pagination(client, published):
    kultur, _hidden = published
    url = reverse("indicators:api-observations", args=[kultur.pk])

    def values(**params):
        return [r["value"] for r in get(client, url, params)["results"]]

    assert values(place="9901") == ["37.3", "100.0", "41.25"]
    assert values(level="land") == ["12.34"]
    assert values(period="2024", place="9901") == ["100.0", "41.25"]
    assert values(subgroup="kjønn=Jenter") == ["41.25"]
    assert values(subgroup="", place="9901") == ["37.3", "100.0"]
    page = get(client, url, {"place": "9901", "page_size": 2, "page": 2})
    assert [r["value"] for r in page["results"]] == ["41.25"]
    assert page["previous"].startswith("http://testserver/indicators/api/v1/indicators/")
    assert "place=9901" in page["previous"]
    assert "page=1" in page["previous"]


def test_api_is_read_only(client, published):
    kultur, _hidden = published
    assert client.post(LIST, {}).status_code == 405
    assert client.delete(reverse("indicators:api-indicator", args=[kultur.pk])).status_code == 405


def test_api_docs_are_open_and_describe_the_endpoints(client, published):
    kultur, _hidden = published
    response = client.get(reverse("indicators:api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<code>http://testserver/indicators/api/v1/indicators/</code>" in html
    for field in ("?page_size=", "next", "previous", "value", "status", "symbol", "subgroup"):
        assert f"<code>{field}</code>" in html
    assert "høyst 500" in html
    assert f"http://testserver/indicators/api/v1/indicators/{kultur.pk}/observations/" in html


def test_the_open_api_stays_publicly_cacheable_for_a_logged_in_user(cast, client):
    """The API opts out of the private rule on purpose: its answer is the same for all."""
    client.force_login(cast["staff"])
    get(client, LIST)


@pytest.mark.parametrize("asked", ["2023/24", "2023-24", "2023–24", "2023/2024"])
def test_a_school_year_period_is_found_however_it_is_written(client, published, asked):
    kultur, _hidden = published
    own = kultur.observations.get(period_label="2023", place__code="9901").place
    observe(kultur, own, "2023/24", "55.5")
    url = reverse("indicators:api-observations", args=[kultur.pk])
    results = get(client, url, {"period": asked})["results"]
    assert [(r["period"], r["value"]) for r in results] == [("2023/24", "55.5")]
