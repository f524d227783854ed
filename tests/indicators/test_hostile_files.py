"""Hostile and broken files, built here rather than kept in the repository: each gets a
clear Norwegian message, the pages answer without a server error, and nothing is written
(the observations already stored are exactly as before)."""

from __future__ import annotations

import io
import random
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch, ImportStatus, Observation, Place, PlaceLevel
from indicators.selectors.parsers import file_too_big_message
from indicators.services.imports import batch_commit
from tests.indicators.conftest import real_file
from tests.indicators.import_helpers import base_file, imported, template, trivsel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def stored(cast):
    """Observations already in the database, which no hostile file may touch."""
    imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    return list(Observation.objects.order_by("pk").values_list("pk", "value", "status", "batch"))


@pytest.fixture
def admin_client(cast, client):
    client.force_login(cast["data_admin"])
    return client


def upload(client, content: bytes, name: str):
    """Upload through the page and follow to the batch: no server error on the way."""
    response = client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")},
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        return response, None
    batch = ImportBatch.objects.latest("pk")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page, batch


def assert_failed(client, content: bytes, name: str, *expected: str):
    """The batch FAILED with a message containing every expected text, the page shows it,
    and it cannot be committed."""
    page, batch = upload(client, content, name)
    assert batch is not None
    assert batch.status == ImportStatus.FAILED, (batch.status, batch.error)
    for text in expected:
        assert text in batch.error, batch.error
    html = page.content.decode()
    assert 'id="import-error"' in html
    assert batch.error.split("«")[0] in html  # the message, as the page escapes it
    assert reverse("indicators:import-commit", args=[batch.pk]) not in html
    response = client.post(reverse("indicators:import-commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    return batch


def assert_nothing_written(stored):
    assert (
        list(Observation.objects.order_by("pk").values_list("pk", "value", "status", "batch"))
        == stored
    )


# --- Encodings --------------------------------------------------------------------------------


def test_wrong_encoding_utf16_big_endian_without_bom(admin_client, stored):
    content = base_file().decode("utf-8").encode("utf-16-be")

    assert_failed(admin_client, content, "trivsel.csv", "UTF-16", "big-endian", "UTF-8")
    assert_nothing_written(stored)


def test_wrong_encoding_utf32(admin_client, stored):
    text = base_file().decode("utf-8")

    assert_failed(admin_client, text.encode("utf-32"), "trivsel.csv", "UTF-32", "UTF-8")
    # Without its byte order mark it is no text we read at all.
    assert_failed(admin_client, text.encode("utf-32-le"), "trivsel.csv", "binære data")
    assert_nothing_written(stored)


def test_mixed_encoding_names_the_first_line_that_differs(admin_client, stored):
    utf8 = trivsel("kommune:0219:Bærum", "2023-24", "", "80,0").encode("utf-8")
    latin1 = trivsel("kommune:3905:Tønsberg", "2023-24", "", "81,0").encode("latin-1")
    content = template() + utf8 + b"\n" + latin1 + b"\n"

    assert_failed(admin_client, content, "blandet.csv", "blander tegnkodinger", "linje 3")
    assert_nothing_written(stored)


def test_double_encoded_utf8_is_refused_with_the_garbled_letters(admin_client, stored):
    text = template(trivsel("kommune:0219:Bærum", "2023-24", "", "80,0")).decode("utf-8")
    content = text.encode("utf-8").decode("latin-1").encode("utf-8")
    assert "BÃ¦rum".encode() in content

    batch = assert_failed(admin_client, content, "dobbel.csv", "kodet to ganger", "linje 1")
    assert "«Ã" in batch.error
    assert_nothing_written(stored)
    assert not Place.objects.filter(name__contains="Ã").exists()


# --- Truncated, empty, binary, one huge line -----------------------------------------------


def test_truncated_udir_csv_is_refused_rather_than_half_imported(admin_client, stored):
    content = real_file("udir_barnehage_pedagognormen_utf16le.csv")
    cut = content[: len(content) // 2 & ~1]  # whole UTF-16 characters, half the rows

    assert_failed(admin_client, cut, "pedagognormen.csv", "avkortet", "Last ned filen på nytt")
    assert_nothing_written(stored)


def test_truncated_utf16_cut_inside_a_character(admin_client, stored):
    content = real_file("udir_elevundersokelsen_mobbing_vgs_utf16le.csv")

    assert_failed(admin_client, content[:5001], "mobbing.csv", "UTF-16")
    assert_nothing_written(stored)


def test_truncated_xlsx(admin_client, stored):
    content = real_file("udir_grunnskolepoeng_export.xlsx")

    assert_failed(
        admin_client, content[: len(content) // 2], "poeng.xlsx", "skadet eller ufullstendig"
    )
    assert_nothing_written(stored)


def test_truncated_json_stat(admin_client, stored):
    content = real_file("ssb_jsonstat2_05300_status.json")

    assert_failed(admin_client, content[: len(content) // 2], "05300.json", "JSON")
    assert_nothing_written(stored)


def test_truncated_template_line_is_refused(admin_client, stored):
    content = template(
        trivsel("kommune:9901:Solvik", "2024-25", "", "90,0"),
        trivsel("kommune:9901:Solvik", "2024-25", "kjønn=Jenter", "91,0"),
    ).rstrip(b"\n")
    cut = content[: content.rfind(b";2024-25;") + 4]

    assert_failed(admin_client, cut, "trivsel.csv", "avkortet")
    assert_nothing_written(stored)


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n  \t\n"], ids=["empty", "blank"])
def test_empty_file(admin_client, stored, content):
    assert_failed(admin_client, content, "tom.csv", "Filen er tom.")
    assert_nothing_written(stored)


def test_binary_file_with_a_png_header(admin_client, stored):
    noise = random.Random(6).randbytes(4096)
    content = b"\x89PNG\r\n\x1a\n" + noise

    assert_failed(admin_client, content, "tall.csv", "PNG-bilde")
    assert_nothing_written(stored)


def test_binary_noise_without_a_header(admin_client, stored):
    noise = bytes(range(256)) + random.Random(7).randbytes(4096)

    assert_failed(admin_client, noise, "tall.csv", "binære data")
    assert_nothing_written(stored)


def test_a_single_huge_line(admin_client, stored, settings):
    settings.INDICATOR_IMPORT_ASYNC_BYTES = 50 * 1024 * 1024  # parse it in the request
    content = b"9901;" * (5 * 1024 * 1024 // 5)

    assert_failed(admin_client, content, "en-linje.csv", "Linje 1 er over 1 000 000 tegn")
    assert_nothing_written(stored)


def test_a_huge_line_after_a_good_header(admin_client, stored, settings):
    settings.INDICATOR_IMPORT_ASYNC_BYTES = 50 * 1024 * 1024
    content = template() + b"lokal;" + b"x" * (5 * 1024 * 1024)

    assert_failed(admin_client, content, "en-linje.csv", "Linje 2 er over")
    assert_nothing_written(stored)


# --- Formula cells ------------------------------------------------------------------------------

FORMULA = "=cmd|' /C calc'!A0"


def test_formula_in_a_name_is_stored_as_text_and_exported_with_an_apostrophe(
    cast, admin_client, stored
):
    # Numbers Solvik had before: its own places, which its import writes.
    cast.municipality.historic_numbers = ["9903", "9904"]
    cast.municipality.save(update_fields=["historic_numbers"])
    content = template(
        f"lokal;solvik-formel;{FORMULA};kommune;9903;{FORMULA};2023-24;;12,5;;prosent",
        "lokal;solvik-formel;x;kommune;9904;Ok;2023-24;;=SUM(A1:A3);;prosent",
    )

    _page, batch = upload(admin_client, content, "formel.csv")

    assert batch.status == ImportStatus.PREVIEW
    assert (batch.rows_new, batch.rows_rejected) == (1, 1)  # a formula is never a number
    assert batch.problems[0]["value"] == "=SUM(A1:A3)"
    batch_commit(batch=batch, user=None)
    place = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="9903")
    assert place.name == FORMULA  # kept as the text it is
    observation = Observation.objects.get(place=place)
    assert observation.value == Decimal("12.5")
    assert observation.indicator.name == FORMULA
    assert Observation.objects.count() == len(stored) + 1

    export = admin_client.get(
        reverse("indicators:indicator-export", args=[observation.indicator.pk, "csv"])
    )
    assert export.status_code == 200
    text = b"".join(export.streaming_content if export.streaming else [export.content]).decode(
        "utf-8-sig"
    )
    assert f"'{FORMULA}" in text
    assert f";{FORMULA}" not in text
    assert f",{FORMULA}" not in text


# --- Zip bombs and sizes ------------------------------------------------------------------------


def zip_bomb(megabytes: int = 60) -> bytes:
    """An «XLSX» whose sheet unpacks from a few kilobytes to ``megabytes`` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"0" * (1024 * 1024)
            for _step in range(megabytes):
                sheet.write(block)
    return buffer.getvalue()


def test_xlsx_zip_bomb_is_not_unpacked(admin_client, stored):
    bomb = zip_bomb()
    assert len(bomb) < 1024 * 1024

    assert_failed(admin_client, bomb, "bombe.xlsx", "zip-bombe", "60 MB")
    assert_nothing_written(stored)


def test_zip_that_is_no_workbook(admin_client, stored):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("tall.csv", "a;b\n1;2\n")

    assert_failed(admin_client, buffer.getvalue(), "tall.xlsx", "ikke et Excel-regneark")
    assert_nothing_written(stored)


def test_file_over_the_size_limit_is_refused_naming_the_limit(cast, admin_client, stored, settings):
    settings.INDICATOR_IMPORT_MAX_BYTES = 1024 * 1024
    content = base_file() + b"\n" * (1024 * 1024)
    batches = ImportBatch.objects.count()

    response, batch = upload(admin_client, content, "stor.csv")

    assert batch is None
    assert response.status_code == 400
    html = response.content.decode()
    assert "Filen er for stor" in html
    assert "Største tillatte filstørrelse er 1 MB" in html
    assert ImportBatch.objects.count() == batches
    assert_nothing_written(stored)


def test_size_limit_message_in_megabytes():
    assert file_too_big_message(size=25 * 1024 * 1024, limit=20 * 1024 * 1024) == (
        "Filen er for stor (25 MB). Største tillatte filstørrelse er 20 MB."
    )
    assert "er 0,5 MB" in file_too_big_message(size=600 * 1024, limit=512 * 1024)
