"""The municipality's saved column mappings: listed, corrected and deleted by its data
admins; a correction changes how the next file with the same columns is read, and a
deleted mapping is no longer reused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import ImportBatch, ImportMapping, ImportStatus, Observation, Source
from indicators.services.imports import batch_commit
from tests.indicators.import_helpers import COLUMN_MAPPING

pytestmark = pytest.mark.django_db

# A layout the importer does not know, with two value columns to choose between.
LAYOUT = "Kommunenr;Skoleår;Kjønn;Andel som trives;Andel som mobbes\n"
FIRST = (LAYOUT + "9901;2023-24;Jenter;89,1;4,2\n9901;2023-24;Gutter;85,9;6,3\n").encode()
SECOND = (LAYOUT + "9901;2024-25;Jenter;90,0;3,9\n9901;2024-25;Gutter;86,4;5,8\n").encode()

MAPPING = COLUMN_MAPPING


def upload(client, content: bytes, name: str) -> ImportBatch:
    client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )
    return ImportBatch.objects.latest("pk")


def saved_mapping(client, cast) -> ImportMapping:
    """Solvik's data admin uploads the first file and saves the mapping for it."""
    client.force_login(cast["data_admin"])
    batch = upload(client, FIRST, "trivsel-2024.csv")
    assert batch.status == ImportStatus.FAILED
    client.post(reverse("indicators:import-mapping", args=[batch.pk]), MAPPING)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW, batch.error
    batch_commit(batch=batch, user=cast["data_admin"])
    return ImportMapping.objects.get()


def edit_url(mapping) -> str:
    return reverse("indicators:mapping-edit", args=[mapping.pk])


def delete_url(mapping) -> str:
    return reverse("indicators:mapping-delete", args=[mapping.pk])


# --- Correcting and deleting ---------------------------------------------------------------


def test_the_edit_form_shows_what_was_saved(cast, client):
    mapping = saved_mapping(client, cast)

    html = client.get(edit_url(mapping)).content.decode()

    assert 'value="Solviks trivselsfil"' in html
    assert '<option value="Andel som trives" selected>Andel som trives</option>' in html
    assert '<option value="Andel som mobbes">Andel som mobbes</option>' in html


def test_a_corrected_mapping_changes_the_next_imports_result(cast, client):
    mapping = saved_mapping(client, cast)

    response = client.post(
        edit_url(mapping),
        {
            **MAPPING,
            "name": "Solviks mobbefil",
            "indicator_code": "solvik-mobbes",
            "indicator_name": "Andel som mobbes",
            "value": "Andel som mobbes",
        },
    )

    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.columns["value"] == "Andel som mobbes"
    batch = upload(client, SECOND, "trivsel-2025.csv")
    assert (batch.status, batch.mapping) == (ImportStatus.PREVIEW, mapping)
    batch_commit(batch=batch, user=cast["data_admin"])
    girls = Observation.objects.get(indicator__code="solvik-mobbes", subgroup="kjønn=Jenter")
    assert (girls.period_label, girls.value) == ("2024/25", Decimal("3.9"))
    # The figures the first file stored with the old mapping are left as they were.
    assert Observation.objects.filter(indicator__code="solvik-trives").count() == 2


def test_a_correction_reads_the_previews_made_with_the_mapping_again(cast, client):
    mapping = saved_mapping(client, cast)
    waiting = upload(client, SECOND, "trivsel-2025.csv")
    assert waiting.preview["sample"][0]["value"] == "90.0"

    client.post(edit_url(mapping), {**MAPPING, "value": "Andel som mobbes"})

    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.PREVIEW
    assert waiting.preview["sample"][0]["value"] == "3.9"


def test_a_bad_correction_is_refused_in_norwegian_and_saves_nothing(cast, client):
    mapping = saved_mapping(client, cast)

    response = client.post(edit_url(mapping), {**MAPPING, "value": "Kommunenr"})
    empty = client.post(edit_url(mapping), {**MAPPING, "name": ""})

    assert response.status_code == 400
    assert "Sted, periode og verdi må være tre forskjellige kolonner." in response.content.decode()
    assert empty.status_code == 400
    assert "Feltet er påkrevet." in empty.content.decode()
    mapping.refresh_from_db()
    assert (mapping.name, mapping.columns["value"]) == ("Solviks trivselsfil", "Andel som trives")


def test_a_deleted_mapping_is_no_longer_reused(cast, client):
    mapping = saved_mapping(client, cast)
    waiting = upload(client, SECOND, "trivsel-2025.csv")
    assert waiting.mapping == mapping
    assert "1 import som venter" in client.get(delete_url(mapping)).content.decode()

    response = client.post(delete_url(mapping))

    assert response.status_code == 302
    assert not ImportMapping.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.DISCARDED
    again = upload(client, SECOND, "trivsel-2025-igjen.csv")
    assert again.status == ImportStatus.FAILED
    assert again.mapping is None
    assert again.error.startswith("Kjenner ikke igjen oppsettet")
    # What the mapping once brought in stays.
    assert Observation.objects.filter(indicator__code="solvik-trives").count() == 2


# --- Who may --------------------------------------------------------------------------------

PERSONAS = (
    "sector_leader",
    "unit_leader",
    "staff",
    "bti_coordinator",
    "elected_official",
    "other_municipality",
    "no_membership",
    "anonymous",
)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_one_but_the_municipalitys_data_admin_sees_edits_or_deletes_a_mapping(
    cast, client, persona
):
    mapping = saved_mapping(client, cast)
    client.logout()
    if persona != "anonymous":
        client.force_login(cast[persona])
    forbidden = {"no_membership": 403, "anonymous": 302}.get(persona, 404)

    listing = client.get(reverse("indicators:mapping-list"))
    answers = [
        client.get(edit_url(mapping)).status_code,
        client.post(edit_url(mapping), {**MAPPING, "value": "Andel som mobbes"}).status_code,
        client.get(delete_url(mapping)).status_code,
        client.post(delete_url(mapping)).status_code,
    ]

    assert answers == [forbidden] * 4
    if persona == "other_municipality":
        # Their own (empty) list: Solvik's mapping is not on it.
        assert listing.status_code == 200
        assert "Solviks trivselsfil" not in listing.content.decode()
    else:
        assert listing.status_code == {"no_membership": 403, "anonymous": 302}.get(persona, 403)
    mapping.refresh_from_db()
    assert mapping.columns["value"] == "Andel som trives"


def test_the_list_shows_the_own_municipalitys_mappings_with_their_use(cast, client):
    saved_mapping(client, cast)
    ImportMapping.objects.create(
        municipality=cast.other_municipality,
        name="Naboviks oppsett",
        header_signature="x",
        columns={},
        source=Source.objects.get(code="lokal"),
        indicator_code="nabo",
        indicator_name="Nabo",
    )

    html = client.get(reverse("indicators:mapping-list")).content.decode()

    assert "Solviks trivselsfil" in html
    assert "Naboviks oppsett" not in html
    assert edit_url(ImportMapping.objects.get(name="Solviks trivselsfil")) in html


def test_the_mapping_list_runs_the_same_queries_for_one_mapping_and_for_many(cast, client):
    mapping = saved_mapping(client, cast)
    url = reverse("indicators:mapping-list")
    client.get(url)  # warm caches (sessions, access)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for number in range(30):
        ImportMapping.objects.create(
            municipality=cast.municipality,
            name=f"Oppsett {number}",
            header_signature=f"sig-{number}",
            columns={},
            source=mapping.source,
            indicator_code=f"kode-{number}",
            indicator_name=f"Indikator {number}",
            created_by=cast["data_admin"],
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert response.content.decode().count("/edit/") == 31
    assert len(many) == len(one)


def test_the_update_service_refuses_a_nameless_mapping(cast, client):
    from django.core.exceptions import ValidationError

    from indicators.services.mappings import mapping_update

    mapping = saved_mapping(client, cast)

    with pytest.raises(ValidationError, match="Oppsettet må ha et navn"):
        mapping_update(mapping=mapping, actor=None, name="  ", columns={}, source_code="lokal")
    mapping.refresh_from_db()
    assert mapping.name == "Solviks trivselsfil"


def test_a_place_and_year_mapping_is_corrected_with_its_own_form(cast, client):
    """An Ungdata table's mapping says the place and year; correcting the year changes
    the period of the next table with the same columns."""
    from tests.indicators.conftest import real_file

    name = "ungdata_vtfk_handmade_trening_utf8bom_semicolon.csv"
    client.force_login(cast["data_admin"])
    batch = upload(client, real_file(name), name)
    place = {"place_level": "fylke", "place_code": "38", "place_name": "Vestfold og Telemark"}
    client.post(
        reverse("indicators:import-mapping", args=[batch.pk]),
        {"name": "Ungdata VT", **place, "period": "2021"},
    )
    mapping = ImportMapping.objects.get()
    form = client.get(edit_url(mapping)).content.decode()
    assert 'name="place_code"' in form
    assert 'value="2021"' in form

    response = client.post(edit_url(mapping), {"name": "Ungdata VT", **place, "period": "2023"})

    assert response.status_code == 302
    again = upload(client, real_file(name), "trening-2.csv")
    assert again.status == ImportStatus.PREVIEW, again.error
    assert {row["period"] for row in again.preview["sample"]} == {"2023"}
