"""The preview a data admin judges an import by: a sample of the parsed rows, the
indicators the file holds (new ones marked and linkable to a development area), how many
rows are the municipality's own (a warning at zero), the changed cells old → new, and
the saved mapping the file was read with."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.models import ImportBatch, ImportStatus, Indicator
from indicators.services import bulk
from indicators.services.imports import batch_commit
from plans.models import QualityPlan
from tests.factories import DevelopmentAreaFactory, MunicipalityFactory
from tests.indicators.conftest import real_file
from tests.indicators.import_helpers import (
    COLUMN_MAPPING,
    base_file,
    changed_file,
    imported,
    preview,
    template,
    trivsel,
)

pytestmark = pytest.mark.django_db

KOSTRA = "ssb_kostra_13135_kulturskole_latin1.csv"
UDIR = "udir_elevundersokelsen_mobbing_vgs_utf16le.csv"


@pytest.fixture
def horten(db):
    """Horten (3901 since 2024; 3801 from 2020, 0701 before), with its data admin: the
    KOSTRA file has Horten's figures under 3801 and 0701."""
    from plans.models import Role
    from tests.factories import MembershipFactory, UserFactory

    municipality = MunicipalityFactory(name="Horten kommune", number="3901")
    admin = UserFactory(username="horten-data")
    MembershipFactory(user=admin, municipality=municipality, role=Role.DATA_ADMIN)
    return municipality, admin


def upload(client, content: bytes, name: str):
    return client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


def table_rows(html: str, table_id: str, attribute: str = "id") -> list[list[str]]:
    """The body rows of the table with this id (or class) on the page, each as its
    cells' text."""
    table = re.search(rf'<table[^>]*{attribute}="{table_id}".*?</table>', html, re.S)
    assert table is not None, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(0), re.S).group(1)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in cells])
    return rows


def detail(client, batch) -> str:
    response = client.get(reverse("indicators:import-detail", args=[batch.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- The sample -----------------------------------------------------------------------------


def test_the_preview_shows_a_sample_of_the_parsed_rows_of_a_real_file(horten, client):
    _municipality, admin = horten
    client.force_login(admin)
    upload(client, real_file(KOSTRA), KOSTRA)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEW, batch.error

    html = detail(client, batch)
    rows = table_rows(html, "import-sample")

    # The file's first line of figures is Horten (3801): «.» for 2015–2019, 5,1 for 2020.
    assert rows[0][:4] == [
        "5",
        "Barn 6-15 år i kommunens kulturskole (prosent)",
        "3801 Horten (kommunen)",
        "2015",
    ]
    assert rows[0][5:] == ["kan ikke beregnes (.)", "Kan ikke beregnes"]
    assert [rows[5][0], *rows[5][2:]] == [
        "5",
        "3801 Horten (kommunen)",
        "2020",
        "Alle",
        "5,1",
        "Verdi",
    ]
    # The first ten rows of the file that are not Horten's (Holmestrand, Tønsberg) and
    # the first ten that are: six of 3801 and four of Horten's old number 0701.
    assert [row[2].split()[0] for row in rows] == ["3801"] * 6 + ["3802"] * 6 + ["3803"] * 4 + [
        "0701"
    ] * 4
    assert html.count('<tr class="table-active">') == 10


def test_rows_about_the_own_municipality_count_its_historic_numbers(horten):
    """Horten was 3801 until 2024 and 0701 until 2020: the file's «3801 Horten» and
    «0701 Horten (-2019)» lines are both Horten's, through the reform table."""
    municipality, admin = horten
    batch = preview(real_file(KOSTRA), KOSTRA, user=admin, municipality=municipality)

    assert batch.preview["own_rows"] == 12
    own = [row for row in batch.preview["sample"] if row.get("own")]
    assert {row["place_code"] for row in own} == {"3801", "0701"}
    assert len(own) == 10


def test_a_file_without_rows_for_the_own_municipality_is_warned_about(cast, client):
    """Udir's file has the country's and the county's figures only: they are stored, and
    the preview warns that none of the rows is Solvik's."""
    client.force_login(cast["data_admin"])
    upload(client, real_file(UDIR), UDIR)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.PREVIEW, batch.error

    html = detail(client, batch)

    assert batch.preview["own_rows"] == 0
    warning = re.search(
        r'<div class="alert alert-warning"[^>]*id="import-own-rows">(.*?)</div>', html, re.S
    )
    assert warning is not None
    assert "Ingen av radene i filen gjelder Solvik kommune" in warning.group(1)


def test_rows_about_the_own_municipality_are_counted_without_a_warning(cast, client):
    client.force_login(cast["data_admin"])
    upload(client, base_file(), "trivsel.csv")
    batch = ImportBatch.objects.get()

    html = detail(client, batch)

    # Three of the four rows read are Solvik's (one is the country's; «ca. 40» is no
    # number and is rejected by the parser).
    assert batch.preview["own_rows"] == 3
    assert "3 rader gjelder Solvik kommune" in html
    assert "Ingen av radene i filen gjelder" not in html


# --- What changes -------------------------------------------------------------------------------


def test_a_reimport_with_one_changed_value_shows_it_old_and_new(horten, client):
    municipality, admin = horten
    imported(real_file(KOSTRA), KOSTRA, user=admin, municipality=municipality)
    changed = real_file(KOSTRA).replace(b"3801 Horten;.;.;.;.;.;5,1", b"3801 Horten;.;.;.;.;.;5,3")
    assert changed != real_file(KOSTRA)
    client.force_login(admin)
    upload(client, changed, "kulturskole-rettet.csv")
    batch = ImportBatch.objects.latest("pk")

    html = detail(client, batch)

    assert (batch.rows_new, batch.rows_changed, batch.rows_unchanged) == (0, 1, 11)
    assert table_rows(html, "import-changes") == [
        [
            "5",
            "Barn 6-15 år i kommunens kulturskole (prosent)",
            "3801 Horten",
            "2020",
            "Alle",
            "5,1",
            "5,3",
        ]
    ]
    assert "Tall som endres" in html


def test_a_status_change_shows_what_the_source_said_before_and_now(cast, client):
    imported(base_file(), "trivsel.csv", user=cast["data_admin"], municipality=cast.municipality)
    client.force_login(cast["data_admin"])

    upload(client, changed_file(":"), "trivsel-2.csv")
    batch = ImportBatch.objects.latest("pk")

    (change,) = batch.preview["changes"]
    assert (change["old_value"], change["old_status"]) == ("87.5", "verdi")
    assert (change["new_value"], change["new_status"], change["new_symbol"]) == (
        None,
        "skjult",
        ":",
    )
    (row,) = table_rows(detail(client, batch), "import-changes")
    assert row[2:] == ["9901 Solvik", "2023/24", "Alle", "87,5", "skjult av personvernhensyn (:)"]


def test_the_changed_cells_shown_are_bounded(cast, monkeypatch):
    imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    lines = base_file().decode().replace("87,5", "80").replace("89,1", "81").replace("85,0", "82")
    monkeypatch.setattr(bulk, "MAX_CHANGES", 2)

    batch = preview(lines.encode(), "trivsel-2.csv", municipality=cast.municipality)

    assert batch.rows_changed == 3
    assert [change["line"] for change in batch.preview["changes"]] == [2, 3]


# --- The indicators in the file -----------------------------------------------------------------


def test_new_indicators_are_marked_until_they_are_stored(cast):
    first = preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    assert first.preview["indicators"] == [
        {
            "code": "solvik-trivsel",
            "name": "Elever som trives på skolen",
            "new": True,
            "levels": ["land", "kommune"],
        }
    ]
    batch_commit(batch=first, user=None)

    again = preview(changed_file(), "trivsel-2.csv", municipality=cast.municipality)

    assert again.preview["indicators"][0]["new"] is False


def _link(client, batch, code, area, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("indicators:import-indicator-link", args=[batch.pk]),
        {"indicator_code": code, "area": area.pk if area else ""},
        **headers,
    )


def test_a_new_indicator_is_linked_to_a_development_area_when_committed(plan_cast, client):
    cast = plan_cast
    client.force_login(cast["data_admin"])
    upload(client, base_file(), "trivsel.csv")
    batch = ImportBatch.objects.get()
    html = detail(client, batch)
    assert 'name="area"' in html
    assert "Inkluderende miljø" in html

    response = _link(client, batch, "solvik-trivsel", cast.areas[1], htmx=True)

    assert response.status_code == 200
    assert "Knyttes ved lagring til: Tidlig innsats" in response.content.decode()
    batch.refresh_from_db()
    assert batch.preview["links"] == {"solvik-trivsel": [cast.areas[1].pk]}
    assert not Indicator.objects.exists()  # nothing is written before the commit

    # Without htmx: the whole page again.
    response = _link(client, batch, "solvik-trivsel", cast.areas[0])
    assert response.status_code == 302
    client.post(reverse("indicators:import-commit", args=[batch.pk]))

    indicator = Indicator.objects.get(code="solvik-trivsel")
    assert set(indicator.areas.all()) == set(cast.areas)


def test_linking_refuses_an_area_of_another_municipality_and_writes_nothing(plan_cast, client):
    cast = plan_cast
    other_plan = QualityPlan.objects.get(municipality=cast.other_municipality)
    foreign = DevelopmentAreaFactory(plan=other_plan, name="Naboviks område")
    client.force_login(cast["data_admin"])
    upload(client, base_file(), "trivsel.csv")
    batch = ImportBatch.objects.get()

    response = _link(client, batch, "solvik-trivsel", foreign, htmx=True)
    assert "Velg et utviklingsområde fra kommunens kvalitetsplan." in response.content.decode()
    response = _link(client, batch, "solvik-trivsel", None)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Velg et utviklingsområde." in page
    response = _link(client, batch, "ikke-i-filen", cast.areas[0])
    page = client.get(response["Location"]).content.decode()
    assert "Filen har ingen indikator med koden «ikke-i-filen»." in page

    batch.refresh_from_db()
    assert batch.preview["links"] == {}


def test_linking_is_refused_once_the_batch_is_committed(plan_cast, client):
    cast = plan_cast
    client.force_login(cast["data_admin"])
    upload(client, base_file(), "trivsel.csv")
    batch = ImportBatch.objects.get()
    batch_commit(batch=batch, user=None)

    response = _link(client, batch, "solvik-trivsel", cast.areas[0])

    page = client.get(response["Location"]).content.decode()
    assert "Bare en import som er klar til gjennomgang kan få nye koblinger." in page
    assert not Indicator.objects.get().areas.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("data_admin", 302),
        ("sector_leader", 403),
        ("unit_leader", 404),
        ("staff", 404),
        ("bti_coordinator", 404),
        ("elected_official", 404),
        ("other_municipality", 404),
        ("no_membership", 403),
        ("anonymous", 302),
    ],
)
def test_only_the_municipalitys_data_admin_may_link(plan_cast, client_for, persona, status):
    cast = plan_cast
    batch = preview(
        base_file(), "trivsel.csv", user=cast["data_admin"], municipality=cast.municipality
    )
    client = client_for(None if persona == "anonymous" else cast[persona])

    get = client.get(reverse("indicators:import-indicator-link", args=[batch.pk]))
    response = _link(client, batch, "solvik-trivsel", cast.areas[0])

    assert response.status_code == status
    assert get.status_code == (405 if persona == "data_admin" else status)
    batch.refresh_from_db()
    expected = {"solvik-trivsel": [cast.areas[0].pk]} if persona == "data_admin" else {}
    assert batch.preview["links"] == expected
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))


# --- The mapping the file was read with --------------------------------------------------------

UNKNOWN = (
    "Kommunenr;Skoleår;Kjønn;Andel som trives\n9901;2023-24;Jenter;89,1\n9901;2023-24;Gutter;85,9\n"
).encode()


def test_a_reused_mapping_is_named_in_the_preview(cast, client):
    client.force_login(cast["data_admin"])
    upload(client, UNKNOWN, "egen.csv")
    first = ImportBatch.objects.get()
    client.post(reverse("indicators:import-mapping", args=[first.pk]), COLUMN_MAPPING)

    upload(client, UNKNOWN.replace(b"89,1", b"90,0"), "egen-2.csv")
    again = ImportBatch.objects.latest("pk")
    html = detail(client, again)

    assert again.mapping is not None
    assert "Filen ble lest med det lagrede kolonneoppsettet «Solviks trivselsfil»." in html
    assert reverse("indicators:mapping-edit", args=[again.mapping.pk]) in html
    # A sector leader sees the preview and the name, not the link to correct it.
    client.force_login(cast["sector_leader"])
    html = detail(client, again)
    assert "«Solviks trivselsfil»" in html
    assert reverse("indicators:mapping-edit", args=[again.mapping.pk]) not in html


# --- The indicator list -------------------------------------------------------------------------


def test_the_indicator_list_shows_the_imported_national_and_kostra_group_figures(cast, client):
    rows = (
        trivsel("kommune:9901:Solvik", "2023-24", "", "87,5"),
        trivsel("land:0:Hele landet", "2023-24", "", "85,0"),
        trivsel("kostragruppe:EKG13:KOSTRA-gruppe 13", "2023-24", "", "84,2"),
        trivsel("kostragruppe:EKG14:KOSTRA-gruppe 14", "2023-24", "", "83,1"),
        trivsel("kostragruppe:EKG13:KOSTRA-gruppe 13", "2022-23", "", "80,0"),
    )
    imported(template(*rows), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["staff"])

    html = client.get(reverse("indicators:indicator-list")).content.decode()
    chosen = client.get(reverse("indicators:indicator-list") + "?kostra=EKG14").content.decode()

    (row,) = table_rows(html, "table table-sm indicator-table", "class")
    assert row[-4:] == ["2023/24", "87,5", "85,0", "84,2 (EKG13)"]
    assert '<abbr title="KOSTRA-gruppe 13">EKG13</abbr>' in html
    assert table_rows(chosen, "table table-sm indicator-table", "class")[0][-1] == "83,1 (EKG14)"


def test_the_link_service_refuses_an_area_of_another_municipality(plan_cast):
    """The form offers only the plan's areas; the service checks again for every other
    caller."""
    from django.core.exceptions import ValidationError

    from indicators.services.preview import batch_indicator_link

    cast = plan_cast
    foreign = DevelopmentAreaFactory(
        plan=QualityPlan.objects.get(municipality=cast.other_municipality), name="Nabo"
    )
    batch = preview(base_file(), "trivsel.csv", municipality=cast.municipality)

    with pytest.raises(ValidationError, match="hører til en annen kommune"):
        batch_indicator_link(
            batch=batch, indicator_code="solvik-trivsel", area=foreign, actor=cast["data_admin"]
        )
    batch.refresh_from_db()
    assert batch.preview["links"] == {}
