"""The organisation pages: home per role, the unit list and the unit page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import UnitKind
from tests.factories import UnitFactory


@pytest.mark.parametrize(
    ("persona", "heading"),
    [
        ("sector_leader", "Sektoren i tall"),
        ("unit_leader", "Enhetene du leder"),
        ("staff", "Arbeidsstedene dine"),
        ("bti_coordinator", "Sektoren i tall"),
        ("elected_official", "Sektoren i tall"),
        ("data_admin", "Brukere og roller"),
    ],
)
def test_home_is_made_for_the_role(cast, client_for, persona, heading):
    body = client_for(cast[persona]).get(reverse("home")).content.decode()
    assert heading in body
    admin_link = reverse("admin:index")
    assert (f'href="{admin_link}"' in body) == (persona == "data_admin")


def test_unit_leader_home_lists_the_people_of_their_units(cast, client_for):
    body = client_for(cast["unit_leader"]).get(reverse("home")).content.decode()
    assert "Solvik barneskole" in body
    assert "Solvik SFO" in body
    assert cast["staff"].get_full_name() in body
    assert "Solbakken barnehage" not in body


def test_sector_figures_count_units_per_kind(cast, client_for):
    response = client_for(cast["elected_official"]).get(reverse("home"))
    rows = {row["kind"]: row["count"] for row in response.context["units_by_kind"]}
    assert rows[UnitKind.SCHOOL] == 1
    assert rows[UnitKind.SFO] == 1
    assert rows[UnitKind.KINDERGARTEN] == 1
    assert rows[UnitKind.PPT] == 0


def test_unit_list_filters_by_kind_and_name(cast, client_for):
    client = client_for(cast["staff"])
    by_kind = client.get(reverse("plans:unit-list"), {"kind": UnitKind.KINDERGARTEN})
    assert [u.name for u in by_kind.context["units"]] == ["Solbakken barnehage"]
    by_name = client.get(reverse("plans:unit-list"), {"q": "solvik"})
    assert {u.name for u in by_name.context["units"]} == {"Solvik barneskole", "Solvik SFO"}


def test_unit_list_with_invalid_filter_shows_error_and_all_units(cast, client_for):
    response = client_for(cast["staff"]).get(reverse("plans:unit-list"), {"kind": "bank"})
    assert response.status_code == 200
    assert "Velg et gyldig valg" in response.content.decode()
    assert len(response.context["units"]) == 3


def test_inactive_units_are_hidden_unless_asked_for(cast, client_for):
    UnitFactory(municipality=cast.municipality, name="Nedlagt skole", active=False)
    client = client_for(cast["staff"])
    assert "Nedlagt skole" not in client.get(reverse("plans:unit-list")).content.decode()
    shown = client.get(reverse("plans:unit-list"), {"include_inactive": "on"})
    assert "Nedlagt skole" in shown.content.decode()


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_unit_list_query_count_does_not_grow_with_rows(cast, client_for):
    client = client_for(cast["data_admin"])
    url = reverse("plans:unit-list")
    client.get(url)  # the first request after login also stamps the session
    few = _count_queries(client, url)
    for n in range(47):
        UnitFactory(municipality=cast.municipality, name=f"Skole {n}", parent=cast.school)
    many = _count_queries(client, url)
    assert few == many
    assert many <= 9


def test_home_query_count_does_not_grow_with_rows(cast, client_for):
    client = client_for(cast["unit_leader"])
    client.get(reverse("home"))  # the first request after login also stamps the session
    few = _count_queries(client, reverse("home"))
    from tests.factories import MembershipFactory

    for n in range(30):
        MembershipFactory(
            user__username=f"kollega{n}", municipality=cast.municipality, unit=cast.school
        )
        UnitFactory(municipality=cast.municipality, name=f"Barnehage {n}")
    assert _count_queries(client, reverse("home")) == few


def test_unit_page_shows_children_and_parent(cast, client_for):
    client = client_for(cast["staff"])
    school = client.get(reverse("plans:unit-detail", args=[cast.school.pk])).content.decode()
    assert "Solvik SFO" in school
    sfo = client.get(reverse("plans:unit-detail", args=[cast.sfo.pk])).content.decode()
    assert "Solvik barneskole" in sfo


def test_user_without_membership_is_told_why(cast, client_for):
    response = client_for(cast["no_membership"]).get(reverse("home"))
    assert response.status_code == 403
    assert "Ingen tilgang" in response.content.decode()


def _directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.parametrize(
    "persona", ["sector_leader", "unit_leader", "staff", "bti_coordinator", "data_admin"]
)
def test_a_draft_plan_and_the_home_page_are_private_and_never_stored(
    plan_cast, client_for, persona
):
    client = client_for(plan_cast[persona])
    for url in (
        reverse("home"),
        reverse("plans:unit-plan-detail", args=[plan_cast.school_plan.pk]),
    ):
        response = client.get(url)
        # Even a refusal (403/404) to a logged-in user is kept out of caches.
        assert {"private", "no-store"} <= _directives(response), (url, response.status_code)


def test_the_rule_covers_redirects_and_posts_of_a_logged_in_user(plan_cast, client_for):
    client = client_for(plan_cast["unit_leader"])
    response = client.post(reverse("plans:unit-plan-edit", args=[plan_cast.school_plan.pk]), {})
    assert {"private", "no-store"} <= _directives(response)


def test_an_anonymous_visitor_gets_the_login_page_uncached_and_no_private_marking(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    # Django's LoginView is never_cache; the private rule is for logged-in responses only.
    assert "no-store" in _directives(response)
    redirect = client.get(reverse("plans:unit-plan-list"))
    assert redirect.status_code == 302
    assert "private" not in _directives(redirect)
