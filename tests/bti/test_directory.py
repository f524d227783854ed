"""The directory of services (``/tjenester/``): the search by need, what a visitor
without login may read (and never more), the coordinator's writes and their refusals,
and the list's query count."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from btitracker.models import Referral, Service, ServiceNeed
from btitracker.selectors.directory import directory_page, search_fold
from btitracker.services import directory as services
from plans.models import Unit, UnitKind
from tests.bti.directory import NABOVIK_SERVICE, build_directory
from tests.conftest import PERSONAS
from tests.factories import UnitFactory

MEGABYTE = "x" * (1024 * 1024)


@pytest.fixture
def d(cast):
    return build_directory(cast)


def _names(page) -> list[str]:
    return [service.name for service in page.services]


def _body(response) -> str:
    """The page's main content (the footer's language menu says «Språk» on every page)."""
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


# --- Search ----------------------------------------------------------------------------


def test_search_fold_ignores_case_accents_invisible_characters_and_spacing():
    assert search_fold("  SPRÅK ") == search_fold("språk") == "sprak"
    assert search_fold("Vold i  NÆRE\u200b relasjoner") == "vold i naere relasjoner"
    assert search_fold("Kafé-tilbud") == "kafe tilbud"
    assert search_fold("Østre\u202e") == "ostre"


@pytest.mark.parametrize(
    "query", ["SPRÅK", "språk", "sprak", "  Språk  ", "Spr\u200båk", "spra\u030ak"]
)
def test_a_need_is_found_whatever_the_case_accents_or_spaces(cast, d, query):
    # «å» typed as one character or as «a» with a combining ring: the same need.
    page = directory_page(Service.objects.visible_to(cast["bti_coordinator"]), query=query)
    assert _names(page) == ["Solvik barneskole", "Statped"]


def test_a_phrase_finds_the_need_and_an_entry_with_the_need_ranks_before_one_with_the_word(cast, d):
    page = directory_page(
        Service.objects.visible_to(cast["staff"]), query="vold i  nære relasjoner"
    )
    assert _names(page) == ["Familievernkontoret"]
    # «angst»: the school has the need; an entry saying it only in its text comes after.
    Service.objects.create(
        municipality=cast.municipality,
        name="Aaa-tjenesten",
        helps_with="Angst og uro.",
        for_whom="Alle",
        contact="Ring",
    )
    page = directory_page(Service.objects.visible_to(cast["staff"]), query="ANGST")
    assert _names(page) == ["Solvik barneskole", "Aaa-tjenesten"]


def test_every_word_must_match_and_an_empty_query_lists_all_alphabetically(cast, d):
    scope = Service.objects.visible_to(cast["staff"])
    assert _names(directory_page(scope, query="språk krise")) == []
    page = directory_page(scope, query="   ")
    assert not page.filtered
    assert _names(page) == ["Familievernkontoret", "Solvik barneskole"]


def test_a_need_filter_and_the_need_list_count_only_the_scope(cast, d):
    page = directory_page(Service.objects.visible_to(cast["staff"]), need_id=d.language.pk)
    assert _names(page) == ["Solvik barneskole"]
    # Statped (inactive) is not counted for a member who does not see it.
    counts = {link.need.name: link.count for link in page.needs}
    assert counts == {
        "Angst": 1,
        "Samlivsbrudd": 1,
        "Språk": 1,
        "Vold i nære relasjoner": 1,
    }


# --- Without login: public entries only -------------------------------------------------


def test_the_public_page_shows_public_active_entries_and_only_their_needs(client, cast, d):
    url = reverse("directory:public-list", args=[cast.municipality.number])
    body = _body(client.get(url))
    assert "Familievernkontoret" in body
    assert "Vold i nære relasjoner" in body
    assert "Samlivsbrudd" in body
    for hidden in ("Solvik barneskole", "Statped", "Språk", "Angst", NABOVIK_SERVICE):
        assert hidden not in body, hidden
    assert "1 tjeneste, i alfabetisk rekkefølge." in body


@pytest.mark.parametrize("query", ["språk", "angst", "Statped", "barneskole", "Leseopplæring"])
def test_a_search_without_login_finds_nothing_that_is_not_public(client, cast, d, query):
    url = reverse("directory:public-list", args=[cast.municipality.number])
    body = _body(client.get(url, {"q": query}))
    assert "0 tjenester passer til" in body
    # The page repeats the query itself; nothing else may name a hidden entry or need.
    body = body.replace(query, "")
    for hidden in ("Solvik barneskole", "Statped", "Angst"):
        assert hidden not in body


def test_a_need_link_of_a_non_public_need_shows_nothing_without_login(client, cast, d):
    url = reverse("directory:public-list", args=[cast.municipality.number])
    body = _body(client.get(url, {"behov": d.language.pk}))
    assert "Statped" not in body
    assert "Solvik barneskole" not in body
    assert "Språk" not in body
    body = _body(client.get(url, {"behov": "99999999999999999999999"}))
    assert "Ugyldig behov" in body


def test_a_non_public_or_inactive_entry_is_404_at_its_public_address(client, cast, d):
    for entry in (d.members_only, d.inactive, d.other):
        url = reverse("directory:public-detail", args=[cast.municipality.number, entry.pk])
        assert client.get(url).status_code == 404
    url = reverse("directory:public-detail", args=[cast.municipality.number, d.public.pk])
    assert client.get(url).status_code == 200
    assert client.get("/tjenester/kommune/0000/").status_code == 404
    assert client.get("/tjenester/kommune/9901/9999999999999999999999/").status_code == 404


def test_the_start_page_without_login_lists_the_municipalities_with_public_entries(client, cast, d):
    body = _body(client.get(reverse("directory:list")))
    assert "Solvik kommune" in body
    assert "Nabovik kommune" in body
    assert reverse("login") in body
    assert "Familievernkontoret" not in body
    Service.objects.filter(municipality=cast.other_municipality).update(is_public=False)
    assert "Nabovik kommune" not in _body(client.get(reverse("directory:list")))


def test_a_member_reads_their_own_municipalitys_directory_at_the_start_page(client_for, cast, d):
    for persona in PERSONAS:
        body = _body(client_for(cast[persona]).get(reverse("directory:list")))
        assert "Solvik barneskole" in body, persona
        assert "Familievernkontoret" in body, persona
        assert NABOVIK_SERVICE not in body, persona
        assert ("Statped" in body) == (persona == "bti_coordinator"), persona


def test_contact_text_is_escaped_and_its_links_made_safe(client_for, cast, d):
    services.service_update(
        actor=cast["bti_coordinator"],
        service=d.public,
        data={"contact": "<script>alert(1)</script> https://familievern.example post@fv.example"},
    )
    url = reverse("directory:public-detail", args=[cast.municipality.number, d.public.pk])
    body = _body(client_for(None).get(url))
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body
    assert 'href="https://familievern.example"' in body
    assert 'href="mailto:post@fv.example"' in body


# --- The list's query count ---------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("public", [False, True])
def test_the_list_costs_the_same_queries_for_one_entry_and_many(client_for, cast, public):
    need = ServiceNeed.objects.create(municipality=cast.municipality, name="Språk")
    first = Service.objects.create(
        municipality=cast.municipality,
        name="Tjeneste 0",
        helps_with="Hjelp",
        for_whom="Alle",
        contact="Ring",
        is_public=True,
    )
    first.needs.set([need])
    client = client_for(None if public else cast["staff"])
    url = (
        reverse("directory:public-list", args=[cast.municipality.number])
        if public
        else reverse("directory:list")
    )
    client.get(url)  # the session's first request writes it once; not the page's cost
    one = _count_queries(client, url)
    for number in range(1, 30):
        extra = ServiceNeed.objects.create(municipality=cast.municipality, name=f"Behov {number}")
        service = Service.objects.create(
            municipality=cast.municipality,
            name=f"Tjeneste {number}",
            helps_with="Hjelp",
            for_whom="Alle",
            contact="Ring",
            is_public=True,
            unit=UnitFactory(municipality=cast.municipality, name=f"Enhet {number}")
            if number % 2
            else None,
        )
        service.needs.set([need, extra])
    assert _count_queries(client, url) == one
    assert _count_queries(client, f"{url}?q=spr%C3%A5k") == one


# --- Writing: the coordinator, cleaned and bounded ---------------------------------------

VALID = {
    "name": "Barne- og ungdomspsykiatrisk poliklinikk (BUP)",
    "helps_with": "Utredning og behandling ved psykiske vansker.",
    "for_whom": "Barn og unge 0–18 år",
    "contact": "Henvisning fra fastlege eller barnevern.",
    "referral": Referral.REFERRAL,
}


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "bti_coordinator"])
def test_only_the_coordinator_writes_the_directory(cast, d, persona):
    actor = cast[persona]
    calls = [
        lambda: services.service_create(actor=actor, municipality=cast.municipality, data=VALID),
        lambda: services.service_update(actor=actor, service=d.public, data={"name": "X"}),
        lambda: services.service_status_set(actor=actor, service=d.public, active=False),
        lambda: services.service_units_sync(actor=actor, municipality=cast.municipality),
        lambda: services.service_need_create(
            actor=actor, municipality=cast.municipality, name="Mobbing"
        ),
        lambda: services.service_need_update(actor=actor, need=d.language, name="Lesing"),
        lambda: services.service_need_delete(actor=actor, need=d.language),
    ]
    before = (Service.objects.count(), ServiceNeed.objects.count())
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert (Service.objects.count(), ServiceNeed.objects.count()) == before
    d.public.refresh_from_db()
    assert d.public.active
    assert d.public.name == "Familievernkontoret"


def test_a_coordinator_writes_only_their_own_municipalitys_directory(cast, d):
    from plans.models import Role
    from tests.factories import MembershipFactory, UserFactory

    nabo = UserFactory(username="nabo-bti")
    MembershipFactory(user=nabo, municipality=cast.other_municipality, role=Role.BTI_COORDINATOR)
    with pytest.raises(PermissionDenied):
        services.service_update(actor=nabo, service=d.public, data={"for_whom": "Alle"})
    with pytest.raises(PermissionDenied):
        services.service_create(actor=nabo, municipality=cast.municipality, data=VALID)
    # Nabovik's needs are no choice in Solvik: refused by the service, not only the form.
    with pytest.raises(ValidationError, match="annen kommune"):
        services.service_update(
            actor=cast["bti_coordinator"], service=d.public, data={"needs": [d.other_need]}
        )


def test_text_is_cleaned_and_a_megabyte_or_steering_characters_are_refused(cast, d):
    coordinator = cast["bti_coordinator"]
    service = services.service_create(
        actor=coordinator,
        municipality=cast.municipality,
        data={**VALID, "name": "  Statens\u200b barnehus  ", "helps_with": "Linje\r\n\r\n\r\nto  "},
    )
    assert service.name == "Statens barnehus"
    assert service.helps_with == "Linje\n\nto"
    with pytest.raises(ValidationError, match="kan ikke være lengre enn 2"):
        services.service_update(actor=coordinator, service=service, data={"contact": MEGABYTE})
    with pytest.raises(ValidationError, match="U\\+202E"):
        services.service_update(
            actor=coordinator, service=service, data={"for_whom": "Barn\u202e og unge"}
        )
    with pytest.raises(ValidationError, match="U\\+202E"):
        services.service_update(
            actor=coordinator, service=service, data={"helps_with": "Hjelp\u202e"}
        )
    service.refresh_from_db()
    assert service.contact == VALID["contact"]
    assert service.for_whom == VALID["for_whom"]


def test_names_are_unique_as_people_read_them(cast, d):
    with pytest.raises(ValidationError, match="allerede en tjeneste"):
        services.service_create(
            actor=cast["bti_coordinator"],
            municipality=cast.municipality,
            data={**VALID, "name": "FAMILIEVERNKONTORET"},
        )
    with pytest.raises(ValidationError, match="finnes allerede"):
        services.service_need_create(
            actor=cast["bti_coordinator"], municipality=cast.municipality, name="SPRÅK"
        )


def test_an_entry_is_active_only_when_it_says_what_people_need_to_know(cast, d):
    with pytest.raises(ValidationError, match="En aktiv tjeneste må ha med"):
        services.service_status_set(actor=cast["bti_coordinator"], service=d.inactive, active=True)
    d.inactive.refresh_from_db()
    assert not d.inactive.active
    services.service_update(
        actor=cast["bti_coordinator"],
        service=d.inactive,
        data={"helps_with": "Spesialpedagogisk støtte.", "for_whom": "Barn", "contact": "Nett"},
    )
    service = services.service_status_set(
        actor=cast["bti_coordinator"], service=d.inactive, active=True
    )
    assert service.active
    assert service.updated_by == cast["bti_coordinator"]


def test_a_units_entry_keeps_the_units_name(cast, d):
    with pytest.raises(ValidationError, match="enhetens navn"):
        services.service_update(
            actor=cast["bti_coordinator"], service=d.members_only, data={"name": "Annet"}
        )


def test_the_form_refuses_another_municipalitys_need_and_a_megabyte_with_nothing_written(
    client_for, cast, d
):
    client = client_for(cast["bti_coordinator"])
    url = reverse("directory:service-create")
    response = client.post(url, {**VALID, "needs": [d.other_need.pk], "active": "on"})
    assert response.status_code == 400
    assert "Velg et gyldig valg" in _body(response)
    response = client.post(url, {**VALID, "helps_with": MEGABYTE, "active": "on"})
    assert response.status_code == 400
    assert not Service.objects.filter(name=VALID["name"]).exists()
    response = client.post(url, {**VALID, "needs": [d.violence.pk], "active": "on"})
    assert response.status_code == 302
    assert list(Service.objects.get(name=VALID["name"]).needs.all()) == [d.violence]


# --- One entry per unit -------------------------------------------------------------------


def test_units_sync_makes_inactive_entries_for_units_but_not_the_administration(cast, d):
    admin = UnitFactory(
        municipality=cast.municipality, name="Oppvekst stab", kind=UnitKind.ADMINISTRATION
    )
    coordinator = cast["bti_coordinator"]
    result = services.service_units_sync(actor=coordinator, municipality=cast.municipality)
    assert sorted(result.created) == ["Solbakken barnehage", "Solvik SFO"]
    assert not Service.objects.filter(unit=admin).exists()
    assert not Service.objects.filter(unit=cast.other_unit).exists()
    entry = Service.objects.get(unit=cast.kindergarten)
    assert entry.name == "Solbakken barnehage"
    assert not entry.active
    # Again: nothing to do.
    again = services.service_units_sync(actor=coordinator, municipality=cast.municipality)
    assert (again.created, again.renamed, again.deactivated) == ([], [], [])
    # A renamed unit's entry follows; a closed unit's leaves the directory.
    Unit.objects.filter(pk=cast.kindergarten.pk).update(name="Solbakken naturbarnehage")
    Unit.objects.filter(pk=cast.school.pk).update(active=False)
    result = services.service_units_sync(actor=coordinator, municipality=cast.municipality)
    assert result.renamed == ["Solbakken naturbarnehage"]
    assert result.deactivated == ["Solvik barneskole"]
    d.members_only.refresh_from_db()
    assert not d.members_only.active


def test_units_sync_names_a_clash_instead_of_failing(cast, d):
    Service.objects.create(
        municipality=cast.municipality,
        name="SOLBAKKEN barnehage",
        helps_with="x",
        for_whom="x",
        contact="x",
    )
    result = services.service_units_sync(
        actor=cast["bti_coordinator"], municipality=cast.municipality
    )
    assert result.clashes == ["Solbakken barnehage"]
    assert not Service.objects.filter(unit=cast.kindergarten).exists()


def test_deleting_a_need_keeps_the_entries(cast, d):
    services.service_need_delete(actor=cast["bti_coordinator"], need=d.language)
    d.members_only.refresh_from_db()
    assert list(d.members_only.needs.all()) == [d.anxiety]
