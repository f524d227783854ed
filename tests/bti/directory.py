"""The directory of services for the cast (tests/conftest.py): in Solvik a public entry
(the family counselling office, needs «vold i nære relasjoner» and «samlivsbrudd»), an
entry for members only (the school's, «språk»), an inactive one marked public (Statped,
«språk») and a need only the members' entry has («angst»); in Nabovik a public entry
whose name no Solvik page may show. Built once per cast (the access matrix asks many times)."""

from __future__ import annotations

from dataclasses import dataclass

from btitracker.models import Referral, Service, ServiceNeed

NABOVIK_SERVICE = "Naboviks hemmelige tjeneste"


@dataclass
class DirectoryCast:
    public: Service
    members_only: Service
    inactive: Service
    language: ServiceNeed
    violence: ServiceNeed
    breakup: ServiceNeed
    anxiety: ServiceNeed
    other: Service
    other_need: ServiceNeed


def build_directory(c) -> DirectoryCast:
    found = getattr(c, "_directory", None)
    if found is not None:
        return found

    def need(municipality, name):
        return ServiceNeed.objects.create(municipality=municipality, name=name)

    language = need(c.municipality, "Språk")
    violence = need(c.municipality, "Vold i nære relasjoner")
    breakup = need(c.municipality, "Samlivsbrudd")
    anxiety = need(c.municipality, "Angst")
    public = Service.objects.create(
        municipality=c.municipality,
        name="Familievernkontoret",
        helps_with="Samtaler for par og familier i krise.",
        for_whom="Familier med barn",
        contact="Ring 11 22 33 44 eller skriv til post@familievern.example",
        referral=Referral.DIRECT,
        is_public=True,
    )
    public.needs.set([violence, breakup])
    members_only = Service.objects.create(
        municipality=c.municipality,
        unit=c.school,
        name=c.school.name,
        helps_with="Leseopplæring og ANGST for prøver.",
        for_whom="Elever 1.–7. trinn",
        contact="Kontoret, telefon 99 88 77 66",
        referral=Referral.DIRECT,
    )
    members_only.needs.set([language, anxiety])
    inactive = Service.objects.create(
        municipality=c.municipality,
        name="Statped",
        referral=Referral.REFERRAL,
        active=False,
        # Marked public, but inactive: still nobody's without the coordinator.
        is_public=True,
    )
    inactive.needs.set([language])
    other_need = need(c.other_municipality, "Naboviks behov")
    other = Service.objects.create(
        municipality=c.other_municipality,
        name=NABOVIK_SERVICE,
        helps_with="Alt mulig.",
        for_whom="Alle",
        contact="Ring oss",
        is_public=True,
    )
    other.needs.set([other_need])
    found = DirectoryCast(
        public, members_only, inactive, language, violence, breakup, anxiety, other, other_need
    )
    object.__setattr__(c, "_directory", found)
    return found
