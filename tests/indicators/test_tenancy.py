"""Tenancy of indicators (issue 13, item 2): one municipality's data admin or sector leader
cannot change what another municipality sees, through any write path — the upload and
commit, the Celery task, the management command, the admin, the indicator, target and
commentary forms, the mapping step and the rollback. Solvik (9901) is the victim,
Nabovik (9902) the attacker. Runs on SQLite and PostgreSQL (the COPY path)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from indicators.models import (
    Commentary,
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    Place,
    PlaceLevel,
    Source,
    Target,
)
from indicators.services.imports import batch_commit, batch_rollback, mapping_create
from indicators.services.indicators import (
    indicator_commentary_save,
    indicator_targets_save,
    indicator_update,
)
from indicators.tasks import parse_import_batch
from plans.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.indicators.factories_pages import IndicatorFactory
from tests.indicators.import_helpers import base_file, imported, preview, template, trivsel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def nabovik_leader(cast):
    user = UserFactory(username="nabo-leder")
    MembershipFactory(user=user, municipality=cast.other_municipality, role=Role.SECTOR_LEADER)
    return user


def solvik_total():
    return Observation.objects.get(
        indicator__code="solvik-trivsel",
        place__level=PlaceLevel.MUNICIPALITY,
        place__code="9901",
        period_label="2023/24",
        subgroup="",
    )


# Nabovik's file: two rows for Solvik's number (one for Solvik's indicator code, one for a
# code no one has), one for Solvik's historic number, and one row of its own.
ATTACK = template(
    trivsel("kommune:9901:Solvik", "2023-24", "", "10,0"),
    "lokal;ny-kode;Ny indikator;kommune;9901;Solvik;2023-24;;55,0;;prosent",
    "lokal;ny-kode;Ny indikator;kommune;9801;Solvik;2022-23;;54,0;;prosent",
    "lokal;nabo-egen;Naboviks egen;kommune;9902;Nabovik;2023-24;;60,0;;prosent",
)


@pytest.fixture
def solvik_import(cast):
    """Solvik's own import of its figures, before the attack."""
    cast.municipality.historic_numbers = ["9801"]
    cast.municipality.save(update_fields=["historic_numbers"])
    return imported(
        base_file(), "trivsel.csv", user=cast["data_admin"], municipality=cast.municipality
    )


def upload(client, content: bytes, name: str):
    client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )
    return ImportBatch.objects.order_by("-pk").first()


def assert_solvik_untouched(solvik_import) -> None:
    total = solvik_total()
    assert (total.value, total.batch_id, total.previous) == (
        Decimal("87.5"),
        solvik_import.pk,
        None,
    )
    assert not Indicator.objects.filter(code="ny-kode").exists()


# --- The attack, through the upload page ---------------------------------------------------


def test_another_municipalitys_rows_are_left_out_of_the_preview_and_the_commit(
    cast, client, solvik_import
):
    client.force_login(cast["other_municipality"])
    batch = upload(client, ATTACK, "angrep.csv")

    assert batch.status == ImportStatus.PREVIEW, batch.error
    assert (batch.rows_total, batch.rows_new, batch.rows_skipped) == (4, 1, 3)
    [skipped] = batch.skipped
    assert (skipped["key"], skipped["count"], skipped["lines"]) == ("foreign", 3, [2, 3, 4])
    page = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert "3 rader er utelatt." in page
    assert "Radene gjelder andre kommuner" in page
    assert "Første linjer: 2, 3, 4" in page

    client.post(reverse("indicators:import-commit", args=[batch.pk]))
    batch.refresh_from_db()

    assert batch.status == ImportStatus.COMMITTED
    assert (batch.rows_new, batch.rows_skipped) == (1, 3)
    assert_solvik_untouched(solvik_import)
    own = Indicator.objects.get(code="nabo-egen")
    assert own.municipality == cast.other_municipality
    assert Observation.objects.filter(batch=batch).count() == 1


def test_the_attack_leaves_solviks_list_api_and_rollback_alone(cast, client, solvik_import):
    client.force_login(cast["other_municipality"])
    batch = upload(client, ATTACK, "angrep.csv")
    client.post(reverse("indicators:import-commit", args=[batch.pk]))

    client.force_login(cast["sector_leader"])
    listing = client.get(reverse("indicators:indicator-list")).content.decode()
    assert "Elever som trives på skolen" in listing
    assert "Naboviks egen" not in listing
    assert "Ny indikator" not in listing
    nabo = Indicator.objects.get(code="nabo-egen")
    assert client.get(reverse("indicators:indicator-detail", args=[nabo.pk])).status_code == 404
    api = client.get(reverse("indicators:api-indicators"), {"page_size": 500}).json()
    assert "ny-kode" not in {row["code"] for row in api["results"]}
    # Nabovik's own indicator is in the open API, as Nabovik's.
    [nabo_json] = [row for row in api["results"] if row["code"] == "nabo-egen"]
    assert nabo_json["municipality"] == {"number": "9902", "name": "Nabovik kommune"}

    client.force_login(cast["data_admin"])
    response = client.post(reverse("indicators:import-rollback", args=[solvik_import.pk]))
    assert response.status_code == 302
    solvik_import.refresh_from_db()
    assert solvik_import.status == ImportStatus.ROLLED_BACK
    assert not Observation.objects.filter(place__code="9901").exists()
    assert Observation.objects.filter(batch=batch).count() == 1  # Nabovik's own row stays


def test_a_file_with_only_another_municipalitys_rows_writes_nothing(cast, client, solvik_import):
    client.force_login(cast["other_municipality"])
    batch = upload(client, template(trivsel("kommune:9901:Solvik", "2023-24", "", "10,0")), "x.csv")

    assert batch.status == ImportStatus.FAILED
    assert "andre kommuner" in batch.error
    with pytest.raises(ValidationError):
        batch_commit(batch=batch, user=cast["other_municipality"])
    assert_solvik_untouched(solvik_import)


def test_a_school_of_another_municipality_is_left_out(cast, solvik_import):
    cast.school.organisation_number = "974760673"
    cast.school.save(update_fields=["organisation_number"])
    Place.objects.create(
        level=PlaceLevel.UNIT, code="974760673", name="Solvik barneskole", unit=cast.school
    )
    content = template(
        "lokal;skole;Skoletall;enhet;974760673;Solvik barneskole;2023-24;;70,0;;prosent",
        "lokal;skole;Skoletall;kommune;9902;Nabovik;2023-24;;71,0;;prosent",
    )

    attack = imported(content, "skole.csv", municipality=cast.other_municipality)
    own = imported(content, "skole.csv", municipality=cast.municipality)

    assert (attack.rows_new, attack.rows_skipped) == (1, 1)
    assert (own.rows_new, own.rows_skipped) == (1, 1)
    school = Observation.objects.get(place__code="974760673")
    assert (school.batch, school.indicator.municipality) == (own, cast.municipality)


def test_a_historic_number_typed_by_another_municipality_is_not_its_own(cast, solvik_import):
    # Nabovik's data admin claims Solvik's current number as a former number of its own.
    cast.other_municipality.historic_numbers = ["9901"]
    cast.other_municipality.save(update_fields=["historic_numbers"])

    batch = imported(ATTACK, "angrep.csv", municipality=cast.other_municipality)

    assert batch.rows_skipped == 3
    assert_solvik_untouched(solvik_import)


# --- The other write paths -------------------------------------------------------------------


def test_the_celery_task_path_leaves_out_another_municipalitys_rows(
    cast, client, settings, tasks_in_process, django_capture_on_commit_callbacks, solvik_import
):
    settings.INDICATOR_IMPORT_ASYNC_BYTES = 100
    client.force_login(cast["other_municipality"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = upload(client, ATTACK, "angrep.csv")
    assert batch.status == ImportStatus.QUEUED

    assert parse_import_batch(batch.pk) == ImportStatus.PREVIEW
    batch.refresh_from_db()
    assert (batch.rows_new, batch.rows_skipped) == (1, 3)
    batch_commit(batch=batch, user=cast["other_municipality"])
    assert_solvik_untouched(solvik_import)
    assert len(callbacks) == 1


def test_the_command_with_a_municipality_writes_only_its_rows(
    cast, tmp_path, capsys, solvik_import
):
    path = tmp_path / "angrep.csv"
    path.write_bytes(ATTACK)

    call_command("import_indicators", str(path), "--municipality", "9902")

    out = capsys.readouterr().out
    assert "Utelatt: 3 rader. Radene gjelder andre kommuner" in out
    assert "Første linjer: 2, 3, 4." in out
    assert_solvik_untouched(solvik_import)


def test_the_command_without_a_municipality_is_the_installations_import(cast, tmp_path):
    path = tmp_path / "alle.csv"
    path.write_bytes(ATTACK)

    call_command("import_indicators", str(path))

    batch = ImportBatch.objects.get()
    assert (batch.municipality, batch.rows_new, batch.rows_skipped) == (None, 4, 0)
    assert set(Indicator.objects.values_list("municipality", flat=True)) == {None}


# --- Indicators, targets and commentary ------------------------------------------------------


@pytest.fixture
def solvik_own(cast):
    return IndicatorFactory(municipality=cast.municipality, name="Solviks egen", description="A")


@pytest.fixture
def shared_indicator(cast):
    return IndicatorFactory(municipality=None, name="Felles", description="Felles tekst")


def test_another_municipalitys_sector_leader_cannot_open_or_change_its_indicator(
    cast, client, nabovik_leader, solvik_own
):
    client.force_login(nabovik_leader)
    for name in ("indicator-detail", "indicator-edit", "indicator-targets", "indicator-commentary"):
        assert client.get(reverse(f"indicators:{name}", args=[solvik_own.pk])).status_code == 404
    response = client.post(
        reverse("indicators:indicator-edit", args=[solvik_own.pk]),
        {"description": "Endret av Nabovik", "decimals": "3"},
    )
    assert response.status_code == 404
    client.post(
        reverse("indicators:indicator-targets", args=[solvik_own.pk]),
        {
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-year": "2026",
            "targets-0-value": "5",
        },
    )
    client.post(
        reverse("indicators:indicator-commentary", args=[solvik_own.pk]), {"text": "Nabovik"}
    )
    solvik_own.refresh_from_db()
    assert (solvik_own.description, solvik_own.decimals) == ("A", 1)
    assert not Target.objects.exists()
    assert not Commentary.objects.exists()


def test_an_installation_wide_indicators_settings_are_the_administrators(
    cast, client, plan_cast, shared_indicator, admin_user
):
    url = reverse("indicators:indicator-edit", args=[shared_indicator.pk])
    client.force_login(cast["sector_leader"])
    form = client.get(url).content.decode()
    assert 'name="description"' not in form
    assert 'name="areas"' in form

    response = client.post(
        url,
        {
            "description": "Solviks tekst for alle",
            "decimals": "3",
            "higher_is_better": "false",
            "published": "",
            "areas": [str(plan_cast.areas[0].pk)],
        },
    )

    assert response.status_code == 302
    shared_indicator.refresh_from_db()
    assert (shared_indicator.description, shared_indicator.decimals) == ("Felles tekst", 1)
    assert (shared_indicator.higher_is_better, shared_indicator.published) == (True, True)
    assert list(shared_indicator.areas.all()) == [plan_cast.areas[0]]  # Solvik's own link

    client.force_login(admin_user)
    client.post(url, {"description": "Ny felles tekst", "decimals": "2", "published": "on"})
    shared_indicator.refresh_from_db()
    assert (shared_indicator.description, shared_indicator.decimals) == ("Ny felles tekst", 2)


def test_the_services_refuse_another_municipalitys_indicator(cast, solvik_own, shared_indicator):
    with pytest.raises(PermissionDenied):
        indicator_update(
            indicator=shared_indicator,
            data={"description": "Solviks tekst for alle"},
            municipality=cast.municipality,
            plan=None,
            actor=cast["sector_leader"],
        )
    with pytest.raises(PermissionDenied):
        indicator_update(
            indicator=solvik_own,
            data={"decimals": 3},
            municipality=cast.other_municipality,
            plan=None,
            actor=cast["other_municipality"],
        )
    with pytest.raises(ValidationError):
        indicator_targets_save(
            indicator=solvik_own,
            municipality=cast.other_municipality,
            rows=[{"year": 2026, "value": "5"}],
            actor=None,
        )
    with pytest.raises(ValidationError):
        indicator_commentary_save(
            indicator=solvik_own, municipality=cast.other_municipality, text="x", actor=None
        )
    assert not Target.objects.exists()
    assert not Commentary.objects.exists()
    shared_indicator.refresh_from_db()
    solvik_own.refresh_from_db()
    assert (shared_indicator.description, solvik_own.decimals) == ("Felles tekst", 1)


def test_targets_and_commentary_on_a_shared_indicator_stay_each_municipalitys(
    cast, client, nabovik_leader, shared_indicator
):
    Target.objects.create(
        indicator=shared_indicator, municipality=cast.municipality, year=2026, value=Decimal(80)
    )
    Commentary.objects.create(
        indicator=shared_indicator, municipality=cast.municipality, text="Solviks lesning"
    )
    client.force_login(nabovik_leader)
    client.post(
        reverse("indicators:indicator-targets", args=[shared_indicator.pk]),
        {
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-year": "2026",
            "targets-0-value": "5",
        },
    )
    client.post(
        reverse("indicators:indicator-commentary", args=[shared_indicator.pk]),
        {"delete": "1"},
    )

    own = Target.objects.get(municipality=cast.municipality)
    assert own.value == Decimal(80)
    assert Target.objects.get(municipality=cast.other_municipality).value == Decimal(5)
    assert Commentary.objects.get().text == "Solviks lesning"


# --- The admin --------------------------------------------------------------------------------


def test_the_admin_lets_a_data_admin_change_only_their_own_indicator(
    cast, client, solvik_own, shared_indicator
):
    client.force_login(cast["other_municipality"])
    change = reverse("admin:indicators_indicator_change", args=[solvik_own.pk])
    assert client.get(change).status_code == 302  # outside Nabovik's scope
    client.post(change, {"description": "Nabovik", "decimals": "3"})
    listing = client.get(reverse("admin:indicators_indicator_changelist")).content.decode()
    assert "Solviks egen" not in listing
    assert "Felles" in listing
    shared_change = reverse("admin:indicators_indicator_change", args=[shared_indicator.pk])
    page = client.get(shared_change)
    assert page.status_code == 200
    assert 'name="description"' not in page.content.decode()  # read-only
    assert client.post(shared_change, {"description": "Nabovik"}).status_code == 403

    client.force_login(cast["data_admin"])
    own_change = reverse("admin:indicators_indicator_change", args=[solvik_own.pk])
    response = client.post(
        own_change,
        {
            "unit_of_measure": "prosent",
            "decimals": "2",
            "description": "Solviks tekst",
            "service_field": "",
            "higher_is_better": "",
            "published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    solvik_own.refresh_from_db()
    shared_indicator.refresh_from_db()
    assert (solvik_own.description, solvik_own.decimals) == ("Solviks tekst", 2)
    assert solvik_own.municipality == cast.municipality
    assert shared_indicator.description == "Felles tekst"


def test_sources_and_places_are_read_only_for_a_data_admin(cast, client, admin_user):
    source = Source.objects.create(code="ssb", name="SSB")
    place = Place.objects.create(level=PlaceLevel.UNIT, code="974760673", name="Skole")
    client.force_login(cast["other_municipality"])

    source_url = reverse("admin:indicators_source_change", args=[source.pk])
    place_url = reverse("admin:indicators_place_change", args=[place.pk])
    assert client.get(source_url).status_code == 200
    assert client.post(source_url, {"code": "ssb", "name": "Falsk"}).status_code == 403
    assert (
        client.post(
            place_url,
            {"level": "enhet", "code": "974760673", "name": "Skole", "unit": cast.other_unit.pk},
        ).status_code
        == 403
    )
    source.refresh_from_db()
    place.refresh_from_db()
    assert (source.name, place.unit) == ("SSB", None)

    client.force_login(admin_user)
    assert (
        client.post(source_url, {"code": "ssb", "name": "Statistisk sentralbyrå"}).status_code
        == 302
    )
    source.refresh_from_db()
    assert source.name == "Statistisk sentralbyrå"


# --- Mappings ---------------------------------------------------------------------------------

UNKNOWN = ("Kommunenr;Skoleår;Andel som trives\n9901;2023-24;81,5\n9902;2023-24;70,0\n").encode()


def test_a_saved_mapping_belongs_to_the_municipality_that_saved_it(cast, client):
    nabo = preview(UNKNOWN, "egen.csv", municipality=cast.other_municipality)
    mapping = mapping_create(
        batch=nabo,
        user=cast["other_municipality"],
        name="Naboviks oppsett",
        columns={"place_code": "Kommunenr", "period": "Skoleår", "value": "Andel som trives"},
        source_code="lokal",
        indicator_code="trivsel",
        indicator_name="Trivsel",
    )
    assert mapping.municipality == cast.other_municipality

    solvik = preview(UNKNOWN, "egen.csv", municipality=cast.municipality)

    assert solvik.status == ImportStatus.FAILED  # Nabovik's mapping is not Solvik's
    assert solvik.mapping is None
    client.force_login(cast["other_municipality"])
    assert client.get(reverse("indicators:import-mapping", args=[solvik.pk])).status_code == 404
    assert ImportMapping.objects.count() == 1


# --- Shared figures and rollback ------------------------------------------------------------


def ssb_file(**values: tuple[str, str]) -> bytes:
    """An SSB statbank table (the publisher's own layout) with 2023 and 2024 per place."""
    names = {"land": "0 Hele landet", "solvik": "9901 Solvik", "nabovik": "9902 Nabovik"}
    lines = [
        "12345: Testtabell, etter region, statistikkvariabel og år;;",
        ";;",
        ";Barn i kulturskolen (prosent);",
        ";2023;2024",
    ]
    lines += [f"{names[key]};{first};{second}" for key, (first, second) in values.items()]
    # SSB's footer after a blank row: without it the file reads as cut off.
    lines += [";;", "Database:;;", "Ekstern PRODUKSJON;;"]
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def national(period: str = "2024") -> Observation:
    return Observation.objects.get(place__level=PlaceLevel.COUNTRY, period_label=period)


@pytest.fixture
def catalogue(cast):
    """The installation's indicator for table 12345, imported by an installation
    administrator for another municipality before Solvik and Nabovik import it."""
    content = ssb_file(land=("5,0", "5,5")).replace(b"0 Hele landet", b"3801 Horten")
    imported(content, "12345.csv")
    indicator = Indicator.objects.get(code="ssb-12345")
    assert indicator.municipality is None
    return indicator


def test_a_shared_figure_both_imported_survives_the_first_ones_rollback(cast, catalogue):
    content = ssb_file(land=("5,0", "5,5"), solvik=("6,0", "6,5"), nabovik=("7,0", "7,5"))
    solvik = imported(content, "12345.csv", municipality=cast.municipality)
    nabovik = imported(content, "12345.csv", municipality=cast.other_municipality)
    assert (solvik.rows_new, solvik.rows_skipped) == (4, 2)
    # Nabovik's import takes the unchanged national figures over, without counting them
    # as changed.
    assert (nabovik.rows_new, nabovik.rows_changed, nabovik.rows_unchanged) == (2, 0, 2)
    assert national().batch == nabovik

    batch_rollback(batch=solvik, user=cast["data_admin"])  # not blocked by Nabovik's batch

    assert (national().value, national().batch) == (Decimal("5.5"), nabovik)
    assert national().previous is None
    assert not Observation.objects.filter(place__code="9901").exists()
    assert Observation.objects.filter(place__code="9902", batch=nabovik).count() == 2
    batch_rollback(batch=nabovik, user=cast["other_municipality"])
    assert not Observation.objects.filter(place__level=PlaceLevel.COUNTRY).exists()


def test_a_shared_figure_changed_later_keeps_the_later_value_after_a_rollback(cast, catalogue):
    first = ssb_file(land=("5,0", "5,5"), solvik=("6,0", "6,5"))
    later = ssb_file(land=("5,0", "5,8"), nabovik=("7,0", "7,5"))
    solvik = imported(first, "12345.csv", municipality=cast.municipality)
    nabovik = imported(later, "12345-rettet.csv", municipality=cast.other_municipality)
    assert (national().value, national().previous["batch"]) == (Decimal("5.8"), solvik.pk)

    batch_rollback(batch=solvik, user=cast["data_admin"])

    assert (national().value, national().batch, national().previous) == (
        Decimal("5.8"),
        nabovik,
        None,  # Solvik's rolled-back value is gone from the history
    )
    assert national("2023").batch == nabovik
    batch_rollback(batch=nabovik, user=cast["other_municipality"])
    assert not Observation.objects.filter(place__level=PlaceLevel.COUNTRY).exists()


def test_a_later_batch_of_the_same_municipality_still_blocks_the_rollback(cast, catalogue):
    solvik = imported(ssb_file(land=("5,0", "5,5")), "a.csv", municipality=cast.municipality)
    imported(ssb_file(land=("5,0", "5,9")), "b.csv", municipality=cast.municipality)

    with pytest.raises(ValidationError, match=r"b\.csv"):
        batch_rollback(batch=solvik, user=cast["data_admin"])


def test_a_hand_typed_table_does_not_write_the_installations_shared_figures(cast, catalogue):
    content = (
        "kilde;indikatorkode;indikator;stedsnivå;stedskode;sted;periode;undergruppe;verdi;status;enhet\n"
        "ssb;ssb-12345;Barn i kulturskolen;land;0;Hele landet;2024;;99,0;;prosent\n"
        "ssb;ssb-12345;Barn i kulturskolen;kommune;9902;Nabovik;2024;;7,5;;prosent\n"
    ).encode()

    batch = imported(content, "falsk.csv", municipality=cast.other_municipality)

    assert (batch.rows_new, batch.rows_skipped) == (1, 1)
    assert batch.skipped[0]["key"] == "shared"
    assert not Observation.objects.filter(place__level=PlaceLevel.COUNTRY).exists()
