"""The main menu: built from the entries each app registers with ``plans.navigation`` in
its ``AppConfig.ready()``, shown by the same rules as the pages, in one order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from plans import navigation

MENU = re.compile(r'<ul class="navbar-nav me-auto[^"]*">(.*?)</ul>', re.S)
LINK = re.compile(r'<a class="nav-link[^"]*" href="([^"]*)"[^>]*>([^<]*)</a>', re.S)

HREFS = {
    "Forside": "/",
    "Oversikt": "/plans/dashboard/",
    "Kvalitetsplan": "/plans/quality/",
    "Rammeverk": "/plans/framework/",
    "Utviklingsplaner": "/plans/unit-plans/",
    "Samtaler": "/plans/dialogues/",
    "Egenvurdering": "/plans/self-assessments/",
    "Tellinger": "/indicators/",
    "Fortellinger": "/plans/participation/",
    "Kompetanse": "/competence/",
    "Tilstandsrapporter": "/reports/",
    "BTI": "/bti/",
    "BTI-statistikk": "/bti/statistikk/",
    "Samarbeidsmøter": "/bti/samarbeidsmoter/",
    "Handlingsveileder": "/bti/veileder/",
    "Tjenester": "/tjenester/",
    "Enheter": "/plans/units/",
    "Administrasjon": "/admin/",
}
_COMMON = ["Kvalitetsplan", "Rammeverk", "Utviklingsplaner"]
_APPS = ["Tellinger", "Fortellinger", "Kompetanse", "Tilstandsrapporter"]
# Each persona's menu as it was when the entries were one hard-coded list in plans (and
# BTI's two inserted before the last two; then issue 19's consultation meetings, the
# handbook and the directory of services; issue 20's leader dialogues, «Samtaler», for
# those who hold or take part in them): the registry must render the same menus.
MENUS = {
    "sector_leader": [
        "Forside", "Oversikt", *_COMMON, "Samtaler", "Egenvurdering", *_APPS, "Handlingsveileder",
        "Tjenester", "BTI-statistikk", "Enheter",
    ],
    "unit_leader": [
        "Forside", *_COMMON, "Samtaler", "Egenvurdering", *_APPS, "BTI", "Samarbeidsmøter",
        "Handlingsveileder", "Tjenester", "Enheter",
    ],
    "staff": [
        "Forside", *_COMMON, "Samtaler", "Egenvurdering", *_APPS, "BTI", "Samarbeidsmøter",
        "Handlingsveileder", "Tjenester", "Enheter",
    ],
    "bti_coordinator": [
        "Forside", *_COMMON, *_APPS, "Samarbeidsmøter", "Handlingsveileder", "Tjenester",
        "BTI-statistikk", "Enheter",
    ],
    "elected_official": [
        "Forside", *_COMMON, *_APPS, "Handlingsveileder", "Tjenester", "BTI-statistikk",
        "Enheter",
    ],
    "data_admin": [
        "Forside", *_COMMON, *_APPS, "Handlingsveileder", "Tjenester", "Enheter",
        "Administrasjon",
    ],
    "other_municipality": [
        "Forside", *_COMMON, *_APPS, "Handlingsveileder", "Tjenester", "Enheter",
        "Administrasjon",
    ],
    "no_membership": ["Forside", *_COMMON, "Fortellinger"],
}  # fmt: skip


def _menu(client) -> list[tuple[str, str]]:
    found = MENU.search(client.get(reverse("home"), follow=True).content.decode())
    assert found, "no main menu on the page"
    return [(label.strip(), href) for href, label in LINK.findall(found.group(1))]


@pytest.mark.parametrize("persona", MENUS)
def test_each_persona_sees_the_same_menu_as_before_the_registry(cast, client_for, persona):
    expected = [(label, HREFS[label]) for label in MENUS[persona]]
    assert _menu(client_for(cast[persona])) == expected


def test_every_app_registers_its_own_entries():
    # The URL names of other apps are not written in plans: each app's ready() adds its
    # entries (a forgotten registration drops the entry from every menu).
    namespaces = {entry.url_name.split(":")[0] for entry in navigation.entries()}
    assert {"indicators", "competence", "reports", "bti"} <= namespaces
    with open(navigation.__file__, encoding="utf-8") as module:
        source = module.read()
    for other in ("indicators:", "competence:", "reports:", "bti:"):
        assert other not in source


def test_an_entry_registered_again_shows_once_in_its_place(monkeypatch):
    # ready() may run more than once (tests, reloads); the menu must not grow.
    monkeypatch.setattr(navigation, "_ENTRIES", dict(navigation._ENTRIES))
    extra = navigation.NavEntry("Ekstra", "plans:profile", None, order=65)
    navigation.register(extra)
    navigation.register(extra)
    names = [entry.url_name for entry in navigation.entries()]
    assert names.count("plans:profile") == 1
    assert names.index("plans:profile") == names.index("plans:self-assessment-list") + 1
