"""Helpers shared by the import flow tests: files in the portal's template built in the
test, and running a file through the import service."""

from __future__ import annotations

from indicators.models import ImportStatus
from indicators.services.imports import batch_commit, batch_create, batch_parse

TEMPLATE_HEADER = (
    "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet"
)
TRIVSEL = "lokal;solvik-trivsel;Elever som trives på skolen"


def template(*lines: str) -> bytes:
    """A file in the portal's own long template (docs/indicator_template.md)."""
    return ("\n".join([TEMPLATE_HEADER, *lines]) + "\n").encode("utf-8")


def trivsel(place: str, period: str, subgroup: str, value: str, status: str = "") -> str:
    level, code, name = place.split(":")
    return f"{TRIVSEL};{level};{code};{name};{period};{subgroup};{value};{status};prosent"


# Four good rows and one the template rejects («ca. 40» is not a number).
BASE_ROWS = (
    trivsel("kommune:9901:Solvik", "2023-24", "", "87,5"),
    trivsel("kommune:9901:Solvik", "2023-24", "kjønn=Jenter", "89,1"),
    trivsel("kommune:9901:Solvik", "2023-24", "kjønn=Gutter", "", "skjult"),
    trivsel("land:0:Hele landet", "2023-24", "", "85,0"),
    trivsel("kommune:9901:Solvik", "2022-23", "", "ca. 40"),
)


def base_file() -> bytes:
    return template(*BASE_ROWS)


def changed_file(value: str = "88,25") -> bytes:
    """The base file with Solvik's 2023-24 total changed."""
    rows = list(BASE_ROWS)
    rows[0] = trivsel("kommune:9901:Solvik", "2023-24", "", value)
    return template(*rows)


def preview(content: bytes, name: str, *, user=None, municipality=None):
    batch = batch_create(content=content, name=name, user=user, municipality=municipality)
    return batch_parse(batch=batch)


def imported(content: bytes, name: str, *, user=None, municipality=None):
    batch = preview(content, name, user=user, municipality=municipality)
    assert batch.status == ImportStatus.PREVIEW, batch.error
    return batch_commit(batch=batch, user=user)


# The mapping step's answer for a layout the importer does not know («Kommunenr;Skoleår;
# Kjønn;Andel som trives …»), as the form posts it.
COLUMN_MAPPING = {
    "name": "Solviks trivselsfil",
    "source": "lokal",
    "indicator_code": "solvik-trives",
    "indicator_name": "Andel som trives",
    "place_code": "Kommunenr",
    "place_level": "kommune",
    "period": "Skoleår",
    "subgroups": ["Kjønn"],
    "value": "Andel som trives",
}
