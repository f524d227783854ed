"""The demo municipality's directory of services: one entry per unit (from the units, as
the coordinator makes them), the texts for most of them, eight services outside the
units, and the needs people search by. Written through the directory's services as the
BTI coordinator, so the demo is what real use leaves; a couple of units are left without
texts (inactive), as a new unit's entry is until the coordinator fills it in. The content
is data, ``fixtures/demo/bti_directory.json``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from btitracker.models import Referral, Service, ServiceNeed
from btitracker.services import directory as services
from plans.demo_data import read_demo_data


@dataclass(frozen=True)
class KindText:
    helps_with: str
    for_whom: str
    contact: str
    needs: tuple[str, ...]


@dataclass(frozen=True)
class EntryText:
    """What an entry says, as the coordinator writes it."""

    helps_with: str
    for_whom: str
    contact: str
    referral: Annotated[str, Referral]
    needs: tuple[str, ...]
    public: bool


@dataclass(frozen=True)
class UnitEntry(EntryText):
    unit: str
    consultations: bool


@dataclass(frozen=True)
class ExternalEntry(EntryText):
    name: str


@dataclass(frozen=True)
class DirectoryDemoData:
    coordinator: str
    needs: tuple[str, ...]
    # Texts shared by the kindergartens, schools and SFOs that have no entry of their own.
    kind_texts: dict[str, KindText]
    units: tuple[UnitEntry, ...]
    # Units left as the synchronisation makes them: name only, not yet in the directory.
    inactive_units: tuple[str, ...]
    external: tuple[ExternalEntry, ...]


def _check(data: DirectoryDemoData):
    """Every need an entry names is one of the file's needs."""
    named = [(f"kind_texts.{kind}", text.needs) for kind, text in data.kind_texts.items()]
    named += [(f"units[{i}]", entry.needs) for i, entry in enumerate(data.units)]
    named += [(f"external[{i}]", entry.needs) for i, entry in enumerate(data.external)]
    for where, needs in named:
        for need in needs:
            if need not in data.needs:
                yield f"{where}.needs", f"ukjent behov «{need}»"


DATA = read_demo_data("bti_directory.json", DirectoryDemoData, check=_check)


def demo_clear(municipality) -> None:
    """The municipality's directory (before the units it points at are touched)."""
    Service.objects.filter(municipality=municipality).delete()
    ServiceNeed.objects.filter(municipality=municipality).delete()


def _entry_data(text: EntryText | KindText, needs: dict[str, ServiceNeed]) -> dict:
    """A text as the services take it: active, with its needs (a unit kind's shared text
    is neither public nor the kind of service that attends the consultation meetings)."""
    return {
        "helps_with": text.helps_with,
        "for_whom": text.for_whom,
        "contact": text.contact,
        "referral": getattr(text, "referral", Referral.DIRECT),
        "needs": [needs[name] for name in text.needs],
        "is_public": getattr(text, "public", False),
        "attends_consultations": getattr(text, "consultations", False),
        "active": True,
    }


def demo_seed(municipality, units, users) -> dict[str, int]:
    """The directory, made as the coordinator makes it. ``demo_clear`` has run first."""
    coordinator = users[DATA.coordinator]
    needs = {
        name: services.service_need_create(actor=coordinator, municipality=municipality, name=name)
        for name in DATA.needs
    }
    services.service_units_sync(actor=coordinator, municipality=municipality)
    described = {entry.unit: entry for entry in DATA.units}
    for entry in Service.objects.filter(
        municipality=municipality, unit__isnull=False
    ).select_related("unit"):
        unit = entry.unit
        if unit is None or unit.name in DATA.inactive_units:
            continue
        text = described.get(unit.name) or DATA.kind_texts.get(unit.kind)
        if text is None:
            continue
        data = _entry_data(text, needs)
        services.service_update(actor=coordinator, service=entry, data=data)
    for external in DATA.external:
        services.service_create(
            actor=coordinator,
            municipality=municipality,
            data={"name": external.name, **_entry_data(external, needs)},
        )
    entries = Service.objects.filter(municipality=municipality)
    return {
        "directory_services": entries.count(),
        "directory_public": entries.filter(active=True, is_public=True).count(),
        "directory_needs": len(needs),
    }
