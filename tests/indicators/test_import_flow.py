"""The import flow: upload → parse and compare (preview) → commit in one transaction →
re-import changes nothing → a changed value can be rolled back exactly; the Celery path
with its progress bar; the history; the mapping step; the management command; and every
real file in tests/indicators/data through the whole flow."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import parsing, reforms
from indicators.models import (
    ImportBatch,
    ImportMapping,
    ImportStatus,
    Indicator,
    Observation,
    ObservationStatus,
    Place,
    PlaceLevel,
)
from indicators.selectors.parsers import batch_needs_mapping, parser_by_name
from indicators.services.imports import (
    batch_commit,
    batch_create,
    batch_discard,
    batch_parse,
    batch_rollback,
    mapping_create,
)
from indicators.tasks import parse_import_batch
from tests.indicators.conftest import DATA, real_file
from tests.indicators.import_helpers import (
    base_file,
    changed_file,
    imported,
    preview,
    template,
    trivsel,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def solvik(period="2023/24", subgroup=""):
    return Observation.objects.get(
        indicator__source__code="lokal",
        indicator__code="solvik-trivsel",
        place__level=PlaceLevel.MUNICIPALITY,
        place__code="9901",
        period_label=period,
        subgroup=subgroup,
    )


def upload(client, content: bytes, name="trivsel.csv"):
    return client.post(
        reverse("indicators:import-upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


# --- Upload, preview, commit ----------------------------------------------------------------


def test_upload_previews_counts_then_commit_writes_the_exact_values(cast, client):
    client.force_login(cast["data_admin"])

    response = upload(client, base_file())

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:import-detail", args=[batch.pk])
    assert batch.status == ImportStatus.PREVIEW
    assert (batch.rows_total, batch.rows_new, batch.rows_changed) == (5, 4, 0)
    assert (batch.rows_unchanged, batch.rows_rejected) == (0, 1)
    assert batch.uploaded_by == cast["data_admin"]
    assert batch.municipality == cast.municipality
    assert batch.detected_format == "portal_template"
    assert batch.source.code == "lokal"
    [problem] = batch.problems
    assert problem["line"] == 6
    assert problem["column"] == "verdi"
    assert problem["value"] == "ca. 40"
    assert problem["reason"]
    assert not Observation.objects.exists()

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-count="new">4<' in html
    assert 'data-count="rejected">1<' in html
    assert "ca. 40" in html
    assert problem["reason"] in html
    assert reverse("indicators:import-commit", args=[batch.pk]) in html

    response = client.post(reverse("indicators:import-commit", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.committed_at is not None
    assert Observation.objects.count() == 4
    total = solvik()
    assert total.value == Decimal("87.5")
    assert total.status == ObservationStatus.VALUE
    assert total.period_start == datetime.date(2023, 8, 1)
    assert total.period_end == datetime.date(2024, 7, 31)
    assert total.batch == batch
    assert total.previous is None
    assert solvik(subgroup="kjønn=Jenter").value == Decimal("89.1")
    boys = solvik(subgroup="kjønn=Gutter")
    assert (boys.value, boys.status) == (None, ObservationStatus.SUPPRESSED)
    country = Observation.objects.get(place__level=PlaceLevel.COUNTRY, place__code="0")
    assert country.value == Decimal("85.0")
    indicator = Indicator.objects.get(code="solvik-trivsel")
    assert (indicator.source.code, indicator.name) == ("lokal", "Elever som trives på skolen")
    assert indicator.unit_of_measure == "prosent"
    assert Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="9901").name == "Solvik"
    # The rejected line is not written.
    assert not Observation.objects.filter(period_label="2022/23").exists()


def test_reimporting_the_same_file_changes_nothing(cast):
    first = imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    before = list(Observation.objects.values_list("pk", "value", "status", "symbol", "batch_id"))

    again = preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 4)
    assert again.rows_rejected == 1
    with CaptureQueriesContext(connection) as queries:
        again = batch_commit(batch=again, user=None)

    assert again.status == ImportStatus.COMMITTED
    assert (again.rows_new, again.rows_changed, again.rows_unchanged) == (0, 0, 4)
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "indicators_observation" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    after = list(Observation.objects.values_list("pk", "value", "status", "symbol", "batch_id"))
    assert after == before
    assert all(batch_id == first.pk for *_rest, batch_id in after)


def test_a_changed_value_is_one_changed_row_and_rollback_restores_it_exactly(cast):
    first = imported(base_file(), "trivsel.csv", municipality=cast.municipality)

    second = preview(changed_file("88,25"), "trivsel-rettet.csv", municipality=cast.municipality)
    assert (second.rows_new, second.rows_changed, second.rows_unchanged) == (0, 1, 3)
    second = batch_commit(batch=second, user=None)

    changed = solvik()
    assert changed.value == Decimal("88.25")
    assert changed.batch == second
    assert changed.previous["batch"] == first.pk
    assert Decimal(changed.previous["value"]) == Decimal("87.5")
    assert solvik(subgroup="kjønn=Jenter").batch == first  # untouched

    batch_rollback(batch=second, user=cast["data_admin"])

    restored = solvik()
    assert restored.value == Decimal("87.5")
    assert (restored.status, restored.symbol) == (ObservationStatus.VALUE, "")
    assert restored.batch == first
    assert restored.previous is None
    second.refresh_from_db()
    assert second.status == ImportStatus.ROLLED_BACK
    assert second.rolled_back_at is not None
    assert Observation.objects.count() == 4

    # Rolling the first batch back too deletes what it created.
    batch_rollback(batch=first, user=None)
    assert not Observation.objects.exists()


def test_rollback_restores_a_status_change_and_its_symbol(cast):
    imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    rows = [
        trivsel("kommune:9901:Solvik", "2023-24", "kjønn=Gutter", "84,0"),
    ]
    second = imported(template(*rows), "gutter.csv", municipality=cast.municipality)
    assert second.rows_changed == 1
    assert solvik(subgroup="kjønn=Gutter").value == Decimal("84.0")

    batch_rollback(batch=second, user=None)

    boys = solvik(subgroup="kjønn=Gutter")
    assert (boys.value, boys.status) == (None, ObservationStatus.SUPPRESSED)


def test_rollback_is_refused_while_a_later_batch_changed_the_same_cells(cast, client):
    first = imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    second = imported(changed_file("88,25"), "trivsel-rettet.csv", municipality=cast.municipality)

    with pytest.raises(ValidationError) as refused:
        batch_rollback(batch=first, user=None)
    assert "trivsel-rettet.csv" in refused.value.messages[0]
    assert "senere import" in refused.value.messages[0]
    first.refresh_from_db()
    assert first.status == ImportStatus.COMMITTED
    assert solvik().value == Decimal("88.25")
    assert Observation.objects.count() == 4

    # The same through the page: a message, nothing changed.
    client.force_login(cast["data_admin"])
    response = client.post(reverse("indicators:import-rollback", args=[first.pk]), follow=True)
    assert response.status_code == 200
    assert "senere import" in response.content.decode()
    assert solvik().value == Decimal("88.25")

    # Once the later batch is rolled back, the first can be.
    batch_rollback(batch=second, user=None)
    batch_rollback(batch=first, user=None)
    assert not Observation.objects.exists()


def test_a_fatal_error_writes_nothing_and_cannot_be_committed(cast):
    imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    counts = (Observation.objects.count(), Indicator.objects.count(), Place.objects.count())

    # Good lines, then a stretch of binary data: the file as a whole cannot be read.
    broken = template(trivsel("kommune:9901:Solvik", "2024-25", "", "90,0")) + b"\x00\x01" * 50
    batch = preview(broken, "knekt.csv", municipality=cast.municipality)

    assert batch.status == ImportStatus.FAILED
    assert "binære data" in batch.error
    assert (batch.rows_total, batch.rows_new) == (0, 0)
    with pytest.raises(ValidationError):
        batch_commit(batch=batch, user=None)
    assert (Observation.objects.count(), Indicator.objects.count(), Place.objects.count()) == counts


def test_a_batch_whose_rows_are_all_rejected_cannot_be_committed(cast, client):
    content = template(trivsel("kommune:9901:Solvik", "2023-24", "", "ca. 40"))
    batch = preview(content, "avvist.csv", municipality=cast.municipality)
    assert batch.status == ImportStatus.PREVIEW
    assert (batch.rows_total, batch.rows_rejected) == (1, 1)

    with pytest.raises(ValidationError):
        batch_commit(batch=batch, user=None)

    client.force_login(cast["data_admin"])
    html = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert reverse("indicators:import-commit", args=[batch.pk]) not in html
    response = client.post(reverse("indicators:import-commit", args=[batch.pk]), follow=True)
    assert "avvist" in response.content.decode()
    assert not Observation.objects.exists()


def test_discard_drops_the_batch_and_its_file(cast, client, media):
    client.force_login(cast["data_admin"])
    upload(client, base_file())
    batch = ImportBatch.objects.get()
    stored = media / batch.stored_file.name
    assert stored.exists()

    response = client.post(reverse("indicators:import-discard", args=[batch.pk]))

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED
    assert not Observation.objects.exists()
    with pytest.raises(ValidationError):
        batch_commit(batch=batch, user=None)


def test_a_discarded_batch_is_left_alone_by_a_late_worker(cast):
    batch = batch_create(content=base_file(), name="x.csv", user=None, municipality=None)
    batch_discard(batch=batch, user=None)
    batch.refresh_from_db()

    assert parse_import_batch(batch.pk) == ImportStatus.DISCARDED
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DISCARDED


# --- Access ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["staff", "sector_leader", "elected_official", "unit_leader"])
def test_only_data_admins_may_upload(cast, client, persona):
    client.force_login(cast[persona])

    assert client.get(reverse("indicators:import-upload")).status_code == 403
    assert upload(client, base_file()).status_code == 403
    assert not ImportBatch.objects.exists()


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("indicators:import-upload"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_another_municipalitys_batch_is_not_found(cast, client):
    batch = preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["other_municipality"])

    for name in ("import-detail", "import-progress", "import-mapping"):
        assert client.get(reverse(f"indicators:{name}", args=[batch.pk])).status_code == 404
    for name in ("import-commit", "import-discard", "import-rollback"):
        assert client.post(reverse(f"indicators:{name}", args=[batch.pk])).status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW


def test_sector_leaders_see_a_batch_but_may_not_commit_or_roll_back(cast, client):
    batch = preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["sector_leader"])

    page = client.get(reverse("indicators:import-detail", args=[batch.pk]))
    assert page.status_code == 200
    assert reverse("indicators:import-commit", args=[batch.pk]) not in page.content.decode()
    assert client.post(reverse("indicators:import-commit", args=[batch.pk])).status_code == 403
    batch = batch_commit(batch=batch, user=None)
    assert client.post(reverse("indicators:import-rollback", args=[batch.pk])).status_code == 403
    assert Observation.objects.count() == 4


def test_staff_do_not_see_the_import_history(cast, client):
    preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["staff"])
    assert client.get(reverse("indicators:import-list")).status_code == 403


def test_actions_answer_only_to_post(cast, client):
    batch = preview(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["data_admin"])
    assert client.get(reverse("indicators:import-commit", args=[batch.pk])).status_code == 405
    assert not Observation.objects.exists()


# --- Progress and the Celery path ----------------------------------------------------------


def test_progress_view_returns_the_stage_and_percent(cast, client):
    batch = batch_create(
        content=base_file(), name="stor.csv", user=None, municipality=cast.municipality
    )
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportStatus.RUNNING, stage="Tolker tallene", progress=40
    )
    client.force_login(cast["data_admin"])

    response = client.get(reverse("indicators:import-progress", args=[batch.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Tolker tallene" in html
    assert 'role="progressbar"' in html
    assert 'aria-valuenow="40"' in html
    assert '<progress class="import-progress-bar" max="100" value="40">' in html

    detail = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert f'hx-get="{reverse("indicators:import-progress", args=[batch.pk])}"' in detail
    assert 'hx-trigger="every 1s"' in detail
    assert 'aria-live="polite"' in detail

    # Done: htmx reloads the page to show the preview; without htmx, a redirect.
    batch_parse(batch=batch)
    done = client.get(
        reverse("indicators:import-progress", args=[batch.pk]), headers={"HX-Request": "true"}
    )
    assert done["HX-Refresh"] == "true"
    plain = client.get(reverse("indicators:import-progress", args=[batch.pk]))
    assert plain.status_code == 302


def test_a_file_over_the_async_threshold_is_parsed_by_the_task(
    cast, client, settings, tasks_in_process, django_capture_on_commit_callbacks
):
    settings.INDICATOR_IMPORT_ASYNC_BYTES = 100
    client.force_login(cast["data_admin"])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        upload(client, base_file())
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.QUEUED  # not parsed in the request
    assert len(callbacks) == 1

    with CaptureQueriesContext(connection) as queries:
        callbacks[0]()

    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert (batch.progress, batch.rows_new) == (100, 4)
    progress_saves = [
        query
        for query in queries.captured_queries
        if query["sql"].startswith('UPDATE "indicators_importbatch" SET "stage"')
    ]
    assert 3 <= len(progress_saves) <= 10  # a few times, not once per row


@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_by_the_page_while_the_rows_are_read_in_a_transaction():
    """The rows are read and compared inside the bulk writer's transaction; the stage
    and percentage must still reach the row the page polls, through a connection of
    their own, while the parse is under way."""
    if connection.vendor != "postgresql":
        pytest.skip("the side connection is PostgreSQL's; SQLite saves through the ORM")
    import psycopg

    from indicators.services.imports import batch_progress_record

    rows = [trivsel("kommune:9901:Solvik", str(year), "", "50") for year in range(1990, 2030)]
    batch = batch_create(content=template(*rows), name="lang.csv", user=None, municipality=None)
    seen_elsewhere = []
    reader = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    try:
        with batch_progress_record(batch=batch) as record:

            def record_and_look(stage, percent):
                record(stage, percent)
                if connection.in_atomic_block:  # the rows are being read
                    seen_elsewhere.append(
                        (
                            (stage, percent),
                            reader.execute(
                                "SELECT stage, progress FROM indicators_importbatch WHERE id = %s",
                                [batch.pk],
                            ).fetchone(),
                        )
                    )

            batch_parse(batch=batch, progress=record_and_look)
    finally:
        reader.close()

    assert batch.status == ImportStatus.PREVIEW, batch.error
    assert seen_elsewhere, "no progress was reported while the rows were read"
    for reported, seen in seen_elsewhere:
        assert seen == reported
    (stage, percent), _seen = seen_elsewhere[-1]
    assert stage == "Tolker og sammenligner tallene"
    assert 20 < percent <= 95  # further than the last step saved outside the transaction


def test_the_task_can_run_twice_without_harm(cast):
    batch = batch_create(content=base_file(), name="x.csv", user=None, municipality=None)

    assert parse_import_batch(batch.pk) == ImportStatus.PREVIEW
    assert parse_import_batch(batch.pk) == ImportStatus.PREVIEW
    assert parse_import_batch(987654) == "missing"
    batch.refresh_from_db()
    assert (batch.rows_new, batch.progress) == (4, 100)


def test_a_parse_stopped_by_celerys_time_limit_fails_with_the_reason(cast, monkeypatch):
    def too_slow(content, filename):
        raise SoftTimeLimitExceeded("soft time limit")

    monkeypatch.setattr(parsing, "detect", too_slow)
    batch = batch_create(content=base_file(), name="x.csv", user=None, municipality=None)

    assert parse_import_batch(batch.pk) == ImportStatus.FAILED
    batch.refresh_from_db()
    assert batch.error == (
        "Innlesingen tok for lang tid og ble stoppet. Del filen opp og prøv igjen."
    )


def test_a_small_file_is_parsed_in_the_request(cast, client, settings):
    settings.INDICATOR_IMPORT_ASYNC_BYTES = 10_000_000
    client.force_login(cast["data_admin"])
    upload(client, base_file())
    assert ImportBatch.objects.get().status == ImportStatus.PREVIEW


# --- History ----------------------------------------------------------------------------------


def test_history_shows_who_imported_what_when_with_counts(
    cast, client, django_assert_max_num_queries
):
    admin = cast["data_admin"]
    admin.first_name, admin.last_name = "Dina", "Data"
    admin.save()
    batch = imported(base_file(), "trivsel.csv", user=admin, municipality=cast.municipality)
    preview(base_file(), "nabo.csv", municipality=cast.other_municipality)
    client.force_login(admin)

    response = client.get(reverse("indicators:import-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "trivsel.csv" in html
    assert "nabo.csv" not in html  # another municipality's
    assert "Dina Data" in html
    assert "Portalens mal" in html
    assert "Lagret" in html
    assert reverse("indicators:import-rollback", args=[batch.pk]) in html
    assert '<td class="text-end">4</td>' in html
    assert '<td class="text-end">1</td>' in html

    for number in range(30):
        preview(base_file(), f"fil-{number}.csv", user=admin, municipality=cast.municipality)
    client.get(reverse("indicators:import-list"))  # warm up
    with django_assert_max_num_queries(8):  # as many as for one row
        response = client.get(reverse("indicators:import-list"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 26  # header + one page of 25


def test_the_admin_lists_batches_read_only_for_superusers(cast, client):
    from tests.factories import UserFactory

    imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    changelist = client.get(reverse("admin:indicators_importbatch_changelist"))

    assert changelist.status_code == 200
    assert "trivsel.csv" in changelist.content.decode()
    assert client.get(reverse("admin:indicators_importbatch_add")).status_code == 403
    batch = ImportBatch.objects.get()
    delete = client.post(reverse("admin:indicators_importbatch_delete", args=[batch.pk]))
    assert delete.status_code == 403
    assert ImportBatch.objects.filter(pk=batch.pk).exists()


def test_rollback_from_the_history(cast, client):
    batch = imported(base_file(), "trivsel.csv", municipality=cast.municipality)
    client.force_login(cast["data_admin"])

    response = client.post(reverse("indicators:import-rollback", args=[batch.pk]), {"next": "list"})

    assert response["Location"] == reverse("indicators:import-list")
    batch.refresh_from_db()
    assert batch.status == ImportStatus.ROLLED_BACK
    assert not Observation.objects.exists()


# --- The mapping step ------------------------------------------------------------------------

UNKNOWN = (
    "Kommunenr;Skoleår;Kjønn;Andel som trives\n"
    "9901;2023-24;Jenter;89,1\n"
    "9901;2023-24;Gutter;85,9\n"
    "9901;2022-23;Jenter;:\n"
).encode()


def test_an_unknown_layout_fails_with_a_link_to_the_mapping_step(cast, client):
    client.force_login(cast["data_admin"])
    upload(client, UNKNOWN, "egen.csv")
    batch = ImportBatch.objects.get()

    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith("Kjenner ikke igjen oppsettet")
    page = client.get(reverse("indicators:import-detail", args=[batch.pk])).content.decode()
    assert reverse("indicators:import-mapping", args=[batch.pk]) in page

    form = client.get(reverse("indicators:import-mapping", args=[batch.pk]))
    html = form.content.decode()
    assert form.status_code == 200
    for header in ("Kommunenr", "Skoleår", "Kjønn", "Andel som trives"):
        assert f'<option value="{header}">{header}</option>' in html

    response = client.post(
        reverse("indicators:import-mapping", args=[batch.pk]),
        {
            "name": "Solviks trivselsfil",
            "source": "lokal",
            "indicator_code": "solvik-trives",
            "indicator_name": "Andel som trives",
            "place_code": "Kommunenr",
            "place_level": "kommune",
            "period": "Skoleår",
            "subgroups": ["Kjønn"],
            "value": "Andel som trives",
        },
    )

    assert response.status_code == 302
    mapping = ImportMapping.objects.get()
    assert mapping.municipality == cast.municipality
    assert mapping.created_by == cast["data_admin"]
    assert mapping.header_signature
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW
    assert batch.mapping == mapping
    assert (batch.rows_new, batch.rows_rejected) == (3, 0)
    batch_commit(batch=batch, user=None)
    girls = Observation.objects.get(
        indicator__code="solvik-trives", period_label="2023/24", subgroup="kjønn=Jenter"
    )
    assert girls.value == Decimal("89.1")
    hidden = Observation.objects.get(indicator__code="solvik-trives", period_label="2022/23")
    assert (hidden.status, hidden.symbol) == (ObservationStatus.SUPPRESSED, ":")

    # The next file with the same columns is read with the saved mapping.
    upload(client, UNKNOWN.replace(b"89,1", b"90,0"), "egen-2.csv")
    again = ImportBatch.objects.latest("pk")
    assert again.status == ImportStatus.PREVIEW
    assert again.mapping == mapping
    assert (again.rows_changed, again.rows_unchanged) == (1, 2)


def test_the_mapping_step_asks_an_ungdata_table_for_its_place_and_year(cast, client):
    client.force_login(cast["data_admin"])
    name = "ungdata_vtfk_handmade_trening_utf8bom_semicolon.csv"
    upload(client, real_file(name), name)
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.FAILED
    assert batch_needs_mapping(batch=batch)

    form = client.get(reverse("indicators:import-mapping", args=[batch.pk])).content.decode()
    assert 'name="place_code"' in form
    assert 'name="period"' in form
    response = client.post(
        reverse("indicators:import-mapping", args=[batch.pk]),
        {
            "name": "Ungdata Vestfold og Telemark",
            "place_level": "fylke",
            "place_code": "38",
            "place_name": "Vestfold og Telemark",
            "period": "2021",
        },
    )

    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEW, batch.error
    assert (batch.rows_new, batch.rows_rejected) == (24, 0)


def test_the_mapping_form_reports_bad_choices_without_saving(cast, client):
    client.force_login(cast["data_admin"])
    upload(client, UNKNOWN, "egen.csv")
    batch = ImportBatch.objects.get()

    response = client.post(
        reverse("indicators:import-mapping", args=[batch.pk]),
        {
            "name": "Feil",
            "source": "lokal",
            "indicator_code": "x",
            "indicator_name": "x",
            "place_code": "Kommunenr",
            "period": "Kommunenr",
            "value": "Andel som trives",
        },
    )

    assert response.status_code == 400
    assert "tre forskjellige kolonner" in response.content.decode()
    assert not ImportMapping.objects.exists()


# --- The management command -------------------------------------------------------------------


def test_command_imports_and_prints_the_counts_and_problems(cast, tmp_path, capsys):
    path = tmp_path / "trivsel.csv"
    path.write_bytes(base_file())

    call_command(
        "import_indicators", str(path), "--municipality", "9901", "--user", "dataansvarlig"
    )

    out = capsys.readouterr().out
    assert "4 nye, 0 endrede, 0 uendrede, 1 avviste" in out
    assert "linje 6, kolonne «verdi», verdi «ca. 40»" in out
    assert "Lagret: 4 nye og 0 endrede tall" in out
    batch = ImportBatch.objects.get()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.uploaded_by == cast["data_admin"]
    assert batch.municipality == cast.municipality
    assert solvik().value == Decimal("87.5")


def test_command_dry_run_writes_nothing(cast, tmp_path, capsys, media):
    path = tmp_path / "trivsel.csv"
    path.write_bytes(base_file())

    call_command("import_indicators", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "4 nye" in out
    assert "Prøvekjøring: ingenting er lagret." in out
    assert not Observation.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not Indicator.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_command_fails_with_a_nonzero_exit_for_a_bad_file(cast, tmp_path):
    path = tmp_path / "bilde.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))

    with pytest.raises(CommandError, match="PNG-bilde"):
        call_command("import_indicators", str(path))
    with pytest.raises(CommandError, match="Finner ingen kommune"):
        call_command("import_indicators", str(path), "--municipality", "1234")
    assert not Observation.objects.exists()


# --- Historic municipality numbers --------------------------------------------------------------


def test_historic_municipality_numbers_are_linked_to_the_numbers_that_continue_them(cast):
    imported(real_file("ssb_kostra_13135_kulturskole_latin1.csv"), "13135.csv")

    def value(code, period):
        return Observation.objects.get(
            indicator__source__code="ssb", place__code=code, period_label=period, subgroup=""
        )

    assert value("0701", "2015").value == Decimal("6.5")
    assert value("3801", "2020").value == Decimal("5.1")
    not_computable = value("0702", "2018")
    assert (not_computable.status, not_computable.symbol) == (ObservationStatus.NOT_COMPUTABLE, ".")
    horten_old = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="0701")
    horten = Place.objects.get(level=PlaceLevel.MUNICIPALITY, code="3801")
    assert horten_old.name == "Horten"
    assert (horten_old.valid_to, horten_old.successor) == (2019, horten)
    assert horten.successor.code == "3901"
    assert horten.valid_to == 2023
    assert horten.successor.valid_from == 2024
    sandefjord = Place.objects.get(code="0710")
    assert (sandefjord.valid_from, sandefjord.valid_to) == (2017, 2019)
    assert sandefjord.successor.code == "3804"
    assert Place.objects.get(code="0706").successor == sandefjord


def test_the_reform_table_follows_jevnaker_through_both_reforms():
    assert reforms.successor("0532") == ("3053", "Jevnaker", 2020)
    assert reforms.successor("3053") == ("3236", "Jevnaker", 2024)
    assert reforms.current("0532") == "3236"
    assert reforms.successor("3236") is None
    assert reforms.current_municipalities()["Jevnaker"] == "3236"


# --- Every real file through the whole flow ----------------------------------------------------

PARSER_FOR = {
    "fhi_api": "indicators.parsing.fhi_api",
    "fhi_kube": "indicators.parsing.fhi_cube",
    "ssb_11616": "indicators.parsing.ssb_csv",
    "ssb_jsonstat2": "indicators.parsing.jsonstat",
    "ssb_kostra": "indicators.parsing.ssb_csv",
    "udir_barnehage": "indicators.parsing.udir_csv",
    "udir_elevundersokelsen": "indicators.parsing.udir_csv",
    "udir_grunnskolepoeng_skoler": "indicators.parsing.udir_csv",
    "udir_grunnskolepoeng": "indicators.parsing.udir_xlsx",
    "ungdata_vtfk": "indicators.parsing.ungdata_table",
}
REAL_FILES = sorted(path.name for path in DATA.iterdir() if path.name != "README.md")


def test_every_real_file_has_a_parser_listed():
    assert len(REAL_FILES) == 11
    for name in REAL_FILES:
        assert any(name.startswith(prefix) for prefix in PARSER_FOR), name


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_real_file_imports_and_reimports_unchanged(cast, name):
    module = next(module for prefix, module in PARSER_FOR.items() if name.startswith(prefix))
    # An installation administrator's import, which writes every row of the file (a
    # municipality's writes its own places only: tests/indicators/test_tenancy.py). An
    # Ungdata table names neither place nor year: Solvik's data admin says them, for
    # Solvik, in the mapping step.
    municipality = cast.municipality if name.startswith("ungdata") else None
    content = real_file(name)
    if name.endswith(".csv") and not content.rstrip(b"\x00").endswith(b"\n"):
        # Typed by hand without a line end after the last line: refused (a cut-off «5»
        # cannot be told from «51»), with the fix in the message.
        refused = preview(content, name, municipality=municipality)
        assert refused.status == ImportStatus.FAILED
        assert "legg til et linjeskift" in refused.error
        content += b"\n"
    batch = preview(content, name, municipality=municipality)
    if batch_needs_mapping(batch=batch):
        mapping_create(
            batch=batch,
            user=None,
            name="Ungdata Solvik",
            columns={
                "parser": batch.detected_format,
                "place": ["kommune", "9901", "Solvik"],
                "period": "2021",
            },
            source_code="ungdata",
        )
        batch = batch_parse(batch=batch)
    assert batch.status == ImportStatus.PREVIEW, batch.error
    # Read by the parser listed for it, not by whichever other layout also fits.
    assert parser_by_name(name=batch.detected_format).__name__ == module
    assert batch.rows_new > 0
    assert batch.rows_total == batch.rows_new + batch.rows_rejected
    batch = batch_commit(batch=batch, user=None)
    assert Observation.objects.filter(batch=batch).count() == batch.rows_new

    again = preview(content, name, municipality=municipality)
    assert again.status == ImportStatus.PREVIEW, again.error
    assert (again.rows_new, again.rows_changed) == (0, 0)
    assert again.rows_unchanged == batch.rows_new
    again = batch_commit(batch=again, user=None)
    assert (again.rows_new, again.rows_changed) == (0, 0)
    assert Observation.objects.filter(batch=again).count() == 0
